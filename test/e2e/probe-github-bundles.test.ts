/**
 * The real FastMCP bundles: the upstream ghu_ token at capture time (from the stand-in GitHub's event
 * log) is classified by probe-github through the built CLI against the stand-in built from the bundle.
 * b-upstream-revoked → revoked (401, UPSTREAM_TOKEN_REJECTED); a-healthy → alive.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubStateAtCapture, listBundles, loadBundle, type Bundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { fakeGithubFromBundle } from '../support/fake-github.js';

const dir = mkdtempSync(join(tmpdir(), 'probe-github-bundles-'));

/** The newest upstream access token issued at or before capture (the one in the store). */
function upstreamAtCapture(b: Bundle): string {
  const tokens = [...githubStateAtCapture(b).tokens.values()].filter((t) => t.kind === 'access').sort((x, y) => x.issuedAt - y.issuedAt);
  const t = tokens[tokens.length - 1];
  if (!t) throw new Error(`no upstream token in ${b.id}`);
  return t.token;
}

async function probeBundle(b: Bundle, extra: string[] = [], env: Record<string, string> = {}) {
  const gh = await fakeGithubFromBundle(b);
  const token = upstreamAtCapture(b);
  const file = join(dir, `${b.id.replace(/\//g, '_')}.token`);
  writeFileSync(file, `${token}\n`);
  try {
    const r = await runCli(['probe-github', '--json', '--upstream-token-file', file, '--github-api-url', gh.apiUrl, '--at', String(b.scenario.captured_at), ...extra], { env });
    return { r, gh, token, report: JSON.parse(r.stdout) as { verdict: string; failingTier: string | null; findings: { code: string; logLine?: string }[] } };
  } finally {
    await gh.close();
  }
}

const bundles = listBundles();
const revoked = bundles.filter((b) => b.scenario.scenario === 'b-upstream-revoked');
const healthy = bundles.filter((b) => b.scenario.scenario === 'a-healthy');

describe('probe-github on the real bundles', () => {
  it('finds the revoked bundles', () => {
    expect(revoked.length).toBeGreaterThanOrEqual(2);
  });

  for (const b of revoked) {
    it(`${b.id}: upstream token revoked at capture → UPSTREAM_TOKEN_REJECTED, exit 1, one GET /user`, async () => {
      const { r, gh, token, report } = await probeBundle(b);
      expect(r.code).toBe(1);
      expect(report.verdict).toBe('failing');
      expect(report.failingTier).toBe('upstream');
      expect(report.findings[0]?.code).toBe('UPSTREAM_TOKEN_REJECTED');
      // The same line the real server logged after the revocation.
      const logged = readdirSync(join(b.dir, 'logs'))
        .filter((f) => f.startsWith('server-'))
        .flatMap((f) => readFileSync(join(b.dir, 'logs', f), 'utf8').split('\n'))
        .map((l) => /GitHub token verification failed: .*?\}/.exec(l)?.[0])
        .find(Boolean);
      expect(logged).toBeDefined();
      expect(report.findings[0]?.logLine).toContain(logged);
      expect(gh.requestsFor(token).map((x) => x.path)).toEqual(['/user']);
      expect(r.stdout).not.toContain(token);
    });

    it(`${b.id}: with the app credentials, check-token says 404 and /user is never called`, async () => {
      const clientId = b.current['upstream_client_id (GitHub app client_id)'];
      const secret = b.current['upstream_client_secret (GitHub app client_secret)'];
      const { r, gh, token, report } = await probeBundle(b, ['--upstream-client-id', clientId], { FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET: secret });
      expect(r.code).toBe(1);
      expect(report.findings[0]?.code).toBe('UPSTREAM_TOKEN_REJECTED');
      expect(gh.requestsFor(token).map((x) => `${x.auth} ${x.path}`)).toEqual([`basic /applications/${clientId}/token`]);
    });
  }

  for (const b of healthy) {
    it(`${b.id}: upstream token alive at capture → healthy, exit 0`, async () => {
      const { r, report } = await probeBundle(b);
      expect(r.code).toBe(0);
      expect(report.verdict).toBe('healthy');
    });
  }
});

describe('probe-github reads every input once', () => {
  // Regression: with --token-file and --store, the key material was read twice (once to follow the
  // chain, once more for check-token), so a key given on stdin failed with "stdin already used".
  it('--token-file … --store … --jwt-signing-key-file - : the key from stdin follows the chain to the upstream token', async () => {
    const b = loadBundle('3.4.7/c-jwt-signing-key-rotated/default-filetree');
    const gh = await fakeGithubFromBundle(b);
    const jwt = join(dir, 'rotated.jwt');
    writeFileSync(jwt, `${b.accessToken}\n`);
    try {
      // The key the token was issued under (the previous one): its fingerprint directory holds the chain.
      const r = await runCli(['probe-github', '--json', '--token-file', jwt, '--store', b.storePath, '--jwt-signing-key-file', '-', '--github-api-url', gh.apiUrl, '--at', String(b.scenario.captured_at)], {
        input: `${b.issuing['jwt_signing_key (as passed to GitHubProvider)']}\n`,
      });
      expect(r.stderr).not.toMatch(/stdin/);
      expect([0, 1]).toContain(r.code);
      const report = JSON.parse(r.stdout) as { evidence: { upstream: { status: string; value: { tokenSource: string } } } };
      expect(report.evidence.upstream.status).toBe('collected');
      expect(report.evidence.upstream.value.tokenSource).toMatch(/^upstream token set \S+…$/);
      expect(gh.requests.length).toBeGreaterThan(0);
    } finally {
      await gh.close();
    }
  });
});

