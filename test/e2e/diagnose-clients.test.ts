/**
 * `diagnose --client` over every real client bundle in fixtures/real-clients (and over
 * ../shared/real-clients when it is there), with the acceptance command line: the client home copied
 * with the modes the client wrote, the server's real store, a stand-in GitHub on 127.0.0.1 answering
 * as the bundle's GitHub did at capture. Ground truth: each bundle's scenario.json.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanClients } from '../../src/clients/index.js';
import type { Report } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';
import { clientBundleArgs, copyClientHome, fakeGithubFromClientBundle, listClientBundles, type ClientBundle } from '../support/client-bundles.js';
import type { FakeGithub } from '../support/fake-github.js';
import { hashTree } from '../support/hash.js';

const work = mkdtempSync(join(tmpdir(), 'mad-dclient-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every token and secret a home's caches hold (for the sweep: none may appear whole in any output). */
async function cachedSecrets(home: string): Promise<string[]> {
  const scan = await scanClients({ home });
  return scan.sessions.flatMap((s) => [s.accessToken, s.refreshToken, s.clientSecret].flatMap((x) => (x ? [x.reveal()] : [])));
}

function expectGroundTruth(b: ClientBundle, report: Report, code: number | null): void {
  const codes = report.findings.map((f) => f.code);
  const errors = report.findings.filter((f) => f.severity === 'error');
  switch (b.scenario.expect_tier) {
    case 'ok':
      expect(errors).toEqual([]);
      expect(report.verdict).toBe('healthy');
      expect(code).toBe(0);
      break;
    case 'refresh':
      expect(report.verdict).toBe('failing');
      expect(report.failingTier).toBe('refresh');
      expect(codes).toContain('REFRESH_TOKEN_NOT_FOUND');
      expect(errors[0]?.code).toBe('REFRESH_TOKEN_SUPERSEDED');
      // The access token still works (server_answers: 200); the session ends when it expires.
      expect(report.session?.access?.verdict).toBe('healthy');
      expect(report.session?.endsAt).toBe(b.scenario.cached.access_token_claims.exp);
      expect(code).toBe(1);
      break;
    case 'storage':
      expect(report.verdict).toBe('failing');
      expect(report.failingTier).toBe('storage');
      expect(errors[0]?.code).toBe('STORE_CACHED_CLIENT_ID_UNKNOWN');
      expect(report.fix).toMatch(/delete .*(client_info|S_mcp_oauth_client_info)/);
      expect(code).toBe(1);
      break;
    case 'client':
      expect(report.verdict).toBe('failing');
      expect(report.failingTier).toBe('client');
      expect(errors[0]?.code).toBe('CLIENT_NO_SESSION');
      expect(code).toBe(1);
      break;
    default:
      throw new Error(`unexpected expect_tier ${b.scenario.expect_tier}`);
  }
}

