/**
 * py-key-value's FileTreeStore (fastmcp-oauth-proxy.md §5.4): FastMCP 3.x+'s default store
 * (`<home>/oauth-proxy/<fingerprint>/S_<collection>-<h8>/<key file>.json`, sanitised names) and a
 * FileTreeStore the operator builds (no sanitisation: `<dir>/<collection>/<key>.json`).
 *
 * Collections are located through their `<dir name>-info.json` files (the `collection` field). The
 * info file's `directory` field is an absolute path from the machine that wrote it — never used.
 * Files are read synchronously in batches: for many small files that is several times faster than
 * one promise per file, and the batches still let SIGINT through.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CollectError, describeError } from '../errors.js';
import { MAX_ENTRY_BYTES, refusedSize } from './limits.js';
import { collectionDirName, keyFileNames, KNOWN_COLLECTIONS, matchesTruncated } from '../fastmcp/collections.js';
import type { EntrySource, RawEntry, ScanOptions } from './types.js';

const BATCH = 500;
const INFO_SUFFIX = '-info.json';

interface CollectionDir {
  collection: string;
  /** Directory name (may not exist: FastMCP writes the info file when it sets a collection up). */
  dirName: string;
  /**
   * Another directory holds the same collection under the name FastMCP reads (this one is a leftover
   * of older naming, e.g. `mcp_jti_mappings-<hash>` beside `S_mcp_jti_mappings-a0131f3f`): the name read.
   */
  shadowedBy?: string;
}

/** A collection directory FastMCP does not read because another one holds the collection under the current name. */
export interface LeftoverCollectionDir {
  collection: string;
  dir: string;
  /** The directory FastMCP reads for the collection. */
  readDir: string;
  entries: number;
}

function listDir(path: string): import('node:fs').Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new CollectError(`cannot list ${path}: ${code === 'EACCES' ? 'permission denied' : describeError(e)}`, 'run as a user who can read the store');
  }
}

/** The collections of one FileTree directory, from its `*-info.json` files (plus collection dirs without one). */
export function readCollectionDirs(dir: string): CollectionDir[] {
  const entries = listDir(dir);
  const out: CollectionDir[] = [];
  const byDir = new Set<string>();
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith(INFO_SUFFIX)) continue;
    const dirName = e.name.slice(0, -INFO_SUFFIX.length);
    let collection: string | undefined;
    try {
      const info = JSON.parse(readRegularFile(join(dir, e.name)) ?? '') as { collection?: unknown };
      if (typeof info.collection === 'string') collection = info.collection;
    } catch {
      // An unreadable info file: fall back to the directory name.
    }
    out.push({ collection: collection ?? guessCollection(dirName), dirName });
    byDir.add(dirName);
  }
  for (const e of entries) {
    if (!e.isDirectory() || byDir.has(e.name)) continue;
    out.push({ collection: guessCollection(e.name), dirName: e.name });
  }
  // Several directories for one collection: FastMCP reads the one under the current name — the
  // sanitised name (default store), else the raw collection name (a FileTreeStore built without
  // sanitisation); the others are leftovers of older naming.
  const byCollection = new Map<string, CollectionDir[]>();
  for (const cd of out) byCollection.set(cd.collection, [...(byCollection.get(cd.collection) ?? []), cd]);
  for (const [collection, dirs] of byCollection) {
    if (dirs.length < 2) continue;
    const read = dirs.find((d) => d.dirName === collectionDirName(collection)) ?? dirs.find((d) => d.dirName === collection);
    if (!read) continue;
    for (const d of dirs) if (d !== read) d.shadowedBy = read.dirName;
  }
  return out;
}

function guessCollection(dirName: string): string {
  for (const c of KNOWN_COLLECTIONS) if (collectionDirName(c) === dirName || c === dirName) return c;
  // Older naming: the collection's name with "_" for "-", a hash fragment, with or without "S_".
  const stem = dirName.replace(/^S_/, '').replace(/-[0-9a-f]{8}$/, '');
  for (const c of KNOWN_COLLECTIONS) if (stem !== dirName && stem === c.replace(/-/g, '_')) return c;
  return dirName;
}

/** Does this folder look like a FileTree directory (has `*-info.json` files)? */
export function hasInfoFiles(dir: string): boolean {
  return listDir(dir).some((e) => e.isFile() && e.name.endsWith(INFO_SUFFIX));
}

export class FileTreeSource implements EntrySource {
  readonly label: string;
  readonly #dir: string;
  #dirs?: CollectionDir[];

  constructor(dir: string, label: string) {
    this.#dir = dir;
    this.label = label;
  }

  get path(): string {
    return this.#dir;
  }

