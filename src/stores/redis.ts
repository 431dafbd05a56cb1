/**
 * A user-supplied RedisStore/ValkeyStore (fastmcp-oauth-proxy.md §5.5): keys `<collection>::<key>`
 * (optionally behind a prefix), values are Redis strings holding the JSON document.
 *
 * Read commands only, so an ACL user limited to `+@read` works: SCAN (MATCH + COUNT, never KEYS),
 * one MGET per SCAN page plus pipelined PTTL (only for documents without their own expires_at) and
 * TYPE (only for keys MGET found empty), DBSIZE for --sample. The connection sends no handshake
 * beyond AUTH: RESP2 (no HELLO), no CLIENT SETINFO (`disableClientInfo`), no maintenance
 * notifications, and SELECT only when the URL names a db other than 0 — such a user then needs
 * `+select` (SELECT is @connection).
 *
 * Cluster (issue 7): scanning is organised per node (`RedisNode`), so a cluster variant can scan every
 * master with the same page logic and route reads by slot.
 */
import { createClient } from '@redis/client';
import { readFileSync } from 'node:fs';
import { CollectError, InputError, UsageError, describeError } from '../errors.js';
import { ENV } from '../commands/shared.js';
import { readSecret, type InputSources } from '../inputs.js';
import { redactUrl } from '../secrets.js';
import type { EntrySource, OpenedStore, RawEntry, ScanOptions, StoreOpenOptions } from './types.js';

const SCAN_COUNT = 1000;
/** SCAN/MGET pages kept in flight. */
const AHEAD = 4;
const CONNECT_TIMEOUT_MS = 5000;

/** One Redis server to scan. A cluster adapter would hold one per master. */
export interface RedisNode {
  /** One SCAN page: next cursor ('0' = done) and the keys. */
  scanPage(cursor: string, match: string, count: number): Promise<{ cursor: string; keys: string[] }>;
  /**
   * Values and remaining TTLs of these keys. `value` undefined when the key vanished; `error` for
   * non-strings; `pttl` -1 = no TTL (or not asked: the document carries its own expires_at).
   */
  readMany(keys: string[]): Promise<{ value?: string; pttl: number; error?: string }[]>;
  dbsize(): Promise<number | undefined>;
  close(): Promise<void>;
}

type Client = ReturnType<typeof createClient>;

class SingleNode implements RedisNode {
  constructor(private readonly client: Client) {}

