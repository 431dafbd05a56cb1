/**
 * probe-github through the built CLI (run `npm run build` first), against the stand-in GitHub on
 * 127.0.0.1: exit codes, one-line errors, no token in any output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { APP, APP_SECRET, T } from '../support/github-tokens.js';


let gh: FakeGithub;
let dir: string;
const file = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, `${content}\n`);
  return p;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-github-e2e-'));
  gh = await startFakeGithub({
    now: 1_800_000_000,
    apps: { [APP]: { secret: APP_SECRET, name: 'Example MCP proxy' } },
    tokens: {
      [T.alive]: { kind: 'ok', login: 'alice-example', id: 7, scopes: 'read:org, user', clientId: APP },
      [T.dead]: { kind: 'bad-credentials' },
      [T.limited]: { kind: 'rate-limited', reset: 1_800_000_900 },
      [T.secondary]: { kind: 'secondary-rate-limit', retryAfter: 60 },
      [T.sso]: { kind: 'sso-required' },
      [T.down503]: { kind: 'server-error', status: 503 },
      [T.hang]: { kind: 'hang' },
      [T.repoOnly]: { kind: 'ok', login: 'bob-example', id: 8, scopes: 'repo' },
      [T.other]: { kind: 'ok', login: 'carol-example', id: 9, scopes: 'user', clientId: 'Ov23liSOMEOTHERapp002' },
    },
  });
});
afterAll(async () => {
  await gh.close();
});

const probe = (token: string, extra: string[] = [], env: Record<string, string> = {}) =>
  runCli(['probe-github', '--upstream-token-file', file(`t-${token.slice(4, 12)}`, token), '--github-api-url', gh.apiUrl, '--at', '1800000000', ...extra], { env });

function json(stdout: string) {
  return JSON.parse(stdout) as { verdict: string; failingTier: string | null; findings: { code: string; tier: string; severity: string; logLine?: string; detail: string }[]; evidence: { upstream: { status: string; value?: Record<string, unknown> } } };
}

/** The upstream tier's findings (config-tier hints such as CONFIG_OAUTH_APP_TOKEN_CAP sort before them). */
const upstreamFindings = (stdout: string) => json(stdout).findings.filter((f) => f.tier === 'upstream');

