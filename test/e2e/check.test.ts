/**
 * `mcp-auth-doctor check` as a CI job runs it: the built CLI against real HTTP servers on 127.0.0.1
 * (presets of real FastMCP versions and broken variants). Needs `npm run build`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';
import { closedPort, selfSignedCert, startFakeMcpServer, type FakeMcpOptions, type FakeMcpServer } from '../support/fake-mcp-server.js';

let server: FakeMcpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function check(opts: FakeMcpOptions, args: string[] = [], cli: Parameters<typeof runCli>[1] = {}) {
  server = await startFakeMcpServer(opts);
  const r = await runCli(['check', '--server', server.url, '--json', ...args], cli);
  const report = JSON.parse(r.stdout) as Report;
  return { ...r, report, codes: report.findings.map((f) => f.code) };
}

describe('check: healthy presets', () => {
  it('stock FastMCP 4.0.10 → healthy, exit 0, no finding', async () => {
    const r = await check({ preset: 'fastmcp-4.0.10' });
    expect(r.code).toBe(0);
    expect(r.report.verdict).toBe('healthy');
    expect(r.report.findings).toEqual([]);
    expect(r.report.tiers).toEqual({ discovery: { status: 'pass', reason: 'no problem found' } });
    expect(r.stderr).toBe('');
  });

  it('FastMCP 3.4.7 and 2.14.7 → healthy, exit 0, only warnings and info', async () => {
    for (const preset of ['fastmcp-3.4.7', 'fastmcp-2.14.7'] as const) {
      const r = await check({ preset });
      expect(r.code, preset).toBe(0);
      expect(r.report.verdict).toBe('healthy');
      expect(r.report.findings.length).toBeGreaterThan(0);
      expect(r.report.findings.every((f) => f.severity !== 'error')).toBe(true);
      await server!.close();
      server = undefined;
    }
  });

  it('text output names every check and the verdict', async () => {
    server = await startFakeMcpServer({ preset: 'fastmcp-4.0.10' });
    const r = await runCli(['check', '--server', server.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Discovery of ${server.url} (spec 2026-07-28)`);
    expect(r.stdout).toMatch(/✔ C9 +Token endpoint answers a bogus code with a JSON error/);
    expect(r.stdout).toContain('Verdict: Healthy');
  });
});

describe('check: broken variants fail with their code (exit 1)', () => {
  const cases: [string, FakeMcpOptions, string[], string][] = [
    ['missing WWW-Authenticate (2025-06-18)', { challenge: 'none' }, ['--spec', '2025-06-18'], 'DISCOVERY_CHALLENGE_MISSING'],
    ['PRM resource with a trailing slash', { prmResource: (o) => `${o}/mcp/` }, [], 'DISCOVERY_PRM_RESOURCE_MISMATCH'],
    ['PRM at the wrong path', { prmAt: { path: '/mcp/.well-known/oauth-protected-resource' } }, [], 'DISCOVERY_PRM_NOT_FOUND'],
    ['issuer mismatch', { asMetadata: (m, o) => ({ ...m, issuer: o }) }, [], 'DISCOVERY_AS_ISSUER_MISMATCH'],
    ['no S256', { asMetadata: (m) => ({ ...m, code_challenge_methods_supported: undefined }) }, [], 'DISCOVERY_PKCE_S256_MISSING'],
    ['HTML error from the token endpoint', { token: 'html-404' }, [], 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON'],
    ['5xx from the AS metadata URL', { asMetadataAnswer: { status: 503, contentType: 'text/html', body: '<h1>503</h1>' } }, [], 'DISCOVERY_SERVER_ERROR'],
    ['5xx from the token endpoint', { token: 'server-error' }, [], 'DISCOVERY_TOKEN_ENDPOINT_SERVER_ERROR'],
    ['redirect on the MCP URL', { mcpRedirect: (o) => `${o}/mcp/` }, [], 'DISCOVERY_MCP_REDIRECT'],
  ];
  for (const [name, opts, args, code] of cases) {
    it(name, async () => {
      const r = await check(opts, args);
      expect(r.code).toBe(1);
      expect(r.report.verdict).toBe('failing');
      expect(r.report.failingTier).toBe('discovery');
      // The verdict names the first failing check.
      expect(r.report.findings.find((f) => f.severity === 'error')!.code).toBe(code);
      expect(r.report.summary).toContain(code);
    });
  }

  it('no S256 is only a warning when the operator pins 2025-06-18', async () => {
    const r = await check({ asMetadata: (m) => ({ ...m, code_challenge_methods_supported: undefined }) }, ['--spec', '2025-06-18']);
    expect(r.code).toBe(0);
    expect(r.report.findings.map((f) => `${f.severity}:${f.code}`)).toEqual(['warning:DISCOVERY_PKCE_S256_MISSING']);
  });
});

describe('check: unreachable and bad input', () => {
  it('a server that cannot be reached → inconclusive, exit 3, one clear stderr line', async () => {
    const port = await closedPort();
    const r = await runCli(['check', '--server', `http://127.0.0.1:${port}/mcp`, '--json']);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('inconclusive');
    expect(report.tiers.discovery).toEqual({ status: 'error', reason: `cannot reach http://127.0.0.1:${port}/mcp: connection refused (ECONNREFUSED)` });
    expect(report.fix).toMatch(/^Check the --server URL/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('connection refused');
  });

  it('a server that never answers → exit 3 after --http-timeout', async () => {
    server = await startFakeMcpServer({ hang: ['/mcp'] });
    const r = await runCli(['check', '--server', server.url, '--http-timeout', '300']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no answer within 0.3 s');
  });

  it('malformed --server and --http-timeout 0 → usage error, exit 2, nothing on stdout', async () => {
    for (const args of [['--server', 'mcp.example.com/mcp'], ['--server', 'ftp://example.com/mcp'], ['--server', 'https://u:p@example.com/mcp'], ['--server', 'http://127.0.0.1:9/mcp', '--http-timeout', '0']]) {
      const r = await runCli(['check', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain(':p@');
    }
  });
});

describe('check: canary (--token-file)', () => {
  const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJjYW5hcnkiOiJlMmUifQ.ZTJlLWNhbmFyeS1zaWduYXR1cmU';
  const tokenFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-canary-'));
    const f = join(dir, 'token.jwt');
    writeFileSync(f, `${TOKEN}\n`);
    return f;
  };

  it('accepted → healthy, exit 0; the session is closed and the token never printed', async () => {
    const r = await check({ preset: 'fastmcp-4.0.10', acceptedTokens: [TOKEN] }, ['--token-file', tokenFile()]);
    expect(r.code).toBe(0);
    const canary = (r.report.evidence as unknown as { canary: { status: string; value: Record<string, unknown> } }).canary;
    expect(canary.value).toMatchObject({ outcome: 'accepted', status: 200, sessionClosed: { status: 200 } });
    expect(server!.openSessions.size).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('rejected → failing, exit 1 with DISCOVERY_CANARY_REJECTED; text shows the challenge, not the token', async () => {
    const r = await check({ preset: 'fastmcp-3.4.7' }, ['--token-file', tokenFile()]);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('DISCOVERY_CANARY_REJECTED');
    expect(r.stdout).not.toContain(TOKEN);
    const text = await runCli(['check', '--server', server!.url, '--token-file', tokenFile()]);
    expect(text.stdout).toContain('canary: rejected (401)');
    expect(text.stdout).toContain('error="invalid_token"');
    expect(text.stdout + text.stderr).not.toContain(TOKEN);
  });
});

describe('check --format github', () => {
  it('annotates a broken variant with escaped workflow commands and writes the job summary', async () => {
    server = await startFakeMcpServer({ prmResource: (o) => `${o}/mcp?kb_name=team%2Cdocs` });
    const summary = join(mkdtempSync(join(tmpdir(), 'check-gh-')), 'summary.md');
    writeFileSync(summary, '');
    const r = await runCli(['check', '--server', server.url, '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const ann = lines.find((l) => l.startsWith('::error '))!;
    // Property values escape ':' and ','; the message escapes '%', so "%2C" in the URL becomes "%252C".
    expect(ann.startsWith('::error title=DISCOVERY_PRM_RESOURCE_MISMATCH (discovery)::')).toBe(true);
    expect(ann).toContain('kb_name=team%252Cdocs');
    expect(ann).not.toMatch(/[\r\n]/);
    expect(lines[lines.length - 1]).toMatch(/^mcp-auth-doctor check: failing \(failing tier: discovery\)/);
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('mcp-auth-doctor check: failing');
    expect(md).toContain('`DISCOVERY_PRM_RESOURCE_MISMATCH`');
  });
});

describe('check over HTTPS', () => {
  it('a certificate the runner does not trust → DISCOVERY_TLS_INVALID, exit 1; with the CA (NODE_EXTRA_CA_CERTS) → healthy', async () => {
    const tls = selfSignedCert();
    server = await startFakeMcpServer({ tls });
    expect(server.url.startsWith('https://127.0.0.1:')).toBe(true);
    const bad = await runCli(['check', '--server', server.url, '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as Report;
    expect(report.findings.map((f) => f.code)).toEqual(['DISCOVERY_TLS_INVALID']);
    const good = await runCli(['check', '--server', server.url, '--json'], { env: { NODE_EXTRA_CA_CERTS: tls.certFile } });
    expect(good.code).toBe(0);
    expect((JSON.parse(good.stdout) as Report).verdict).toBe('healthy');
  });
});
