import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/diagnosis/engine.js';
import { exitCodeFor } from '../../src/diagnosis/exit.js';
import { collected, failed, valueOf, type Evidence, type GithubHttpProbe, type IdpEvidence, type SettingsEvidence, type TokenEvidence, type UpstreamEvidence } from '../../src/model/index.js';
import { idpRules } from '../../src/diagnosis/rules/idp.js';
import { upstreamRules } from '../../src/diagnosis/rules/upstream.js';
import { Secret } from '../../src/secrets.js';

const NOW = 1_800_000_000;
const settings = (extra: Partial<SettingsEvidence> = {}): SettingsEvidence => ({ mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com', ...extra });
const probe = (p: Partial<GithubHttpProbe>): GithubHttpProbe => ({ url: 'https://api.github.com/user', outcome: 'ok', ms: 5, headers: {}, ...p });
const BAD = probe({ status: 401, outcome: 'bad-credentials', message: 'Bad credentials', body: '{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}' });

function upstream(u: Partial<UpstreamEvidence>): UpstreamEvidence {
  return { token: new Secret('ghu_tokentokentokentokentokentokentoken', 'test'), tokenSource: 'test', tokenKind: { prefix: 'ghu_', kind: 'GitHub App user token', expires: true }, apiUrl: 'https://api.github.com', requiredScopes: ['user'], ...u };
}
function evUp(u: Partial<UpstreamEvidence>, s: Partial<SettingsEvidence> = {}, token?: Partial<TokenEvidence>): Evidence {
  const ev: Evidence = { command: 'probe-github', now: NOW, settings: settings(s), upstream: collected(upstream(u)) };
  if (token) ev.token = collected({ token: new Secret('eyJ.x.y', 't'), signature: { checked: false, tried: [] }, ...token });
  return ev;
}
const codes = (fs: { code: string; severity: string }[]) => fs.map((f) => `${f.code}:${f.severity}`);

describe('upstream rules', () => {
  it('401 → UPSTREAM_TOKEN_REJECTED with the FastMCP log line', () => {
    const [f] = upstreamRules(evUp({ user: BAD }));
    expect(f?.code).toBe('UPSTREAM_TOKEN_REJECTED');
    expect(f?.stage).toBe('upstream.verify');
    expect(f?.logLine).toBe('DEBUG GitHub token verification failed: 401 - {"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"} → DEBUG Upstream token validation failed → INFO Auth error returned: invalid_token (status=401)');
  });

  it('check-token 404 without a /user call is the same verdict, titled with what was observed (no 401 was seen)', () => {
    const f = upstreamRules(evUp({ checkToken: { outcome: 'invalid', status: 404 } }));
    expect(codes(f)).toEqual(['UPSTREAM_TOKEN_REJECTED:error']);
    expect(f[0]?.title).toBe('GitHub no longer knows the upstream token (check-token answered 404)');
    expect(f[0]?.title).not.toMatch(/401/);
    expect(upstreamRules(evUp({ user: BAD }))[0]?.title).toBe('GitHub rejects the upstream token (401 Bad credentials)');
    // A 404 at /user (a wrong --github-api-url) is not titled as a 5xx/timeout.
    const nf = upstreamRules(evUp({ user: probe({ status: 404, outcome: 'not-found', message: 'Not Found' }) }))[0];
    expect(nf?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(nf?.title).toBe('GET /user answered 404, which is not an answer GitHub gives about a token (wrong API URL?)');
  });

  it('expired upstream set + 401: FastMCP ≥3.2 with a refresh token → warning; before 3.2 or without refresh → error', () => {
    const base = { user: BAD, storedExpiresAt: NOW - 60 };
    expect(codes(upstreamRules(evUp({ ...base, hasRefreshToken: true }, { fastmcpVersion: '3.4.7' })))).toEqual(['UPSTREAM_TOKEN_EXPIRED:warning']);
    expect(codes(upstreamRules(evUp({ ...base, hasRefreshToken: true }, { fastmcpVersion: '2.14.7' })))).toEqual(['UPSTREAM_TOKEN_EXPIRED:error']);
    expect(codes(upstreamRules(evUp({ ...base, hasRefreshToken: false }, { fastmcpVersion: '3.4.7' })))).toEqual(['UPSTREAM_TOKEN_EXPIRED:error']);
    const unknown = upstreamRules(evUp({ ...base, hasRefreshToken: true }));
    expect(codes(unknown)).toEqual(['UPSTREAM_TOKEN_EXPIRED:error']);
    expect(unknown[0]?.detail).toMatch(/version is unknown/);
  });

  it('on the refresh path an expired upstream token with a refresh token is not a failure', () => {
    const f = upstreamRules(evUp({ user: BAD, storedExpiresAt: NOW - 60, hasRefreshToken: true }, { fastmcpVersion: '2.14.7' }, { kind: 'refresh' }));
    expect(codes(f)).toEqual(['UPSTREAM_TOKEN_EXPIRED:info']);
  });

  it('not expired but rejected on the refresh path is still an error (the refresh token dies with a revocation)', () => {
    const f = upstreamRules(evUp({ user: BAD, storedExpiresAt: NOW + 3600, hasRefreshToken: true }, {}, { kind: 'refresh' }));
    expect(codes(f)).toEqual(['UPSTREAM_TOKEN_REJECTED:error']);
    expect(f[0]?.detail).toMatch(/bad_refresh_token/);
  });

  it('5xx, timeout and network errors → UPSTREAM_UNAVAILABLE with the matching log line', () => {
    const five = upstreamRules(evUp({ user: probe({ status: 503, outcome: 'server-error', body: '<!DOCTYPE html>' }) }));
    expect(codes(five)).toEqual(['UPSTREAM_UNAVAILABLE:error']);
    expect(five[0]?.logLine).toContain('GitHub token verification failed: 503 - <!DOCTYPE html>');
    const to = upstreamRules(evUp({ user: probe({ outcome: 'timeout', message: 'no answer within 10 s' }) }));
    expect(to[0]?.logLine).toContain('Failed to verify GitHub token: no answer within 10 s');
    const ct = upstreamRules(evUp({ checkToken: { outcome: 'error' }, checkTokenHttp: probe({ outcome: 'network-error', message: 'connection refused' }) }));
    expect(codes(ct)).toEqual(['UPSTREAM_UNAVAILABLE:error']);
  });

  it('no network is not an outage: a request that never reached GitHub raises nothing, and the tier is inconclusive (exit 3)', () => {
    const ev = evUp({ user: probe({ outcome: 'unreachable', message: 'host name not found (ENOTFOUND)' }) });
    expect(upstreamRules(ev)).toEqual([]);
    ev.upstream = failed('GitHub could not be reached from here (https://api.github.com: host name not found (ENOTFOUND))', valueOf(ev.upstream));
    const r = buildReport(ev, { version: 't', interrupted: false });
    expect(r.verdict).toBe('inconclusive');
    expect(exitCodeFor(r)).toBe(3);
    expect(r.fix).toMatch(/GitHub could not be reached from here/);
    expect(r.fix).not.toMatch(/outage/);
  });

  it('403 flavours', () => {
    expect(codes(upstreamRules(evUp({ user: probe({ status: 403, outcome: 'rate-limited', headers: { rateLimit: { remaining: 0, reset: NOW + 600 } } }) })))).toEqual(['UPSTREAM_RATE_LIMITED:error']);
    expect(codes(upstreamRules(evUp({ user: probe({ status: 403, outcome: 'secondary-rate-limit', headers: { retryAfter: 60 } }) })))).toEqual(['UPSTREAM_RATE_LIMITED:error']);
    const sso = upstreamRules(evUp({ user: probe({ status: 403, outcome: 'sso-required', headers: { sso: 'required; url=https://github.com/orgs/o/sso?authorization_request=SECRETISH' } }) }));
    expect(codes(sso)).toEqual(['UPSTREAM_SSO_REQUIRED:error']);
    expect(sso[0]?.detail).toContain('https://github.com/orgs/o/sso');
    expect(sso[0]?.detail).not.toContain('SECRETISH');
    expect(codes(upstreamRules(evUp({ user: probe({ status: 403, outcome: 'locked-out', message: 'Maximum number of login attempts exceeded.' }) })))).toEqual(['UPSTREAM_FORBIDDEN:error']);
    expect(codes(upstreamRules(evUp({ user: probe({ status: 403, outcome: 'forbidden' }) })))).toEqual(['UPSTREAM_FORBIDDEN:error']);
  });

  it('scopes: X-OAuth-Scopes must cover required_scopes', () => {
    const ok = probe({});
    expect(upstreamRules(evUp({ user: ok, repos: probe({ headers: { oauthScopes: 'repo' } }), effectiveScopes: ['repo'], requiredScopes: ['user'] }))[0]?.code).toBe('UPSTREAM_SCOPES_MISSING');
    expect(upstreamRules(evUp({ user: ok, repos: probe({ headers: { oauthScopes: '' } }), effectiveScopes: ['user'], requiredScopes: ['user'] }))).toEqual([]);
  });

  it('token minted by another app; app credentials rejected', () => {
    expect(codes(upstreamRules(evUp({ user: probe({ headers: { oauthClientId: 'Ov23liOTHER' } }), effectiveScopes: ['user'] }, { upstreamClientId: 'Ov23liMINE' })))).toEqual(['UPSTREAM_TOKEN_FROM_OTHER_APP:warning']);
    expect(codes(upstreamRules(evUp({ checkToken: { outcome: 'app-credentials-rejected', status: 401 } })))).toEqual(['UPSTREAM_APP_CREDENTIALS_REJECTED:warning']);
  });

  it('alive token: no finding, healthy report', () => {
    const ev = evUp({ user: probe({ status: 200 }), repos: probe({}), effectiveScopes: ['user'] });
    expect(upstreamRules(ev)).toEqual([]);
    expect(buildReport(ev, { version: 't', interrupted: false, plan: { tiers: ['upstream'], deciding: ['upstream'] } }).verdict).toBe('healthy');
  });
});

function idpEv(i: Partial<IdpEvidence>): Evidence {
  const idp: IdpEvidence = { source: 'security-log-export', eventsRead: 10, eventsForApp: 5, matches: [], destroysByExplanation: {}, timelines: [], ...i };
  return { command: 'github-audit', now: NOW, settings: settings(), idp: collected(idp) };
}

describe('idp rules', () => {
  const destroy = (explanation?: string) => ({ action: 'oauth_access.destroy', at: NOW - 100, hashedToken: 'HASH', user: 'u', appName: 'App', ...(explanation ? { explanation } : {}) });

  it('a matched max_for_app destroy → IDP_TOKEN_EVICTED_MAX_FOR_APP, naming the Nth create', () => {
    const f = idpRules(idpEv({ matches: [{ token: 'T', event: { ...destroy('max_for_app'), trigger: { at: NOW - 101, requestId: 'R', liveAfter: 11 } } }], destroysByExplanation: { max_for_app: 1 } }));
    expect(codes(f)).toEqual(['IDP_TOKEN_EVICTED_MAX_FOR_APP:error']);
    expect(f[0]?.detail).toMatch(/evicted by max_for_app at .*, when the 11th token for u \/ App was created/);
  });

  it('other destroys → IDP_TOKEN_REVOKED; expired with a stored refresh token is only a warning', () => {
    expect(codes(idpRules(idpEv({ matches: [{ token: 'T', event: destroy() }] })))).toEqual(['IDP_TOKEN_REVOKED:error']);
    expect(codes(idpRules(idpEv({ matches: [{ token: 'T', event: destroy('expired') }], tokens: [{ label: 'T', hashedToken: 'HASH', prefix: 'ghu_', hasRefreshToken: true }] })))).toEqual(['IDP_TOKEN_REVOKED:warning']);
  });

  it('a created token followed by oauth_authorization.destroy for the same user/app → IDP_TOKEN_REVOKED', () => {
    const create = { ...destroy(), action: 'oauth_access.create', at: NOW - 500 };
    const removal = { action: 'oauth_authorization.destroy', at: NOW - 100, user: 'u', appName: 'App' };
    const f = idpRules(idpEv({ matches: [{ token: 'the upstream token X', event: create }], authorizations: [removal] }));
    expect(codes(f)).toEqual(['IDP_TOKEN_REVOKED:error']);
    expect(f[0]?.detail).toMatch(/^The upstream token X was created at .* oauth_authorization\.destroy for u at/);
    // before the create, or for another user: not this token
    expect(idpRules(idpEv({ matches: [{ token: 'T', event: create }], authorizations: [{ ...removal, at: NOW - 900 }] }))).toEqual([]);
    expect(idpRules(idpEv({ matches: [{ token: 'T', event: create }], authorizations: [{ ...removal, user: 'v' }] }))).toEqual([]);
  });

  it('a create alone is not a finding; max_for_app for other tokens → IDP_MAX_FOR_APP_SEEN', () => {
    expect(idpRules(idpEv({ matches: [{ token: 'T', event: { ...destroy(), action: 'oauth_access.create' } }] }))).toEqual([]);
    expect(codes(idpRules(idpEv({ destroysByExplanation: { max_for_app: 3 } })))).toEqual(['IDP_MAX_FOR_APP_SEEN:warning']);
  });

  it('cap at risk from the timeline or from the store estimate', () => {
    expect(codes(idpRules(idpEv({ timelines: [{ user: 'u', app: 'App', points: [], peak: 9, current: 9 }] })))).toEqual(['IDP_TOKEN_CAP_AT_RISK:warning']);
    expect(idpRules(idpEv({ timelines: [{ user: 'u', app: 'App', points: [], peak: 7, current: 3 }] }))).toEqual([]);
    expect(codes(idpRules(idpEv({ storeEstimate: { liveUpstreamSets: 12, oauthAppTokens: 12, perClient: { a: 6, b: 6 } } })))).toEqual(['IDP_TOKEN_CAP_AT_RISK:warning']);
    expect(idpRules(idpEv({ storeEstimate: { liveUpstreamSets: 12, oauthAppTokens: 0, perClient: { a: 12 } } }))).toEqual([]);
  });
});