describe('probe-github (built CLI)', () => {
  it('alive token: healthy, exit 0, token shown as a fingerprint only', async () => {
    const r = await probe(T.alive);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GET /user');
    expect(r.stdout).toContain('alice-example');
    expect(r.stdout).toMatch(/gho_…sha256:[0-9a-f]{8}/);
    expect(r.stdout + r.stderr).not.toContain(T.alive);
  });

  it('401 Bad credentials: failing, exit 1, UPSTREAM_TOKEN_REJECTED with the FastMCP log line; one request only', async () => {
    const before = gh.requestsFor(T.dead).length;
    const r = await probe(T.dead, ['--json']);
    expect(r.code).toBe(1);
    const rep = json(r.stdout);
    expect(rep.verdict).toBe('failing');
    expect(rep.failingTier).toBe('upstream');
    expect(rep.findings.filter((f) => f.tier === 'upstream')[0]?.code).toBe('UPSTREAM_TOKEN_REJECTED');
    expect(rep.findings.filter((f) => f.tier === 'upstream')[0]?.logLine).toContain('GitHub token verification failed: 401 - {"message":"Bad credentials"');
    expect(gh.requestsFor(T.dead).length - before).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(T.dead);
  });

  it('403 rate limit: UPSTREAM_RATE_LIMITED with the reset time', async () => {
    const r = await probe(T.limited, ['--json']);
    expect(r.code).toBe(1);
    const f = upstreamFindings(r.stdout)[0]!;
    expect(f.code).toBe('UPSTREAM_RATE_LIMITED');
    // Live: relative to when GitHub was asked (the wall clock), not to --at (issue 12).
    expect(f.detail).toMatch(/2027-01-15T08:15:00Z \(in .+ when GitHub was asked\)/);
  });

  it('403 secondary rate limit and 403 SSO', async () => {
    expect(upstreamFindings((await probe(T.secondary, ['--json'])).stdout)[0]?.code).toBe('UPSTREAM_RATE_LIMITED');
    const sso = upstreamFindings((await probe(T.sso, ['--json'])).stdout)[0]!;
    expect(sso.code).toBe('UPSTREAM_SSO_REQUIRED');
    expect(sso.detail).toContain('https://github.com/orgs/example-org/sso');
    expect(sso.detail).not.toContain('authorization_request');
  });

  it('503: GitHub unavailable is evidence (exit 1), not a crash', async () => {
    const r = await probe(T.down503, ['--json']);
    expect(r.code).toBe(1);
    const f = upstreamFindings(r.stdout)[0]!;
    expect(f.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(f.logLine).toContain('GitHub token verification failed: 503 - <!DOCTYPE html>');
  });

  it('hung connection: bounded by --github-timeout, UPSTREAM_UNAVAILABLE', async () => {
    const r = await probe(T.hang, ['--json', '--github-timeout', '400']);
    expect(r.code).toBe(1);
    const f = upstreamFindings(r.stdout)[0]!;
    expect(f.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(f.logLine).toContain('Failed to verify GitHub token: no answer within');
  });

  it('missing scopes: UPSTREAM_SCOPES_MISSING from --required-scopes', async () => {
    const r = await probe(T.repoOnly, ['--json', '--required-scopes', 'user,read:org']);
    expect(r.code).toBe(1);
    const f = upstreamFindings(r.stdout)[0]!;
    expect(f.code).toBe('UPSTREAM_SCOPES_MISSING');
    expect(f.logLine).toBe('DEBUG GitHub token missing required scopes. Has 1, needs 2');
  });

  it('required scopes from FASTMCP_SERVER_AUTH_GITHUB_REQUIRED_SCOPES', async () => {
    const r = await probe(T.alive, ['--json'], { FASTMCP_SERVER_AUTH_GITHUB_REQUIRED_SCOPES: 'user,admin:org' });
    expect(json(r.stdout).findings.map((f) => f.code)).toContain('UPSTREAM_SCOPES_MISSING');
  });

  it('token of another app: warning UPSTREAM_TOKEN_FROM_OTHER_APP (X-OAuth-Client-Id)', async () => {
    const r = await probe(T.other, ['--json', '--upstream-client-id', APP]);
    expect(r.code).toBe(0);
    expect(json(r.stdout).findings.map((f) => f.code)).toContain('UPSTREAM_TOKEN_FROM_OTHER_APP');
  });

  it('check-token with the app credentials from env: 404 → rejected without GET /user', async () => {
    const before = gh.requestsFor(T.dead).length;
    const r = await probe(T.dead, ['--json', '--upstream-client-id', APP], { FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET: APP_SECRET });
    expect(r.code).toBe(1);
    const rep = json(r.stdout);
    expect(rep.findings.filter((f) => f.tier === 'upstream')[0]?.code).toBe('UPSTREAM_TOKEN_REJECTED');
    expect(rep.findings.filter((f) => f.tier === 'upstream')[0]?.detail).toContain('check-token API answered 404');
    const mine = gh.requestsFor(T.dead).slice(before);
    expect(mine.map((x) => `${x.method} ${x.path} ${x.auth}`)).toEqual([`POST /applications/${APP}/token basic`]);
    expect(r.stdout + r.stderr).not.toContain(APP_SECRET);
  });

  it('wrong app secret: inconclusive (exit 3) with UPSTREAM_APP_CREDENTIALS_REJECTED', async () => {
    const r = await probe(T.alive, ['--json', '--upstream-client-id', APP, '--upstream-client-secret-file', file('wrong-secret', 'not-the-secret')]);
    expect(r.code).toBe(3);
    const rep = json(r.stdout);
    expect(rep.verdict).toBe('inconclusive');
    expect(rep.findings.map((f) => f.code)).toContain('UPSTREAM_APP_CREDENTIALS_REJECTED');
  });

  it('--offline: nothing contacted, inconclusive (exit 3)', async () => {
    const before = gh.requests.length;
    const r = await probe(T.alive, ['--offline', '--json']);
    expect(r.code).toBe(3);
    expect(json(r.stdout).evidence.upstream.status).toBe('skipped');
    expect(gh.requests.length).toBe(before);
  });

  it('token from stdin and from GITHUB_UPSTREAM_TOKEN', async () => {
    const a = await runCli(['probe-github', '--upstream-token-file', '-', '--github-api-url', gh.apiUrl], { input: `${T.alive}\n` });
    expect(a.code).toBe(0);
    const b = await runCli(['probe-github', '--json'], { env: { GITHUB_UPSTREAM_TOKEN: T.alive, GITHUB_API_URL: gh.apiUrl } });
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('env GITHUB_UPSTREAM_TOKEN');
  });

  it('bad inputs: one line on stderr, exit 2', async () => {
    const none = await runCli(['probe-github', '--github-api-url', gh.apiUrl]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/no upstream GitHub token given — pass --upstream-token-file/);

    const missing = await runCli(['probe-github', '--upstream-token-file', join(dir, 'nope'), '--github-api-url', gh.apiUrl]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);

    const badUrl = await probe(T.alive, ['--github-api-url', 'ftp://example']);
    expect(badUrl.code).toBe(2);

    const refresh = await probe('ghr_refreshrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr');
    expect(refresh.code).toBe(2);
    expect(refresh.stderr).toMatch(/refresh token \(ghr_\)/);

    const store = await runCli(['probe-github', '--token-file', file('jwt', 'eyJ.x.y'), '--store', dir, '--github-api-url', gh.apiUrl]);
    expect(store.code).toBe(2);
    expect(store.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('connection refused: GitHub could not be reached from here — inconclusive, exit 3, not an outage', async () => {
    const r = await probe(T.alive, ['--json', '--github-api-url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(3);
    expect(upstreamFindings(r.stdout)).toEqual([]);
    expect(JSON.parse(r.stdout).fix).toMatch(/GitHub could not be reached from here/);
  });
});
