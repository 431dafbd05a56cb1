/**
 * Faults on the network side, through the built CLI (`npm run build` first): a GitHub that never
 * answers or trickles its answer, a GitHub that sends a 1 GB body or garbage, an audit-log API that
 * does the same, an MCP server that never answers or sends too much. Every run ends within its
 * timeout with a finding or one error line, the right exit code, no stack trace — and the doctor
 * stops reading a huge body early (the stand-in counts what it managed to send).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBundle } from '../support/bundles.js';
import { runCli, type CliResult } from '../support/cli.js';
import { startFakeGithub } from '../support/fake-github.js';
import { startFakeMcpServer } from '../support/fake-mcp-server.js';

const work = mkdtempSync(join(tmpdir(), 'mad-faults-'));
let seq = 0;
const file = (text: string) => {
  const p = join(work, `f${(seq += 1)}`);
  writeFileSync(p, text);
  return p;
};
const TOKEN = 'ghu_faultsSuiteToken000000000000000000000';
const GB = 1024 ** 3;

interface Stand {
  url: string;
  /** Body bytes written per path before the client went away (or everything was sent). */
  sent: Map<string, number>;
  requests: string[];
  close(): Promise<void>;
}

type Behaviour = 'hang' | 'trickle' | 'huge-json' | 'huge-text' | 'garbage' | 'html-200' | 'bad-headers' | 'truncated' | 'empty-200';

