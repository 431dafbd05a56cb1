/**
 * FastMCP 2.13–2.14's default store: diskcache's SQLite `cache.db` (fastmcp-oauth-proxy.md §5.3).
 *
 * The file is in WAL mode. Opening it through SQLite the ordinary way — even read-only — creates and
 * leaves `-shm`/`-wal` files beside it (a side effect in the operator's folder) and fails in a folder
 * we cannot write (`SQLITE_READONLY_DIRECTORY`: read-only mounts, the fixtures). Two ways round that:
 *
 * - **In place**, when no connection is open: with no `cache.db-wal` (or an empty one) and no hot
 *   `-journal`, every committed row is in `cache.db` itself. We open it as an `immutable=1` URI
 *   (better-sqlite3 accepts URIs when `SQLITE_USE_URI=1` is in the environment as its native addon
 *   loads — the entry point sets it; without it the open fails and the private copy is used): SQLite
 *   then takes no locks and creates no files. Immutable means SQLite trusts the file
 *   not to change, so the store records the file's stamp and `changedSinceOpen()` tells the caller
 *   when a server wrote to it meanwhile; `readStore` then reads the store again from a private copy.
 * - **A private copy** otherwise (a server is running, or the in-place open failed): copy `cache.db`
 *   and `cache.db-wal` (never `-shm`: SQLite rebuilds the WAL index from the WAL itself) — and a
 *   rollback `-journal` when a writer in that mode holds a transaction — into a private temp dir,
 *   open the copy (read-only unless a journal must be rolled back in it), delete it on close. Copying
 *   `cache.db` alone would miss every row still in the WAL (a live server checkpoints rarely).
 *
 * Consistency: a copy of both files is a valid SQLite state if neither changed during the copy (any
 * instant's db+wal pair is crash-consistent; a half-written last transaction in the WAL is ignored by
 * recovery). We stat the files before and after and retry when anything changed, and — as git does
 * for "racy" timestamps — when a file was modified so recently that a change in the same timestamp
 * tick could go unnoticed (the in-place read is then not attempted at all).
 *
 * Rows are streamed with `iterate()` in raw mode; nothing is loaded whole.
 */
import type Database from 'better-sqlite3';
import { closeSync, constants, copyFileSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CollectError, InputError, describeError } from '../errors.js';
import { MAX_ENTRY_BYTES, refusedSize } from './limits.js';
import type { EntrySource, OpenedStore, ProgressSink, RawEntry, ScanOptions } from './types.js';

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const BATCH = 500;
const COPY_ATTEMPTS = 8;
/** A file modified less than this long ago may still change within the same mtime tick. */
const RACY_MS = 50;

