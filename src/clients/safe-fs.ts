/**
 * Reading a client home that may be hostile: read-only opens, no symlink leaves the directory it
 * was found in, a size cap per file, a bound on directory entries, FIFOs and devices refused, names
 * that are not UTF-8 skipped (with a note). Nothing here throws for odd content: callers get a
 * problem or an empty listing.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, type Stats } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import type { CacheFile, ClientName, ClientNote, EntryProblem, ScanLimits } from './types.js';

export const DEFAULT_LIMITS: ScanLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxDepth: 4,
  maxEntries: 20_000,
  maxSessionsPerFile: 1_000,
};

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type ReadResult = { ok: true; text: string; file: CacheFile } | { ok: false; problem: EntryProblem; file: CacheFile };

export interface DirEntry {
  name: string;
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function fileInfo(path: string, st: Stats | null): CacheFile {
  const mode = st ? st.mode & 0o777 : null;
  return { path, mode, readableByOthers: mode !== null && (mode & 0o044) !== 0, size: st ? st.size : null, mtimeMs: st ? st.mtimeMs : null };
}

export class SafeFs {
  readonly limits: ScanLimits;
  #entries = 0;
  #limitNoted = false;

  constructor(
    limits: ScanLimits,
    private readonly notes: ClientNote[],
  ) {
    this.limits = limits;
  }

  /** realpath, or null when the path does not exist / cannot be resolved. */
  real(path: string): string | null {
    try {
      return realpathSync(path);
    } catch {
      return null;
    }
  }

  /**
   * A cache directory to search, bounded by `boundary` (a real path): its real path when it exists
   * and stays inside the boundary; null when absent; 'outside' when a symlink on the way leaves it.
   */
  resolveDir(path: string, boundary: string): string | null | 'outside' {
    try {
      lstatSync(path);
    } catch {
      return null;
    }
    const real = this.real(path);
    if (!real) return null;
    // Any component may be a symlink (`~/.local` → elsewhere): the resolved path must stay inside.
    if (!isInside(boundary, real)) return 'outside';
    try {
      if (!lstatSync(real).isDirectory()) return null;
    } catch {
      return null;
    }
    return real;
  }

  /** Entries of a directory (names decoded strictly; non-UTF-8 names skipped with a note). */
  list(dir: string, client: ClientName): DirEntry[] {
    let raw: import('node:fs').Dirent<Buffer>[];
    try {
      raw = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      const code = errCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        this.notes.push({ client, kind: 'unreadable', message: `cannot list the directory (${code === 'EACCES' ? 'permission denied' : (code ?? 'error')})`, path: dir });
      }
      return [];
    }
    const out: DirEntry[] = [];
    let skippedNames = 0;
    for (const d of raw) {
      if (this.#entries >= this.limits.maxEntries) {
        if (!this.#limitNoted) {
          this.#limitNoted = true;
          this.notes.push({ client, kind: 'skipped', message: `stopped after ${this.limits.maxEntries} directory entries; the rest of the search was not done`, path: dir, hint: 'point --client-cache at the cache directory itself' });
        }
        break;
      }
      this.#entries++;
      let name: string;
      try {
        name = utf8.decode(d.name);
      } catch {
        skippedNames++;
        continue;
      }
      const kind = d.isSymbolicLink() ? 'symlink' : d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other';
      out.push({ name, path: join(dir, name), kind });
    }
    if (skippedNames > 0) {
      this.notes.push({ client, kind: 'skipped', message: `${skippedNames} name${skippedNames === 1 ? '' : 's'} that ${skippedNames === 1 ? 'is' : 'are'} not UTF-8 skipped (no client writes such names)`, path: dir });
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out;
  }

  /** True once the entry bound was reached (walkers stop descending). */
  get exhausted(): boolean {
    return this.#entries >= this.limits.maxEntries;
  }

  /** The file's stat without following a final symlink (for modes of files not read). */
  info(path: string): CacheFile {
    try {
      return fileInfo(path, lstatSync(path));
    } catch {
      return fileInfo(path, null);
    }
  }

  /**
   * Read a small text file read-only. A symlink is followed only when its target stays inside
   * `boundary`; a FIFO/device/directory, a file over the size cap, or non-UTF-8 content is a problem.
   */
  readText(path: string, boundary: string): ReadResult {
    let target = path;
    let lst: Stats;
    try {
      lst = lstatSync(path);
    } catch (e) {
      return { ok: false, problem: { kind: 'unreadable', message: describeCode(errCode(e)), path }, file: fileInfo(path, null) };
    }
    if (lst.isSymbolicLink()) {
      const real = this.real(path);
      if (!real || !isInside(boundary, real)) {
        return { ok: false, problem: { kind: 'symlink-outside', message: 'a symlink that points outside the cache directory; not followed', path }, file: fileInfo(path, lst) };
      }
      target = real;
    }
    let fd: number;
    try {
      fd = openSync(target, OPEN_FLAGS);
    } catch (e) {
      const code = errCode(e);
      if (code === 'ELOOP') return { ok: false, problem: { kind: 'symlink-outside', message: 'the file was replaced by a symlink; not followed', path }, file: fileInfo(path, lst) };
      return { ok: false, problem: { kind: 'unreadable', message: describeCode(code), path }, file: fileInfo(path, lst) };
    }
    try {
      const st = fstatSync(fd);
      const file = fileInfo(path, st);
      if (!st.isFile()) return { ok: false, problem: { kind: 'not-a-file', message: 'not a regular file; not read', path }, file };
      const cap = this.limits.maxFileBytes;
      if (st.size > cap) return { ok: false, problem: { kind: 'too-large', message: `${st.size} bytes, over the ${cap}-byte limit for a cache file; not read`, path }, file };
      const buf = Buffer.alloc(Math.min(st.size, cap) + 1);
      let n = 0;
      for (;;) {
        let r: number;
        try {
          r = readSync(fd, buf, n, buf.length - n, null);
        } catch (e) {
          if (errCode(e) === 'EAGAIN') break;
          throw e;
        }
        if (r === 0) break;
        n += r;
        if (n >= buf.length) break;
      }
      if (n > cap) return { ok: false, problem: { kind: 'too-large', message: `grew past the ${cap}-byte limit while being read; not read`, path }, file };
      let text: string;
      try {
        text = utf8.decode(buf.subarray(0, n));
      } catch {
        return { ok: false, problem: { kind: 'unparseable', message: 'not UTF-8 text', path }, file };
      }
      return { ok: true, text, file };
    } catch (e) {
      return { ok: false, problem: { kind: 'unreadable', message: describeCode(errCode(e)), path }, file: fileInfo(path, lst) };
    } finally {
      closeSync(fd);
    }
  }
}

function describeCode(code: string | undefined): string {
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'no such file';
  return `cannot be read (${code ?? 'error'})`;
}
