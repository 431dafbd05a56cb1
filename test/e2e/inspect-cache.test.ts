/**
 * inspect-cache through the built CLI (run `npm run build` first): every real bundle with its
 * current key at captured_at, the read-only proof, secrets never printed, and one clear line with
 * the right exit code for each kind of bad input.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Evidence, Report, StoreEvidence } from '../../src/model/index.js';
import { writeDiskcache, session } from '../../fixtures/stores/writer.js';
import { runCli } from '../support/cli.js';
import { listBundles, loadBundle, type Bundle } from '../support/bundles.js';
import { hashTree } from '../support/hash.js';
import { freePort, loadRedisDump, redisServerAvailable, startRedis, type RedisServer } from '../support/redis.js';

const work = mkdtempSync(join(tmpdir(), 'mad-inspect-'));
const haveRedis = redisServerAvailable();
let redis: RedisServer | undefined;

beforeAll(async () => {
  if (haveRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(work, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const p = join(work, name);
  writeFileSync(p, content);
  return p;
}

/** --store and key flags reproducing the bundle's deployment at capture. */
function args(b: Bundle): string[] {
  const a: string[] = [];
  const signing = b.current['jwt_signing_key (as passed to GitHubProvider)'];
  const tag = b.id.replace(/\W+/g, '_');
  if (signing) a.push('--jwt-signing-key-file', file(`${tag}-signing`, `${signing}\n`));
  else a.push('--upstream-client-secret-file', file(`${tag}-secret`, b.current['upstream_client_secret (GitHub app client_secret)']));
  if (b.storageKey) a.push('--storage-encryption-key-file', file(`${tag}-fernet`, b.storageKey));
  if (b.redisDump) {
    loadRedisDump(redis!, b.redisDump);
    a.push('--store', redis!.url);
  } else a.push('--store', b.storePath);
  a.push('--at', String(b.scenario.captured_at));
  return a;
}

function secretsOf(b: Bundle): string[] {
  const out = [b.current['upstream_client_secret (GitHub app client_secret)'], b.accessToken, b.refreshToken];
  const signing = b.current['jwt_signing_key (as passed to GitHubProvider)'];
  if (signing) out.push(signing);
  if (b.storageKey) out.push(b.storageKey);
  for (const [k, v] of Object.entries(b.current.storage)) if (/fernet_key/.test(k) && v) out.push(v);
  // Plaintext GitHub tokens sit in the redis-plain dump.
  if (b.redisDump) for (const m of readFileSync(b.redisDump, 'utf8').matchAll(/gh[our]_[A-Za-z0-9_]{10,}/g)) out.push(m[0]);
  return out;
}

const VERDICT: Record<string, { exit: number; codes: string[] }> = {
  '3.4.7/c-jwt-signing-key-rotated/default-filetree': { exit: 1, codes: ['STORE_ORPHANED_DIRECTORY', 'STORE_EMPTY'] },
  '3.4.7/a-healthy/redis-plain': { exit: 0, codes: ['STORE_PLAINTEXT_TOKENS'] },
};

