/**
 * The verdict policy of the pure core: which tiers each command shows and decides on (planTiers),
 * the exit code and stderr line a report calls for (exitCodeFor / exitLineFor), the interrupt, and
 * which upstream token a chain leads to (upstreamTargetOf).
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/diagnosis/engine.js';
import { exitCodeFor, exitLineFor } from '../../src/diagnosis/exit.js';
import { upstreamTargetOf } from '../../src/diagnosis/facts.js';
import { planTiers } from '../../src/diagnosis/plan.js';
import { collected, entry, failed, skipped, type ChainEvidence, type CommandName, type Evidence, type TokenEvidence } from '../../src/model/index.js';
import { Secret } from '../../src/secrets.js';

const settings = { mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com' };
const ev = (command: CommandName, more: Partial<Evidence> = {}): Evidence => ({ command, now: 1_795_300_000, settings: { ...settings }, ...more });

function token(t: Partial<TokenEvidence> = {}): TokenEvidence {
  return { token: new Secret('t', 't'), kind: 'access', claims: { jti: 'j' }, signature: { checked: true, validWithCurrent: true, validWith: 'current', tried: ['current'] }, ...t };
}

describe('planTiers', () => {
  it('single-tier commands', () => {
    expect(planTiers('inspect-cache', ev('inspect-cache'))).toEqual({ tiers: ['storage'], deciding: ['storage'] });
    expect(planTiers('github-audit', ev('github-audit'))).toEqual({ tiers: ['idp'], deciding: ['idp'] });
    expect(planTiers('probe-github', ev('probe-github'))).toEqual({ tiers: ['config', 'upstream'], deciding: ['upstream'] });
  });

  it('verify-token: the store tiers only when the store was read; refresh on the refresh path', () => {
    expect(planTiers('verify-token', ev('verify-token', { token: collected(token()) }))).toEqual({ tiers: ['jwt'], deciding: ['jwt'] });
    const chain = collected<ChainEvidence>({ jti: 'j' });
    expect(planTiers('verify-token', ev('verify-token', { token: collected(token()), chain }))).toEqual({ tiers: ['jwt', 'storage'], deciding: ['jwt', 'storage'] });
    expect(planTiers('verify-token', ev('verify-token', { token: collected(token({ kind: 'refresh' })), chain }))).toEqual({ tiers: ['jwt', 'storage', 'refresh'], deciding: ['jwt', 'storage', 'refresh'] });
  });

  it('diagnose: a token decides jwt and upstream; an ID-JAG token does not need the store; a bad token is the JWT tier alone', () => {
    expect(planTiers('diagnose', ev('diagnose', { store: skipped('no store') }))).toEqual({ tiers: ['config', 'storage', 'idp'], deciding: ['storage'] });
    const withToken = ev('diagnose', { token: collected(token()), upstream: skipped('x') });
    expect(planTiers('diagnose', withToken)).toEqual({ tiers: ['config', 'jwt', 'storage', 'upstream', 'idp'], deciding: ['jwt', 'storage', 'upstream'] });
    expect(planTiers('diagnose', ev('diagnose', { token: collected(token({ kind: 'id-jag' })) })).deciding).toEqual(['jwt']);
    expect(planTiers('diagnose', ev('diagnose', { token: collected(token({ kind: 'refresh' })) })).tiers).toContain('refresh');
    expect(planTiers('diagnose', ev('diagnose', { token: collected(token({ malformed: '1 segment' })) }))).toEqual({ tiers: ['jwt'], deciding: ['jwt'] });
  });

  it('check: discovery alone from outside; the inside-out tiers when keys or a store were given; a named store decides', () => {
    expect(planTiers('check', ev('check'))).toEqual({ tiers: ['discovery'], deciding: ['discovery'] });
    const inside = (source: 'given' | 'default') => ({ ...ev('check', { keys: collected({ keys: [] }), token: collected(token()), store: collected({} as never), upstream: skipped('x') }), settings: { ...settings, storeSource: source } });
    expect(planTiers('check', inside('given'))).toEqual({ tiers: ['discovery', 'config', 'jwt', 'storage', 'upstream'], deciding: ['discovery', 'jwt', 'storage'] });
    expect(planTiers('check', inside('default')).deciding).toEqual(['discovery', 'jwt']);
  });
});

describe('exitCodeFor and exitLineFor', () => {
  it('the verdict decides: 0 healthy, 1 failing, 3 inconclusive', () => {
    expect(exitCodeFor(buildReport(ev('probe-github', { upstream: skipped('--offline') }), { version: 't', interrupted: false }))).toBe(3);
    expect(exitCodeFor(buildReport(ev('verify-token', { token: collected(token({ claims: { jti: 'j', exp: 1 } })) }), { version: 't', interrupted: false }))).toBe(1);
  });

  it('a token that is not a JWT is bad input (2) for verify-token and diagnose, with one line; for check it is a failing canary (1)', () => {
    const bad = collected(token({ malformed: 'the token has 1 segment' }));
    const r = buildReport(ev('verify-token', { token: bad }), { version: 't', interrupted: false });
    expect(exitCodeFor(r)).toBe(2);
    expect(exitLineFor(r)).toBe('the token is not a JWT: the token has 1 segment — pass the token exactly as the client sends it (without "Bearer ")');
    const alg = buildReport(ev('diagnose', { token: collected(token({ rejectedAlg: 'none' })) }), { version: 't', interrupted: false });
    expect(exitCodeFor(alg)).toBe(2);
    expect(exitLineFor(alg)).toMatch(/^the token is signed with alg "none", and FastMCP accepts HS256 only/);
    const canary = buildReport(ev('check', { discovery: collected({ serverUrl: 'https://x/mcp', spec: '2026-07-28', exchanges: [] }), keys: collected({ keys: [] }), token: bad }), { version: 't', interrupted: false });
    expect(exitCodeFor(canary)).toBe(1);
    expect(exitLineFor(canary)).toBeUndefined();
  });

  it('check against a server that is down: inconclusive, exit 3, the catalogue fix and one line', () => {
    const r = buildReport(ev('check', { discovery: failed('cannot reach http://127.0.0.1:9/mcp: connection refused (ECONNREFUSED)') }), { version: 't', interrupted: false });
    expect(r.verdict).toBe('inconclusive');
    expect(r.fix).toBe(entry('DISCOVERY_SERVER_UNREACHABLE').fix);
    expect(exitCodeFor(r)).toBe(3);
    expect(exitLineFor(r)).toBe('cannot reach http://127.0.0.1:9/mcp: connection refused (ECONNREFUSED) — check the URL and that the server is up and reachable from here (exit 3: inconclusive)');
  });

  it('interrupted: the same wording for every command, never healthy, exit 130, even over bad input', () => {
    const healthy = ev('verify-token', { token: collected(token({ claims: { jti: 'j', iss: 'https://x/', aud: 'https://x/mcp' } })) });
    healthy.settings.expectedIssuer = 'https://x/';
    healthy.settings.expectedAudience = 'https://x/mcp';
    expect(buildReport(healthy, { version: 't', interrupted: false }).verdict).toBe('healthy');
    const r = buildReport(healthy, { version: 't', interrupted: true });
    expect(r).toMatchObject({ verdict: 'inconclusive', partial: 'interrupted (SIGINT)' });
    expect(r.summary).toBe('Inconclusive: nothing failed in what was collected, but collection stopped early (interrupted (SIGINT)).');
    expect(exitCodeFor(r)).toBe(130);
    expect(exitLineFor(r)).toBe('interrupted — the report shows what was collected so far');
    expect(exitCodeFor(buildReport(ev('verify-token', { token: collected(token({ malformed: 'x' })) }), { version: 't', interrupted: true }))).toBe(130);
  });
});

describe('fix lines never ask for what the run already has', () => {
  const opts = { version: 't', interrupted: false };
  it('verify-token with the key but without --base-url asks for --base-url, not for the token or the key', () => {
    const r = buildReport(ev('verify-token', { token: collected(token(), 'iss/aud not checked (give --base-url)') }), opts);
    expect(r.verdict).toBe('inconclusive');
    expect(r.fix).toMatch(/--base-url/);
    expect(r.fix).not.toMatch(/--token-file|--upstream-client-secret-file/);
  });

  it('verify-token without key material asks for the key only; the token was given', () => {
    const r = buildReport(ev('verify-token', { token: collected(token({ signature: { checked: false, tried: [] } }), 'signature not checked (no key material)') }), opts);
    expect(r.fix).toMatch(/--upstream-client-secret-file/);
    expect(r.fix).not.toMatch(/--token-file/);
  });

  it('check interrupted by Ctrl-C: re-run, not "give --server"', () => {
    for (const e of [ev('check'), ev('check', { discovery: collected({ serverUrl: 'https://x/mcp', spec: '2026-07-28', exchanges: [] }, 'interrupted (SIGINT)') })]) {
      const r = buildReport(e, { version: 't', interrupted: true });
      expect(r.fix).toMatch(/^Re-run to completion/);
      expect(r.fix).not.toMatch(/--server/);
    }
  });

  it('an upstream tier skipped for another reason than --offline says that reason, not "drop --offline"', () => {
    const r = buildReport(ev('probe-github', { upstream: skipped('no upstream token: give --store (or --upstream-token-file)') }), opts);
    expect(r.fix).toBe('GitHub was not probed: no upstream token: give --store (or --upstream-token-file).');
    expect(buildReport(ev('probe-github', { upstream: skipped('--offline: GitHub was not contacted') }), opts).fix).toMatch(/drop --offline/);
  });

  it('UPSTREAM_TOKEN_REJECTED asks for the security log only when none was read', () => {
    const up = collected({ token: new Secret('ghu_x', 's'), tokenSource: 's', tokenKind: { prefix: 'ghu_', kind: 'k', expires: true }, apiUrl: 'https://api.github.com', requiredScopes: ['user'], user: { url: 'u', status: 401, outcome: 'bad-credentials' as const, ms: 1, headers: {} } });
    const without = buildReport(ev('probe-github', { upstream: up }), opts);
    expect(without.fix).toMatch(/--security-log/);
    const idp = collected({ source: 'security-log-export' as const, eventsRead: 1, eventsForApp: 1, matches: [], destroysByExplanation: {}, timelines: [] });
    const withLog = buildReport(ev('diagnose', { token: collected(token()), upstream: up, idp }), opts);
    expect(withLog.summary).toMatch(/UPSTREAM_TOKEN_REJECTED/);
    expect(withLog.fix).not.toMatch(/--security-log|Check the security log/);
  });
});

describe('upstreamTargetOf: the upstream token a chain leads to', () => {
  const set = { upstreamTokenId: 'abcdef123456', accessToken: new Secret('ghu_example', 's'), refreshToken: null, expiresAt: 5, refreshTokenExpiresAt: null };
  const where = 'mcp-upstream-tokens in cache.db';

  it('a present, an expired, and an undecryptable set that a candidate key opens', () => {
    expect(upstreamTargetOf({ mapping: { state: 'present', value: { upstreamTokenId: 'abcdef123456' }, expiresAt: null, where }, upstreamSet: { state: 'present', value: set, expiresAt: null, where } })).toEqual({
      target: { token: set.accessToken, source: 'upstream token set abcdef12…', storedExpiresAt: 5, hasRefreshToken: false },
    });
    expect('target' in upstreamTargetOf({ upstreamSet: { state: 'expired', value: set, expiresAt: 1, where } })).toBe(true);
    expect('target' in upstreamTargetOf({ upstreamSet: { state: 'undecryptable', where, decryptsWith: 'candidate 1', decryptsWithValue: set } })).toBe(true);
  });

  it('where the chain stops, in words', () => {
    expect(upstreamTargetOf({})).toEqual({ stop: 'the token has no JTI mapping to follow' });
    expect(upstreamTargetOf({ mapping: { state: 'missing', where } })).toEqual({ stop: 'the chain stops at the JTI mapping (missing)' });
    expect(upstreamTargetOf({ mapping: { state: 'present', value: { upstreamTokenId: 'x' }, expiresAt: null, where }, upstreamSet: { state: 'missing', where } })).toEqual({ stop: 'the chain stops at the upstream token set (missing)' });
  });
});