  async scanPage(cursor: string, match: string, count: number): Promise<{ cursor: string; keys: string[] }> {
    const reply = (await this.client.sendCommand(['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)])) as [unknown, unknown[]];
    return { cursor: String(reply[0]), keys: (reply[1] ?? []).map((k) => String(k)) };
  }

  async readMany(keys: string[]): Promise<{ value?: string; pttl: number; error?: string }[]> {
    if (!keys.length) return [];
    // One MGET per page; PTTL (pipelined) only where the document carries no expires_at of its own,
    // TYPE only for keys MGET found empty (gone since SCAN, or not a string).
    const values = (await this.client.sendCommand(['MGET', ...keys])) as unknown[];
    const out: { value?: string; pttl: number; error?: string }[] = values.map((v) => (v === null || v === undefined ? { pttl: -2 } : { value: typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v), pttl: -1 }));
    const ttlJobs: Promise<void>[] = [];
    out.forEach((r, i) => {
      const key = keys[i]!;
      if (r.value === undefined) {
        ttlJobs.push(
          this.client.sendCommand(['TYPE', key]).then((t) => {
            const type = String(t);
            if (type !== 'none' && type !== 'string') r.error = `not a string value (a Redis ${type}: not written by py-key-value)`;
          }),
        );
      } else if (!r.value.includes('"expires_at"')) {
        ttlJobs.push(this.client.sendCommand(['PTTL', key]).then((t) => void (r.pttl = Number(t))));
      }
    });
    await Promise.all(ttlJobs);
    return out;
  }

  async dbsize(): Promise<number | undefined> {
    try {
      return Number(await this.client.sendCommand(['DBSIZE']));
    } catch (e) {
      if (/NOPERM/.test(describeError(e))) return undefined;
      throw e;
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.close();
    } catch {
      this.client.destroy();
    }
  }
}

/** Glob-escape for SCAN MATCH. */
export function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

export class RedisSource implements EntrySource {
  readonly label: string;
  readonly #nodes: RedisNode[];
  readonly #prefix: string;
  #seen = new Set<string>();
  /** Keys not shaped `<collection>::<key>` (another application's), seen while scanning. */
  foreignKeys = 0;

  readonly #wrap: (e: unknown) => Error;

  constructor(nodes: RedisNode[], label: string, prefix: string, wrap: (e: unknown) => Error = (e) => (e instanceof Error ? e : new Error(String(e)))) {
    this.#nodes = nodes;
    this.label = label;
    this.#prefix = prefix;
    this.#wrap = wrap;
  }

  async collections(): Promise<string[]> {
    return [...this.#seen];
  }

  async count(): Promise<number | undefined> {
    let total = 0;
    for (const n of this.#nodes) {
      const c = await n.dbsize();
      if (c === undefined) return undefined;
      total += c;
    }
    return total;
  }

  #split(rawKey: string): { collection: string; key: string } | undefined {
    if (!rawKey.startsWith(this.#prefix)) return undefined;
    const rest = rawKey.slice(this.#prefix.length);
    const at = rest.indexOf('::');
    if (at <= 0) return undefined;
    return { collection: rest.slice(0, at), key: rest.slice(at + 2) };
  }

  async *scan(opts: ScanOptions = {}): AsyncGenerator<RawEntry[], void, undefined> {
    try {
      yield* this.#scan(opts);
    } catch (e) {
      throw this.#wrap(e);
    }
  }

  async *#scan(opts: ScanOptions): AsyncGenerator<RawEntry[], void, undefined> {
    const wanted = opts.collections?.length ? new Set(opts.collections) : undefined;
    const match = wanted && wanted.size === 1 ? `${escapeGlob(this.#prefix)}${escapeGlob([...wanted][0]!)}::*` : `${escapeGlob(this.#prefix)}*`;
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    // --sample: keep every k-th key of the scan (SCAN order is the hash table's, i.e. already spread).
    let step = 1;
    if (opts.sample && opts.sample > 0) {
      const total = await this.count();
      if (total) step = Math.max(1, Math.floor(total / opts.sample));
    }
    let read = 0;
    let seenKeys = 0;
    for (const node of this.#nodes) {
      // Read ahead: up to AHEAD pages are in flight (SCAN for the next cursor, MGET for the pages
      // already listed), so the server always has work queued; results are consumed in order.
      type Pending = { picked: { raw: string; collection: string; key: string }[]; readAt: number; values: Promise<{ value?: string; pttl: number; error?: string }[]> };
      const queue: Pending[] = [];
      let cursor: string | undefined = '0';
      let scanning: Promise<{ cursor: string; keys: string[] }> | undefined;
      let stop = false;
      const pump = async () => {
        while (!stop && cursor !== undefined && queue.length < AHEAD) {
          scanning ??= node.scanPage(cursor, match, SCAN_COUNT);
          const page: { cursor: string; keys: string[] } = await scanning;
          scanning = undefined;
          cursor = page.cursor === '0' ? undefined : page.cursor;
          const picked: Pending['picked'] = [];
          for (const raw of page.keys) {
            const parts = this.#split(raw);
            if (!parts) {
              this.foreignKeys++;
              continue;
            }
            if (wanted && !wanted.has(parts.collection)) continue;
            if (seenKeys++ % step !== 0) continue;
            if (queued >= limit) {
              cursor = undefined;
              break;
            }
            queued++;
            picked.push({ raw, ...parts });
          }
          if (picked.length) {
            const values = node.readMany(picked.map((x) => x.raw));
            values.catch(() => undefined); // observed when consumed
            queue.push({ picked, readAt: Date.now() / 1000, values });
          }
        }
      };
      let queued = read;
      try {
        for (;;) {
          await pump();
          const head = queue.shift();
          if (!head) break;
          const values = await head.values;
          const batch: RawEntry[] = [];
          head.picked.forEach((p, i) => {
            const v = values[i]!;
            if (v.value === undefined && !v.error) return; // expired or deleted since SCAN
            this.#seen.add(p.collection);
            const e: RawEntry = { collection: p.collection, key: p.key, keyExact: true, storeExpiresAt: v.pttl >= 0 ? head.readAt + v.pttl / 1000 : null };
            if (v.value !== undefined) e.text = v.value;
            if (v.error) e.error = v.error;
            batch.push(e);
          });
          read += head.picked.length;
          if (batch.length) yield batch;
          if (opts.signal?.aborted) return;
        }
      } finally {
        stop = true;
        await Promise.allSettled([...queue.map((q) => q.values), ...(scanning ? [scanning] : [])]);
      }
      if (read >= limit) return;
    }
  }

  async get(collection: string, key: string): Promise<RawEntry | undefined> {
    const node = this.#nodes[0];
    if (!node) return undefined;
    const readAt = Date.now() / 1000;
    let v: { value?: string; pttl: number; error?: string } | undefined;
    try {
      [v] = await node.readMany([`${this.#prefix}${collection}::${key}`]);
    } catch (e) {
      throw this.#wrap(e);
    }
    if (!v || (v.value === undefined && !v.error)) return undefined;
    const e: RawEntry = { collection, key, keyExact: true, storeExpiresAt: v.pttl >= 0 ? readAt + v.pttl / 1000 : null };
    if (v.value !== undefined) e.text = v.value;
    if (v.error) e.error = v.error;
    return e;
  }
}

export interface RedisTarget {
  host: string;
  port: number;
  tls: boolean;
  db: number;
  username?: string;
  /** From the URL; a password file / REDIS_PASSWORD wins. */
  urlPassword?: string;
}

export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--store ${redactUrl(url)} is not a valid Redis URL`, 'use redis://[user[:password]@]host[:port][/db] or rediss://…');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--store ${redactUrl(url)}: unsupported scheme ${u.protocol}`, 'use redis:// or rediss://');
  const path = u.pathname.replace(/^\/+/, '');
  let db = 0;
  if (path) {
    if (!/^\d+$/.test(path)) throw new UsageError(`--store ${redactUrl(url)}: the path must be a db index, got "${path}"`, 'use e.g. redis://host:6379/0');
    db = Number(path);
  }
  const t: RedisTarget = { host: u.hostname.replace(/^\[|\]$/g, '') || 'localhost', port: u.port ? Number(u.port) : 6379, tls: u.protocol === 'rediss:', db };
  if (u.username) t.username = decodeURIComponent(u.username);
  if (u.password) t.urlPassword = decodeURIComponent(u.password);
  return t;
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${what} ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? describeError(e)})`}`, 'check the path');
  }
}