/** True when the file starts with the SQLite header. */
export function isSqliteFile(path: string): boolean {
  let fd: number | undefined;
  try {
    // Non-blocking, and a regular file only: a FIFO given as the database never blocks the run.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    if (!fstatSync(fd).isFile()) return false;
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return n === 16 && buf.toString('latin1') === SQLITE_MAGIC;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // The doctor's own permission problem is "could not read" (exit 3), not a verdict on the file.
    if (code === 'EACCES' || code === 'EPERM') throw new CollectError(`cannot read ${path}: permission denied`, 'run as a user who can read the store');
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface FileStamp {
  exists: boolean;
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
}

function stamp(path: string): FileStamp {
  try {
    const s = statSync(path, { bigint: true });
    return { exists: true, size: s.size, mtimeNs: s.mtimeNs, ino: s.ino };
  } catch {
    return { exists: false, size: 0n, mtimeNs: 0n, ino: 0n };
  }
}

const same = (a: FileStamp, b: FileStamp) => a.exists === b.exists && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;

/** Modified so recently that a further change within the same mtime tick could go unnoticed. */
const racy = (s: FileStamp) => s.exists && BigInt(Date.now()) * 1_000_000n - s.mtimeNs < BigInt(RACY_MS) * 1_000_000n;

/** Private copies still on disk: removed on close, or at exit if the process is cut short (second Ctrl-C). */
const liveCopies = new Set<string>();
let exitHook = false;
function track(dir: string): void {
  liveCopies.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const d of liveCopies) rmSync(d, { recursive: true, force: true });
    });
  }
}
function release(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveCopies.delete(dir);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Copy cache.db (+ -wal, + a rollback -journal) into a fresh private temp dir, consistently. Returns
 * the temp dir and whether a journal came along. A `-journal` exists while a writer in rollback-journal
 * mode holds a transaction: cache.db may then already hold its uncommitted pages, and only rolling the
 * journal back (SQLite does, on the private copy) gives the last committed state.
 */
function snapshot(dbPath: string): { dir: string; journal: boolean } {
  const wal = `${dbPath}-wal`;
  const journal = `${dbPath}-journal`;
  let lastError: unknown;
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    const before = [stamp(dbPath), stamp(wal), stamp(journal)] as const;
    if (before.some(racy) && attempt < COPY_ATTEMPTS - 1) {
      sleepSync(RACY_MS);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), 'mcp-auth-doctor-db-'));
    track(dir);
    try {
      copyFileSync(dbPath, join(dir, 'cache.db'), constants.COPYFILE_FICLONE);
      if (before[1].exists) copyFileSync(wal, join(dir, 'cache.db-wal'), constants.COPYFILE_FICLONE);
      if (before[2].exists) copyFileSync(journal, join(dir, 'cache.db-journal'), constants.COPYFILE_FICLONE);
    } catch (e) {
      release(dir);
      const code = (e as NodeJS.ErrnoException).code;
      // The WAL may vanish between stat and copy (the writer closed): retry.
      if (code === 'ENOENT' && existsSync(dbPath)) {
        lastError = e;
        continue;
      }
      if (code === 'EACCES' || code === 'EPERM') throw new InputError(`${dbPath} is not readable (permission denied)`, 'run as a user who can read the store, or copy it somewhere readable');
      if (code === 'ENOSPC') throw new CollectError(`no space in ${tmpdir()} for a private copy of ${dbPath}`, 'free some space or point TMPDIR elsewhere');
      throw new CollectError(`cannot copy ${dbPath} for reading: ${describeError(e)}`, 'check the path and permissions');
    }
    const after = [stamp(dbPath), stamp(wal), stamp(journal)] as const;
    if (same(before[0], after[0]) && same(before[1], after[1]) && same(before[2], after[2])) return { dir, journal: before[2].exists };
    release(dir);
    lastError = new Error('the file changed while it was copied');
  }
  throw new CollectError(`${dbPath} kept changing while it was copied (${describeError(lastError)})`, 'a server is writing heavily; retry, or copy the folder while the server is stopped');
}

type Row = [rowid: number, key: unknown, raw: unknown, expireTime: unknown, mode: unknown, filename: unknown, value: unknown, skipped?: unknown];

const COLUMNS = 'rowid, key, raw, expire_time, mode, filename, value';
/** COLUMNS without the values of rows expired at ? (three times the same time), and whether they are. */
const EXPIRY_COLUMNS = 'rowid, key, raw, expire_time, mode, CASE WHEN expire_time IS NULL OR expire_time > ? THEN filename END, CASE WHEN expire_time IS NULL OR expire_time > ? THEN value END, expire_time IS NOT NULL AND expire_time <= ?';

export class DiskcacheSource implements EntrySource {
  readonly label: string;
  readonly #db: Database.Database;
  readonly #cacheDir: string;
  readonly #dbPath: string;
  #collections?: string[];

  /** What SQLite opens: the private copy's path, or the immutable URI of cache.db. */
  readonly readPath: string;

  constructor(db: Database.Database, dbPath: string, readPath = dbPath) {
    this.#db = db;
    this.#dbPath = dbPath;
    this.#cacheDir = dirname(dbPath);
    this.readPath = readPath;
    this.label = 'cache.db';
  }

  /** The cache.db read (for messages; `readPath` is what SQLite opens). */
  get dbPath(): string {
    return this.#dbPath;
  }

  /** Smallest and largest rowid (for splitting a full read into chunks). */
  rowidSpan(): { min: number; max: number } {
    const r = this.#db.prepare('SELECT min(rowid), max(rowid) FROM Cache').raw(true).get() as [number | null, number | null];
    return { min: r[0] ?? 0, max: r[1] ?? -1 };
  }

  #range?: Database.Statement;

