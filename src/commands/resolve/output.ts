/**
 * `--output <file>`: where the report goes instead of stdout, checked once at the command boundary,
 * before anything is read (exit 2 with one line).
 *
 * Policy: the file is created or replaced (atomically: a temporary file beside it, then a rename),
 * except that it may never be
 *  - a directory, or anything but a regular file;
 *  - one of the run's inputs (any path given in a flag or argument, or through `--env-file`'s values);
 *  - inside a directory given as an input (a FileTree store, FASTMCP_HOME, …);
 *  - a store: a SQLite file (diskcache `cache.db`) or anything under a FastMCP `oauth-proxy` folder;
 *  - `-`: that is stdout — leave `--output` out.
 * The doctor is read-only towards stores and inputs; `--output` keeps it so.
 */
import { closeSync, openSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../errors.js';

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function looksLikeSqlite(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return n === 16 && buf.toString('latin1') === 'SQLite format 3\0';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Every string a flag or argument carries that names an existing path (the run's inputs). */
function inputPaths(values: unknown[], cwd: string): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'string' && v && v !== '-' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
      const r = real(resolve(cwd, v));
      if (r) out.push(r);
    }
  };
  values.forEach(visit);
  return out;
}

/**
 * Check `file` against the policy above; returns the absolute path to write to.
 * `values`: the command's option values and arguments; `env`: variables whose values may name inputs
 * (FASTMCP_HOME, the key files of an env file).
 */
export function resolveOutputFile(file: string, values: unknown[], env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const hint = 'write the report somewhere else (a new file), or leave --output out to print it';
  if (!file.trim()) throw new UsageError('--output is empty', hint);
  if (file === '-') throw new UsageError('--output - is stdout', 'leave --output out to print the report');
  const target = resolve(cwd, file);
  const dir = real(dirname(target));
  if (!dir) throw new UsageError(`--output ${file}: the folder ${dirname(target)} does not exist`, 'create it first, or choose another path');
  const path = join(dir, basename(target));
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isFile()) throw new UsageError(`--output ${file} is ${existing.isDirectory() ? 'a directory' : 'not a regular file'}`, hint);
  const realPath = existing ? (real(path) ?? path) : path;
  const envPaths = [env.FASTMCP_HOME].filter((v): v is string => typeof v === 'string');
  for (const input of inputPaths([...values, ...envPaths], cwd)) {
    if (realPath === input) throw new UsageError(`--output ${file} is one of this run's inputs; it is never overwritten`, hint);
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      isDir = false;
    }
    if (isDir && isInside(realPath, input)) throw new UsageError(`--output ${file} is inside ${input}, an input of this run (a store or its folder); nothing is written there`, hint);
  }
  if (realPath.split(sep).includes('oauth-proxy')) throw new UsageError(`--output ${file} is inside a FastMCP oauth-proxy store folder; nothing is written there`, hint);
  if (existing && looksLikeSqlite(realPath)) throw new UsageError(`--output ${file} is a SQLite database (a store?); it is never overwritten`, hint);
  return realPath;
}

/** Write the report: a temporary file beside the target, then a rename (no half-written report). */
export function writeOutputFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // not created
    }
    throw e;
  }
}