function diagnoseBundle(b: ClientBundle) {
  let github: FakeGithub;
  beforeAll(async () => {
    github = await fakeGithubFromClientBundle(b);
  });
  afterAll(async () => {
    await github?.close();
  });

  it(`${b.scenario.expect_tier} / ${b.scenario.expect_reason}, read-only, no secret in any output`, async () => {
    const home = copyClientHome(b);
    const before = hashTree(home);
    const storeBefore = hashTree(join(b.dir, 'server', 'storage'));
    const args = ['diagnose', '--client', b.client, '--client-home', home, ...clientBundleArgs(b, mkdtempSync(join(work, 'k-'))), '--github-api-url', github.apiUrl];
    const r = await runCli([...args, '--json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    expectGroundTruth(b, report, r.code);
    // GitHub was asked at most once about any token.
    const perToken = new Map<string, number>();
    for (const q of github.requests.filter((x) => x.path === '/user')) perToken.set(q.tokenFingerprint ?? '', (perToken.get(q.tokenFingerprint ?? '') ?? 0) + 1);
    for (const n of perToken.values()) expect(n).toBe(1);

    const text = await runCli(args);
    expect(text.code).toBe(r.code);
    const gh = await runCli([...args, '--format', 'github']);
    const secrets = await cachedSecrets(home);
    if (b.scenario.expect_tier !== 'client') expect(secrets.length).toBeGreaterThan(0);
    for (const out of [r.stdout, text.stdout, text.stderr, gh.stdout, gh.stderr]) for (const s of secrets) expect(out.includes(s)).toBe(false);
    expect(hashTree(home)).toEqual(before);
    expect(hashTree(join(b.dir, 'server', 'storage'))).toEqual(storeBefore);
    rmSync(home, { recursive: true, force: true });
  });
}

describe.each(listClientBundles().map((b) => [b.id, b] as const))('fixtures/real-clients/%s', (_id, b) => {
  diagnoseBundle(b);
});

// The shared real-client bundles, when this checkout sits beside ../shared (skipped in a plain clone).
const SHARED = fileURLToPath(new URL('../../../shared/real-clients', import.meta.url));
const shared: ClientBundle[] = existsSync(join(SHARED, 'index.json'))
  ? readdirSync(SHARED, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        readdirSync(join(SHARED, d.name))
          .filter((s) => existsSync(join(SHARED, d.name, s, 'scenario.json')))
          .map((s) => {
            const dir = join(SHARED, d.name, s);
            return { id: `${d.name}/${s}`, dir, client: d.name as ClientBundle['client'], scenario: JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')), settings: JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) };
          }),
      )
  : [];
describe.skipIf(shared.length === 0).each(shared.map((b) => [b.id, b] as const))('../shared/real-clients/%s', (_id, b) => {
  diagnoseBundle(b);
});

describe('sessions', () => {
  const bundles = listClientBundles();
  const superseded = bundles.find((b) => b.id === 'mcp-remote/b-refresh-superseded')!;
  const healthy = bundles.find((b) => b.id === 'mcp-remote/a-healthy')!;

  it('several sessions for the server: one line each, the worst verdict wins', async () => {
    const home = copyClientHome(superseded);
    // An older mcp-remote store directory holding the same session a second time.
    cpSync(join(home, '.mcp-auth', 'mcp-remote-v1'), join(home, '.mcp-auth', 'mcp-remote-0.1.37'), { recursive: true });
    const r = await runCli(['diagnose', '--client', 'mcp-remote', '--client-home', home, ...clientBundleArgs(superseded, mkdtempSync(join(work, 'k-'))), '--offline', '--json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.sessions).toHaveLength(2);
    expect(report.sessions!.map((s) => s.verdict)).toEqual(['failing', 'failing']);
    expect(report.verdict).toBe('failing');
    expect(report.failingTier).toBe('refresh');
    expect(r.code).toBe(1);
  });

  it('no session for the server: a clear line, exit 1', async () => {
    const home = copyClientHome(healthy);
    const args = ['diagnose', '--client', 'mcp-remote', '--client-home', home, ...clientBundleArgs(superseded, mkdtempSync(join(work, 'k-'))), '--offline'];
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`mcp-remote holds no session for ${superseded.settings.server_url}`);
    expect(r.stdout).toContain(`sessions it holds: ${healthy.settings.server_url}`);
    const j = JSON.parse((await runCli([...args, '--json'])).stdout) as Report;
    expect(j.findings[0]?.code).toBe('CLIENT_NO_SESSION');
    expect(j.failingTier).toBe('client');
  });

  it('a cache file that is a symlink out of the home is not followed', async () => {
    const home = copyClientHome(superseded);
    const outside = mkdtempSync(join(work, 'outside-'));
    const dir = join(home, '.mcp-auth', 'mcp-remote-v1');
    for (const f of readdirSync(dir)) {
      cpSync(join(dir, f), join(outside, f));
      rmSync(join(dir, f));
      symlinkSync(join(outside, f), join(dir, f));
    }
    const r = await runCli(['diagnose', '--client', 'mcp-remote', '--client-home', home, ...clientBundleArgs(superseded, mkdtempSync(join(work, 'k-'))), '--offline', '--json']);
    const report = JSON.parse(r.stdout) as Report;
    // Nothing was read through the links: no token reached either path.
    expect(report.session?.access ?? null).toBeNull();
    expect(report.session?.refresh ?? null).toBeNull();
    expect(report.verdict).toBe('failing');
    expect(['CLIENT_NO_SESSION', 'CLIENT_NO_TOKEN']).toContain(report.findings[0]?.code);
  });

  it('--client vscode is a usage error that says where VS Code keeps tokens', async () => {
    const home = copyClientHome(healthy);
    const r = await runCli(['diagnose', '--client', 'vscode', '--client-home', home, '--server-url', 'http://127.0.0.1:1/mcp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/secret storage/);
  });

  it('a bad --since is named as --since, as without --client', async () => {
    const home = copyClientHome(healthy);
    const r = await runCli(['diagnose', '--client', 'mcp-remote', '--client-home', home, '--server-url', 'http://127.0.0.1:1/mcp', '--since', 'yesterday', '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: .*--since/);
    expect(r.stderr).not.toMatch(/--at/);
  });
});

describe('the session over time', () => {
  const healthy = listClientBundles().find((b) => b.id === 'mcp-remote/a-healthy')!;
  let github: FakeGithub;
  beforeAll(async () => {
    github = await fakeGithubFromClientBundle(healthy);
  });
  afterAll(async () => {
    await github?.close();
  });

  it('access token expired, refresh token works: healthy, the client refreshes by itself', async () => {
    const home = copyClientHome(healthy);
    const later = healthy.scenario.cached.access_token_claims.exp + 60;
    const r = await runCli(['diagnose', '--client', 'mcp-remote', '--client-home', home, ...clientBundleArgs(healthy, mkdtempSync(join(work, 'k-'))), '--github-api-url', github.apiUrl, '--at', String(later), '--json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.session?.access?.errors[0]).toBe('JWT_EXPIRED');
    expect(report.session?.refresh?.verdict).toBe('healthy');
    expect(report.verdict).toBe('healthy');
    expect(report.findings.find((f) => f.code === 'CLIENT_ACCESS_EXPIRED_REFRESHES')?.severity).toBe('info');
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('clients', () => {
  const bundles = listClientBundles();
  const superseded = bundles.find((b) => b.id === 'mcp-remote/b-refresh-superseded')!;

  it('lists every session of every bundle home, tokens as fingerprints, and judges one server\'s sessions with its store', async () => {
    const home = mkdtempSync(join(work, 'all-'));
    const secrets: string[] = [];
    let expected = 0;
    for (const b of bundles.filter((x) => x.id.startsWith('mcp-remote/') || x.id.startsWith('gemini-cli/a') || x.id.startsWith('fastmcp/a') || x.id.startsWith('claude-code/a'))) {
      const h = copyClientHome(b);
      secrets.push(...(await cachedSecrets(h)));
      expected += (await scanClients({ home: h })).sessions.length;
      cpSync(h, home, { recursive: true });
    }
    const before = hashTree(home);
    const list = await runCli(['clients', '--client-home', home, '--at', String(superseded.scenario.captured_at), '--json']);
    expect(list.code).toBe(0);
    const inv = (JSON.parse(list.stdout) as Report).evidence.clients;
    expect(inv?.status).toBe('collected');
    const sessions = inv?.status === 'collected' ? inv.value.sessions : [];
    expect(sessions).toHaveLength(expected);
    expect(new Set(sessions.map((s) => s.client))).toEqual(new Set(['mcp-remote', 'gemini-cli', 'fastmcp', 'claude-code']));
    expect(sessions.every((s) => s.accessKind === 'fastmcp-jwt' && s.refreshToken)).toBe(true);

    const key = join(mkdtempSync(join(work, 'k-')), 'signing-key');
    writeFileSync(key, (superseded.settings as unknown as { current_server: Record<string, string> }).current_server['jwt_signing_key (as passed to GitHubProvider)']!);
    const judged = await runCli(['clients', '--client-home', home, '--client', 'mcp-remote', '--store', join(superseded.dir, 'server', 'storage'), '--jwt-signing-key-file', key, '--base-url', superseded.settings.base_url, '--at', String(superseded.scenario.captured_at)]);
    expect(judged.code).toBe(0);
    expect(judged.stdout).toContain('[superseded]');
    expect(judged.stdout).toContain('[other-server]');
    const text = await runCli(['clients', '--client-home', home]);
    for (const out of [list.stdout, judged.stdout, text.stdout, judged.stderr]) for (const s of secrets) expect(out.includes(s)).toBe(false);
    expect(hashTree(home)).toEqual(before);
  });
});