  /**
   * One chunk of a parallel full read: the rows with from <= rowid < to, in rowid order, as `scan`
   * with `skipExpiredValuesAt` yields them, handed to `onBatch` with their rowids. Synchronous (the
   * caller yields between chunks). Returns the number of rows.
   */
  readRange(from: number, to: number, skipExpiredValuesAt: number, onBatch: (batch: RawEntry[], rowids: number[]) => void): number {
    this.#range ??= this.#db.prepare(`SELECT ${EXPIRY_COLUMNS} FROM Cache WHERE rowid >= ? AND rowid < ?`).raw(true);
    let batch: RawEntry[] = [];
    let rowids: number[] = [];
    let n = 0;
    const at = skipExpiredValuesAt;
    const it = this.#range.iterate(at, at, at, from, to) as IterableIterator<Row>;
    try {
      for (;;) {
        let next: IteratorResult<Row>;
        try {
          next = it.next();
        } catch (e) {
          throw sqliteError(e, this.#dbPath);
        }
        if (next.done) break;
        const row = next.value;
        batch.push(this.#toEntry(row));
        rowids.push(row[0]);
        n++;
        if (batch.length >= BATCH) {
          onBatch(batch, rowids);
          batch = [];
          rowids = [];
        }
      }
    } finally {
      it.return?.();
    }
    if (batch.length) onBatch(batch, rowids);
    return n;
  }

  async collections(): Promise<string[]> {
    if (!this.#collections) {
      // One pass over the key index: distinct prefixes before '::'.
      const out = new Set<string>();
      const stmt = this.#db.prepare(`SELECT key FROM Cache WHERE raw = 1 AND typeof(key) = 'text' AND key > ? AND instr(key, '::') > 0 ORDER BY key LIMIT 1`).pluck();
      let from = '';
      for (;;) {
        const k = stmt.get(from) as string | undefined;
        if (k === undefined) break;
        const c = k.slice(0, k.indexOf('::'));
        out.add(c);
        from = `${c}:;`; // skip to the next collection (';' sorts after ':')
      }
      this.#collections = [...out];
    }
    return this.#collections;
  }

  #toEntry(row: Row): RawEntry {
    const [, key, raw, expireTime, mode, filename, value] = row;
    const keyText = typeof key === 'string' ? key : Buffer.isBuffer(key) ? key.toString('utf8') : String(key);
    const sepAt = keyText.indexOf('::');
    const collection = sepAt === -1 ? '' : keyText.slice(0, sepAt);
    const entry: RawEntry = { collection, key: sepAt === -1 ? keyText : keyText.slice(sepAt + 2), keyExact: true, storeExpiresAt: typeof expireTime === 'number' ? expireTime : null, storeExpiryAuthoritative: true };
    if (row[7] === 1) {
      entry.valueSkipped = true;
      return entry;
    }
    if (raw !== 1 || sepAt === -1) {
      entry.error = raw !== 1 ? 'key is not a raw string (not written by py-key-value)' : 'key has no "<collection>::" prefix';
      return entry;
    }
    if (mode === 1) {
      if (typeof value === 'string') entry.text = value;
      else if (Buffer.isBuffer(value)) entry.text = value.toString('utf8');
      else entry.error = 'value column is empty';
    } else if (mode === 3) {
      entry.text = this.#readSideFile(filename, entry);
    } else {
      entry.error = `diskcache mode ${String(mode)} (py-key-value stores text: mode 1 or 3)`;
    }
    return entry;
  }

  #readSideFile(filename: unknown, entry: RawEntry): string | undefined {
    if (typeof filename !== 'string' || !filename) {
      entry.error = 'mode 3 row without a file name';
      return undefined;
    }
    const rel = normalize(filename);
    if (isAbsolute(rel) || rel.startsWith(`..${sep}`) || rel === '..') {
      entry.error = `side file name ${JSON.stringify(filename)} leaves the cache folder`;
      return undefined;
    }
    let fd: number | undefined;
    try {
      // Non-blocking and checked before reading: a FIFO or device is never read (it would block), a huge file is refused.
      fd = openSync(join(this.#cacheDir, rel), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      const st = fstatSync(fd);
      if (!st.isFile()) {
        entry.error = `side file ${rel} is not a regular file`;
        return undefined;
      }
      if (st.size > MAX_ENTRY_BYTES) {
        entry.error = `side file ${rel}: ${refusedSize(st.size)}`;
        return undefined;
      }
      return readFileSync(fd, 'utf8');
    } catch (e) {
      entry.error = `side file ${rel} cannot be read (${(e as NodeJS.ErrnoException).code ?? describeError(e)})`;
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  async *scan(opts: ScanOptions = {}): AsyncGenerator<RawEntry[], void, undefined> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.collections?.length) {
      // Range scans on the key index: "<c>::" <= key < "<c>:;".
      where.push(`(${opts.collections.map(() => '(key >= ? AND key < ?)').join(' OR ')})`);
      for (const c of opts.collections) params.push(`${c}::`, `${c}:;`);
    }
    if (opts.sample && opts.sample > 0) {
      const total = (this.#db.prepare('SELECT count(*) FROM Cache').pluck().get() as number) || 0;
      const step = Math.max(1, Math.ceil(total / opts.sample));
      if (step > 1) {
        where.push('rowid % ? = 0');
        params.push(step);
      }
    }
    let columns = COLUMNS;
    const head: unknown[] = [];
    if (opts.skipExpiredValuesAt !== undefined) {
      columns = EXPIRY_COLUMNS;
      head.push(opts.skipExpiredValuesAt, opts.skipExpiredValuesAt, opts.skipExpiredValuesAt);
    }
    params.unshift(...head);
    let sql = `SELECT ${columns} FROM Cache${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    if (opts.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(opts.limit);
    }
    const stmt = this.#db.prepare(sql).raw(true);
    let batch: RawEntry[] = [];
    const it = stmt.iterate(...params) as IterableIterator<Row>;
    try {
      for (const row of it) {
        batch.push(this.#toEntry(row));
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
          // A macrotask turn between batches: lets SIGINT (ctx.signal) and progress timers run.
          await new Promise<void>((r) => setImmediate(r));
          if (opts.signal?.aborted) return;
        }
      }
      if (batch.length) yield batch;
    } catch (e) {
      throw sqliteError(e, this.#dbPath);
    } finally {
      it.return?.();
    }
  }

  async get(collection: string, key: string): Promise<RawEntry | undefined> {
    // Bind as a JS string: diskcache stores raw keys as TEXT; a Buffer would bind as BLOB and match nothing.
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM Cache WHERE key = ? AND raw = 1`).raw(true).get(`${collection}::${key}`) as Row | undefined;
    return row ? this.#toEntry(row) : undefined;
  }
}

function sqliteError(e: unknown, path: string): Error {
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return new InputError(`${path} is a corrupt SQLite file (${describeError(e)})`, 'restore the store from a backup; FastMCP cannot read it either');
  return new CollectError(`SQLite error while reading ${path}: ${describeError(e)}`, 'retry; if it persists, copy the store while the server is stopped');
}

/** Throws InputError unless `db` has diskcache's Cache table with the columns py-key-value uses. */
function checkSchema(db: Database.Database, dbPath: string): void {
  const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'Cache'`).pluck().get();
  if (!table) throw new InputError(`${dbPath} is not a FastMCP diskcache store (no Cache table)`, 'give the cache.db FastMCP 2.13–2.14 writes under FASTMCP_HOME/oauth-proxy/');
  const cols = db.prepare(`SELECT name FROM pragma_table_info('Cache')`).pluck().all() as string[];
  for (const c of ['key', 'raw', 'expire_time', 'mode', 'filename', 'value']) {
    if (!cols.includes(c)) throw new InputError(`${dbPath} is not a FastMCP diskcache store (Cache has no ${c} column)`, 'give the cache.db FastMCP 2.13–2.14 writes');
  }
  checkStructure(db, dbPath);
}

/**
 * The pages the scan never reads but FastMCP's lookups do: every index of Cache (walked whole by a
 * count through it — the index b-trees only, far cheaper than PRAGMA quick_check over the table) and
 * the Settings table. A malformed page there is a corrupt store (exit 2): FastMCP fails on it with
 * "database disk image is malformed" while a scan by rowid would read as healthy.
 */
function checkStructure(db: Database.Database, dbPath: string): void {
  try {
    const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
    const indexes = db.prepare(`SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('Cache', 'Settings')`).all() as { name: string; tbl_name: string }[];
    for (const { name, tbl_name: table } of indexes) {
      // A column of the index, read from the index itself (a bare count(*) would use the b-tree's cell counts only).
      const column = db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno LIMIT 1`).pluck().get(name) as string | undefined;
      if (column) db.prepare(`SELECT sum(${q(column)} IS NULL) FROM ${q(table)} INDEXED BY ${q(name)}`).pluck().get();
    }
    db.prepare('SELECT sum(length(key) + length(value)) FROM Settings NOT INDEXED').pluck().get();
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || /malformed/i.test(describeError(e))) {
      throw new InputError(`${dbPath} is a corrupt SQLite file: ${describeError(e)} (an index or the Settings table)`, 'restore the store from a backup; FastMCP\'s lookups fail on it too');
    }
    throw e;
  }
}

