/**
 * SIGINT: every command, interrupted while it waits on something slow (a GitHub that never answers,
 * an MCP server that never answers, PBKDF2 over many candidates, a large security-log export, an
 * audit-log API that never answers), stops with exit 130, prints the report of what it collected so
 * far — marked partial, in text and in JSON — and no stack trace. Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../support/bundles.js';
import { runCli, type CliResult } from '../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';

const work = mkdtempSync(join(tmpdir(), 'mad-sigint-'));
const file = (name: string, text: string) => {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
};

const rotated = loadBundle('3.4.7/c-jwt-signing-key-rotated/default-filetree');
const healthy = loadBundle('3.4.7/a-healthy/default-filetree');
const HUNG_TOKEN = 'ghu_hangsForeverInTheSigintSuite0000000000';

let github: FakeGithub;
let mcp: FakeMcpServer;
let silent: Server;
let silentUrl = '';
const silentSockets = new Set<Socket>();
let files: Record<string, string>;
/** A generated diskcache store (scripts/generate-stores.mjs) large enough to take seconds to read. */
const big = { cacheDb: join(work, 'gen', 'diskcache', 'oauth-proxy', 'cache.db'), secret: join(work, 'gen', 'client-secret.txt'), now: 1_795_299_500 };

beforeAll(async () => {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/generate-stores.mjs', import.meta.url)), '--out', join(work, 'gen'), '--diskcache', '150000', '--now', String(big.now)], { stdio: 'ignore' });
  github = await startFakeGithub({ tokens: { [HUNG_TOKEN]: { kind: 'hang' } }, unknownToken: { kind: 'hang' } });
  mcp = await startFakeMcpServer({ preset: 'fastmcp-4.0.10', hang: ['/mcp', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'] });
  // An audit-log API that accepts the connection and never answers.
  silent = createServer(() => {});
  silent.on('connection', (s) => {
    silentSockets.add(s);
    s.on('close', () => silentSockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const candidates = Array.from({ length: 12 }, (_, i) => `an-old-jwt-signing-key-candidate-${i}`).join('\n');
  files = {
    upstream: file('upstream', `${HUNG_TOKEN}\n`),
    signing: file('signing', `${rotated.current['jwt_signing_key (as passed to GitHubProvider)']}\n`),
    candidates: file('candidates', `${candidates}\n`),
    access: file('access', `${rotated.accessToken}\n`),
    healthyAccess: file('healthy-access', `${healthy.accessToken}\n`),
    healthySecret: file('healthy-secret', healthy.current['upstream_client_secret (GitHub app client_secret)']),
    auditToken: file('audit-token', 'an-audit-token-for-the-sigint-suite\n'),
    // ~600k events: far more than is read before the interrupt.
    bigLog: file(
      'big.jsonl',
      Array.from({ length: 600_000 }, (_, i) => JSON.stringify({ action: i % 3 ? 'oauth_access.create' : 'oauth_access.destroy', created_at: 1_795_000_000_000 + i * 1000, oauth_application_name: 'Example MCP Proxy', user: `user-${i % 50}`, hashed_token: Buffer.from(String(i)).toString('base64') })).join('\n'),
    ),
  };
});

afterAll(async () => {
  await github?.close();
  await mcp?.close();
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((r) => silent?.close(() => r()));
});

interface Case {
  name: string;
  args: () => string[];
  /** When the SIGINT goes out: after start-up, well before the slow step could finish. */
  after: number;
  /** Interrupt once a quarter of the generated store was read (see interruptAt). */
  midRead?: boolean;
}

const cases: Case[] = [
  {
    name: 'probe-github, GitHub never answers',
    args: () => ['probe-github', '--upstream-token-file', files.upstream!, '--github-api-url', github.apiUrl, '--github-timeout', '120000'],
    after: 1500,
  },
  {
    name: 'diagnose, GitHub never answers (store read, upstream probe hangs)',
    args: () => ['diagnose', '--token-file', files.healthyAccess!, '--upstream-client-secret-file', files.healthySecret!, '--store', healthy.storePath, '--at', String(healthy.scenario.captured_at), '--github-api-url', github.apiUrl, '--github-timeout', '120000'],
    after: 2000,
  },
  {
    name: 'check, the MCP server never answers',
    args: () => ['check', '--server', mcp.url, '--http-timeout', '120000'],
    after: 1500,
  },
  {
    name: 'verify-token, PBKDF2 over 13 keys',
    args: () => ['verify-token', '--token-file', files.access!, '--jwt-signing-key-file', files.signing!, '--candidate-secret-file', files.candidates!, '--store', rotated.storePath],
    after: 800,
  },
  {
    name: 'inspect-cache, PBKDF2 over 13 keys',
    args: () => ['inspect-cache', '--store', rotated.storePath, '--jwt-signing-key-file', files.signing!, '--candidate-secret-file', files.candidates!],
    after: 800,
  },
  {
    name: 'inspect-cache, a generated store of 150,000 entries',
    args: () => ['inspect-cache', '--store', big.cacheDb, '--upstream-client-secret-file', big.secret, '--at', String(big.now)],
    after: 700,
    midRead: true,
  },
  {
    name: 'diagnose, PBKDF2 over 13 keys',
    args: () => ['diagnose', '--token-file', files.access!, '--jwt-signing-key-file', files.signing!, '--candidate-secret-file', files.candidates!, '--store', rotated.storePath, '--offline'],
    after: 800,
  },
  {
    name: 'github-audit, a large security-log export',
    args: () => ['github-audit', '--security-log', files.bigLog!, '--app', 'Example MCP Proxy'],
    after: 1200,
  },
  {
    name: 'github-audit, PBKDF2 over 13 keys for the store, then a gzip export',
    args: () => ['github-audit', '--store', rotated.storePath, '--jwt-signing-key-file', files.signing!, '--candidate-secret-file', files.candidates!, '--security-log', join(fileURLToPath(new URL('../../fixtures/security-log', import.meta.url)), 'export-mona-example.json.gz')],
    after: 800,
  },
  {
    name: 'github-audit, the audit-log API never answers',
    args: () => ['github-audit', '--org', 'example-org', '--audit-token-file', files.auditToken!, '--github-api-url', silentUrl],
    after: 1200,
  },
];

/**
 * When to interrupt: after `after` ms, or — for a store read that must be stopped mid-read — once the
 * process has read a quarter of the store (reads are fast enough on two free cores to finish 150,000
 * entries before any fixed delay a loaded machine also allows).
 */
function interruptAt(c: { after: number; midRead?: boolean }): { interruptAfterMs: number; interruptAfterReadBytes?: number } {
  return c.midRead ? { interruptAfterMs: c.after, interruptAfterReadBytes: Math.round(statSync(big.cacheDb).size / 4) } : { interruptAfterMs: c.after };
}

function noStack(r: CliResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr).not.toMatch(/internal error/);
}

describe('SIGINT: exit 130 with the partial report', () => {
  it.each(cases)('$name (text)', async (c) => {
    const r = await runCli(c.args(), { ...interruptAt(c), timeoutMs: 30_000 });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: interrupted — the report shows what was collected so far\n$/);
    expect(r.stdout).toMatch(/partial result: /);
    expect(r.stdout).toMatch(/Verdict: /);
    noStack(r);
  });

  it.each(cases)('$name (--json)', async (c) => {
    const r = await runCli([...c.args(), '--json'], { ...interruptAt(c), timeoutMs: 30_000 });
    expect(r.code).toBe(130);
    const report = JSON.parse(r.stdout) as { partial?: string; verdict: string; command: string };
    expect(report.partial).toMatch(/interrupt/);
    expect(report.verdict).not.toBe('healthy');
    expect(report.command).toBe(c.args()[0]);
    noStack(r);
  });

  it('what was collected before the interrupt is in the report (a large export: events counted so far)', async () => {
    const r = await runCli(['github-audit', '--security-log', files.bigLog!, '--app', 'Example MCP Proxy', '--json'], { interruptAfterMs: 1200, timeoutMs: 30_000 });
    expect(r.code).toBe(130);
    const report = JSON.parse(r.stdout) as { evidence: { idp: { status: string; partial?: string; value: { eventsRead: number } } } };
    expect(report.evidence.idp.status).toBe('collected');
    expect(report.evidence.idp.partial).toMatch(/interrupted/);
    expect(report.evidence.idp.value.eventsRead).toBeGreaterThan(0);
    expect(report.evidence.idp.value.eventsRead).toBeLessThan(600_000);
  });

  it('a large store interrupted mid-read: the entries read so far are counted, the inventory is partial', async () => {
    const r = await runCli(['inspect-cache', '--store', big.cacheDb, '--upstream-client-secret-file', big.secret, '--at', String(big.now), '--json'], { ...interruptAt({ after: 900, midRead: true }), timeoutMs: 30_000 });
    expect(r.code).toBe(130);
    const report = JSON.parse(r.stdout) as { partial?: string; evidence: { store: { status: string; partial?: string; value: { entriesRead: number } } } };
    expect(report.evidence.store.status).toBe('collected');
    expect(report.evidence.store.partial).toMatch(/interrupted after \d+ entries/);
    expect(report.evidence.store.value.entriesRead).toBeLessThan(150_000);
  });

  it('after the interrupt no further tier is collected with what is missing (no store read without the keys)', async () => {
    const r = await runCli(['verify-token', '--token-file', files.access!, '--jwt-signing-key-file', files.signing!, '--candidate-secret-file', files.candidates!, '--store', rotated.storePath, '--json'], { interruptAfterMs: 800, timeoutMs: 30_000 });
    expect(r.code).toBe(130);
    const report = JSON.parse(r.stdout) as { findings: { code: string }[]; evidence: { chain?: unknown } };
    expect(report.evidence.chain).toBeUndefined();
    expect(report.findings.map((f) => f.code)).not.toContain('STORE_JTI_MAPPING_MISSING');
  });
});