/** One line for a connection/auth/TLS failure. */
function explain(e: unknown, target: RedisTarget): string {
  const msg = describeError(e);
  if (/WRONGPASS|invalid username-password|AUTH failed|invalid password/i.test(msg)) return 'authentication failed (wrong user or password)';
  if (/NOAUTH/i.test(msg)) return 'the server requires a password (NOAUTH)';
  if (/NOPERM/i.test(msg) && /select/i.test(msg)) return `the user may not SELECT db ${target.db} (grant +select, or use db 0)`;
  if (/NOPERM/i.test(msg)) return `permission denied: ${msg}`;
  if (/CROSSSLOT|MOVED|CLUSTERDOWN|ASK /.test(msg)) return 'the server is a Redis Cluster node; reading a cluster (every master) is not supported yet';
  if (/ECONNREFUSED/.test(msg)) return 'connection refused (is Redis running on that host and port?)';
  if (/ENOTFOUND|EAI_AGAIN/.test(msg)) return 'host not found';
  if (/ETIMEDOUT|timeout/i.test(msg)) return 'connection timed out';
  if (/certificate|self.signed|SSL|TLS|wrong version number|handshake|alert/i.test(msg)) return `TLS failure: ${msg}`;
  if (/ECONNRESET|socket hang up|closed/i.test(msg)) return target.tls ? `connection closed during the TLS handshake (${msg})` : `connection closed (${msg}; a TLS-only server needs rediss://)`;
  return msg;
}

