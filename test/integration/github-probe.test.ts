import { afterEach, describe, expect, it } from 'vitest';
import { GithubProber } from '../../src/github/probe.js';
import type { GithubTarget } from '../../src/github/target.js';
import { Secret } from '../../src/secrets.js';
import { startFakeGithub, tokenFingerprint, type FakeGithub, type FakeGithubOptions } from '../support/fake-github.js';
import { APP, APP_SECRET, T } from '../support/github-tokens.js';


let gh: FakeGithub | undefined;
let prober: GithubProber | undefined;
afterEach(async () => {
  await prober?.close();
  await gh?.close();
  gh = undefined;
  prober = undefined;
});

async function setup({ timeoutMs = 1500, ...extra }: Partial<GithubTarget> & { timeoutMs?: number } = {}, fake: FakeGithubOptions = {}) {
  gh = await startFakeGithub({
    now: 1_800_000_000,
    apps: { [APP]: { secret: APP_SECRET, name: 'Example MCP proxy' } },
    tokens: {
      [T.alive]: { kind: 'ok', login: 'alice-example', id: 7, scopes: 'read:org, repo, user', clientId: APP },
      [T.dead]: { kind: 'bad-credentials' },
      [T.limited]: { kind: 'rate-limited', reset: 1_800_000_900 },
      [T.secondary]: { kind: 'secondary-rate-limit', retryAfter: 120 },
      [T.sso]: { kind: 'sso-required' },
      [T.locked]: { kind: 'locked-out' },
      [T.down500]: { kind: 'server-error', status: 500 },
      [T.down503]: { kind: 'server-error', status: 503 },
      [T.hang]: { kind: 'hang' },
      [T.ghu]: { kind: 'ok', login: 'bob-example', id: 8, scopes: '', expirationHeader: '2026-11-22 06:00:00 UTC' },
      [T.zero]: { kind: 'ok', login: 'carol-example', id: 9, scopes: 'repo', remaining: 0 },
      [T.other]: { kind: 'ok', login: 'dan-example', id: 10, scopes: 'user', clientId: 'Ov23liSOMEOTHERapp002' },
    },
    ...fake,
  });
  prober = new GithubProber({ apiUrl: gh.apiUrl, http: { timeoutMs, userAgent: 'mcp-auth-doctor/test' }, requiredScopes: ['user'], checkToken: true, ...extra });
  return { gh, prober };
}

const secret = (t: string) => new Secret(t, 'test');

