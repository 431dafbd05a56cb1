/**
 * `check --server A --server B …`: every replica probed from outside (real HTTP servers on 127.0.0.1,
 * each standing in for one pod reached at its own address, all configured with replica 1's public
 * base URL), compared with the first: DISCOVERY_REPLICA_DRIFT names the replica and the difference;
 * with a canary token, a replica that rejects what another accepts. Needs `npm run build`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';
import { closedPort, startFakeMcpServer, type FakeMcpOptions, type FakeMcpServer } from '../support/fake-mcp-server.js';

// A made-up token for these tests only (not a JWT of any real deployment).
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJyZXBsaWNhIjp0cnVlfQ.c2lnbmF0dXJlLW9mLXRoZS1yZXBsaWNh';

const servers: FakeMcpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: FakeMcpOptions): Promise<FakeMcpServer> {
  const s = await startFakeMcpServer(opts);
  servers.push(s);
  return s;
}

/** A replica configured like `primary` (same base URL): everything it advertises names the primary's origin. */
function sameConfigAs(primary: FakeMcpServer, more: FakeMcpOptions = {}): FakeMcpOptions {
  const p = primary.origin;
  return {
    preset: 'fastmcp-4.0.10',
    prmHeaderUrl: () => `${p}/.well-known/oauth-protected-resource/mcp`,
    prmResource: () => `${p}/mcp`,
    authorizationServers: () => [`${p}/`],
    asMetadata: (m, o) => JSON.parse(JSON.stringify(m).split(o).join(p)) as Record<string, unknown>,
    ...more,
  };
}

async function check(args: string[]): Promise<{ code: number | null; report: Report; stdout: string; stderr: string }> {
  const r = await runCli(['check', '--json', ...args]);
  return { ...r, report: JSON.parse(r.stdout) as Report };
}

const drift = (r: Report) => r.findings.filter((f) => f.code === 'DISCOVERY_REPLICA_DRIFT');

describe('check with several --server (replicas)', () => {
  it('identical replicas: healthy, no drift; the text lists each replica', async () => {
    const a = await start({ preset: 'fastmcp-4.0.10' });
    const b = await start(sameConfigAs(a));
    const c = await start(sameConfigAs(a));
    const r = await check(['--server', a.url, '--server', b.url, '--server', c.url]);
    expect(drift(r.report)).toEqual([]);
    expect(r.report.verdict).toBe('healthy');
    expect(r.code).toBe(0);
    expect(r.report.evidence.replicas?.map((x) => x.server)).toEqual([b.url, c.url]);
    // Every replica was probed from outside, its own metadata documents included (not replica 1's).
    for (const s of [a, b, c]) {
      expect(s.requests.some((q) => q.method === 'POST' && q.path === '/mcp')).toBe(true);
      expect(s.requests.some((q) => q.path === '/.well-known/oauth-authorization-server')).toBe(true);
    }
    const text = await runCli(['check', '--server', a.url, '--server', b.url]);
    expect(text.stdout).toMatch(new RegExp(`✔ replica 2 ${b.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: answers the same`));
  });

  it('a replica with another issuer → DISCOVERY_REPLICA_DRIFT naming it and the difference, exit 1', async () => {
    const a = await start({ preset: 'fastmcp-4.0.10' });
    const b = await start(sameConfigAs(a));
    const odd = await start(sameConfigAs(a, { asMetadata: (m, o) => ({ ...(JSON.parse(JSON.stringify(m).split(o).join(a.origin)) as Record<string, unknown>), issuer: `${o}/` }) }));
    const r = await check(['--server', a.url, '--server', b.url, '--server', odd.url]);
    expect(r.code).toBe(1);
    const [f, ...rest] = drift(r.report);
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('error');
    expect(f!.detail).toContain(`replica 3 (${odd.url})`);
    expect(f!.detail).toContain(`issuer "${odd.origin}/" where replica 1 (${a.url}) has "${a.origin}/"`);
    expect(f!.data).toMatchObject({ replica: 3, server: odd.url });
    expect(r.report.failingTier).toBe('discovery');
  });

  it('with a canary token: a replica that rejects what replica 1 accepts', async () => {
    const a = await start({ preset: 'fastmcp-4.0.10', acceptedTokens: [TOKEN] });
    const b = await start(sameConfigAs(a));
    const r = await runCli(['check', '--json', '--server', a.url, '--server', b.url, '--token-file', '-'], { input: TOKEN });
    const report = JSON.parse(r.stdout) as Report;
    expect(r.code).toBe(1);
    const [f] = drift(report);
    expect(f!.detail).toMatch(/replica 2 \(.*\) differs from replica 1 .*: it rejects the canary token that replica 1 accepts: rejected, HTTP 401, error=invalid_token where replica 1 .* answered accepted, HTTP 200/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    // Both replicas got the same canary.
    for (const s of [a, b]) expect(s.requests.filter((q) => q.method === 'POST' && q.headers.authorization === `Bearer ${TOKEN}`)).toHaveLength(1);
  });

  it('a replica that does not answer, while replica 1 does', async () => {
    const a = await start({ preset: 'fastmcp-4.0.10' });
    const down = `http://127.0.0.1:${await closedPort()}/mcp`;
    const r = await check(['--server', a.url, '--server', down]);
    const [f] = drift(r.report);
    expect(f!.detail).toMatch(/replica 2 \(.*\) differs from replica 1 .*: it did not answer \(.*connection refused/);
    expect(r.code).toBe(1);
  });

  it('the same --server twice is a usage error; --replicas defaults to the number of --server', async () => {
    const a = await start({ preset: 'fastmcp-4.0.10' });
    const twice = await runCli(['check', '--server', a.url, '--server', a.url]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/given twice/);
    const b = await start(sameConfigAs(a));
    const r = await check(['--server', a.url, '--server', b.url]);
    expect(r.report.evidence.settings.replicas).toBe(2);
  });
});

describe('--store-shared', () => {
  it('diagnose --replicas 3 on a FileTree store: CONFIG_PER_INSTANCE_STORE, unless the store is on a shared volume', async () => {
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const demo = (JSON.parse(readFileSync(`${root}/fixtures/demo/args.json`, 'utf8')) as { args: string[] }).args;
    const codes = async (extra: string[]) => (JSON.parse((await runCli([...demo, '--json', '--replicas', '3', ...extra], { cwd: root })).stdout) as Report).findings.map((f) => f.code);
    expect(await codes([])).toContain('CONFIG_PER_INSTANCE_STORE');
    expect(await codes(['--store-shared'])).not.toContain('CONFIG_PER_INSTANCE_STORE');
  });
});
