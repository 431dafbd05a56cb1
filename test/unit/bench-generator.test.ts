/**
 * The benchmark's store generator (scripts/generate-stores.mjs, needs `npm run build`): its stores are
 * in the real formats (the diskcache schema of a real bundle's cache.db, FileTree names as FastMCP
 * writes them) and read back through the built CLI with the counts the generator intended; the
 * parallel reads (a diskcache file read in chunks by every thread; Redis and FileTree documents
 * decoded by a pool of worker threads, MCP_AUTH_DOCTOR_THREADS) give the very evidence one thread
 * gives, key order included. No timing here: speed is the benchmark's business.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Evidence, Report, StoreEvidence } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';
import { BUNDLES_ROOT } from '../support/bundles.js';
import { redisServerAvailable, startRedis } from '../support/redis.js';

// @ts-expect-error plain ESM script without types
const gen = (await import('../../scripts/generate-stores.mjs')) as {
  CLIENT_SECRET: string;
  keysFor(): { storageKey: string; fingerprint: string };
  entries(n: number, now: number, seed?: number): Iterable<{ collection: string; expiresAt: number | null }>;
  writeDiskcache(dir: string, n: number, now: number, key: string): { path: string; entries: number };
  writeFileTree(dir: string, n: number, now: number, key: string, fp: string): { entries: number };
  writeRedisPipe(file: string, n: number, now: number, key: string): { entries: number };
};

const NOW = 1795300000;
const work = mkdtempSync(join(tmpdir(), 'mad-gen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const secret = join(work, 'secret.txt');
writeFileSync(secret, gen.CLIENT_SECRET);

function expected(n: number): Record<string, { live: number; expired: number }> {
  const out: Record<string, { live: number; expired: number }> = {};
  for (const e of gen.entries(n, NOW)) {
    const c = (out[e.collection] ??= { live: 0, expired: 0 });
    if (e.expiresAt !== null && e.expiresAt <= NOW) c.expired++;
    else c.live++;
  }
  return out;
}

async function inspect(store: string, env: Record<string, string> = {}): Promise<{ report: Report; s: StoreEvidence }> {
  const r = await runCli(['inspect-cache', '--store', store, '--upstream-client-secret-file', secret, '--at', String(NOW), '--json'], { env });
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as Report;
  const c = (report.evidence as Evidence).store as { status: string; value: StoreEvidence };
  expect(c.status).toBe('collected');
  return { report, s: c.value };
}


describe('generated stores', () => {
  const keys = gen.keysFor();

  it('diskcache: the real schema (tables, indexes, triggers, settings keys), counts as generated', async () => {
    const dir = join(work, 'dc');
    const { path, entries } = gen.writeDiskcache(dir, 25_000, NOW, keys.storageKey);
    expect(entries).toBe(25_000);
    // A private copy: opening the fixture itself (WAL mode) would leave -shm/-wal files in fixtures/.
    const realCopy = join(work, 'real-cache.db');
    copyFileSync(join(BUNDLES_ROOT, '2.14.7/a-healthy/default-diskcache/storage/oauth-proxy/cache.db'), realCopy);
    const real = new Database(realCopy, { readonly: true, fileMustExist: true });
    const ours = new Database(path, { readonly: true });
    try {
      const schema = (db: Database.Database) => (db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all() as { sql: string }[]).map((r) => ({ ...r, sql: r.sql?.replace(/;$/, '') }));
      expect(schema(ours)).toEqual(schema(real));
      expect((ours.prepare('SELECT key FROM Settings ORDER BY key').pluck().all() as string[])).toEqual(real.prepare('SELECT key FROM Settings ORDER BY key').pluck().all());
      expect(ours.prepare("SELECT value FROM Settings WHERE key = 'count'").pluck().get()).toBe(25_000);
      expect(ours.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      real.close();
      ours.close();
    }
    const { report, s } = await inspect(dir);
    const want = expected(25_000);
    expect(s.entriesRead).toBe(25_000);
    expect(s.documentFormat).toBe('B');
    expect(s.encryption).toBe('fernet');
    for (const [name, c] of Object.entries(want)) expect({ name, live: s.collections[name]!.live, expired: s.collections[name]!.expired, bad: s.collections[name]!.undecryptable + s.collections[name]!.corrupt }).toEqual({ name, ...c, bad: 0 });
    expect(s.chainHealth.danglingMappings).toBe(0);
    expect(s.chainHealth.unreferencedUpstreamSets).toBe(0);
    expect(Object.keys(s.chainHealth.tokensByPrefix).sort()).toEqual(['gho_', 'ghu_']);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);

    // Read in chunks by several threads (the default on a machine with more than one core): the
    // same evidence as one thread, in the same order.
    const { s: single } = await inspect(dir, { MCP_AUTH_DOCTOR_THREADS: '1' });
    const { s: threaded } = await inspect(dir, { MCP_AUTH_DOCTOR_THREADS: '3' });
    expect(JSON.stringify(threaded)).toBe(JSON.stringify(single));
    expect(JSON.stringify(s)).toBe(JSON.stringify(single));
  });

  it('FileTree: the fingerprint directory of the derived key, S_<collection>-<h8> folders with info files, counts as generated', async () => {
    const dir = join(work, 'ft');
    gen.writeFileTree(dir, 3_000, NOW, keys.storageKey, keys.fingerprint);
    const fp = readdirSync(join(dir, 'oauth-proxy'));
    expect(fp).toEqual([keys.fingerprint]);
    const names = readdirSync(join(dir, 'oauth-proxy', keys.fingerprint));
    // The same folder names as FastMCP 3.4.7 wrote in the real bundle.
    const real = readdirSync(join(BUNDLES_ROOT, '3.4.7/a-healthy/default-filetree/storage/oauth-proxy'))
      .flatMap((d) => readdirSync(join(BUNDLES_ROOT, '3.4.7/a-healthy/default-filetree/storage/oauth-proxy', d)))
      .filter((n) => !n.endsWith('-info.json'));
    for (const n of real) expect(names).toContain(n);
    const { s } = await inspect(dir);
    expect(s.kind).toBe('filetree');
    expect(s.fingerprints?.selected).toBe(keys.fingerprint);
    expect(s.entriesRead).toBe(3_000);
    for (const [name, c] of Object.entries(expected(3_000))) expect([name, s.collections[name]!.live, s.collections[name]!.expired]).toEqual([name, c.live, c.expired]);
  });

  it('FileTree: documents decoded by a pool of worker threads give what one thread gives', async () => {
    const dir = join(work, 'ft-pool');
    gen.writeFileTree(dir, 24_000, NOW, keys.storageKey, keys.fingerprint);
    const { s: single } = await inspect(dir, { MCP_AUTH_DOCTOR_THREADS: '1' });
    const { s: pooled } = await inspect(dir, { MCP_AUTH_DOCTOR_THREADS: '3' });
    expect(single.entriesRead).toBe(24_000);
    expect(JSON.stringify(pooled)).toBe(JSON.stringify(single));
  });

  it.skipIf(!redisServerAvailable())('Redis: documents decoded by a pool of worker threads give what one thread gives', async () => {
    const redis = await startRedis();
    try {
      const file = join(work, 'redis.resp');
      gen.writeRedisPipe(file, 30_000, NOW, keys.storageKey);
      redis.cli(['--pipe'], readFileSync(file, 'utf8'));
      expect(Number(redis.cli(['DBSIZE']).trim())).toBe(30_000);
      const { s: single } = await inspect(redis.url, { MCP_AUTH_DOCTOR_THREADS: '1' });
      const { s: pooled } = await inspect(redis.url, { MCP_AUTH_DOCTOR_THREADS: '2' });
      expect(single.entriesRead).toBe(30_000);
      expect(single.chainHealth.danglingMappings).toBe(0);
      expect(JSON.stringify(pooled)).toBe(JSON.stringify(single));
    } finally {
      await redis.stop();
    }
  });
});
