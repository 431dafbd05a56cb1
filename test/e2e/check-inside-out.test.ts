/**
 * `check` inside-out, through the built CLI: a stand-in MCP server on 127.0.0.1 (outside-in) plus the
 * operator's secrets and a real FastMCP store from fixtures/real-fastmcp (inside-out).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/index.js';
import { loadBundle, type Bundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';
import { hashTree } from '../support/hash.js';

let server: FakeMcpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function files(b: Bundle, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'check-io-'));
  const out: Record<string, string> = {};
  const write = (name: string, text: string) => {
    out[name] = join(dir, name);
    writeFileSync(out[name]!, `${text}\n`);
  };
  write('canary', b.accessToken);
  const signing = b.current['jwt_signing_key (as passed to GitHubProvider)'];
  if (signing) write('signing', signing);
  else write('secret', b.current['upstream_client_secret (GitHub app client_secret)']);
  for (const [k, v] of Object.entries(extra)) write(k, v);
  return out;
}

async function check(args: string[]) {
  const r = await runCli(['check', '--server', server!.url, ...args, '--json']);
  return { ...r, report: JSON.parse(r.stdout) as Report };
}

describe('check with the operator\'s secrets and store', () => {
  it('healthy: the canary is accepted, its signature verifies with the current key, the store holds its chain', async () => {
    const b = loadBundle('3.4.7/a-healthy/default-filetree');
    server = await startFakeMcpServer({ preset: 'fastmcp-4.0.10', acceptedTokens: [b.accessToken] });
    const f = files(b);
    const before = hashTree(b.storePath);
    const r = await check(['--token-file', f.canary!, '--upstream-client-secret-file', f.secret!, '--store', b.storePath, '--base-url', b.current.base_url, '--at', String(b.scenario.captured_at)]);
    expect(r.report.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(r.report.verdict).toBe('healthy');
    expect(r.code).toBe(0);
    expect(r.report.tiers.jwt?.status).toBe('pass');
    expect(r.report.tiers.storage?.status).toBe('pass');
    expect(hashTree(b.storePath)).toEqual(before);
  });

  it('a rotated key: the rejected canary is explained by the JWT tier, and the old fingerprint directory is reported as orphaned', async () => {
    const b = loadBundle('3.4.7/c-jwt-signing-key-rotated/default-filetree');
    server = await startFakeMcpServer({ preset: 'fastmcp-3.4.7' });
    const f = files(b, { previous: b.issuing['jwt_signing_key (as passed to GitHubProvider)']! });
    const r = await check(['--token-file', f.canary!, '--jwt-signing-key-file', f.signing!, '--candidate-secret-file', f.previous!, '--store', b.storePath, '--base-url', b.current.base_url, '--at', String(b.scenario.captured_at)]);
    expect(r.code).toBe(1);
    expect(r.report.failingTier).toBe('jwt');
    const codes = r.report.findings.map((x) => x.code);
    expect(r.report.findings.find((x) => x.severity === 'error')?.code).toBe('JWT_SIGNATURE_INVALID');
    expect(codes).toContain('JWT_SIGNED_BY_CANDIDATE');
    expect(codes).toContain('STORE_ORPHANED_DIRECTORY');
    expect(codes).toContain('DISCOVERY_CANARY_REJECTED');
  });

  it('hazard: several replicas on a per-instance FileTree store fail the gate (config tier)', async () => {
    const b = loadBundle('3.4.7/a-healthy/default-filetree');
    server = await startFakeMcpServer({ preset: 'fastmcp-4.0.10', acceptedTokens: [b.accessToken] });
    const f = files(b);
    const r = await check(['--token-file', f.canary!, '--upstream-client-secret-file', f.secret!, '--store', b.storePath, '--base-url', b.current.base_url, '--at', String(b.scenario.captured_at), '--replicas', '3']);
    expect(r.code).toBe(1);
    expect(r.report.failingTier).toBe('config');
    expect(r.report.findings.find((x) => x.severity === 'error')?.code).toBe('CONFIG_PER_INSTANCE_STORE');
  });

  it('without --base-url the running server\'s metadata sets the expected iss/aud: a token minted for another base URL would fail', async () => {
    const b = loadBundle('3.4.7/a-healthy/default-filetree');
    server = await startFakeMcpServer({ preset: 'fastmcp-4.0.10', acceptedTokens: [b.accessToken] });
    const f = files(b);
    const r = await check(['--token-file', f.canary!, '--upstream-client-secret-file', f.secret!, '--at', String(b.scenario.captured_at)]);
    expect(r.report.failingTier).toBe('jwt');
    const iss = r.report.findings.find((x) => x.code === 'JWT_ISSUER_MISMATCH')!;
    expect(iss.detail).toContain(`${server.origin}/`);
    expect(iss.detail).toMatch(/port \d+ vs \d+/);
    expect(r.stdout).not.toContain(b.accessToken);
  });
});
