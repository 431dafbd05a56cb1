#!/usr/bin/env node
/**
 * Writes large FastMCP OAuth stores in the real on-disk formats, for `npm run bench` (run `npm run build`
 * first: it uses the built key derivation, Fernet and name sanitisation from dist/).
 *
 *   node scripts/generate-stores.mjs --out DIR [--diskcache N] [--filetree N] [--redis-pipe N] [--seed S]
 *
 * - diskcache: DIR/diskcache/oauth-proxy/cache.db — diskcache's exact schema (Cache, Settings, indexes,
 *   triggers, settings rows), WAL mode, format B documents (py-key-value 0.3: sorted keys, ", "/": "),
 *   `expire_time` a few µs before the document's `expires_at`, Fernet values.
 * - filetree: DIR/filetree/oauth-proxy/<sha256(K_store)[:12]>/S_<collection>-<h8>/<sanitised key>.json
 *   with the `*-info.json` files (FastMCP 3.x default store).
 * - redis: DIR/redis.resp — SET + PEXPIRE commands in RESP for `redis-cli --pipe`: exactly N keys alive after the load.
 *
 * Realistic mix per session (fastmcp-oauth-proxy.md §4): an upstream token set (gho_/ghu_ access token,
 * ghr_ refresh token), an access-token jti mapping (8 h TTL: expired for older sessions, kept until
 * culled), a refresh-token jti mapping, a refresh-token hash; shared DCR clients; some expired
 * transactions and authorization codes. Values are encrypted with the default-store key derived from
 * a made-up client secret (written to DIR/client-secret.txt). Nothing here is a real secret.
 */
import Database from 'better-sqlite3';
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { hkdfKeyText, JWT_KEY_SALT, storageKeyText, storeFingerprint } = await import(join(root, 'dist/fastmcp/keys.js'));
const { collectionDirName, sanitizeName } = await import(join(root, 'dist/fastmcp/collections.js'));
const { parseFernetKey, toUrlsafeBase64Padded } = await import(join(root, 'dist/crypto/fernet.js'));

export const CLIENT_SECRET = 'bench-client-secret-not-a-real-one-0123456789';

