/**
 * The one HTTP edge (src/http/edge.ts), through the adapters that use it, against real servers on
 * 127.0.0.1: GitHub's probe and the MCP server's discovery probe both go through HTTPS_PROXY /
 * HTTP_PROXY (a real CONNECT proxy) unless NO_PROXY exempts the host, and both name a TLS failure.
 * The CLI resolves the proxy from the command's environment (probe-github, needs `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyFromEnv } from '../../src/commands/resolve/http.js';
import { GithubProber } from '../../src/github/probe.js';
import type { HttpTarget } from '../../src/http/edge.js';
import { Secret } from '../../src/secrets.js';
import { probeDiscovery } from '../../src/server/discovery.js';
import { runCli } from '../support/cli.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { selfSignedCert, startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';
import { T } from '../support/github-tokens.js';
import { serverTarget } from '../support/targets.js';

const openssl = spawnSync('openssl', ['version']).status === 0;

let proxy: ConnectProxy | undefined;
let gh: FakeGithub | undefined;
let mcp: FakeMcpServer | undefined;
afterEach(async () => {
  await proxy?.close();
  await gh?.close();
  await mcp?.close();
  proxy = gh = mcp = undefined;
});

const http = (extra: Partial<HttpTarget> = {}): HttpTarget => ({ timeoutMs: 3000, userAgent: 'mcp-auth-doctor/test', ...extra });

async function probeGithub(target: HttpTarget, apiUrl: string) {
  const prober = new GithubProber({ apiUrl, http: target, requiredScopes: ['user'], checkToken: true });
  try {
    return await prober.probe({ token: new Secret(T.alive, 'test'), source: 'test' });
  } finally {
    await prober.close();
  }
}

describe('proxies: one place for GitHub and the MCP server', () => {
  it('GitHub: GET /user and /user/repos go through the proxy', async () => {
    proxy = await startConnectProxy();
    gh = await startFakeGithub({ tokens: { [T.alive]: { kind: 'ok', login: 'alice-example', id: 7, scopes: 'user' } } });
    const r = await probeGithub(http({ proxy: { httpProxy: proxy.url, httpsProxy: proxy.url } }), gh.apiUrl);
    expect(r.status === 'collected' && r.value.user?.outcome).toBe('ok');
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(proxy.tunnels.every((t) => t === new URL(gh!.apiUrl).host)).toBe(true);
  });

  it('GitHub: NO_PROXY exempts the host', async () => {
    proxy = await startConnectProxy();
    gh = await startFakeGithub({ tokens: { [T.alive]: { kind: 'ok', login: 'alice-example', id: 7, scopes: 'user' } } });
    const r = await probeGithub(http({ proxy: { httpProxy: proxy.url, noProxy: '127.0.0.1' } }), gh.apiUrl);
    expect(r.status === 'collected' && r.value.user?.outcome).toBe('ok');
    expect(proxy.tunnels).toEqual([]);
  });

  it('the MCP server: the discovery probe goes through the proxy', async () => {
    proxy = await startConnectProxy();
    mcp = await startFakeMcpServer({ preset: 'fastmcp-4.0.10' });
    const target = { ...serverTarget(mcp.url), http: http({ proxy: { httpProxy: proxy.url } }) };
    const c = await probeDiscovery(target);
    expect(c.status).toBe('collected');
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(proxy.tunnels.every((t) => t === new URL(mcp!.url).host)).toBe(true);
  });

  it('the proxy variables are read from the command environment: upper case first, empty values ignored', () => {
    expect(proxyFromEnv({})).toBeUndefined();
    expect(proxyFromEnv({ HTTPS_PROXY: '', NO_PROXY: 'x' })).toBeUndefined();
    expect(proxyFromEnv({ https_proxy: 'http://b:1', HTTPS_PROXY: 'http://a:1', no_proxy: 'h' })).toEqual({ httpsProxy: 'http://a:1', noProxy: 'h' });
    expect(proxyFromEnv({ http_proxy: 'http://c:1' })).toEqual({ httpProxy: 'http://c:1' });
  });

  it('probe-github honours HTTP_PROXY from the environment (built CLI)', async () => {
    proxy = await startConnectProxy();
    gh = await startFakeGithub({ tokens: { [T.alive]: { kind: 'ok', login: 'alice-example', id: 7, scopes: 'user' } } });
    const file = join(mkdtempSync(join(tmpdir(), 'mad-proxy-')), 'token');
    writeFileSync(file, `${T.alive}\n`);
    const r = await runCli(['probe-github', '--upstream-token-file', file, '--github-api-url', gh.apiUrl, '--json'], { env: { HTTP_PROXY: proxy.url, NO_PROXY: undefined, no_proxy: undefined } });
    expect(r.code).toBe(0);
    expect(proxy.tunnels).toContain(new URL(gh.apiUrl).host);
  });
});

describe.skipIf(!openssl)('TLS failures are named, for GitHub as for the MCP server', () => {
  it('GitHub behind a certificate nobody trusts: a network error that says TLS', async () => {
    mcp = await startFakeMcpServer({ preset: 'fastmcp-4.0.10', tls: selfSignedCert() });
    const r = await probeGithub(http(), mcp.origin);
    expect(r.status === 'collected' && r.value.user?.outcome).toBe('network-error');
    expect(r.status === 'collected' && r.value.user?.message).toMatch(/^TLS certificate problem: .*\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)$/);
  });

  it('the MCP server: the same words', async () => {
    mcp = await startFakeMcpServer({ preset: 'fastmcp-4.0.10', tls: selfSignedCert() });
    const c = await probeDiscovery(serverTarget(mcp.url));
    const init = c.status !== 'skipped' ? c.value?.exchanges?.[0] : undefined;
    expect(init?.error?.kind).toBe('tls');
    expect(init?.error?.message).toMatch(/^TLS certificate problem: /);
  });
});