  #allDirs(): CollectionDir[] {
    this.#dirs ??= readCollectionDirs(this.#dir);
    return this.#dirs;
  }

  /** The collection directories FastMCP reads (leftovers of older naming are not read). */
  #collectionDirs(): CollectionDir[] {
    return this.#allDirs().filter((c) => c.shadowedBy === undefined);
  }

  /** Collection directories beside the ones FastMCP reads, from older naming, with their entry files. */
  leftovers(): LeftoverCollectionDir[] {
    return this.#allDirs()
      .filter((c) => c.shadowedBy !== undefined)
      .map((c) => ({ collection: c.collection, dir: c.dirName, readDir: c.shadowedBy!, entries: listDir(join(this.#dir, c.dirName)).filter((e) => e.isFile() && e.name.endsWith('.json')).length }));
  }

  async collections(): Promise<string[]> {
    return [...new Set(this.#collectionDirs().map((c) => c.collection))];
  }

  /** Entry files listed but gone when read (the server deleted them meanwhile), in the last scan. */
  #vanished = 0;
  /** Entry files this user may not read (EACCES/EPERM), in the last scan: not judged, the read is partial. */
  #denied = 0;

  unread(): string[] {
    const out: string[] = [];
    if (this.#denied) out.push(`${this.#denied} entry file${this.#denied === 1 ? '' : 's'} (permission denied: run as a user who can read the store)`);
    if (this.#vanished) out.push(`${this.#vanished} entry file${this.#vanished === 1 ? '' : 's'} that vanished while the folder was read (deleted by the server meanwhile)`);
    return out;
  }

  /**
   * The entry, 'vanished' when the file is gone since it was listed, 'denied' when this user may not
   * read it. An entry above the size cap is refused unread (an entry with an error). Opened non-blocking and checked with fstat before reading (the same system calls
   * readFileSync makes): a FIFO, a device or a huge file is never read.
   */
  #read(path: string, collection: string, stem: string): RawEntry | 'vanished' | 'denied' {
    const entry: RawEntry = { collection, key: stem, keyExact: !stem.startsWith('S_') };
    let fd: number | undefined;
    try {
      fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      const st = fstatSync(fd);
      if (!st.isFile()) entry.error = `${path} is not a regular file`;
      else if (st.size > MAX_ENTRY_BYTES) entry.error = refusedSize(st.size);
      else entry.text = st.size === 0 ? '' : readSmall(fd, st.size);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return stem.includes('\uFFFD') ? { ...entry, error: 'the file name is not valid UTF-8 (FastMCP never writes such a name)' } : 'vanished';
      if (code === 'EACCES' || code === 'EPERM') return 'denied';
      entry.error = `cannot read ${path} (${code ?? describeError(e)})`;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return entry;
  }

  async *scan(opts: ScanOptions = {}): AsyncGenerator<RawEntry[], void, undefined> {
    const wanted = opts.collections?.length ? new Set(opts.collections) : undefined;
    let read = 0;
    this.#vanished = 0;
    this.#denied = 0;
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    let batch: RawEntry[] = [];
    for (const cd of this.#collectionDirs()) {
      if (wanted && !wanted.has(cd.collection)) continue;
      const dirPath = join(this.#dir, cd.dirName);
      let names = listDir(dirPath)
        .filter((e) => e.isFile() && e.name.endsWith('.json') && e.name !== 'info.json')
        .map((e) => e.name);
      if (opts.sample && opts.sample > 0) names = spread(names, opts.sample);
      for (const name of names) {
        if (read >= limit) break;
        const entry = this.#read(join(dirPath, name), cd.collection, name.slice(0, -5));
        if (typeof entry === 'string') {
          if (entry === 'vanished') this.#vanished++;
          else this.#denied++;
          continue;
        }
        batch.push(entry);
        read++;
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
          // Let SIGINT handlers run between batches.
          await new Promise<void>((r) => setImmediate(r));
          if (opts.signal?.aborted) return;
        }
      }
      if (read >= limit) break;
    }
    if (batch.length) yield batch;
  }

  async get(collection: string, key: string): Promise<RawEntry | undefined> {
    const dirs = this.#collectionDirs().filter((c) => c.collection === collection);
    for (const cd of dirs) {
      const dirPath = join(this.#dir, cd.dirName);
      for (const stem of keyFileNames(key)) {
        const p = join(dirPath, `${stem}.json`);
        const found = isFile(p) ? this.#read(p, collection, stem) : undefined;
        if (found) return { ...entryOrThrow(found, p), key, keyExact: true };
      }
      // A name truncated to the server's path limits: find it by prefix and hash fragment.
      if (key.length > 100) {
        for (const e of listDir(dirPath)) {
          if (e.isFile() && e.name.endsWith('.json') && matchesTruncated(e.name.slice(0, -5), key)) {
            const found = this.#read(join(dirPath, e.name), collection, e.name.slice(0, -5));
            if (found !== 'vanished') return { ...entryOrThrow(found, join(dirPath, e.name)), key, keyExact: true };
          }
        }
      }
    }
    return undefined;
  }
}

/** A looked-up entry the doctor could not read is "could not read" (exit 3), never "missing". */
function entryOrThrow(found: RawEntry | 'vanished' | 'denied', path: string): RawEntry {
  if (found === 'denied') throw new CollectError(`cannot read ${path}: permission denied`, 'run as a user who can read the store');
  if (found === 'vanished') throw new CollectError(`${path} vanished while it was read`, 'run again');
  return found;
}

/** A small regular file's text, or undefined (not a regular file, or above the cap): never blocks on a FIFO. */
function readRegularFile(path: string): string | undefined {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    return st.isFile() && st.size <= MAX_ENTRY_BYTES ? readSmall(fd, st.size) : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Read exactly `size` bytes (as fstat said) of an open regular file as UTF-8. */
function readSmall(fd: number, size: number): string {
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.toString('utf8', 0, off);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** About n names spread evenly over the list. */
function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  const step = list.length / n;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(list[Math.floor(i * step)]!);
  return out;
}