describe('GithubProber against the fake GitHub', () => {
  it('alive token: /user then /user/repos, scopes from X-OAuth-Scopes, headers reported', async () => {
    const { gh, prober } = await setup();
    const r = await prober.probe({ token: secret(T.alive), source: 'test' });
    expect(r.status).toBe('collected');
    const v = r.status === 'collected' ? r.value : undefined;
    expect(v?.user?.outcome).toBe('ok');
    expect(v?.user?.login).toBe('alice-example');
    expect(v?.user?.id).toBe(7);
    expect(v?.effectiveScopes).toEqual(['read:org', 'repo', 'user']);
    expect(v?.user?.headers.oauthClientId).toBe(APP);
    expect(v?.user?.headers.requestId).toMatch(/^FAKE:/);
    expect(v?.user?.headers.rateLimit?.remaining).toBe(4999);
    expect(v?.checkToken?.outcome).toBe('skipped');
    expect(gh.requests.map((r) => `${r.method} ${r.path} ${r.auth}`)).toEqual(['GET /user bearer', 'GET /user/repos bearer']);
  });

  it('empty X-OAuth-Scopes (GitHub App token) means ["user"], and the expiration header is read', async () => {
    const { prober } = await setup();
    const r = await prober.probe({ token: secret(T.ghu), source: 'test' });
    const v = r.status === 'collected' ? r.value : undefined;
    expect(v?.effectiveScopes).toEqual(['user']);
    expect(v?.user?.headers.tokenExpiration).toBe('2026-11-22 06:00:00 UTC');
    expect(v?.tokenKind.prefix).toBe('ghu_');
  });

  it('401 Bad credentials: exactly one call, never retried, never repeated for the same token', async () => {
    const { gh, prober } = await setup();
    const a = await prober.probe({ token: secret(T.dead), source: 'a' });
    const b = await prober.probe({ token: secret(T.dead), source: 'b' });
    expect(b).toBe(a);
    const v = a.status === 'collected' ? a.value : undefined;
    expect(v?.user?.status).toBe(401);
    expect(v?.user?.outcome).toBe('bad-credentials');
    expect(v?.user?.body).toContain('Bad credentials');
    expect(v?.repos).toBeUndefined();
    expect(gh.requestsFor(T.dead)).toHaveLength(1);
  });

  it('403 with x-ratelimit-remaining 0 is a rate limit, with the reset time', async () => {
    const { gh, prober } = await setup();
    const r = await prober.probe({ token: secret(T.limited), source: 'test' });
    const v = r.status === 'collected' ? r.value : undefined;
    expect(v?.user?.outcome).toBe('rate-limited');
    expect(v?.user?.headers.rateLimit).toMatchObject({ remaining: 0, reset: 1_800_000_900, limit: 5000 });
    expect(gh.requests).toHaveLength(1);
  });

  it('403 with retry-after is a secondary rate limit', async () => {
    const { prober } = await setup();
    const r = await prober.probe({ token: secret(T.secondary), source: 'test' });
    const v = r.status === 'collected' ? r.value : undefined;
    expect(v?.user?.outcome).toBe('secondary-rate-limit');
    expect(v?.user?.headers.retryAfter).toBe(120);
  });

  it('403 with X-GitHub-SSO: required is SAML SSO; a 403 lockout message is a lockout', async () => {
    const { prober } = await setup();
    const sso = await prober.probe({ token: secret(T.sso), source: 'test' });
    expect(sso.status === 'collected' && sso.value.user?.outcome).toBe('sso-required');
    expect(sso.status === 'collected' && sso.value.user?.headers.sso).toMatch(/^required; url=/);
    const locked = await prober.probe({ token: secret(T.locked), source: 'test' });
    expect(locked.status === 'collected' && locked.value.user?.outcome).toBe('locked-out');
  });

  it('500 and 503 (the HTML Unicorn page) are server errors, not token verdicts', async () => {
    const { prober } = await setup();
    for (const [t, status] of [
      [T.down500, 500],
      [T.down503, 503],
    ] as const) {
      const r = await prober.probe({ token: secret(t), source: 'test' });
      const v = r.status === 'collected' ? r.value : undefined;
      expect(v?.user?.status).toBe(status);
      expect(v?.user?.outcome).toBe('server-error');
      // FastMCP logs the first 200 characters of the body after the status: the HTML page.
      expect(v?.user?.body).toMatch(/^<!DOCTYPE html>/);
      expect(v?.user?.body?.length).toBeLessThanOrEqual(200);
      expect(v?.user?.message).toBeUndefined();
    }
  });

  it('a hung connection ends as a timeout (bounded), not a hang', async () => {
    const { gh, prober } = await setup({ timeoutMs: 300 });
    const r = await prober.probe({ token: secret(T.hang), source: 'test' });
    const v = r.status === 'collected' ? r.value : undefined;
    expect(v?.user?.outcome).toBe('timeout');
    expect(v?.user?.message).toMatch(/no answer within/);
    expect(gh.requestsFor(T.hang)).toHaveLength(1);
  });

  it('connection refused: GitHub could not be reached from here — the tier is not checked (no outage claimed)', async () => {
    const { gh } = await setup();
    const url = gh.apiUrl;
    await gh.close();
    const p = new GithubProber({ apiUrl: url, http: { timeoutMs: 1000, userAgent: 'test' }, requiredScopes: ['user'], checkToken: true });
    const r = await p.probe({ token: secret(T.alive), source: 'test' });
    await p.close();
    expect(r.status).toBe('error');
    expect(r.status === 'error' && r.reason).toMatch(/^GitHub could not be reached from here \(.*connection refused/);
    expect(r.status === 'error' && r.value?.user?.outcome).toBe('unreachable');
  });

  it('rate limit at 0 on /user: /user/repos is not called', async () => {
    const { gh, prober } = await setup();
    const r = await prober.probe({ token: secret(T.zero), source: 'test' });
    const v = r.status === 'collected' ? r.value : undefined;
    expect(v?.user?.outcome).toBe('ok');
    expect(v?.repos).toBeUndefined();
    expect(v?.notes?.join(' ')).toMatch(/remaining is 0/);
    expect(gh.requests.map((x) => x.path)).toEqual(['/user']);
  });

  describe('check-token', () => {
    const creds = { clientId: APP, clientSecret: new Secret(APP_SECRET, 'test secret') };

    it('sends HTTP Basic with the app credentials (not the token) and reads the authorization', async () => {
      const { gh, prober } = await setup(creds);
      const r = await prober.probe({ token: secret(T.alive), source: 'test' });
      const v = r.status === 'collected' ? r.value : undefined;
      expect(v?.checkToken).toMatchObject({ outcome: 'valid', status: 200, appName: 'Example MCP proxy', appClientId: APP, userLogin: 'alice-example', scopes: ['read:org', 'repo', 'user'] });
      const first = gh.requests[0]!;
      expect(first).toMatchObject({ method: 'POST', path: `/applications/${APP}/token`, auth: 'basic', basicClientId: APP, tokenFingerprint: tokenFingerprint(T.alive) });
      // valid → the FastMCP pair follows, once each
      expect(gh.requests.map((x) => x.path)).toEqual([`/applications/${APP}/token`, '/user', '/user/repos']);
    });

    it('404 = token invalid, and /user is never called after it', async () => {
      const { gh, prober } = await setup(creds);
      const r = await prober.probe({ token: secret(T.dead), source: 'test' });
      const v = r.status === 'collected' ? r.value : undefined;
      expect(v?.checkToken?.outcome).toBe('invalid');
      expect(v?.checkToken?.status).toBe(404);
      expect(v?.user).toBeUndefined();
      expect(gh.requests.map((x) => `${x.method} ${x.path}`)).toEqual([`POST /applications/${APP}/token`]);
    });

    it('a token minted by another app: check-token 404 for this app', async () => {
      const { prober } = await setup(creds);
      const r = await prober.probe({ token: secret(T.other), source: 'test' });
      expect(r.status === 'collected' && r.value.checkToken?.outcome).toBe('invalid');
    });

    it('wrong app secret: app credentials rejected, token left unchecked (evidence error), /user not called', async () => {
      const { gh, prober } = await setup({ clientId: APP, clientSecret: new Secret('wrong', 'test') });
      const r = await prober.probe({ token: secret(T.alive), source: 'test' });
      expect(r.status).toBe('error');
      expect(r.status === 'error' && r.value?.checkToken?.outcome).toBe('app-credentials-rejected');
      expect(r.status === 'error' && r.reason).toMatch(/--no-check-token/);
      expect(gh.requests.map((x) => x.path)).toEqual([`/applications/${APP}/token`]);
    });

    it('check-token on a 503: GitHub unavailable, /user not called', async () => {
      const { gh, prober } = await setup(creds);
      const r = await prober.probe({ token: secret(T.down503), source: 'test' });
      const v = r.status === 'collected' ? r.value : undefined;
      expect(v?.checkToken?.outcome).toBe('error');
      expect(v?.checkTokenHttp?.outcome).toBe('server-error');
      expect(gh.requests).toHaveLength(1);
    });

    it('check-token on a hung connection: timeout', async () => {
      const { prober } = await setup({ ...creds, timeoutMs: 300 });
      const r = await prober.probe({ token: secret(T.hang), source: 'test' });
      const v = r.status === 'collected' ? r.value : undefined;
      expect(v?.checkTokenHttp?.outcome).toBe('timeout');
      expect(v?.user).toBeUndefined();
    });

    it('--no-check-token: straight to /user', async () => {
      const { gh, prober } = await setup({ ...creds, checkToken: false });
      await prober.probe({ token: secret(T.alive), source: 'test' });
      expect(gh.requests.map((x) => x.path)).toEqual(['/user', '/user/repos']);
    });
  });
});

describe('GET /user answering 200 with a body that is not a GitHub user (issue 14 item 12)', () => {
  const bodies: [string, string, RegExp][] = [
    ['truncated JSON', '{"login":"alice-example","id":7,"node_id":"MDQ6', /cut off or malformed/],
    ['HTML', '<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>', /HTML page/],
    ['a non-user object', '{"message":"ok"}', /not a GitHub user \(no id\)/],
    ['a JSON array', '[]', /not an object/],
    ['an over-cap body', `{"login":"alice-example","id":7,"bio":"${'x'.repeat(9000)}"}`, /8192 bytes or more/],
  ];
  it.each(bodies)('%s: an upstream error (UPSTREAM_UNAVAILABLE), never healthy', async (_name, body, why) => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': body.startsWith('<') ? 'text/html' : 'application/json' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const p = new GithubProber({ apiUrl: `http://127.0.0.1:${port}`, http: { timeoutMs: 2000, userAgent: 'test' }, requiredScopes: ['user'], checkToken: false });
    try {
      const r = await p.probe({ token: new Secret('ghu_bodybodybodybodybodybodybodybody01', 't'), source: 'test' });
      expect(r.status).toBe('collected');
      const v = r.status === 'collected' ? r.value : undefined;
      expect(v?.user?.outcome).toBe('unexpected');
      expect(v?.user?.bodyProblem).toMatch(why);
      const { buildReport } = await import('../../src/diagnosis/engine.js');
      const report = buildReport({ command: 'probe-github', now: 1_800_000_000, settings: { mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: `http://127.0.0.1:${port}` }, upstream: r }, { version: 't', interrupted: false });
      expect(report.verdict).toBe('failing');
      expect(report.findings.map((f) => f.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(report.findings[0]?.title).toMatch(/^GET \/user answered 200 with a body that is not a GitHub user/);
    } finally {
      await p.close();
      await new Promise((r) => server.close(r));
    }
  });
});