/** Python `datetime.isoformat()` in UTC with microseconds. */
function iso(unix) {
  const whole = Math.floor(unix);
  const micro = Math.round((unix - whole) * 1e6) % 1e6;
  const base = new Date(whole * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${String(micro).padStart(6, '0')}+00:00` : `${base}+00:00`;
}

/** A small deterministic PRNG (mulberry32), so a seed gives the same store. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randStr(r, n, alphabet = B64URL) {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

/** py-key-value's dump_to_json: sorted keys, ", " and ": " separators. */
function pyJson(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}: ${pyJson(v[k])}`)
    .join(', ')}}`;
}

export function keysFor(secret = CLIENT_SECRET) {
  const jwtKey = hkdfKeyText(secret, JWT_KEY_SALT);
  const storageKey = storageKeyText(jwtKey);
  return { jwtKey, storageKey, fingerprint: storeFingerprint(storageKey) };
}

function encryptor(storageKeyTextValue, r) {
  const key = parseFernetKey(storageKeyTextValue);
  const head = Buffer.alloc(9);
  head[0] = 0x80;
  return (plain, at) => {
    head.writeBigUInt64BE(BigInt(Math.floor(at)), 1);
    const iv = randomBytes(16);
    const c = createCipheriv('aes-128-cbc', key.encryption, iv);
    const body = Buffer.concat([head, iv, c.update(plain, 'utf8'), c.final()]);
    const mac = createHmac('sha256', key.signing).update(body).digest();
    const token = toUrlsafeBase64Padded(Buffer.concat([body, mac]));
    void r;
    return { __encrypted_data__: Buffer.from(token, 'ascii').toString('base64'), __encryption_version__: 1 };
  };
}

/**
 * The entries of a store of about `n` entries, as { collection, key, createdAt, expiresAt, value }.
 * Yields lazily (constant memory).
 */
export function* entries(n, now, seed = 1) {
  const r = rng(seed);
  const clients = Math.max(1, Math.round(n / 200));
  const clientIds = [];
  for (let i = 0; i < clients; i++) clientIds.push(`${randStr(r, 8, '0123456789abcdef')}-${randStr(r, 4, '0123456789abcdef')}-4${randStr(r, 3, '0123456789abcdef')}-a${randStr(r, 3, '0123456789abcdef')}-${randStr(r, 12, '0123456789abcdef')}`);
  let written = 0;
  for (const id of clientIds) {
    const created = now - 86400 * 90 * r();
    yield {
      collection: 'mcp-oauth-proxy-clients',
      key: id,
      createdAt: created,
      expiresAt: null,
      value: { client_id: id, client_name: 'bench client', client_secret: null, grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [`http://127.0.0.1:${30000 + Math.floor(r() * 30000)}/callback`], response_types: ['code'], scope: 'user', token_endpoint_auth_method: 'none' },
    };
    written++;
  }
  // About 4.6 entries per session (a few sessions also leave a transaction or a code behind).
  while (written < n) {
    const created = now - 86400 * 30 * r();
    const client = clientIds[Math.floor(r() * clientIds.length)];
    const upstreamId = randStr(r, 43);
    const access = `${r() < 0.5 ? 'gho_' : 'ghu_'}${randStr(r, 36, ALNUM)}`;
    const refresh = `ghr_${randStr(r, 76, ALNUM)}`;
    const ttl = 30 * 86400;
    const upstream = {
      access_token: access,
      client_id: client,
      created_at: created,
      expires_at: created + 28800,
      raw_token_data: { access_token: access, expires_in: 28800, refresh_token: refresh, refresh_token_expires_in: 15811200, scope: '', token_type: 'bearer' },
      refresh_token: refresh,
      refresh_token_expires_at: created + 15811200,
      scope: '',
      token_type: 'bearer',
      upstream_token_id: upstreamId,
    };
    const session = [
      { collection: 'mcp-upstream-tokens', key: upstreamId, createdAt: created, expiresAt: created + ttl, value: upstream },
      ...[28800, ttl].map((life) => {
        const jti = randStr(r, 43);
        return { collection: 'mcp-jti-mappings', key: jti, createdAt: created, expiresAt: created + life, value: { created_at: created, jti, upstream_token_id: upstreamId } };
      }),
      { collection: 'mcp-refresh-tokens', key: randStr(r, 64, '0123456789abcdef'), createdAt: created, expiresAt: created + ttl, value: { client_id: client, created_at: created, expires_at: Math.floor(created + ttl), scopes: ['user'] } },
    ];
    if (r() < 0.4) {
      const txn = randStr(r, 43);
      session.push({ collection: 'mcp-oauth-transactions', key: txn, createdAt: created - 5, expiresAt: created + 895, value: { client_id: client, client_redirect_uri: 'http://127.0.0.1:33418/callback', client_state: randStr(r, 22), code_challenge: randStr(r, 43), code_challenge_method: 'S256', created_at: created - 5, csrf_expires_at: null, csrf_token: null, proxy_code_verifier: randStr(r, 43), resource: null, scopes: ['user'], txn_id: txn } });
    }
    if (r() < 0.2) {
      const code = randStr(r, 43);
      session.push({ collection: 'mcp-authorization-codes', key: code, createdAt: created - 1, expiresAt: created + 299, value: { client_id: client, code, code_challenge: randStr(r, 43), code_challenge_method: 'S256', created_at: created - 1, expires_at: created + 299, redirect_uri: 'http://127.0.0.1:33418/callback', scopes: ['user'] } });
    }
    if (written + session.length > n) {
      // The last few entries: stand-alone expired transactions, so no session is cut in half.
      while (written < n) {
        const txn = randStr(r, 43);
        yield { collection: 'mcp-oauth-transactions', key: txn, createdAt: created - 5, expiresAt: created + 895, value: { client_id: client, created_at: created - 5, scopes: ['user'], txn_id: txn } };
        written++;
      }
      break;
    }
    for (const e of session) {
      yield e;
      written++;
    }
  }
}