describe.skipIf(!haveRedis)('inspect-cache on every real bundle', () => {
  it.each(listBundles().map((b) => [b.id, b] as const))('%s', async (_id, b) => {
    const before = hashTree(b.dir);
    const r = await runCli(['inspect-cache', ...args(b), '--json', '--show-entries']);
    const want = VERDICT[b.id] ?? { exit: 0, codes: [] };
    expect(r.stderr).toBe('');
    expect(r.code).toBe(want.exit);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.command).toBe('inspect-cache');
    expect(report.findings.map((f) => f.code)).toEqual(want.codes);
    const s = (report.evidence as Evidence).store as { status: string; value: StoreEvidence };
    expect(s.status).toBe('collected');
    if (b.id !== '3.4.7/c-jwt-signing-key-rotated/default-filetree') {
      expect(s.value.collections['mcp-upstream-tokens']!.live).toBe(1);
      expect(s.value.entries?.length).toBe(s.value.entriesRead);
    }
    for (const secret of secretsOf(b)) expect(r.stdout).not.toContain(secret);
    expect(hashTree(b.dir)).toEqual(before);
  });

  it('text output: the inventory, the orphan and which candidate selects it', async () => {
    const b = loadBundle('3.4.7/c-jwt-signing-key-rotated/default-filetree');
    const one = file('key-one', `${b.issuing['jwt_signing_key (as passed to GitHubProvider)']}\n`);
    // Wide enough that each directory is one line (text is wrapped to the width).
    const r = await runCli(['inspect-cache', ...args(b), '--candidate-secret-file', one], { env: { COLUMNS: '300' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/8e2094e892ed {2}5 entries, newest .*; selected by candidate 1 \(file .*key-one\) as a jwt_signing_key string — orphaned/);
    expect(r.stdout).toMatch(/d1505f751a45 {2}0 entries; selected by jwt_signing_key .* — read/);
    expect(r.stdout).toMatch(/Verdict: Storage fails: Orphaned fingerprint directories from an earlier key \(STORE_ORPHANED_DIRECTORY\)/);
    for (const secret of secretsOf(b)) expect(r.stdout).not.toContain(secret);
  });

  it('text output of a healthy store with --show-entries shows tokens only as fingerprints', async () => {
    const b = loadBundle('3.4.7/a-healthy/redis-plain');
    const r = await runCli(['inspect-cache', ...args(b), '--show-entries']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mcp-jti-mappings {2}[\w-]+ {2}live/);
    expect(r.stdout).toMatch(/access_token=ghu_…sha256:[0-9a-f]{8}/);
    expect(r.stdout).toMatch(/STORE_PLAINTEXT_TOKENS/);
    for (const secret of secretsOf(b)) expect(r.stdout).not.toContain(secret);
  });

  it('a wrong storage key is a finding (exit 1), not a crash', async () => {
    const b = loadBundle('3.4.7/a-healthy/redis-fernet');
    const a = args(b);
    const i = a.indexOf('--storage-encryption-key-file');
    a[i + 1] = file('wrong-fernet', Buffer.alloc(32, 9).toString('base64url') + '=');
    const r = await runCli(['inspect-cache', ...a, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings[0]).toMatchObject({ code: 'STORE_DECRYPT_FAILED', severity: 'error' });
  });

  it('Redis refused → exit 3, one line with the URL (password redacted)', async () => {
    const port = await freePort();
    const r = await runCli(['inspect-cache', '--store', `redis://app:hunter2-secret@127.0.0.1:${port}/0`]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot read Redis at redis:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/0: connection refused/);
    expect(r.stderr).not.toContain('hunter2-secret');
  });

  it('Redis auth failure and TLS failure → exit 3, one line each', async () => {
    const secured = await startRedis({ config: ['requirepass right-pw'] });
    try {
      const r = await runCli(['inspect-cache', '--store', secured.url], { env: { REDIS_PASSWORD: 'wrong-pw' } });
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/authentication failed/);
      // TLS towards a server that does not speak it.
      const t = await runCli(['inspect-cache', '--store', secured.url.replace('redis:', 'rediss:'), '--redis-insecure']);
      expect(t.code).toBe(3);
      expect(t.stderr.trim().split('\n')).toHaveLength(1);
      expect(t.stderr).toMatch(/cannot read Redis at rediss:/);
    } finally {
      await secured.stop();
    }
  });
});

describe('bad inputs: one line, exit 2', () => {
  it('not a FastMCP store, not SQLite, corrupt SQLite, missing path', async () => {
    mkdirSync(join(work, 'empty'), { recursive: true });
    writeFileSync(join(work, 'empty', 'notes.txt'), 'hi');
    const cases: [string, RegExp][] = [
      [join(work, 'empty'), /is not a FastMCP store/],
      [file('text.db', 'not a database at all'), /is not an SQLite database/],
      [join(work, 'nope'), /does not exist/],
    ];
    const good = writeDiskcache(join(work, 'dc-src'), session({ clientId: 'c', now: 1795300000 }).all);
    const bytes = readFileSync(good);
    bytes.fill(0x42, 100);
    cases.push([file('corrupt.db', bytes as unknown as string), /corrupt|not a FastMCP/]);
    for (const [store, msg] of cases) {
      const r = await runCli(['inspect-cache', '--store', store]);
      expect(r.code, store).toBe(2);
      expect(r.stderr.trim().split('\n'), store).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable folder (skipped as root, who can read anything)', async () => {
    const dir = join(work, 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o000);
    try {
      const r = await runCli(['inspect-cache', '--store', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not readable/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('nothing at the default location lists where it looked', async () => {
    const r = await runCli(['inspect-cache'], { env: { HOME: join(work, 'no-home'), XDG_DATA_HOME: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no FastMCP store found; looked in .*no-home.*fastmcp/);
  });

  it('FASTMCP_HOME is the default location', async () => {
    const b = loadBundle('3.4.7/a-healthy/default-filetree');
    const r = await runCli(['inspect-cache', '--json', '--at', String(b.scenario.captured_at), '--upstream-client-secret-file', file('home-secret', b.current['upstream_client_secret (GitHub app client_secret)'])], { env: { FASTMCP_HOME: join(b.dir, 'storage') } });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).verdict).toBe('healthy');
  });
});
