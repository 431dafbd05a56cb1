/**
 * Hostile or broken inputs through the built CLI (`npm run build` first): each ends with a report or
 * one error line and the right exit code — never "internal error", never a stack trace. Cases the
 * property tests found at the parser level, checked end to end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { b64, jwt, tempFiles } from '../support/temp-inputs.js';
import { runCli, type CliResult } from '../support/cli.js';

const { work, file } = tempFiles('mad-hostile-');
let seq = 0;

function oneClearLine(r: CliResult, code: number, pattern?: RegExp): void {
  expect(r.code).toBe(code);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mcp-auth-doctor: /);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  if (pattern) expect(lines[0]).toMatch(pattern);
}

/** A user FileTree store (no sanitisation, no encryption) with absurd times and numbers. */
function oddStore(): string {
  const dir = join(work, `store-${(seq += 1)}`);
  mkdirSync(join(dir, 'mcp-upstream-tokens'), { recursive: true });
  mkdirSync(join(dir, 'mcp-jti-mappings'), { recursive: true });
  for (const c of ['mcp-upstream-tokens', 'mcp-jti-mappings']) writeFileSync(join(dir, `${c}-info.json`), JSON.stringify({ collection: c, created_at: '2026-01-01T00:00:00+00:00', directory: '/elsewhere', version: 1 }));
  writeFileSync(
    join(dir, 'mcp-upstream-tokens', 'u1.json'),
    JSON.stringify({ created_at: '0001-01-01T00:00:00+00:00', expires_at: '9999-12-31T23:59:59.999999+00:00', value: { upstream_token_id: 'u1', access_token: 'ghu_oddStoreToken0000000000000000000000', refresh_token: null, expires_at: 1e300, refresh_token_expires_at: -1e300, created_at: 1e308, client_id: 'c1' }, version: 1 }),
  );
  writeFileSync(join(dir, 'mcp-jti-mappings', 'j1.json'), JSON.stringify({ created_at: '2026-01-01T00:00:00+00:00', expires_at: '2026-13-45T99:99:99', value: { jti: 'j1', upstream_token_id: 'u1', created_at: -1e300 }, version: 1 }));
  writeFileSync(join(dir, 'mcp-jti-mappings', 'j2.json'), '\u0000\u00ff not json');
  return dir;
}