function document(e, encrypt, withNames) {
  const d = { created_at: iso(e.createdAt), value: encrypt(JSON.stringify(e.value), e.createdAt), version: 1 };
  if (e.expiresAt !== null) d.expires_at = iso(e.expiresAt);
  if (withNames) {
    d.collection = e.collection;
    d.key = e.key;
  }
  return pyJson(d);
}

const SETTINGS = [
  ['statistics', 0],
  ['tag_index', 0],
  ['eviction_policy', 'none'],
  ['size_limit', 1073741824],
  ['cull_limit', 10],
  ['sqlite_auto_vacuum', 1],
  ['sqlite_cache_size', 8192],
  ['sqlite_journal_mode', 'wal'],
  ['sqlite_mmap_size', 67108864],
  ['sqlite_synchronous', 1],
  ['disk_min_file_size', 32768],
  ['disk_pickle_protocol', 5],
  ['count', 0],
  ['size', 0],
  ['hits', 0],
  ['misses', 0],
];

const TRIGGERS = `
CREATE TRIGGER Settings_count_insert AFTER INSERT ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value + 1 WHERE key = "count"; END;
CREATE TRIGGER Settings_count_delete AFTER DELETE ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value - 1 WHERE key = "count"; END;
CREATE TRIGGER Settings_size_insert AFTER INSERT ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value + NEW.size WHERE key = "size"; END;
CREATE TRIGGER Settings_size_update AFTER UPDATE ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value + NEW.size - OLD.size WHERE key = "size"; END;
CREATE TRIGGER Settings_size_delete AFTER DELETE ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = value - OLD.size WHERE key = "size"; END;
`;

export function writeDiskcache(dir, n, now, keyText, seed = 1) {
  const folder = join(dir, 'oauth-proxy');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'cache.db');
  const db = new Database(path);
  db.pragma('journal_mode = wal');
  db.pragma('synchronous = off');
  db.exec(`CREATE TABLE Settings ( key TEXT NOT NULL UNIQUE, value);
CREATE TABLE Cache ( rowid INTEGER PRIMARY KEY, key BLOB, raw INTEGER, store_time REAL, expire_time REAL, access_time REAL, access_count INTEGER DEFAULT 0, tag BLOB, size INTEGER DEFAULT 0, mode INTEGER DEFAULT 0, filename TEXT, value BLOB);`);
  const set = db.prepare('INSERT INTO Settings VALUES (?, ?)');
  for (const [k, v] of SETTINGS) set.run(k, v);
  const ins = db.prepare('INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count, tag, size, mode, filename, value) VALUES (?, 1, ?, ?, ?, 0, NULL, 0, 1, NULL, ?)');
  const encrypt = encryptor(keyText, rng(seed + 1));
  let count = 0;
  let batch = [];
  const flush = db.transaction((rows) => {
    for (const r of rows) ins.run(...r);
  });
  for (const e of entries(n, now, seed)) {
    // diskcache's expire_time is time.time() + ttl, a few µs before the document's expires_at.
    batch.push([`${e.collection}::${e.key}`, e.createdAt, e.expiresAt === null ? null : e.expiresAt - 0.000004, e.createdAt, document(e, encrypt, true)]);
    count++;
    if (batch.length === 5000) {
      flush(batch);
      batch = [];
    }
  }
  if (batch.length) flush(batch);
  // Indexes and triggers after the bulk load (same schema; much faster to write).
  db.exec('CREATE UNIQUE INDEX Cache_key_raw ON Cache(key, raw); CREATE INDEX Cache_expire_time ON Cache (expire_time);');
  db.exec(TRIGGERS);
  db.prepare("UPDATE Settings SET value = ? WHERE key = 'count'").run(count);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { path, entries: count };
}

