/**
 * Snapshot tests of the built CLI's text and JSON output for a few scenarios. Volatile parts (paths,
 * ports, timings) are normalised; everything else — wording, order, layout — is pinned. Update with
 * `npx vitest run test/e2e/snapshots.test.ts -u` after an intended change, and review the diff.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { fakeGithubFromBundle, type FakeGithub } from '../support/fake-github.js';
import { startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

function normalise(text: string): string {
  return text
    .split(ROOT)
    .join('<repo>')
    .replace(/\/tmp\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*/g, '<tmp>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/\b\d+ ms\b/g, '<n> ms')
    .replace(/"ms": \d+(\.\d+)?/g, '"ms": 0')
    .replace(/"version": "\d+\.\d+\.\d+"/g, '"version": "<version>"');
}

/**
 * Text runs are not wrapped (a terminal of 1000 columns): the reports show absolute paths under the checkout,
 * and at 80 columns where a line wraps would depend on how long the checkout's path is. Wrapping itself
 * is tested in output.test.ts.
 */
const WIDE = { COLUMNS: '1000' };

const work = mkdtempSync(join(tmpdir(), 'mad-snap-'));
const file = (name: string, text: string) => {
  const p = join(work, name);
  writeFileSync(p, `${text}\n`);
  return p;
};

let github: FakeGithub | undefined;
let mcp: FakeMcpServer | undefined;
afterEach(async () => {
  await github?.close();
  await mcp?.close();
  github = undefined;
  mcp = undefined;
});

/** The demo's command line, as `npm run demo` runs it. */
const DEMO = (JSON.parse(readFileSync(join(ROOT, 'fixtures/demo/args.json'), 'utf8')) as { args: string[] }).args;

describe('CLI output snapshots', () => {
  it('diagnose, the demo (key rotated): text', async () => {
    const r = await runCli(DEMO, { cwd: ROOT, env: WIDE });
    expect(r.code).toBe(1);
    await expect(normalise(r.stdout)).toMatchFileSnapshot('__snapshots__/diagnose-demo.txt');
  });

  it('diagnose, the demo (key rotated): JSON', async () => {
    const r = await runCli([...DEMO, '--json'], { cwd: ROOT });
    expect(r.code).toBe(1);
    await expect(normalise(r.stdout)).toMatchFileSnapshot('__snapshots__/diagnose-demo.json');
  });

  it('diagnose, upstream revoked (3.4.7 bundle, stand-in GitHub): text and GitHub annotations', async () => {
    const b = loadBundle('3.4.7/b-upstream-revoked/default-filetree');
    github = await fakeGithubFromBundle(b);
    const args = ['diagnose', '--store', b.storePath, '--token-file', file('b.jwt', b.accessToken), '--upstream-client-secret-file', file('b.secret', b.current['upstream_client_secret (GitHub app client_secret)']), '--upstream-client-id', b.current['upstream_client_id (GitHub app client_id)'], '--base-url', b.current.base_url, '--at', String(b.scenario.captured_at), '--github-api-url', github.apiUrl];
    const text = await runCli(args, { env: WIDE });
    expect(text.code).toBe(1);
    await expect(normalise(text.stdout)).toMatchFileSnapshot('__snapshots__/diagnose-upstream-revoked.txt');
    const gh = await runCli([...args, '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: join(work, 'summary.md') } });
    await expect(normalise(gh.stdout)).toMatchFileSnapshot('__snapshots__/diagnose-upstream-revoked.github.txt');
  });

  it('verify-token, healthy (2.14.7 bundle with its store): text', async () => {
    const b = loadBundle('2.14.7/a-healthy/default-diskcache');
    const r = await runCli(['verify-token', '--token-file', file('a.jwt', b.accessToken), '--upstream-client-secret-file', file('a.secret', b.current['upstream_client_secret (GitHub app client_secret)']), '--store', b.storePath, '--base-url', b.current.base_url, '--at', String(b.scenario.captured_at)], { env: WIDE });
    expect(r.code).toBe(0);
    await expect(normalise(r.stdout)).toMatchFileSnapshot('__snapshots__/verify-token-healthy.txt');
  });

  it('inspect-cache, key rotated (3.4.7 FileTree, previous key as candidate): text', async () => {
    const b = loadBundle('3.4.7/c-jwt-signing-key-rotated/default-filetree');
    const r = await runCli(['inspect-cache', '--store', b.storePath, '--jwt-signing-key-file', file('c.key', b.current['jwt_signing_key (as passed to GitHubProvider)']!), '--candidate-secret-file', file('c.old', b.issuing['jwt_signing_key (as passed to GitHubProvider)']!), '--at', String(b.scenario.captured_at)], { env: WIDE });
    await expect(normalise(r.stdout)).toMatchFileSnapshot('__snapshots__/inspect-cache-rotated.txt');
  });

  it('check, a stock FastMCP 4.0.10 discovery surface: text', async () => {
    mcp = await startFakeMcpServer({ preset: 'fastmcp-4.0.10' });
    const r = await runCli(['check', '--server', mcp.url, '--at', '2026-11-21T22:51:26Z']);
    expect(r.code).toBe(0);
    await expect(normalise(r.stdout)).toMatchFileSnapshot('__snapshots__/check-fastmcp-4.0.10.txt');
  });
});