function hintFor(line: string, target: RedisTarget): string {
  if (line.startsWith('authentication') || line.startsWith('the server requires')) return 'give the password with --redis-password-file or REDIS_PASSWORD, and the user in the URL (redis://user@host)';
  if (line.startsWith('TLS') || line.includes('TLS handshake')) return 'check --redis-ca (and --redis-cert/--redis-key when the server wants client certificates), or --redis-insecure for a test server';
  if (line.includes('SELECT')) return 'the doctor only needs +@read, plus +select for a db other than 0';
  if (line.includes('Cluster')) return 'point --store at a standalone Redis, or wait for cluster support (--redis-cluster)';
  return target.tls ? 'check the URL, the port and the certificates' : 'check the URL and that Redis is reachable from here';
}

/** Connect (read-only use) and return the opened store. CollectError (exit 3) when Redis cannot be read. */
export async function openRedis(url: string, opts: StoreOpenOptions, src: InputSources): Promise<OpenedStore> {
  const target = parseRedisUrl(url);
  const location = redactUrl(url);
  if (opts.redisCluster) {
    throw new UsageError('--redis-cluster is not supported yet', 'point --store at one node holding the keys (a cluster scan of every master is planned)');
  }
  if (!target.tls && (opts.redisCa || opts.redisCert || opts.redisKey || opts.redisInsecure)) {
    throw new UsageError('--redis-ca/--redis-cert/--redis-key/--redis-insecure need a rediss:// URL', `use rediss://${target.host}:${target.port}`);
  }
  const pw = await readSecret({ file: opts.redisPasswordFile, env: [...ENV.redisPassword], label: 'Redis password' }, src);
  const password = pw?.reveal() ?? target.urlPassword;

  const socket: Record<string, unknown> = {
    host: target.host,
    port: target.port,
    connectTimeout: CONNECT_TIMEOUT_MS,
    reconnectStrategy: false,
  };
  if (target.tls) {
    socket.tls = true;
    if (opts.redisCa) socket.ca = readPem(opts.redisCa, '--redis-ca file');
    if (opts.redisCert) socket.cert = readPem(opts.redisCert, '--redis-cert file');
    if (opts.redisKey) socket.key = readPem(opts.redisKey, '--redis-key file');
    if (opts.redisInsecure) socket.rejectUnauthorized = false;
  }
  const clientOptions: Record<string, unknown> = {
    socket,
    RESP: 2,
    disableClientInfo: true,
    maintNotifications: 'disabled',
    database: target.db,
  };
  if (target.username) clientOptions.username = target.username;
  if (password !== undefined) clientOptions.password = password;

  const client = createClient(clientOptions as Parameters<typeof createClient>[0]);
  let lastError: unknown;
  client.on('error', (e: unknown) => {
    lastError = e;
  });
  const fail = (e: unknown): never => {
    const line = explain(lastError && !(e instanceof Error && /WRONGPASS|NOAUTH|NOPERM/.test(e.message)) ? lastError : e, target);
    client.destroy();
    throw new CollectError(`cannot read Redis at ${location}: ${line}`, hintFor(line, target), { cause: e });
  };
  try {
    await client.connect();
  } catch (e) {
    fail(e);
  }
  const node = new SingleNode(client as Client);
  try {
    // A first read: surfaces NOAUTH (no password given) and permission problems now, as one line.
    await node.scanPage('0', '__mcp_auth_doctor_probe__', 1);
  } catch (e) {
    fail(e);
  }
  const source = new RedisSource([node], `${location}`, opts.redisKeyPrefix ?? '', (e) => {
    if (e instanceof CollectError) return e;
    const line = explain(e, target);
    return new CollectError(`reading Redis at ${location} failed: ${line}`, hintFor(line, target), { cause: e });
  });
  return {
    kind: 'redis',
    location,
    generation: 'user-store',
    fingerprintDirs: [],
    scanLimits: { limit: opts.limit, sample: opts.sample },
    source: () => source,
    close: () => node.close(),
  };
}
