/**
 * A user-supplied RedisStore/ValkeyStore (fastmcp-oauth-proxy.md §5.5): keys `<collection>::<key>`
 * (optionally behind a prefix), values are Redis strings holding the JSON document.
 *
 * Read commands only, so an ACL user limited to `+@read` works: SCAN (MATCH + COUNT, never KEYS),
 * pipelined STRLEN for every key of a SCAN page (a value above the entry cap is refused unread), one
 * MGET per SCAN page plus pipelined PTTL (only for documents without their own expires_at) and
 * TYPE (only for keys MGET found empty), DBSIZE for --sample. The connection sends no handshake
 * beyond AUTH: RESP2 (no HELLO), no CLIENT SETINFO (`disableClientInfo`), no maintenance
 * notifications, and SELECT only when the URL names a db other than 0 — such a user then needs
 * `+select` (SELECT is @connection).
 *
 * Redis Cluster (`--redis-cluster`, or detected: a node that answers CROSSSLOT to an MGET of two keys
 * in different slots): node-redis' cluster client discovers the masters with CLUSTER SLOTS — which
 * `+@read` does not include, so an ACL user needs `+cluster|slots` as well — then every master is
 * SCANned through its own connection, and values are read through the cluster client, which splits
 * an MGET by slot and follows MOVED/ASK. A master that cannot be read is skipped and named: the
 * inventory is then partial, never silently short.
 */
import type { TypeMapping } from '@redis/client';
import { CollectError, UsageError, describeError } from '../errors.js';
import { redactUrl } from '../secrets.js';
import type { RedisEndpoint, RedisLocation } from './target.js';
import { MAX_ENTRY_BYTES, refusedSize } from './limits.js';
import type { EntrySource, OpenedStore, RawEntry, ScanOptions } from './types.js';

const SCAN_COUNT = 1000;
/** SCAN/MGET pages kept in flight. */
const AHEAD = 4;
/** Entries handed on at a time (a page's documents as strings only a slice at a time). */
const SLICE = 250;
const CONNECT_TIMEOUT_MS = 5000;
/**
 * Every Redis step (the handshake, one SCAN page, one page's STRLENs and MGET with its PTTL/TYPE, DBSIZE, closing)
 * is answered within this, or the read stops there: a stopped server (SIGSTOP) accepts TCP connections
 * and then says nothing. node-redis' own command timeout ends once a command is written, so it is no
 * help here. One timer per page, not per key.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 10_000;

/** `p`, or a rejection naming `what` after REDIS_COMMAND_TIMEOUT_MS (then `onTimeout`, e.g. drop the connection). */
function bounded<T>(p: Promise<T>, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`Redis did not answer ${what} within ${REDIS_COMMAND_TIMEOUT_MS / 1000} s (timeout; is the server stopped or overloaded?)`));
      onTimeout?.();
    }, REDIS_COMMAND_TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** One Redis server to scan: the server, or one master of a cluster. */
export interface RedisNode {
  /** host:port, for progress and messages. */
  readonly address: string;
  /** One SCAN page: next cursor ('0' = done) and the keys. */
  scanPage(cursor: string, match: string, count: number): Promise<{ cursor: string; keys: string[] }>;
  /**
   * Values and remaining TTLs of these keys. `value` undefined when the key vanished; `error` for
   * non-strings; `pttl` -1 = no TTL (or not asked: the document carries its own expires_at).
   */
  readMany(keys: string[]): Promise<{ value?: string; pttl: number; error?: string }[]>;
  /**
   * readMany for a scan: the values as Buffers (slices of the reply, off the JavaScript heap while
   * they wait to be decoded: a page of values in flight is never copied by the garbage collector).
   */
  readPage(keys: string[]): Promise<PageValue[]>;
  dbsize(): Promise<number | undefined>;
  close(): Promise<void>;
}

type RedisLib = typeof import('@redis/client');
type Client = ReturnType<RedisLib['createClient']>;
type Cluster = ReturnType<RedisLib['createCluster']>;
type Value = { value?: string; pttl: number; error?: string };
type PageValue = { value?: Buffer; pttl: number; error?: string };
type Send = (key: string, args: string[], options: { typeMapping?: TypeMapping; timeout: number }) => Promise<unknown>;
/**
 * Options of every command of a page read. No node-redis command timeout: it arms an
 * AbortSignal.timeout per command (with a STRLEN per key, 40% of the run's CPU and a third of its
 * memory), and it is no bound anyway (above); the page's own timer (bounded) is.
 */