export function writeFileTree(dir, n, now, keyText, fingerprint, seed = 1) {
  const base = join(dir, 'oauth-proxy', fingerprint);
  rmSync(join(dir, 'oauth-proxy'), { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const encrypt = encryptor(keyText, rng(seed + 1));
  const made = new Set();
  let count = 0;
  for (const e of entries(n, now, seed)) {
    const dirName = collectionDirName(e.collection);
    if (!made.has(e.collection)) {
      made.add(e.collection);
      mkdirSync(join(base, dirName), { recursive: true });
      writeFileSync(join(base, `${dirName}-info.json`), pyJson({ collection: e.collection, created_at: iso(now - 86400 * 90), directory: `/srv/fastmcp/oauth-proxy/${fingerprint}/${dirName}`, version: 1 }));
    }
    writeFileSync(join(base, dirName, `${sanitizeName(e.key)}.json`), document(e, encrypt, false));
    count++;
  }
  return { path: join(dir), entries: count };
}

/**
 * RESP for redis-cli --pipe: SET key value + PEXPIRE key ttl (as py-key-value's RedisStore writes with
 * a TTL), for exactly `n` keys that are alive in Redis after the load. Entries already expired at
 * `now` are left out (Redis would have dropped them); when the next whole session would pass `n`,
 * the rest are client registrations (no TTL), so no session is cut in half.
 */
export function writeRedisPipe(file, n, now, keyText, seed = 1) {
  const fd = openSync(file, 'w');
  const encrypt = encryptor(keyText, rng(seed + 1));
  const arg = (s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  let chunk = '';
  let count = 0;
  const put = (e) => {
    const key = `${e.collection}::${e.key}`;
    chunk += `*3\r\n${arg('SET')}${arg(key)}${arg(document(e, encrypt, true))}`;
    if (e.expiresAt !== null) chunk += `*3\r\n${arg('PEXPIRE')}${arg(key)}${arg(String(Math.round((e.expiresAt - now) * 1000)))}`;
    count++;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  };
  const live = (e) => e.expiresAt === null || e.expiresAt > now;
  let session = [];
  // entries() yields clients first, then sessions starting with their upstream token set.
  for (const e of entries(Math.ceil(n * 3), now, seed)) {
    if (e.collection === 'mcp-upstream-tokens' || e.collection === 'mcp-oauth-proxy-clients') {
      if (count + session.length > n) break;
      for (const x of session) put(x);
      session = [];
    }
    if (live(e)) session.push(e);
  }
  if (count + session.length <= n) for (const x of session) put(x);
  const r = rng(seed + 2);
  while (count < n) {
    const id = `filler-${count}-${randStr(r, 8, '0123456789abcdef')}`;
    put({ collection: 'mcp-oauth-proxy-clients', key: id, createdAt: now - 86400, expiresAt: null, value: { client_id: id, client_name: 'bench client', client_secret: null, grant_types: ['authorization_code'], redirect_uris: ['http://127.0.0.1:33418/callback'], response_types: ['code'], scope: 'user', token_endpoint_auth_method: 'none' } });
  }
  writeSync(fd, chunk);
  closeSync(fd);
  return { path: file, entries: count };
}

function parseArgs(argv) {
  const out = { seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--out') out.out = v();
    else if (a === '--diskcache') out.diskcache = Number(v());
    else if (a === '--filetree') out.filetree = Number(v());
    else if (a === '--redis-pipe') out.redis = Number(v());
    else if (a === '--seed') out.seed = Number(v());
    else if (a === '--now') out.now = Number(v());
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const o = parseArgs(process.argv.slice(2));
  if (!o.out) {
    console.error('usage: node scripts/generate-stores.mjs --out DIR [--diskcache N] [--filetree N] [--redis-pipe N] [--seed S] [--now UNIX]');
    process.exit(2);
  }
  const now = o.now ?? Math.floor(Date.now() / 1000);
  const k = keysFor();
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, 'client-secret.txt'), CLIENT_SECRET);
  writeFileSync(join(o.out, 'now.txt'), String(now));
  if (o.diskcache) console.log('diskcache', writeDiskcache(join(o.out, 'diskcache'), o.diskcache, now, k.storageKey, o.seed));
  if (o.filetree) console.log('filetree', writeFileTree(join(o.out, 'filetree'), o.filetree, now, k.storageKey, k.fingerprint, o.seed));
  if (o.redis) console.log('redis', writeRedisPipe(join(o.out, 'redis.resp'), o.redis, now, k.storageKey, o.seed));
  void existsSync;
  void createHash;
}