/** `cache.db` as an immutable, read-only URI (percent-encoded: `?`, `#` and `%` in paths are safe). */
function immutableUri(dbPath: string): string {
  return `${pathToFileURL(resolve(dbPath)).href}?mode=ro&immutable=1`;
}

/**
 * Open `cache.db` in place when no connection holds it (see the header), else undefined. Throws only
 * InputError (not a diskcache store); any other failure leaves the private copy to try.
 */
function openInPlace(Sqlite: typeof Database, dbPath: string): { db: Database.Database; uri: string; changed: () => boolean } | undefined {
  const db0 = stamp(dbPath);
  if (!db0.exists || racy(db0) || stamp(`${dbPath}-wal`).size > 0n || stamp(`${dbPath}-journal`).size > 0n) return undefined;
  const uri = immutableUri(dbPath);
  let db: Database.Database | undefined;
  try {
    db = new Sqlite(uri, { readonly: true, fileMustExist: true });
    checkSchema(db, dbPath);
  } catch (e) {
    db?.close();
    if (e instanceof InputError) throw e;
    return undefined;
  }
  return { db, uri, changed: () => !same(db0, stamp(dbPath)) };
}

/**
 * Open FastMCP's diskcache store at `dbPath`, read-only: in place when no server holds it, else
 * through a private copy (`privateCopy` forces the copy).
 */