const PAGE_COMMAND = { timeout: 0 };
/** PAGE_COMMAND with bulk strings as Buffers (for MGET's replies in a scan); set when node-redis is loaded. */
let AS_BUFFERS: { typeMapping: TypeMapping; timeout: number } | undefined;
let redisLib: Promise<RedisLib> | undefined;

/** node-redis, loaded when a Redis store is opened (not with this module: most runs read no Redis). */
function loadRedis(): Promise<RedisLib> {
  return (redisLib ??= import('@redis/client').then((lib) => {
    AS_BUFFERS = { ...PAGE_COMMAND, typeMapping: { [lib.RESP_TYPES.BLOB_STRING]: Buffer } } as { typeMapping: TypeMapping; timeout: number };
    return lib;
  }));
}

/**
 * Values of a SCAN page: one MGET, then PTTL only where the document carries no expires_at of its
 * own, TYPE only for keys MGET found empty (gone since SCAN, or not a string). `send` runs one
 * command whose first argument after the name is `key` (a cluster routes it by that key's slot).
 */
async function readValues(keys: string[], send: Send): Promise<Value[]> {
  const page = await readPageValues(keys, send, false);
  return page as Value[];
}

/** One MGET's values add up to at most this (a page of values just under the entry cap is read in parts). */
const MAX_MGET_BYTES = 4 * MAX_ENTRY_BYTES;

/**
 * readValues with the values left as the reply's Buffers (`buffers`), or as strings. STRLEN first,
 * pipelined for the whole page: a value above MAX_ENTRY_BYTES is never fetched (an entry with an
 * error, counted with the unreadable ones); the others are read with MGET, in parts of at most
 * MAX_MGET_BYTES. A key that is not a string (STRLEN: WRONGTYPE) goes to MGET as before (nil, then TYPE).
 */
async function readPageValues(keys: string[], send: Send, buffers: boolean): Promise<{ value?: string | Buffer; pttl: number; error?: string }[]> {
  if (!keys.length) return [];
  const lengths = await Promise.all(
    keys.map((k) =>
      send(k, ['STRLEN', k], PAGE_COMMAND).then(Number, (e: unknown) => {
        if (/WRONGTYPE/.test(describeError(e))) return 0;
        throw e;
      }),
    ),
  );
  const out: { value?: string | Buffer; pttl: number; error?: string }[] = new Array(keys.length);
  let part: number[] = [];
  let partBytes = 0;
  const parts: number[][] = [];
  lengths.forEach((n, i) => {
    if (n > MAX_ENTRY_BYTES) {
      out[i] = { pttl: -1, error: refusedSize(n) };
      return;
    }
    if (part.length && partBytes + n > MAX_MGET_BYTES) {
      parts.push(part);
      part = [];
      partBytes = 0;
    }
    part.push(i);
    partBytes += n;
  });
  if (part.length) parts.push(part);
  for (const idx of parts) {
    const values = (await send(keys[idx[0]!]!, ['MGET', ...idx.map((i) => keys[i]!)], buffers && AS_BUFFERS ? AS_BUFFERS : PAGE_COMMAND)) as unknown[];
    idx.forEach((i, j) => {
      const v = values[j];
      out[i] = v === null || v === undefined ? { pttl: -2 } : { value: buffers ? (Buffer.isBuffer(v) ? v : Buffer.from(String(v))) : typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v), pttl: -1 };
    });
  }
  const jobs: Promise<void>[] = [];
  out.forEach((r, i) => {
    const key = keys[i]!;
    if (r.error) return;
    if (r.value === undefined) {
      jobs.push(
        send(key, ['TYPE', key], PAGE_COMMAND).then((t) => {
          const type = String(t);
          if (type !== 'none' && type !== 'string') r.error = `not a string value (a Redis ${type}: not written by py-key-value)`;
        }),
      );
    } else if (!r.value.includes('"expires_at"')) {
      jobs.push(send(key, ['PTTL', key], PAGE_COMMAND).then((t) => void (r.pttl = Number(t))));
    }
  });
  await Promise.all(jobs);
  return out;
}

