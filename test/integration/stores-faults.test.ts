/**
 * Store faults while reading: Redis dropping the doctor's connection mid-scan (CLIENT KILL) or
 * stopping, a cluster master down, SQLite held by a writer in an exclusive transaction (WAL and
 * rollback-journal modes), FileTree files vanishing during the scan. Each ends with a partial result
 * that says so, the right exit code (through the inspect-cache command, and the built CLI where the
 * fault can be set up beforehand), and never a stack trace.
 *
 * The faults are injected at a known point: the inventory reports progress after its first batch,
 * and the test's progress sink breaks the store right then.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext, Progress } from '../../src/commands/context.js';
import { silentProgress } from '../../src/commands/context.js';
import type { Collected, Evidence, Report, StoreEvidence } from '../../src/model/index.js';
import { run as inspectCache } from '../../src/commands/inspect-cache.js';
import { buildKeyring, collectInventory } from '../../src/stores/index.js';
import { createDiskcache, docB, insertDiskcacheRows, writeFileTree, type EntrySpec } from '../../fixtures/stores/writer.js';
import { runCli } from '../support/cli.js';
import { hashTree } from '../support/hash.js';
import { redisServerAvailable, startRedis } from '../support/redis.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

const NOW = 1795300000;
const haveRedis = redisServerAvailable();
const tmp = mkdtempSync(join(tmpdir(), 'mad-faults-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A command context whose progress sink runs `onFirst` once, at the first progress report after a batch. */
function ctxWith(onFirst?: () => void): CommandContext {
  let fired = false;
  const progress: Progress = {
    update(text) {
      if (!onFirst || fired || !/ entries \(/.test(text)) return;
      fired = true;
      onFirst();
    },
    stop() {},
  };
  return { now: NOW, nowFromFlag: true, version: 'test', progress: onFirst ? progress : silentProgress, signal: new AbortController().signal, debug: false, env: {}, readStdin: async () => '' };
}

const EXIT = { healthy: 0, failing: 1, inconclusive: 3 } as const;
const storeOf = (r: Report) => (r.evidence as Evidence).store as Collected<StoreEvidence>;

const mapping = (i: number, extra: Partial<EntrySpec> = {}): EntrySpec => ({ collection: 'mcp-jti-mappings', key: `jti-${i}`, createdAt: NOW - 10, expiresAt: NOW + 3600, value: { jti: `jti-${i}`, upstream_token_id: `u-${i}`, created_at: NOW - 10 }, ...extra });

/** redis-cli --pipe input: SET key value, in RESP. */
function respSet(pairs: [string, string][]): string {
  const arg = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  return pairs.map(([k, v]) => `*3\r\n${arg('SET')}${arg(k)}${arg(v)}`).join('');
}

describe.skipIf(!haveRedis)('Redis', () => {
  const N = 30_000;
  const pairs: [string, string][] = [];
  for (let i = 0; i < N; i++) pairs.push([`mcp-jti-mappings::jti-${i}`, docB(mapping(i))]);

  it('the doctor\'s connection killed mid-scan (CLIENT KILL): error evidence that says how far it got, exit 3, no stack', async () => {
    const redis = await startRedis();
    try {
      spawnSync('redis-cli', ['-p', String(redis.port), '--pipe'], { input: respSet(pairs) });
      expect(Number(redis.cli(['DBSIZE']).trim())).toBe(N);
      const ctx = ctxWith(() => redis.cli(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']));
      const { report } = await inspectCache({ store: redis.url }, [], ctx);
      expect(report.verdict).toBe('inconclusive');
      expect(EXIT[report.verdict]).toBe(3);
      const s = storeOf(report);
      expect(s.status).toBe('error');
      if (s.status !== 'error') return;
      expect(s.reason).toMatch(/^reading Redis at redis:\/\/127\.0\.0\.1:\d+ failed: connection closed .*\(after \d+ entries; the counts cover those\) — /);
      expect(s.reason).not.toContain('\n');
      const read = Number(/after (\d+) entries/.exec(s.reason)![1]);
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThan(N);
      expect(s.value?.entriesRead).toBe(read);
      expect(report.summary).toMatch(/^Inconclusive/);
    } finally {
      await redis.stop();
    }
  });

  it('the server stopping mid-scan: the same, through the built CLI (exit 3, one line, a report on stdout)', async () => {
    const redis = await startRedis();
    try {
      spawnSync('redis-cli', ['-p', String(redis.port), '--pipe'], { input: respSet(pairs) });
      // In-process: stop the server at the first progress report.
      const ctx = ctxWith(() => void spawnSync('redis-cli', ['-p', String(redis.port), 'SHUTDOWN', 'NOSAVE']));
      const { report } = await inspectCache({ store: redis.url }, [], ctx);
      const s = storeOf(report);
      expect(report.verdict).toBe('inconclusive');
      expect(s.status).toBe('error');
      if (s.status === 'error') expect(s.reason).toMatch(/after [1-9]\d* entries/);
    } finally {
      await redis.stop();
    }
    // Through the CLI, the server gone before the read: one line, exit 3.
    const r = await runCli(['inspect-cache', '--store', redis.url]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!haveRedis)('Redis Cluster with a master down', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('the other masters are read; the report is partial, names the master, exit 3 (built CLI)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(`SET mcp-jti-mappings::jti-${i} '${docB(mapping(i))}'`);
    cluster.batch(lines);
    const perNode = cluster.nodes.map((_, i) => Number(cluster.cli(['DBSIZE'], undefined, i).trim()));
    const victim = 2;
    const expected = perNode.reduce((a, b, i) => (i === victim ? a : a + b), 0);
    await cluster.nodes[victim]!.kill();
    const seed = `redis://127.0.0.1:${cluster.nodes[0]!.port}`;
    const r = await runCli(['inspect-cache', '--store', seed, '--json', '--at', String(NOW)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('inconclusive');
    const s = storeOf(report);
    expect(s.status).toBe('collected');
    if (s.status !== 'collected') return;
    expect(s.value.kind).toBe('redis-cluster');
    expect(s.partial).toContain(`master 127.0.0.1:${cluster.nodes[victim]!.port}`);
    expect(s.partial).toMatch(/connection refused/);
    expect(s.value.entriesRead).toBe(expected);
    expect(s.value.collections['mcp-jti-mappings']!.live).toBe(expected);
    // Text output marks it too.
    const t = await runCli(['inspect-cache', '--store', seed, '--at', String(NOW)]);
    expect(t.code).toBe(3);
    expect(t.stdout.replace(/\s+/g, ' ')).toMatch(/partial: .*could not be read/); // wrapped to the width
    expect(t.stderr).toBe('');
  });

  it('the seed node itself down: one line naming the cluster, exit 3', async () => {
    const dead = cluster.nodes.find((n) => !n.alive())!;
    const r = await runCli(['inspect-cache', '--store', `redis://127.0.0.1:${dead.port}`, '--redis-cluster']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot read the Redis Cluster at redis:\/\/127\.0\.0\.1:\d+: connection refused/);
  });
});

describe.skipIf(!haveRedis)('Redis Cluster marked down (CLUSTERDOWN)', () => {
  it('every read refused: error evidence saying the cluster is down, exit 3', async () => {
    const cluster = await startRedisCluster({ nodeTimeoutMs: 500 });
    try {
      cluster.batch(Array.from({ length: 30 }, (_, i) => `SET mcp-jti-mappings::jti-${i} '${docB(mapping(i))}'`));
      expect(cluster.nodes.every((_, i) => Number(cluster.cli(['DBSIZE'], undefined, i).trim()) > 0)).toBe(true);
      await cluster.nodes[1]!.kill();
      const deadline = Date.now() + 15_000;
      while (!/cluster_state:fail/.test(cluster.cli(['CLUSTER', 'INFO'], undefined, 0))) {
        if (Date.now() > deadline) throw new Error('the cluster never noticed');
        await new Promise((r) => setTimeout(r, 100));
      }
      const r = await runCli(['inspect-cache', '--store', cluster.url, '--json', '--redis-cluster']);
      expect(r.code).toBe(3);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (r.stdout) {
        const s = storeOf(JSON.parse(r.stdout) as Report);
        expect(s.status).toBe('error');
        if (s.status === 'error') expect(s.reason).toMatch(/cluster is down/);
      } else {
        expect(r.stderr).toMatch(/cluster is down/);
      }
    } finally {
      await cluster.stop();
    }
  });
});

describe('SQLite held by a writer', () => {
  const require = createRequire(import.meta.url);
  const sqlite = require.resolve('better-sqlite3');

  /** A writer in another process: opens cache.db, BEGIN EXCLUSIVE, writes `rows` uncommitted rows, then waits. */
  async function holdExclusive(dbPath: string, mode: 'wal' | 'delete', rows: number): Promise<ChildProcess> {
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(sqlite)});
         const db = new D(process.argv[1]); db.pragma('journal_mode = ${mode}'); db.pragma('cache_size = 2');
         db.exec('BEGIN EXCLUSIVE');
         const ins = db.prepare("INSERT INTO Cache(key, raw, store_time, expire_time, access_time, mode, value) VALUES (?, 1, 0, NULL, 0, 1, ?)");
         for (let i = 0; i < ${rows}; i++) ins.run('mcp-jti-mappings::uncommitted-' + i, 'x'.repeat(500));
         console.log('holding'); process.stdin.resume(); process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`,
        dbPath,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: writer.stdout! }).on('line', (l) => l === 'holding' && resolve());
      writer.on('exit', (c) => reject(new Error(`writer exited ${c}`)));
    });
    await new Promise((r) => setTimeout(r, 120)); // past the racy-timestamp window
    return writer;
  }

  it.each(['wal', 'delete'] as const)('journal_mode=%s: the copy is the last committed state (uncommitted rows unseen), the folder unchanged', async (mode) => {
    const dir = join(tmp, `locked-${mode}`);
    const db = createDiskcache(dir);
    db.pragma(`journal_mode = ${mode}`);
    insertDiskcacheRows(db, dir, Array.from({ length: 200 }, (_, i) => mapping(i)));
    db.close();
    const writer = await holdExclusive(join(dir, 'cache.db'), mode, 3000);
    try {
      const names = readdirSync(dir);
      expect(names).toContain(mode === 'wal' ? 'cache.db-wal' : 'cache.db-journal');
      const before = hashTree(dir);
      const { report } = await inspectCache({ store: dir }, [], ctxWith());
      const s = storeOf(report);
      expect(s.status).toBe('collected');
      if (s.status !== 'collected') return;
      expect(s.partial).toBeUndefined();
      expect(s.value.entriesRead).toBe(200);
      expect(s.value.collections['mcp-jti-mappings']!.total).toBe(200);
      expect(hashTree(dir)).toEqual(before);
    } finally {
      writer.stdin!.end();
      await new Promise((r) => writer.once('exit', r));
    }
  });

  it('through the built CLI while the writer holds the lock: exit 0 (plaintext rows, no key needed), nothing on stderr', async () => {
    const dir = join(tmp, 'locked-cli');
    const db = createDiskcache(dir);
    insertDiskcacheRows(db, dir, Array.from({ length: 50 }, (_, i) => mapping(i)));
    db.close();
    const writer = await holdExclusive(join(dir, 'cache.db'), 'wal', 500);
    try {
      const r = await runCli(['inspect-cache', '--store', dir, '--json', '--at', String(NOW)]);
      expect(r.stderr).toBe('');
      const s = storeOf(JSON.parse(r.stdout) as Report);
      expect(s.status === 'collected' && s.value.entriesRead).toBe(50);
    } finally {
      writer.stdin!.end();
      await new Promise((r) => writer.once('exit', r));
    }
  });
});

describe('FileTree files vanishing during the scan', () => {
  it('vanished files are counted as such (never corrupt), the report is partial, exit 3, no crash', async () => {
    const dir = join(tmp, 'ft-vanish');
    const entries = Array.from({ length: 3000 }, (_, i) => mapping(i));
    writeFileTree(dir, entries, { sanitised: false });
    const cdir = join(dir, 'mcp-jti-mappings');
    let deleted = 0;
    const ctx = ctxWith(() => {
      // The first batch has been read; delete every file whose number ends in 7 (some are read already).
      for (const name of readdirSync(cdir)) {
        if (/7\.json$/.test(name)) {
          unlinkSync(join(cdir, name));
          deleted++;
        }
      }
    });
    const { report } = await inspectCache({ store: dir }, [], ctx);
    expect(deleted).toBe(300);
    const s = storeOf(report);
    expect(s.status).toBe('collected');
    if (s.status !== 'collected') return;
    const c = s.value.collections['mcp-jti-mappings']!;
    expect(c.corrupt).toBe(0);
    const vanished = Number(/(\d+) entry files? that vanished/.exec(s.partial ?? '')?.[1]);
    expect(vanished).toBeGreaterThan(0);
    expect(vanished).toBeLessThanOrEqual(300);
    expect(c.total + vanished).toBe(3000);
    expect(report.verdict).toBe('inconclusive');
    expect(EXIT[report.verdict]).toBe(3);
  });

  it('a whole collection directory removed mid-scan: no crash', async () => {
    const dir = join(tmp, 'ft-vanish-dir');
    writeFileTree(dir, [...Array.from({ length: 1500 }, (_, i) => mapping(i)), ...Array.from({ length: 1500 }, (_, i) => ({ ...mapping(i), collection: 'mcp-refresh-tokens', value: { client_id: 'c', scopes: [], expires_at: NOW + 10 } }))], { sanitised: false });
    const ctx = ctxWith(() => rmSync(join(dir, 'mcp-refresh-tokens'), { recursive: true, force: true }));
    const { report } = await inspectCache({ store: dir }, [], ctx);
    const s = storeOf(report);
    expect(s.status).toBe('collected');
    if (s.status === 'collected') expect(s.value.collections['mcp-jti-mappings']!.corrupt + (s.value.collections['mcp-refresh-tokens']?.corrupt ?? 0)).toBe(0);
  });
});