describe('times no Date can hold', () => {
  it('--at far beyond the Date range: exit 2, one line', async () => {
    oneClearLine(await runCli(['verify-token', jwt({ alg: 'HS256', typ: 'JWT' }, { exp: 1 }), '--at', '99999999999999999999']), 2, /--at "99999999999999999999" is out of range/);
  });

  it('a security log with created_at 1e20 and @timestamp 1e300: events without a usable time are left out, no crash', async () => {
    const log = file(JSON.stringify([{ action: 'oauth_access.create', created_at: 1e20, oauth_application_name: 'A', user: 'u' }, { action: 'oauth_access.destroy', '@timestamp': 1e300, oauth_application_name: 'A', user: 'u' }, { action: 'oauth_access.create', created_at: 1_795_000_000_000, oauth_application_name: 'A', user: 'u' }]));
    for (const f of [[], ['--json'], ['--format', 'github']]) {
      const r = await runCli(['github-audit', '--security-log', log, ...f]);
      expect(r.stderr).not.toMatch(/internal error/);
      expect([0, 1]).toContain(r.code);
    }
  });

  it('a store holding times of year 1 and 9999, numbers of ±1e300, an impossible date and a binary file: a report', async () => {
    const store = oddStore();
    for (const f of [[], ['--json'], ['--format', 'github']]) {
      const r = await runCli(['inspect-cache', '--store', store, '--show-entries', '--at', '2026-11-21T00:00:00Z', ...f]);
      expect(r.stderr).not.toMatch(/internal error/);
      expect([0, 1]).toContain(r.code);
    }
    const r = await runCli(['inspect-cache', '--store', store, '--json', '--at', '2026-11-21T00:00:00Z']);
    const rep = JSON.parse(r.stdout) as { evidence: { store: { value: { collections: Record<string, { live: number; corrupt: number }> } } } };
    // 2026-13-45T99:99:99 is no time (Python refuses it): that entry is corrupt, as is the binary one.
    expect(rep.evidence.store.value.collections['mcp-jti-mappings']?.corrupt).toBe(2);
    expect(rep.evidence.store.value.collections['mcp-upstream-tokens']?.live).toBe(1);
  });

  // The "exp (no leeway)" stage once formatted exp with Date#toISOString, which throws beyond the Date range.
  it('a JWT whose exp is 1e300: a report, not "internal error"', async () => {
    const r = await runCli(['verify-token', jwt({ alg: 'HS256', typ: 'JWT' }, { exp: 1e300, iat: 1, jti: 'j' })]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect([0, 1, 3]).toContain(r.code);
  });
});

describe('tokens that are not FastMCP JWTs', () => {
  it.each([
    ['five segments (a JWE)', 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d', /5 segments/],
    ['one segment', 'just-some-text-0123456789', /1 segment/],
    ['a header that is not JSON', `${Buffer.from('{not json').toString('base64url')}.${b64({})}.x`, /header segment is not JSON/],
    ['a header that is an array', `${b64([1, 2])}.${b64({})}.x`, /header is not a JSON object/],
    ['invalid UTF-8 in the payload', `${b64({ alg: 'HS256' })}.${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.x`, /payload segment is not JSON/],
    ['characters outside base64url', 'eyJh%%%.eyJ.x', /outside base64url/],
    ['alg as an object', jwt({ alg: { name: 'HS256' } }, { exp: 1 }), /alg "\{\\"name\\":\\"HS256\\"\}"/],
    ['alg none', jwt({ alg: 'none' }, { exp: 1 }, ''), /alg "none"/],
  ])('%s: exit 2, one line', async (_n, token, pattern) => {
    oneClearLine(await runCli(['verify-token', '--token-file', file(`${token}\n`)]), 2, pattern);
    const d = await runCli(['diagnose', '--token-file', file(token), '--offline', '--json']);
    expect(d.code).toBe(2);
    expect(d.stderr).not.toMatch(/internal error/);
  });

  it('a binary file as the token, a 2 MB token, an empty token file', async () => {
    oneClearLine(await runCli(['verify-token', '--token-file', file(Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13]))]), 2);
    oneClearLine(await runCli(['verify-token', '--token-file', file(`${'eyJ'.padEnd(2_000_000, 'A')}.x.y`)]), 2);
    oneClearLine(await runCli(['verify-token', '--token-file', file('\n  \n')]), 2, /is empty/);
  });
});

describe('other files that are not what they should be', () => {
  it('a binary, truncated or unterminated security-log export: one line, exit 2', async () => {
    oneClearLine(await runCli(['github-audit', '--security-log', file(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]))]), 2, /security-log export/);
    oneClearLine(await runCli(['github-audit', '--security-log', file('[{"action": "oauth_access.create", "created_at": 1}, {"action":')]), 2, /ended mid-record/);
    oneClearLine(await runCli(['github-audit', '--security-log', file('a,b\n"unterminated,1\n')]), 2, /ended mid-record/);
  });

  it('a Fernet key file holding garbage, a store that is a random file', async () => {
    oneClearLine(await runCli(['inspect-cache', '--store', oddStore(), '--storage-encryption-key-file', file('%%%% not base64 %%%%')]), 2, /not a Fernet key/);
    oneClearLine(await runCli(['inspect-cache', '--store', file(Buffer.alloc(4096, 0xab))]), 2);
  });

  it('an --env-file of binary garbage and odd lines: ignored where unreadable, no crash', async () => {
    const env = file(Buffer.concat([Buffer.from('export =x\n===\nA B=1\n\u0000\u00ff\nFASTMCP_SERVER_AUTH_GITHUB_BASE_URL="http://127.0.0.1:9/"\n'), Buffer.from([0xff, 0xfe, 0xfd])]));
    const r = await runCli(['verify-token', jwt({ alg: 'HS256', typ: 'JWT' }, { exp: 4_102_444_800, iss: 'http://127.0.0.1:9/', aud: 'http://127.0.0.1:9/mcp', jti: 'j' }), '--env-file', env, '--json']);
    expect(r.stderr).not.toMatch(/internal error/);
    const rep = JSON.parse(r.stdout) as { evidence: { settings: { baseUrl?: string } } };
    expect(rep.evidence.settings.baseUrl).toBe('http://127.0.0.1:9/');
  });
});