/** A stand-in HTTP server whose every route answers with one behaviour. */
async function stand(behaviour: Behaviour, status = 200): Promise<Stand> {
  const sent = new Map<string, number>();
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const count = (path: string, n: number) => sent.set(path, (sent.get(path) ?? 0) + n);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(`${req.method} ${path}`);
    req.resume();
    switch (behaviour) {
      case 'hang':
        return;
      case 'trickle': {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.write('{');
        const t = setInterval(() => {
          res.write(' ');
          count(path, 1);
        }, 100);
        timers.add(t);
        res.on('close', () => clearInterval(t));
        return;
      }
      case 'huge-json':
      case 'huge-text': {
        res.writeHead(status, { 'content-type': behaviour === 'huge-json' ? 'application/json; charset=utf-8' : 'text/plain', 'x-ratelimit-remaining': '4999' });
        const chunk = Buffer.alloc(64 * 1024, behaviour === 'huge-json' ? 0x20 : 0x61);
        if (behaviour === 'huge-json') res.write('[');
        let total = 0;
        const pump = () => {
          while (total < GB) {
            total += chunk.length;
            count(path, chunk.length);
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end(behaviour === 'huge-json' ? ']' : '');
        };
        res.on('close', () => (total = GB));
        return pump();
      }
      case 'garbage':
        res.writeHead(status, { 'content-type': 'application/json' });
        return void res.end('\u0000\u00ff{"message": [1, 2,, ]}<html>');
      case 'html-200':
        res.writeHead(status, { 'content-type': 'text/html' });
        return void res.end('<!DOCTYPE html><html><body>Sign in to GitHub</body></html>');
      case 'bad-headers':
        res.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': '1e400', 'retry-after': 'soon', 'x-oauth-scopes': ',,,', link: '<::>; rel="next"' });
        return void res.end(JSON.stringify({ login: 42, id: 'x', message: { nested: true } }));
      case 'truncated':
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"login": "octo');
        return void setTimeout(() => res.destroy(), 50);
      case 'empty-200':
        res.writeHead(status);
        return void res.end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    requests,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
async function use<T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> {
  const s = await p;
  open.push(s);
  return s;
}

function clean(r: CliResult): void {
  expect(r.code, `ended by the test's kill switch: ${r.stderr}`).not.toBeNull();
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
}

interface Rep {
  verdict: string;
  failingTier: string | null;
  findings: { code: string; severity: string; detail: string }[];
  evidence: { upstream?: { status: string; reason?: string; value?: { user?: { outcome: string; message?: string }; checkToken?: { outcome: string; message?: string } } } };
}

describe('GitHub never answers', () => {
  it('probe-github: bounded by --github-timeout, UPSTREAM_UNAVAILABLE (GitHub, not the token), exit 1', async () => {
    const gh = await use(startFakeGithub({ tokens: { [TOKEN]: { kind: 'hang' } } }));
    const r = await runCli(['probe-github', '--upstream-token-file', file(TOKEN), '--github-api-url', gh.apiUrl, '--github-timeout', '1500', '--json'], { timeoutMs: 20_000 });
    clean(r);
    const rep = JSON.parse(r.stdout) as Rep;
    expect(r.code).toBe(1);
    expect(rep.failingTier).toBe('upstream');
    expect(rep.findings[0]?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(rep.evidence.upstream?.value?.user?.outcome).toBe('timeout');
    expect(rep.evidence.upstream?.value?.user?.message).toMatch(/^no answer within 1\.5 s/);
    expect(gh.requestsFor(TOKEN)).toHaveLength(1);
  });

  it('probe-github with check-token: the hung check-token is not followed by GET /user', async () => {
    const gh = await use(startFakeGithub({ tokens: { [TOKEN]: { kind: 'hang' } }, apps: { Iv23liFAULTS: { secret: 'faults-suite-app-secret', name: 'app' } } }));
    const r = await runCli(['probe-github', '--upstream-token-file', file(TOKEN), '--github-api-url', gh.apiUrl, '--github-timeout', '1500', '--upstream-client-id', 'Iv23liFAULTS', '--upstream-client-secret-file', file('faults-suite-app-secret'), '--json'], { timeoutMs: 20_000 });
    clean(r);
    const rep = JSON.parse(r.stdout) as Rep;
    expect(rep.findings[0]?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(gh.requests.map((q) => q.path)).toEqual(['/applications/Iv23liFAULTS/token']);
  });

  it('diagnose: the other tiers are reported, the upstream tier is unavailable, exit 1, text output', async () => {
    const b = loadBundle('3.4.7/a-healthy/default-filetree');
    const gh = await use(startFakeGithub({ unknownToken: { kind: 'hang' } }));
    const r = await runCli(['diagnose', '--token-file', file(b.accessToken), '--upstream-client-secret-file', file(b.current['upstream_client_secret (GitHub app client_secret)']), '--store', b.storePath, '--base-url', b.current.base_url, '--at', String(b.scenario.captured_at), '--github-api-url', gh.apiUrl, '--github-timeout', '1500'], { timeoutMs: 20_000 });
    clean(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/UPSTREAM_UNAVAILABLE/);
    expect(r.stdout).toMatch(/✔ Storage/);
    expect(r.stdout).toMatch(/Verdict: Upstream token \(GitHub\) fails/);
  });

  it('GitHub answers the headers, then trickles the body forever: still bounded by --github-timeout', async () => {
    const s = await use(stand('trickle'));
    const r = await runCli(['probe-github', '--upstream-token-file', file(TOKEN), '--github-api-url', s.url, '--github-timeout', '1500', '--no-check-token', '--json'], { timeoutMs: 20_000 });
    clean(r);
    const rep = JSON.parse(r.stdout) as Rep;
    expect(rep.findings[0]?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(rep.evidence.upstream?.value?.user?.outcome).toBe('timeout');
  });

  it('the audit-log API never answers: one error line, exit 3', async () => {
    const s = await use(stand('hang'));
    const r = await runCli(['github-audit', '--org', 'example-org', '--audit-token-file', file('an-audit-token'), '--github-api-url', s.url], { timeoutMs: 40_000 });
    clean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: the audit-log API \(.*\) did not answer: no answer within 10 s/);
  });
});

describe('GitHub sends too much', () => {
  it('GET /user with a 1 GB body: the probe stops reading after a few KB', async () => {
    const s = await use(stand('huge-json'));
    const r = await runCli(['probe-github', '--upstream-token-file', file(TOKEN), '--github-api-url', s.url, '--no-check-token', '--github-timeout', '20000', '--json'], { timeoutMs: 60_000 });
    clean(r);
    expect([0, 1, 3]).toContain(r.code);
    JSON.parse(r.stdout);
    // What the server could push before the doctor hung up: socket buffers, far from 1 GB.
    for (const [path, n] of s.sent) expect(n, path).toBeLessThan(64 * 1024 * 1024);
  });

  it('check-token answering 1 GB: refused in one line (no buffering), GET /user not called', async () => {
    const s = await use(stand('huge-json'));
    const r = await runCli(['probe-github', '--upstream-token-file', file(TOKEN), '--github-api-url', s.url, '--upstream-client-id', 'Iv23liFAULTS', '--upstream-client-secret-file', file('faults-suite-app-secret'), '--github-timeout', '20000', '--json'], { timeoutMs: 60_000 });
    clean(r);
    const rep = JSON.parse(r.stdout) as Rep;
    expect(rep.evidence.upstream?.value?.checkToken?.message).toMatch(/larger than 8 MB/);
    expect(s.requests).toEqual(['POST /applications/Iv23liFAULTS/token']);
    for (const [path, n] of s.sent) expect(n, path).toBeLessThan(64 * 1024 * 1024);
  });

  it('an audit-log page of 1 GB: one error line, exit 3', async () => {
    const s = await use(stand('huge-json'));
    const r = await runCli(['github-audit', '--org', 'example-org', '--audit-token-file', file('an-audit-token'), '--github-api-url', s.url], { timeoutMs: 60_000 });
    clean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/larger than 8 MB/);
    for (const [path, n] of s.sent) expect(n, path).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('GitHub sends garbage', () => {
  it.each<[Behaviour, number]>([
    ['garbage', 200],
    ['html-200', 200],
    ['bad-headers', 200],
    ['bad-headers', 403],
    ['truncated', 200],
    ['empty-200', 200],
    ['garbage', 401],
    ['html-200', 502],
    ['huge-text', 401],
  ])('%s (%i): probe-github and diagnose give findings, never a crash', async (behaviour, status) => {
    const s = await use(stand(behaviour, status));
    for (const extra of [[], ['--upstream-client-id', 'Iv23liFAULTS', '--upstream-client-secret-file', file('faults-suite-app-secret')]]) {
      const r = await runCli(['probe-github', '--upstream-token-file', file(TOKEN), '--github-api-url', s.url, '--github-timeout', '5000', ...extra, '--json'], { timeoutMs: 30_000 });
      clean(r);
      expect([0, 1, 3]).toContain(r.code);
      const rep = JSON.parse(r.stdout) as Rep;
      expect(rep.evidence.upstream).toBeDefined();
    }
    // diagnose takes a given upstream token from GITHUB_UPSTREAM_TOKEN (it has no --upstream-token-file).
    const b = loadBundle('3.4.7/a-healthy/default-filetree');
    const r = await runCli(['diagnose', '--token-file', file(b.accessToken), '--github-api-url', s.url, '--github-timeout', '5000', '--store', b.storePath], { timeoutMs: 30_000, env: { GITHUB_UPSTREAM_TOKEN: TOKEN } });
    clean(r);
    expect(r.stdout).toMatch(/Verdict: /);
  });

  it.each<[Behaviour, number]>([
    ['garbage', 200],
    ['html-200', 200],
    ['empty-200', 200],
    ['bad-headers', 200],
    ['truncated', 200],
    ['garbage', 500],
  ])('%s (%i) from the audit-log API: one error line (exit 3) or a partial report', async (behaviour, status) => {
    const s = await use(stand(behaviour, status));
    const r = await runCli(['github-audit', '--org', 'example-org', '--audit-token-file', file('an-audit-token'), '--github-api-url', s.url, '--json'], { timeoutMs: 30_000 });
    clean(r);
    expect([0, 1, 3]).toContain(r.code);
    if (r.code === 3) expect(r.stderr).toMatch(/^mcp-auth-doctor: the audit-log API/);
  });
});

describe('the MCP server (check)', () => {
  it('never answers: bounded by --http-timeout, exit 3, one line naming the server', async () => {
    const mcp = await use(startFakeMcpServer({ preset: 'fastmcp-4.0.10', hang: ['/mcp', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server'] }));
    const r = await runCli(['check', '--server', mcp.url, '--http-timeout', '1500'], { timeoutMs: 30_000 });
    clean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: .*(timeout|no answer)/i);
    expect(r.stdout).toMatch(/Verdict: /);
  });

  it('answers without a token, never answers the canary: bounded, the canary is an error (never a pass)', async () => {
    const b = loadBundle('3.4.7/a-healthy/default-filetree');
    const sockets = new Set<Socket>();
    const server = createServer((req, res) => {
      req.resume();
      if (req.headers.authorization) return; // the canary: never answered
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`, 'content-type': 'application/json' });
      res.end('{"error":"invalid_token"}');
    });
    server.on('connection', (c) => {
      sockets.add(c);
      c.on('close', () => sockets.delete(c));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    open.push({ close: async () => (sockets.forEach((c) => c.destroy()), await new Promise<void>((r) => server.close(() => r()))) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    const r = await runCli(['check', '--server', url, '--token-file', file(b.accessToken), '--http-timeout', '1500', '--json'], { timeoutMs: 30_000 });
    clean(r);
    const rep = JSON.parse(r.stdout) as Rep & { evidence: { canary?: { status: string; reason?: string } } };
    expect(rep.verdict).not.toBe('healthy');
    expect(rep.evidence.canary?.status).toBe('error');
    expect(rep.evidence.canary?.reason).toMatch(/timeout|no answer/i);
  });

  it('sends a 1 GB body: read up to 1 MB, exit with a finding', async () => {
    const s = await use(stand('huge-text', 401));
    const r = await runCli(['check', '--server', `${s.url}/mcp`, '--http-timeout', '20000', '--json'], { timeoutMs: 60_000 });
    clean(r);
    expect([1, 3]).toContain(r.code);
    JSON.parse(r.stdout);
    for (const [path, n] of s.sent) expect(n, path).toBeLessThan(64 * 1024 * 1024);
  });
});