async function scanReply(reply: unknown): Promise<{ cursor: string; keys: string[] }> {
  const r = reply as [unknown, unknown[]];
  return { cursor: String(r[0]), keys: (r[1] ?? []).map((k) => String(k)) };
}

async function dbsizeOf(send: () => Promise<unknown>): Promise<number | undefined> {
  try {
    return Number(await send());
  } catch (e) {
    if (/NOPERM/.test(describeError(e))) return undefined;
    throw e;
  }
}

class SingleNode implements RedisNode {
  constructor(
    private readonly client: Client,
    readonly address: string,
  ) {}

  readonly #drop = () => this.client.destroy();

  async scanPage(cursor: string, match: string, count: number): Promise<{ cursor: string; keys: string[] }> {
    return scanReply(await bounded(this.client.sendCommand(['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)]), 'SCAN', this.#drop));
  }

  readMany(keys: string[]): Promise<Value[]> {
    return bounded(readValues(keys, (_key, args, options) => this.client.sendCommand(args, options)), 'MGET', this.#drop);
  }

  readPage(keys: string[]): Promise<PageValue[]> {
    return bounded(readPageValues(keys, (_key, args, options) => this.client.sendCommand(args, options), true) as Promise<PageValue[]>, 'MGET', this.#drop);
  }

  dbsize(): Promise<number | undefined> {
    return bounded(dbsizeOf(() => this.client.sendCommand(['DBSIZE'])), 'DBSIZE', this.#drop);
  }

  async close(): Promise<void> {
    try {
      await bounded(this.client.close(), 'while closing');
    } catch {
      this.client.destroy();
    }
  }
}

/**
 * One master of a cluster: SCAN and DBSIZE go to that master's own connection; reads go through the
 * cluster client, which splits an MGET by slot and follows MOVED/ASK (a key that moved since SCAN).
 */
class ClusterMaster implements RedisNode {
  constructor(
    private readonly cluster: Cluster,
    private readonly master: Cluster['masters'][number],
  ) {}

  get address(): string {
    return this.master.address;
  }

  async #client(): Promise<Client> {
    return (await this.cluster.nodeClient(this.master)) as unknown as Client;
  }

  async scanPage(cursor: string, match: string, count: number): Promise<{ cursor: string; keys: string[] }> {
    const c = await bounded(this.#client(), 'the connection');
    return scanReply(await bounded(c.sendCommand(['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)]), 'SCAN'));
  }

  readMany(keys: string[]): Promise<Value[]> {
    return bounded(readValues(keys, (key, args, options) => this.cluster.sendCommand(key, true, args, options)), 'MGET');
  }

  readPage(keys: string[]): Promise<PageValue[]> {
    return bounded(readPageValues(keys, (key, args, options) => this.cluster.sendCommand(key, true, args, options), true) as Promise<PageValue[]>, 'MGET');
  }

  async dbsize(): Promise<number | undefined> {
    const c = await bounded(this.#client(), 'the connection');
    return bounded(dbsizeOf(() => c.sendCommand(['DBSIZE'])), 'DBSIZE');
  }

  async close(): Promise<void> {
    // The cluster client owns the connections (closed once, by the store).
  }
}

/** host:port (or [v6]:port) on a loopback address. */
function isLoopback(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
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
  readonly #explain: (e: unknown) => string;
  /** Cluster masters that could not be read in the last scan: "host:port: why". */
  #unread: string[] = [];
  #at: { index: number; address: string } | undefined;

  constructor(
    nodes: RedisNode[],
    label: string,
    prefix: string,
    wrap: (e: unknown) => Error = (e) => (e instanceof Error ? e : new Error(String(e))),
    explainError: (e: unknown) => string = describeError,
  ) {
    this.#nodes = nodes;
    this.label = label;
    this.#prefix = prefix;
    this.#wrap = wrap;
    this.#explain = explainError;
  }

  /** Every server read runs on this machine (a loopback address): it competes for the same cores. */
  serverIsLocal(): boolean {
    return this.#nodes.every((n) => isLoopback(n.address));
  }

  position(): string | undefined {
    if (this.#nodes.length < 2 || !this.#at) return undefined;
    return `master ${this.#at.index + 1}/${this.#nodes.length} ${this.#at.address}`;
  }

  unread(): string[] {
    return [...this.#unread];
  }

  async collections(): Promise<string[]> {
    return [...this.#seen];
  }

  async count(): Promise<number | undefined> {
    let total = 0;
    for (const n of this.#nodes) {
      let c: number | undefined;
      try {
        c = await n.dbsize();
      } catch (e) {
        if (this.#nodes.length > 1) continue; // a master that is down: the scan says so
        throw e;
      }
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
    this.#unread = [];
    const failures: unknown[] = [];
    for (const [index, node] of this.#nodes.entries()) {
      this.#at = { index, address: node.address };
      const readBefore = read;
      try {
        // Two loops: the lister SCANs page after page and asks for each page's values at once (MGET),
        // as soon as the previous page is listed — so the server always has work queued — until AHEAD
        // pages are listed and not yet consumed (memory stays bounded); the consumer below takes the
        // pages in order as their values arrive. SCAN's replies come back behind the MGETs sent
        // before them on the same connection, so the lister runs ahead of the consumer by design.
        type Pending = { picked: { collection: string; key: string }[]; readAt: number; values: Promise<PageValue[]> };
        const queue: Pending[] = [];
        let stop = false;
        let listed = false;
        let listError: { error: unknown } | undefined;
        let wake: (() => void) | undefined;
        let room: (() => void) | undefined;
        const signalConsumer = () => {
          const w = wake;
          wake = undefined;
          w?.();
        };
        let queued = read;
        let scanning: Promise<{ cursor: string; keys: string[] }> | undefined;
        let full = false;
        const lister = (async () => {
          try {
            scanning = node.scanPage('0', match, SCAN_COUNT);
            while (scanning) {
              const page = await scanning;
              scanning = undefined;
              // The next SCAN goes out before this page's MGET: its small reply then comes back
              // ahead of the page's values, and the next page is listed that much sooner.
              if (page.cursor !== '0' && !stop && !full) {
                scanning = node.scanPage(page.cursor, match, SCAN_COUNT);
                scanning.catch(() => undefined); // observed when awaited
              }
              const picked: Pending['picked'] = [];
              const rawKeys: string[] = [];
              for (const raw of page.keys) {
                const parts = this.#split(raw);
                if (!parts) {
                  this.foreignKeys++;
                  continue;
                }
                if (wanted && !wanted.has(parts.collection)) continue;
                if (seenKeys++ % step !== 0) continue;
                if (queued >= limit) {
                  full = true;
                  break;
                }
                queued++;
                picked.push(parts);
                rawKeys.push(raw);
              }
              if (picked.length) {
                while (queue.length >= AHEAD && !stop) await new Promise<void>((r) => (room = r));
                if (stop) break;
                const values = node.readPage(rawKeys);
                values.catch(() => undefined); // observed when consumed
                queue.push({ picked, readAt: Date.now() / 1000, values });
                signalConsumer();
              }
              if (stop || full) break;
            }
          } catch (e) {
            listError = { error: e };
          } finally {
            listed = true;
            signalConsumer();
          }
        })();
        try {
          for (;;) {
            while (!queue.length && !listed) await new Promise<void>((r) => (wake = r));
            const head = queue.shift();
            if (!head) {
              if (listError) throw listError.error;
              break;
            }
            const r = room;
            room = undefined;
            r?.();
            const values = await head.values;
            // Documents become strings a slice at a time, just before they are decoded.
            let batch: RawEntry[] = [];
            for (let i = 0; i < head.picked.length; i++) {
              const p = head.picked[i]!;
              const v = values[i]!;
              if (v.value === undefined && !v.error) continue; // expired or deleted since SCAN
              this.#seen.add(p.collection);
              const e: RawEntry = { collection: p.collection, key: p.key, keyExact: true, storeExpiresAt: v.pttl >= 0 ? head.readAt + v.pttl / 1000 : null };
              if (v.value !== undefined) e.text = v.value.toString('utf8');
              if (v.error) e.error = v.error;
              batch.push(e);
              if (batch.length === SLICE) {
                yield batch;
                batch = [];
              }
            }
            if (batch.length) yield batch;
            read += head.picked.length;
            if (opts.signal?.aborted) return;
            // A macrotask turn per page: the socket is read, and the lister sends the next SCAN and
            // MGET, while this thread was busy decoding (microtasks alone never poll the socket).
            await new Promise<void>((r) => setImmediate(r));
          }
        } finally {
          stop = true;
          room?.();
          await lister;
          await Promise.allSettled([...queue.map((q) => q.values), ...(scanning ? [scanning] : [])]);
        }
      } catch (e) {
        // A cluster master that is down (or drops the connection) does not hide the others: it is
        // skipped and named, and the inventory says it is partial. A lone server's failure is the
        // whole read's.
        if (this.#nodes.length < 2 || opts.signal?.aborted) throw e;
        this.#unread.push(`master ${node.address}${read > readBefore ? ` (after ${read - readBefore} of its entries)` : ''}: ${this.#explain(e)}`);
        failures.push(e);
        // No master could be read: the most telling reason (the cluster marked down) is the whole read's.
        if (failures.length === this.#nodes.length) throw failures.find((x) => /CLUSTERDOWN/.test(describeError(x))) ?? failures[0];
        continue;
      }
      if (read >= limit) return;
      if (opts.signal?.aborted) return;
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

/** One line for a connection/auth/TLS failure. */
function explain(e: unknown, target: RedisEndpoint): string {
  const msg = describeError(e);
  if (/WRONGPASS|invalid username-password|AUTH failed|invalid password/i.test(msg)) return 'authentication failed (wrong user or password)';
  if (/NOAUTH/i.test(msg)) return 'the server requires a password (NOAUTH)';
  if (/NOPERM/i.test(msg) && /cluster\|(slots|shards)/i.test(msg)) return `the user may not run CLUSTER SLOTS, which finding the cluster's masters needs (${CLUSTER_ACL})`;
  if (/NOPERM/i.test(msg) && /select/i.test(msg)) return `the user may not SELECT db ${target.db} (grant +select, or use db 0)`;
  if (/NOPERM/i.test(msg)) return `permission denied: ${msg}`;
  if (/CLUSTERDOWN/.test(msg)) return `the cluster is down (${msg.replace(/^.*?CLUSTERDOWN\s*/, '')})`;
  if (/CROSSSLOT|MOVED|ASK /.test(msg)) return 'the server is a Redis Cluster node';
  if (/ECONNREFUSED/.test(msg)) return 'connection refused (is Redis running on that host and port?)';
  if (/ENOTFOUND|EAI_AGAIN/.test(msg)) return 'host not found';
  if (/^Redis did not answer /.test(msg)) return msg.replace(/^Redis /, 'the server ');
  if (/ETIMEDOUT|timeout/i.test(msg)) return 'connection timed out';
  if (/certificate|self.signed|SSL|TLS|wrong version number|handshake|alert/i.test(msg)) return `TLS failure: ${msg}`;
  if (/ECONNRESET|socket hang up|closed|EPIPE/i.test(msg)) return target.tls ? `connection closed (${msg}; during the TLS handshake?)` : `connection closed (${msg})`;
  return msg;
}

/** The ACL grant cluster discovery needs beyond +@read (node-redis runs CLUSTER SLOTS on a seed node). */
export const CLUSTER_ACL = 'grant it with ACL SETUSER <user> +cluster|slots';

function hintFor(line: string, target: RedisEndpoint): string {
  if (line.startsWith('authentication') || line.startsWith('the server requires')) return 'give the password with --redis-password-file or REDIS_PASSWORD, and the user in the URL (redis://user@host)';
  if (line.startsWith('TLS') || line.includes('TLS handshake')) return 'check --redis-ca (and --redis-cert/--redis-key when the server wants client certificates), or --redis-insecure for a test server';
  if (line.includes('CLUSTER SLOTS')) return 'the doctor needs +@read plus +cluster|slots on a cluster (e.g. ACL SETUSER doctor on >pw ~* +@read +cluster|slots)';
  if (line.includes('SELECT')) return 'the doctor only needs +@read, plus +select for a db other than 0';
  if (line.includes('cluster is down')) return 'bring the failed masters back (CLUSTER INFO shows cluster_state), then re-run';
  if (line.includes('Cluster node')) return 're-run with --redis-cluster to read every master';
  return target.tls ? 'check the URL, the port and the certificates' : 'check the URL and that Redis is reachable from here';
}

/** Keys in two different cluster slots ({a} → 15495, {b} → 3300): an MGET of both is CROSSSLOT on a cluster node. */
const CROSSSLOT_PROBE = ['__mcp_auth_doctor_probe__{a}', '__mcp_auth_doctor_probe__{b}'];

interface Connection {
  target: RedisEndpoint;
  location: string;
  keyPrefix: string;
  password?: string;
  socket: Record<string, unknown>;
}

function connection(loc: RedisLocation): Connection {
  const target = loc.endpoint;
  const socket: Record<string, unknown> = {
    connectTimeout: CONNECT_TIMEOUT_MS,
    reconnectStrategy: false,
  };
  if (target.tls) {
    socket.tls = true;
    if (loc.tls?.ca) socket.ca = loc.tls.ca;
    if (loc.tls?.cert) socket.cert = loc.tls.cert;
    if (loc.tls?.key) socket.key = loc.tls.key;
    if (loc.tls?.insecure) socket.rejectUnauthorized = false;
  }
  const c: Connection = { target, location: redactUrl(loc.url), keyPrefix: loc.keyPrefix, socket };
  if (loc.password) c.password = loc.password.reveal();
  return c;
}

function opened(kind: 'redis' | 'redis-cluster', location: string, scanLimits: OpenedStore['scanLimits'], source: RedisSource, close: () => Promise<void>): OpenedStore {
  return {
    kind,
    location,
    generation: 'user-store',
    fingerprintDirs: [],
    scanLimits,
    source: () => source,
    close,
  };
}

/** Connect (read-only use) and return the opened store. CollectError (exit 3) when Redis cannot be read. */
export async function openRedis(loc: RedisLocation, scanLimits: OpenedStore['scanLimits']): Promise<OpenedStore> {
  const conn = connection(loc);
  const { target, location } = conn;
  if (loc.cluster) return openCluster(conn, scanLimits);
  const { createClient } = await loadRedis();

  const clientOptions: Record<string, unknown> = {
    socket: { ...conn.socket, host: target.host, port: target.port },
    RESP: 2,
    disableClientInfo: true,
    maintNotifications: 'disabled',
    database: target.db,
  };
  if (target.username) clientOptions.username = target.username;
  if (conn.password !== undefined) clientOptions.password = conn.password;

  const client = createClient(clientOptions as Parameters<typeof createClient>[0]);
  let lastError: unknown;
  client.on('error', (e: unknown) => {
    lastError = e;
  });
  const fail = (e: unknown): never => {
    if (/SELECT is not allowed in cluster mode/i.test(describeError(e))) {
      client.destroy();
      throw new UsageError(`--store ${location} names db ${target.db}, but the server is a Redis Cluster node (a cluster has db 0 only)`, 'drop the db from the URL');
    }
    let line = explain(lastError && !(e instanceof Error && /WRONGPASS|NOAUTH|NOPERM/.test(e.message)) ? lastError : e, target);
    if (line.startsWith('connection closed') && !target.tls) line = `${line.slice(0, -1)}; a TLS-only server needs rediss://)`;
    client.destroy();
    throw new CollectError(`cannot read Redis at ${location}: ${line}`, hintFor(line, target), { cause: e });
  };
  try {
    await bounded(client.connect(), 'the handshake (AUTH, SELECT)', () => client.destroy());
  } catch (e) {
    fail(e);
  }
  const node = new SingleNode(client as Client, `${target.host}:${target.port}`);
  try {
    // A first read: surfaces NOAUTH (no password given) and permission problems now, as one line.
    await node.scanPage('0', '__mcp_auth_doctor_probe__', 1);
  } catch (e) {
    fail(e);
  }
  // A cluster node? An MGET across two slots is CROSSSLOT there (and [nil, nil] on a lone server).
  let isCluster = false;
  try {
    await bounded(client.sendCommand(['MGET', ...CROSSSLOT_PROBE.map((k) => `${conn.keyPrefix}${k}`)]), 'MGET', () => client.destroy());
  } catch (e) {
    const msg = describeError(e);
    if (/CROSSSLOT|MOVED|ASK |CLUSTERDOWN/.test(msg)) isCluster = true;
    // NOPERM (an ACL user limited to some key patterns): undecided; a page read would say it.
  }
  if (isCluster) {
    await node.close();
    if (target.db !== 0) throw new UsageError(`--store ${location} names db ${target.db}, but the server is a Redis Cluster node (a cluster has db 0 only)`, 'drop the db from the URL');
    return openCluster(conn, scanLimits);
  }
  const source = new RedisSource(
    [node],
    `${location}`,
    conn.keyPrefix,
    (e) => {
      if (e instanceof CollectError) return e;
      const line = explain(e, target);
      return new CollectError(`reading Redis at ${location} failed: ${line}`, hintFor(line, target), { cause: e });
    },
    (e) => explain(e, target),
  );
  return opened('redis', location, scanLimits, source, () => node.close());
}

/**
 * A Redis Cluster through a seed node: discovery (CLUSTER SLOTS) on the seed, then one connection per
 * master, opened when that master is scanned (a master that is down fails alone, not the discovery).
 */
async function openCluster(conn: Connection, scanLimits: OpenedStore['scanLimits']): Promise<OpenedStore> {
  const { target, location } = conn;
  if (target.db !== 0) throw new UsageError(`--store ${location}: a Redis Cluster has db 0 only`, 'drop the db from the URL');
  const defaults: Record<string, unknown> = {
    socket: conn.socket,
    disableClientInfo: true,
    maintNotifications: 'disabled',
  };
  if (target.username) defaults.username = target.username;
  if (conn.password !== undefined) defaults.password = conn.password;
  const { createCluster } = await loadRedis();
  const cluster = createCluster({
    rootNodes: [{ socket: { host: target.host, port: target.port } }],
    defaults,
    RESP: 2,
    minimizeConnections: true,
    maxCommandRedirections: 16,
  } as unknown as Parameters<typeof createCluster>[0]);
  const errors: unknown[] = [];
  cluster.on('error', (e: unknown) => void errors.push(e));
  cluster.on('node-error', (e: unknown) => void errors.push(e));
  const fail = (e: unknown): never => {
    // node-redis reports a failed discovery as "All the root nodes are unavailable"; the cause is the
    // error it emitted (NOPERM for cluster|slots, WRONGPASS, ECONNREFUSED, …).
    const cause = errors.find((x) => /NOPERM|WRONGPASS|NOAUTH/.test(describeError(x))) ?? errors[errors.length - 1] ?? e;
    let line = explain(cause, target);
    if (/ERR This instance has cluster support disabled/i.test(describeError(cause))) line = 'the server is not a Redis Cluster node (cluster support disabled)';
    cluster.destroy();
    const hint = line.includes('not a Redis Cluster') ? 'drop --redis-cluster to read it as a single server' : hintFor(line, target);
    throw new CollectError(`cannot read the Redis Cluster at ${location}: ${line}`, hint, { cause: e });
  };
  try {
    await bounded(cluster.connect(), 'the cluster handshake (CLUSTER SLOTS)', () => cluster.destroy());
  } catch (e) {
    fail(e);
  }
  const masters = [...cluster.masters].sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
  if (!masters.length) fail(new Error('CLUSTER SLOTS listed no master'));
  const nodes = masters.map((m) => new ClusterMaster(cluster, m));
  const label = `Redis Cluster ${location} (${masters.length} master${masters.length === 1 ? '' : 's'})`;
  const source = new RedisSource(
    nodes,
    label,
    conn.keyPrefix,
    (e) => {
      if (e instanceof CollectError) return e;
      const line = explain(e, target);
      return new CollectError(`reading the Redis Cluster at ${location} failed: ${line}`, hintFor(line, target), { cause: e });
    },
    (e) => explain(e, target),
  );
  return opened('redis-cluster', location, scanLimits, source, async () => {
    try {
      await bounded(cluster.close(), 'while closing');
    } catch {
      cluster.destroy();
    }
  });
}
