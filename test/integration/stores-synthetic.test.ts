/**
 * Synthetic stores written by the tests in the exact formats py-key-value uses: diskcache SQLite
 * (format A and B, side files, expired rows, a live WAL writer), FileTree folders (sanitised and
 * not), and a real redis-server (an ACL user limited to +@read, a key prefix, foreign keys). Every
 * read is checked to leave the store unchanged.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/commands/context.js';
import { silentProgress } from '../../src/commands/context.js';
import type { StoreEvidence } from '../../src/model/index.js';
import { CollectError, InputError, UsageError } from '../../src/errors.js';
import { deriveKeys, type DerivedKey } from '../../src/fastmcp/keys.js';
import { Secret } from '../../src/secrets.js';
import { buildKeyring, collectInventory, type Keyring } from '../../src/stores/index.js';
import { keyringFromTexts } from '../../src/stores/keyring.js';
import { toUrlsafeBase64Padded } from '../../src/crypto/fernet.js';
import { buildReport } from '../../src/diagnosis/engine.js';
import { collected } from '../../src/model/index.js';
import { collectChain } from '../../src/stores/chain.js';
import { createDiskcache, docA, docB, insertDiskcacheRows, session, writeDiskcache, writeFileTree, type DiskcacheRow, type EntrySpec } from '../../fixtures/stores/writer.js';
import { hashTree } from '../support/hash.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../support/redis.js';
import type { StoreOptions } from '../../src/commands/resolve/store.js';
import { openStoreFromFlags, readStoreFromFlags } from '../support/targets.js';

const NOW = 1795300000;
const ctx = (env: NodeJS.ProcessEnv = {}): CommandContext => ({ now: NOW, nowFromFlag: true, version: 'test', progress: silentProgress, signal: new AbortController().signal, debug: false, env, readStdin: async () => '' });

let tmp: string;
let current: DerivedKey;
let previous: DerivedKey;
let keyring: Keyring;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mad-stores-'));
  [current, previous] = await deriveKeys([
    { kind: 'client-secret', secret: new Secret('current-test-client-secret', 't'), label: 'current secret', role: 'current' },
    { kind: 'client-secret', secret: new Secret('previous-test-client-secret', 't'), label: 'previous secret', role: 'candidate' },
  ]) as [DerivedKey, DerivedKey];
  keyring = buildKeyring([current, previous]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const K = () => current.storageKey!.reveal();
const KP = () => previous.storageKey!.reveal();

async function inventory(opts: StoreOptions, kr: Keyring = keyring, extra: Parameters<typeof collectInventory>[3] = {}): Promise<StoreEvidence> {
  const store = await openStoreFromFlags(opts, ctx());
  try {
    const c = await collectInventory(store, kr, NOW, extra);
    if (c.status === 'skipped' || !c.value) throw new Error(`not collected: ${JSON.stringify(c)}`);
    return c.value;
  } finally {
    await store.close();
  }
}

const counts = (s: StoreEvidence, c: string) => {
  const x = s.collections[c]!;
  return [x.live, x.expired, x.undecryptable, x.corrupt];
};

describe('diskcache SQLite', () => {
  it('reads format A and B rows, side files (mode 3), expired rows, candidate-key and corrupt rows — and changes nothing', async () => {
    const dir = join(tmp, 'dc1', 'oauth-proxy');
    const a = session({ clientId: 'client-a', now: NOW - 100 });
    const b = session({ clientId: 'client-b', now: NOW - 100, accessPrefix: 'gho_', refresh: false });
    const rows: DiskcacheRow[] = [
      ...a.all.map((e) => ({ ...e, format: 'A' as const })),
      ...b.all.map((e) => ({ ...e, format: 'B' as const, sideFile: e.collection === 'mcp-upstream-tokens' })),
      { collection: 'mcp-jti-mappings', key: 'expired-one', createdAt: NOW - 90000, expiresAt: NOW - 60000, value: { jti: 'expired-one', upstream_token_id: 'gone', created_at: NOW - 90000 } },
      { collection: 'mcp-oauth-transactions', key: 'txn', createdAt: NOW - 10, expiresAt: NOW + 890, value: { txn_id: 'txn', client_id: 'client-a', proxy_code_verifier: 'v', csrf_token: 'c' } },
      { collection: 'mcp-jti-mappings', key: 'broken', createdAt: NOW, expiresAt: NOW + 100, value: {}, rawText: 'this is not JSON' },
      { collection: 'some-other-collection', key: 'x', createdAt: NOW, expiresAt: null, value: { anything: 1 } },
    ];
    const db = createDiskcache(dir);
    insertDiskcacheRows(db, dir, rows, K());
    // One dangling mapping written with the previous key (present, not decryptable with the current one).
    insertDiskcacheRows(db, dir, [{ collection: 'mcp-jti-mappings', key: 'old-key-mapping', createdAt: NOW - 50, expiresAt: NOW + 5000, value: { jti: 'old-key-mapping', upstream_token_id: 'u', created_at: NOW } }], KP());
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = hashTree(join(tmp, 'dc1'));

    const s = await inventory({ store: join(tmp, 'dc1') }); // FASTMCP_HOME → oauth-proxy/cache.db
    expect(s.kind).toBe('diskcache');
    expect(s.generation).toBe('2.13-2.14');
    expect(s.documentFormat).toBe('mixed');
    expect(s.encryption).toBe('fernet');
    expect(counts(s, 'mcp-jti-mappings')).toEqual([4, 1, 1, 1]);
    expect(counts(s, 'mcp-upstream-tokens')).toEqual([2, 0, 0, 0]);
    expect(counts(s, 'mcp-refresh-tokens')).toEqual([2, 0, 0, 0]);
    expect(counts(s, 'mcp-oauth-proxy-clients')).toEqual([2, 0, 0, 0]);
    expect(counts(s, 'mcp-oauth-transactions')).toEqual([1, 0, 0, 0]);
    expect(counts(s, 'some-other-collection')).toEqual([1, 0, 0, 0]);
    expect(s.decryptsWithCandidate).toEqual({ 'previous secret': 1 });
    expect(s.chainHealth).toMatchObject({
      danglingMappings: 0,
      unreferencedUpstreamSets: 0,
      upstreamSetsPerClient: { 'client-a': 1, 'client-b': 1 },
      tokensByPrefix: { ghu_: 1, gho_: 1 },
      withRefreshToken: 1,
      plaintextUpstreamTokens: 0,
    });
    expect(hashTree(join(tmp, 'dc1'))).toEqual(before);
  });

  it('sees rows a live server still holds in cache.db-wal, without creating anything beside the file', async () => {
    const dir = join(tmp, 'dc-live');
    const db = createDiskcache(dir);
    db.close();
    const s1 = session({ clientId: 'live-client', now: NOW - 10 });
    const rows = JSON.stringify(s1.all.map((e) => ({ key: `${e.collection}::${e.key}`, expire: e.expiresAt, text: docB(e, K()) })));
    // A writer in another process: WAL mode, no automatic checkpoint, connection kept open.
    const writer: ChildProcess = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
         const db = new D(process.argv[1]); db.pragma('journal_mode = wal'); db.pragma('wal_autocheckpoint = 0');
         const ins = db.prepare('INSERT INTO Cache(key, raw, store_time, expire_time, access_time, mode, value) VALUES (?, 1, 0, ?, 0, 1, ?)');
         for (const r of JSON.parse(process.argv[2])) ins.run(r.key, r.expire, r.text);
         console.log('ready'); process.stdin.resume(); process.stdin.on('end', () => { db.close(); process.exit(0); });`,
        join(dir, 'cache.db'),
        rows,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: writer.stdout! }).on('line', (l) => l === 'ready' && resolve());
        writer.on('exit', (c) => reject(new Error(`writer exited ${c}`)));
      });
      await new Promise((r) => setTimeout(r, 120)); // past the racy-timestamp window
      const before = hashTree(dir);
      expect(Object.keys(before)).toContain('cache.db-wal');
      const held = await openStoreFromFlags({ store: join(dir, 'cache.db') }, ctx());
      expect(held.changedSinceOpen).toBeUndefined(); // a server holds it: read through a private copy
      await held.close();
      const s = await inventory({ store: join(dir, 'cache.db') });
      expect(counts(s, 'mcp-jti-mappings')).toEqual([2, 0, 0, 0]);
      expect(counts(s, 'mcp-upstream-tokens')).toEqual([1, 0, 0, 0]);
      expect(hashTree(dir)).toEqual(before);
    } finally {
      writer.stdin!.end();
      await new Promise((r) => writer.once('exit', r));
    }
  });

  it('reads a cache.db no server holds in place (immutable URI, no copy), even with ?, # and % in its path', async () => {
    const dir = join(tmp, 'dc in place ?#%20 x');
    writeDiskcache(dir, session({ clientId: 'c', now: NOW }).all, K());
    await new Promise((r) => setTimeout(r, 120)); // past the racy-timestamp window
    const before = hashTree(dir);
    const store = await openStoreFromFlags({ store: dir }, ctx());
    try {
      // Only the in-place read can tell whether the file changed under it; a private copy cannot change.
      expect(store.changedSinceOpen?.()).toBe(false);
      const c = await collectInventory(store, keyring, NOW);
      expect(c.status === 'collected' && counts(c.value!, 'mcp-upstream-tokens')).toEqual([1, 0, 0, 0]);
    } finally {
      await store.close();
    }
    expect(hashTree(dir)).toEqual(before);
  });

  it('a cache.db written to while it is read in place is read again from a private copy (readStore)', async () => {
    const dir = join(tmp, 'dc-changing');
    const dbPath = writeDiskcache(dir, session({ clientId: 'first', now: NOW }).all, K());
    await new Promise((r) => setTimeout(r, 120));
    const ways: string[] = [];
    const s = await readStoreFromFlags({ store: dbPath }, ctx(), async (store) => {
      ways.push(store.changedSinceOpen ? 'in place' : 'private copy');
      const c = await collectInventory(store, keyring, NOW);
      if (ways.length === 1) {
        // A server writes and checkpoints into cache.db while the doctor reads it.
        const db = new Database(dbPath);
        insertDiskcacheRows(db, dir, session({ clientId: 'second', now: NOW }).all, K());
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
      return c.status === 'collected' ? c.value! : undefined;
    });
    expect(ways).toEqual(['in place', 'private copy']);
    expect(counts(s!, 'mcp-upstream-tokens')).toEqual([2, 0, 0, 0]);
  });

  it('reads a store in a folder it may not write to (no -shm/-wal created)', async () => {
    const dir = join(tmp, 'dc-ro');
    writeDiskcache(dir, session({ clientId: 'c', now: NOW }).all, K());
    chmodSync(dir, 0o555);
    try {
      const before = hashTree(dir);
      const s = await inventory({ store: dir });
      expect(counts(s, 'mcp-upstream-tokens')).toEqual([1, 0, 0, 0]);
      expect(hashTree(dir)).toEqual(before);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('plain (unencrypted) rows are read and their upstream tokens flagged', async () => {
    const dir = join(tmp, 'dc-plain');
    writeDiskcache(dir, session({ clientId: 'c', now: NOW }).all);
    const s = await inventory({ store: join(dir, 'cache.db') }, buildKeyring([]));
    expect(s.encryption).toBe('none');
    expect(s.chainHealth.plaintextUpstreamTokens).toBe(1);
    expect(counts(s, 'mcp-jti-mappings')).toEqual([2, 0, 0, 0]);
  });

  it('without any key: entries are present but not decryptable (never missing)', async () => {
    const dir = join(tmp, 'dc-nokey');
    writeDiskcache(dir, session({ clientId: 'c', now: NOW }).all, K());
    const s = await inventory({ store: dir }, buildKeyring([]));
    expect(counts(s, 'mcp-jti-mappings')).toEqual([0, 0, 2, 0]);
    expect(s.keysTried).toEqual([]);
  });

  it('rejects what is not a FastMCP diskcache store, with one line each', async () => {
    const foreign = join(tmp, 'foreign.db');
    const Database = (await import('better-sqlite3')).default;
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    await expect(openStoreFromFlags({ store: foreign }, ctx())).rejects.toThrow(/not a FastMCP diskcache store/);
    const text = join(tmp, 'not-sqlite.db');
    writeFileSync(text, 'hello, I am a text file\n');
    await expect(openStoreFromFlags({ store: text }, ctx())).rejects.toBeInstanceOf(InputError);
    const corrupt = join(tmp, 'corrupt', 'cache.db');
    mkdirSync(join(tmp, 'corrupt'));
    const good = writeDiskcache(join(tmp, 'corrupt-src'), session({ clientId: 'c', now: NOW }).all, K());
    const bytes = (await import('node:fs')).readFileSync(good);
    bytes.fill(0x41, 100, bytes.length); // keep the header, destroy the pages
    writeFileSync(corrupt, bytes);
    await expect(inventory({ store: corrupt })).rejects.toThrow(/corrupt|not a FastMCP/);
  });
});

describe('FileTree', () => {
  const home = () => join(tmp, 'ft-home');

  it('default store: selects the current key\'s directory, reports the other as orphaned, a leftover cache.db, expired files', async () => {
    const s1 = session({ clientId: 'client-1', now: NOW - 100 });
    const expired: EntrySpec = { collection: 'mcp-jti-mappings', key: 'expired-jti-x', createdAt: NOW - 40000, expiresAt: NOW - 100, value: { jti: 'expired-jti-x', upstream_token_id: s1.upstreamTokenId, created_at: NOW - 40000 } };
    writeFileTree(join(home(), 'oauth-proxy', current.fingerprint!), [...s1.all, expired], { fernetKey: K(), collections: ['mcp-oauth-transactions'] });
    const old = session({ clientId: 'client-0', now: NOW - 900000 });
    writeFileTree(join(home(), 'oauth-proxy', previous.fingerprint!), old.all, { fernetKey: KP() });
    writeDiskcache(join(home(), 'oauth-proxy'), [], undefined);
    const before = hashTree(home());

    const s = await inventory({ store: home() });
    expect(s.kind).toBe('filetree');
    expect(s.generation).toBe('3.x+');
    expect(s.fingerprints?.selected).toBe(current.fingerprint);
    expect(s.fingerprintSelection).toBe('key');
    const orphan = s.fingerprints?.dirs.find((d) => d.name === previous.fingerprint);
    expect(orphan).toMatchObject({ entries: 5, selectedBy: 'previous secret' });
    expect(orphan?.newest).toBeCloseTo(NOW - 900000, 3);
    expect(s.legacyCacheDb).toBe(join(home(), 'oauth-proxy', 'cache.db'));
    expect(counts(s, 'mcp-jti-mappings')).toEqual([2, 1, 0, 0]);
    expect(counts(s, 'mcp-upstream-tokens')).toEqual([1, 0, 0, 0]);
    expect(s.chainHealth.danglingMappings).toBe(0);
    expect(hashTree(home())).toEqual(before);

    // --store naming the orphan's folder reads that one, whatever the key.
    const given = await inventory({ store: join(home(), 'oauth-proxy', previous.fingerprint!) });
    expect(given.fingerprintSelection).toBe('given');
    expect(given.fingerprints?.selected).toBe(previous.fingerprint);
    // Its access mapping expired long ago (8 h TTL); the rest decrypts only with the previous key.
    expect(counts(given, 'mcp-jti-mappings')).toEqual([0, 1, 1, 0]);
    expect(given.decryptsWithCandidate).toEqual({ 'previous secret': 4 });

    // The chain of a token whose data is in the orphan: missing where FastMCP looks, found elsewhere.
    const store = await openStoreFromFlags({ store: home() }, ctx());
    try {
      const token = { token: new Secret('x', 't'), claims: { jti: old.accessJti, client_id: 'client-0' }, kind: 'access' as const, signature: { checked: false, tried: [] } };
      const chain = await collectChain(store, keyring, token, NOW);
      expect(chain.status === 'collected' && chain.value).toMatchObject({
        mapping: { state: 'missing' },
        client: { state: 'missing' },
        foundElsewhere: `fingerprint directory ${previous.fingerprint} (selected by previous secret)`,
        directory: current.fingerprint,
      });
    } finally {
      await store.close();
    }
  });

  it('default store whose current-key directory does not exist: nothing selected', async () => {
    const h = join(tmp, 'ft-missing');
    writeFileTree(join(h, 'oauth-proxy', previous.fingerprint!), session({ clientId: 'c', now: NOW }).all, { fernetKey: KP() });
    const s = await inventory({ store: join(h, 'oauth-proxy') }, buildKeyring([current]));
    expect(s.fingerprints).toMatchObject({ expected: current.fingerprint, dirs: [{ name: previous.fingerprint, entries: 5 }] });
    expect(s.fingerprints?.selected).toBeUndefined();
    expect(s.entriesRead).toBe(0);
  });

  it('no key and several directories: reads the newest, counts entries as undecryptable', async () => {
    const h = join(tmp, 'ft-nokey');
    writeFileTree(join(h, 'aaaaaaaaaaaa'), session({ clientId: 'c', now: NOW - 5000 }).all, { fernetKey: K() });
    writeFileTree(join(h, 'bbbbbbbbbbbb'), session({ clientId: 'c', now: NOW - 10 }).all, { fernetKey: K() });
    const s = await inventory({ store: h }, buildKeyring([]));
    expect(s.fingerprintSelection).toBe('newest');
    expect(s.fingerprints?.selected).toBe('bbbbbbbbbbbb');
    expect(counts(s, 'mcp-refresh-tokens')).toEqual([0, 0, 1, 0]);
  });

  it('a FileTreeStore built without sanitisation (user store), located through *-info.json', async () => {
    const dir = join(tmp, 'ft-user');
    const s1 = session({ clientId: 'user-client', now: NOW });
    writeFileTree(dir, s1.all, { sanitised: false, fernetKey: K() });
    const s = await inventory({ store: dir });
    expect(s.generation).toBe('user-store');
    expect(s.fingerprints).toBeUndefined();
    expect(counts(s, 'mcp-jti-mappings')).toEqual([2, 0, 0, 0]);
    const store = await openStoreFromFlags({ store: dir }, ctx());
    try {
      const chain = await collectChain(store, keyring, { token: new Secret('x', 't'), claims: { jti: s1.accessJti, client_id: 'user-client' }, kind: 'access', signature: { checked: false, tried: [] } }, NOW);
      expect(chain.status === 'collected' && chain.value).toMatchObject({ mapping: { state: 'present' }, upstreamSet: { state: 'present' }, client: { state: 'present' } });
    } finally {
      await store.close();
    }
  });

  it('a user store after a key change that kept the signing half: undecryptable, never corrupt; the verdict is STORE_DECRYPT_FAILED naming the key in use', async () => {
    const half = (a: number, b: number) => toUrlsafeBase64Padded(Buffer.concat([Buffer.alloc(16, a), Buffer.alloc(16, b)]));
    const dir = join(tmp, 'ft-shared-signing-half');
    const s1 = session({ clientId: 'half-client', now: NOW - 100 });
    writeFileTree(dir, s1.all, { sanitised: false, fernetKey: half(0x11, 0x22) });
    const kr = keyringFromTexts([{ text: half(0x11, 0x33), label: 'storage key (--storage-encryption-key-file)', role: 'explicit' }]);
    const inv = await inventory({ store: dir }, kr);
    expect(Object.values(inv.collections).reduce((n, c) => n + c.corrupt, 0)).toBe(0);
    expect(Object.values(inv.collections).reduce((n, c) => n + c.undecryptable, 0)).toBe(5);
    const store = await openStoreFromFlags({ store: dir }, ctx());
    let chain;
    try {
      const t = { token: new Secret('x', 't'), claims: { jti: s1.accessJti, client_id: 'half-client' }, kind: 'access' as const, signature: { checked: true, validWithCurrent: true, validWith: 'current', tried: ['current'] } };
      chain = await collectChain(store, kr, t, NOW);
      const report = buildReport({ command: 'diagnose', now: NOW, settings: { mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com' }, token: collected(t), store: collected(inv), chain }, { version: 't', interrupted: false });
      expect(report.findings.map((f) => f.code)).not.toContain('STORE_UNREADABLE_ENTRIES');
      expect(report.summary).toMatch(/STORE_DECRYPT_FAILED/);
      expect(report.findings.find((f) => f.code === 'STORE_DECRYPT_FAILED')?.detail).toMatch(/storage key \(--storage-encryption-key-file\)/);
    } finally {
      await store.close();
    }
    expect(chain.status === 'collected' && chain.value.mapping?.state).toBe('undecryptable');
  });

  it('tolerates added collections (mcp-consent-csrf-tokens) and a leftover collection directory of older naming: FastMCP reads the current name, so does the doctor', async () => {
    const fdir = join(tmp, 'ft-leftover', 'oauth-proxy', current.fingerprint!);
    const s1 = session({ clientId: 'left-client', now: NOW - 100 });
    const csrf: EntrySpec = { collection: 'mcp-consent-csrf-tokens', key: 'ab'.repeat(32), createdAt: NOW - 10, expiresAt: NOW + 800, value: { token: 'x', created_at: NOW - 10 } };
    writeFileTree(fdir, [...s1.all, csrf], { fernetKey: K() });
    // mcp_jti_mappings-<hash> from older naming, with its own info file and two entries of another session.
    const old = session({ clientId: 'left-client', now: NOW - 50 });
    const leftover = join(fdir, 'mcp_jti_mappings-0badc0de');
    mkdirSync(leftover);
    writeFileSync(join(fdir, 'mcp_jti_mappings-0badc0de-info.json'), JSON.stringify({ collection: 'mcp-jti-mappings', created_at: '2026-01-01T00:00:00+00:00', directory: '/srv/x', version: 1 }));
    writeFileSync(join(leftover, `${old.accessJti}.json`), docB(old.accessMapping, K(), false));
    writeFileSync(join(leftover, `${old.refreshJti}.json`), docB(old.refreshMapping, K(), false));
    const s = await inventory({ store: fdir });
    expect(counts(s, 'mcp-jti-mappings')).toEqual([2, 0, 0, 0]);
    expect(counts(s, 'mcp-consent-csrf-tokens')).toEqual([1, 0, 0, 0]);
    expect(s.leftoverCollectionDirs).toEqual([{ collection: 'mcp-jti-mappings', dir: 'mcp_jti_mappings-0badc0de', readDir: 'S_mcp_jti_mappings-a0131f3f', entries: 2 }]);
    const report = buildReport({ command: 'inspect-cache', now: NOW, settings: { mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com' }, store: collected(s) }, { version: 't', interrupted: false });
    expect(report.findings.map((f) => `${f.severity}:${f.code}`)).toContain('info:STORE_LEFTOVER_COLLECTION_DIR');
    expect(report.verdict).toBe('healthy');
    // A token whose mapping is only in the leftover is missing for FastMCP.
    const store = await openStoreFromFlags({ store: fdir }, ctx());
    try {
      const chain = await collectChain(store, keyring, { token: new Secret('x', 't'), claims: { jti: old.accessJti, client_id: 'left-client' }, kind: 'access', signature: { checked: false, tried: [] } }, NOW);
      expect(chain.status === 'collected' && chain.value.mapping?.state).toBe('missing');
    } finally {
      await store.close();
    }
  });

  it('--show-entries lists keys (recovered from values behind sanitised names) and never a secret', async () => {
    const dir = join(tmp, 'ft-entries', 'oauth-proxy', current.fingerprint!);
    const s1 = session({ clientId: 'entries-client', now: NOW });
    writeFileTree(dir, s1.all, { fernetKey: K() });
    const s = await inventory({ store: dir }, keyring, { showEntries: true });
    expect(s.entries).toHaveLength(5);
    const keys = s.entries!.map((e) => e.key).sort();
    expect(keys).toEqual([s1.accessJti, s1.refreshJti, s1.upstreamTokenId, 'entries-client', s1.refreshHash].sort());
    const json = JSON.stringify(s.entries);
    expect(json).not.toContain(s1.accessToken);
    expect(json).not.toContain(s1.refreshToken!);
    const only = await inventory({ store: dir }, keyring, { showEntries: true, collections: ['mcp-upstream-tokens'] });
    expect(only.entries?.map((e) => e.collection)).toEqual(['mcp-upstream-tokens']);
    expect(counts(only, 'mcp-jti-mappings')).toEqual([2, 0, 0, 0]);
  });

  it('stops at an interrupt and says so', async () => {
    const dir = join(tmp, 'ft-big');
    const many: EntrySpec[] = [];
    for (let i = 0; i < 1200; i++) many.push({ collection: 'mcp-jti-mappings', key: `jti-${i}`, createdAt: NOW, expiresAt: NOW + 100, value: { jti: `jti-${i}`, upstream_token_id: 'u', created_at: NOW } });
    writeFileTree(dir, many, { sanitised: false });
    const store = await openStoreFromFlags({ store: dir }, ctx());
    try {
      const ac = new AbortController();
      setImmediate(() => ac.abort());
      const c = await collectInventory(store, buildKeyring([]), NOW, { signal: ac.signal });
      expect(c.status).toBe('collected');
      if (c.status !== 'collected') return;
      expect(c.partial).toMatch(/^interrupted after \d+ entries$/);
      expect(c.value.entriesRead).toBeLessThan(1200);
      expect(c.value.entriesRead).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('--limit and --sample cap the read and mark the evidence', async () => {
    const dir = join(tmp, 'ft-big');
    const limited = await inventory({ store: dir, limit: 100 }, buildKeyring([]));
    expect(limited.entriesRead).toBe(100);
    expect(limited.limited).toMatch(/--limit/);
    const sampled = await inventory({ store: dir, sample: 50 }, buildKeyring([]));
    expect(sampled.entriesRead).toBe(50);
    expect(sampled.limited).toMatch(/--sample/);
  });
});

describe('locating the store', () => {
  it('defaults to FASTMCP_HOME, else the platform data dir, and lists where it looked', async () => {
    const h = join(tmp, 'loc-home');
    writeFileTree(join(h, 'oauth-proxy', current.fingerprint!), session({ clientId: 'c', now: NOW }).all, { fernetKey: K() });
    const store = await openStoreFromFlags({}, ctx({ FASTMCP_HOME: h }));
    expect(store.location).toBe(join(h, 'oauth-proxy'));
    await store.close();
    const xdg = join(tmp, 'xdg');
    cpSync(h, join(xdg, 'fastmcp'), { recursive: true });
    if (process.platform === 'linux') {
      const s2 = await openStoreFromFlags({}, ctx({ XDG_DATA_HOME: xdg, HOME: '/nonexistent' }));
      expect(s2.location).toBe(join(xdg, 'fastmcp', 'oauth-proxy'));
      await s2.close();
    }
    await expect(openStoreFromFlags({}, ctx({ HOME: join(tmp, 'nobody') }))).rejects.toThrow(/no FastMCP store found; looked in .*nobody.*fastmcp/);
    await expect(openStoreFromFlags({ store: join(tmp, 'does-not-exist') }, ctx())).rejects.toThrow(/does not exist/);
    mkdirSync(join(tmp, 'empty-dir'));
    await expect(openStoreFromFlags({ store: join(tmp, 'empty-dir') }, ctx())).rejects.toThrow(/not a FastMCP store/);
    await expect(openStoreFromFlags({ store: 'ftp://example' }, ctx())).rejects.toBeInstanceOf(UsageError);
  });
});

const haveRedis = redisServerAvailable();

describe.skipIf(!haveRedis)('Redis', () => {
  let redis: RedisServer;
  const s1 = session({ clientId: 'redis-client', now: NOW - 10 });
  const snapshot = () => redis.cli(['--no-auth-warning', '-a', 'admin-pw', '--scan']).split('\n').filter(Boolean).sort().map((k) => `${k} ${redis.cli(['--no-auth-warning', '-a', 'admin-pw', 'GET', k]).length} ${redis.cli(['--no-auth-warning', '-a', 'admin-pw', 'OBJECT', 'ENCODING', k]).trim()}`);

  beforeAll(async () => {
    redis = await startRedis({ config: ['requirepass admin-pw', 'user reader on >reader-pw ~* &* -@all +@read', 'user selecter on >sel-pw ~* &* -@all +@read +select'] });
    const set = (k: string, v: string, ttlMs?: number) => {
      redis.cli(['--no-auth-warning', '-a', 'admin-pw', '-x', 'SET', k], v);
      if (ttlMs) redis.cli(['--no-auth-warning', '-a', 'admin-pw', 'PEXPIRE', k, String(ttlMs)]);
    };
    for (const e of s1.all) set(`${e.collection}::${e.key}`, docB(e, K()), e.expiresAt ? Math.round((e.expiresAt - NOW) * 1000) + 3_600_000 : undefined);
    // Format A (0.2.x RedisStore writes expires_at), an expired-by-document entry, a foreign key, a hash.
    set('mcp-jti-mappings::format-a', docA({ collection: 'mcp-jti-mappings', key: 'format-a', createdAt: NOW - 5, expiresAt: NOW + 500, value: { jti: 'format-a', upstream_token_id: s1.upstreamTokenId, created_at: NOW } }, K(), true), 3_600_000);
    set('mcp-jti-mappings::old', docB({ collection: 'mcp-jti-mappings', key: 'old', createdAt: NOW - 9000, expiresAt: NOW - 10, value: { jti: 'old', upstream_token_id: 'x', created_at: NOW - 9000 } }, K()), 3_600_000);
    set('celery-task-meta-123', '{"status": "SUCCESS"}');
    redis.cli(['--no-auth-warning', '-a', 'admin-pw', 'HSET', 'mcp-oauth-transactions::a-hash', 'f', 'v']);
    // A prefixed copy of one session in db 3.
    for (const e of s1.all) redis.cli(['--no-auth-warning', '-a', 'admin-pw', '-n', '3', '-x', 'SET', `app1:${e.collection}::${e.key}`], docB(e, K()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('works as an ACL user limited to +@read (SCAN, GET, PTTL only) and changes nothing', async () => {
    const before = snapshot();
    const pwFile = join(tmp, 'reader-pw');
    writeFileSync(pwFile, 'reader-pw\n');
    const s = await inventory({ store: `redis://reader@127.0.0.1:${redis.port}`, redisPasswordFile: pwFile });
    expect(s.kind).toBe('redis');
    expect(s.location).toBe(`redis://reader@127.0.0.1:${redis.port}`);
    expect(s.documentFormat).toBe('mixed');
    expect(counts(s, 'mcp-jti-mappings')).toEqual([3, 1, 0, 0]);
    expect(counts(s, 'mcp-oauth-transactions')).toEqual([0, 0, 0, 1]);
    expect(s.foreignKeys).toBe(1);
    expect(s.chainHealth.upstreamSetsPerClient).toEqual({ 'redis-client': 1 });
    expect(snapshot()).toEqual(before);
  });

  it('password from the URL is redacted in the location; REDIS_PASSWORD works too', async () => {
    const s = await inventory({ store: `redis://reader:reader-pw@127.0.0.1:${redis.port}/0` });
    expect(s.location).not.toContain('reader-pw');
    const store = await openStoreFromFlags({ store: `redis://reader@127.0.0.1:${redis.port}` }, ctx({ REDIS_PASSWORD: 'reader-pw' }));
    await store.close();
  });

  it('db index and key prefix: db ≠ 0 needs +select, and says so', async () => {
    await expect(openStoreFromFlags({ store: `redis://reader:reader-pw@127.0.0.1:${redis.port}/3` }, ctx())).rejects.toThrow(/SELECT|select/);
    const s = await inventory({ store: `redis://selecter:sel-pw@127.0.0.1:${redis.port}/3`, redisKeyPrefix: 'app1:' });
    expect(counts(s, 'mcp-jti-mappings')).toEqual([2, 0, 0, 0]);
    expect(s.foreignKeys ?? 0).toBe(0);
  });

  it('refused, wrong password, no password: CollectError with one line and the redacted URL', async () => {
    const { freePort } = await import('../support/redis.js');
    const port = await freePort();
    const refused = openStoreFromFlags({ store: `redis://127.0.0.1:${port}` }, ctx());
    await expect(refused).rejects.toBeInstanceOf(CollectError);
    await expect(refused).rejects.toThrow(/connection refused/);
    const wrong = openStoreFromFlags({ store: `redis://reader:nope-secret@127.0.0.1:${redis.port}` }, ctx());
    await expect(wrong).rejects.toThrow(/authentication failed/);
    await wrong.catch((e: CollectError) => {
      expect(e.line()).not.toContain('nope-secret');
      expect(e.line()).not.toContain('\n');
    });
    await expect(openStoreFromFlags({ store: `redis://127.0.0.1:${redis.port}` }, ctx())).rejects.toThrow(/requires a password/);
  });
  it('Redis going away mid-read: error evidence with the reason (the command exits 3), never a crash', async () => {
    const lone = await startRedis();
    lone.cli(['-x', 'SET', 'mcp-jti-mappings::a'], docB({ collection: 'mcp-jti-mappings', key: 'a', createdAt: NOW, expiresAt: null, value: { jti: 'a', upstream_token_id: 'u' } }));
    const store = await openStoreFromFlags({ store: lone.url }, ctx());
    await lone.stop();
    try {
      const c = await collectInventory(store, buildKeyring([]), NOW, {});
      expect(c.status).toBe('error');
      expect(c.status === 'error' && c.reason).toMatch(/^reading Redis at redis:\/\/127\.0\.0\.1:\d+ failed: /);
    } finally {
      await store.close();
    }
  });
});