export async function openDiskcache(dbPath: string, scanLimits: OpenedStore['scanLimits'] = {}, progress?: ProgressSink, privateCopy = false): Promise<OpenedStore> {
  if (!isSqliteFile(dbPath)) {
    throw new InputError(`${dbPath} is not an SQLite database`, 'give the cache.db FastMCP 2.13–2.14 writes under FASTMCP_HOME/oauth-proxy/, or the folder that holds it');
  }
  // better-sqlite3 is loaded here, not with this module: a run without a cache.db never needs it.
  const { default: Sqlite } = await import('better-sqlite3');
  const store = (db: Database.Database, readPath: string, close: () => void, changedSinceOpen?: () => boolean): OpenedStore => {
    const source = new DiskcacheSource(db, dbPath, readPath);
    return {
      kind: 'diskcache',
      location: dbPath,
      generation: '2.13-2.14',
      fingerprintDirs: [],
      scanLimits,
      ...(changedSinceOpen ? { changedSinceOpen } : {}),
      source: () => source,
      close: async () => {
        try {
          db.close();
        } finally {
          close();
        }
      },
    };
  };
  const inPlace = privateCopy ? undefined : openInPlace(Sqlite, dbPath);
  if (inPlace) return store(inPlace.db, inPlace.uri, () => {}, inPlace.changed);

  const size = stamp(dbPath).size + stamp(`${dbPath}-wal`).size;
  if (size > 64n * 1024n * 1024n) progress?.update(`copying ${dbPath} (${Math.round(Number(size) / 2 ** 20).toLocaleString('en-US')} MB) to a private snapshot…`);
  const { dir, journal } = snapshot(dbPath);
  let db: Database.Database | undefined;
  try {
    // The copy is private: with a journal it is opened writable so SQLite can roll the journal back.
    db = new Sqlite(join(dir, 'cache.db'), { readonly: !journal, fileMustExist: true, timeout: 5000 });
    checkSchema(db, dbPath);
  } catch (e) {
    db?.close();
    release(dir);
    if (e instanceof InputError) throw e;
    throw sqliteError(e, dbPath);
  }
  return store(db, join(dir, 'cache.db'), () => release(dir));
}
