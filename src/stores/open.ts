/**
 * Locate and open a FastMCP OAuth store, read-only (fastmcp-oauth-proxy.md §5.1).
 *
 * The target's location (resolved at the command boundary) is: a path — a `cache.db` file, a
 * FASTMCP_HOME, an `oauth-proxy` folder, one fingerprint folder, a user FileTreeStore folder —; a
 * Redis URL with its TLS material and password; or, without `--store`, FastMCP's default homes
 * (FASTMCP_HOME, else the platform data dir), tried in order.
 */
import { showPath } from '../secrets.js';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CollectError, InputError } from '../errors.js';
import type { Io } from '../model/index.js';
import { isSqliteFile, openDiskcache } from './diskcache.js';
import { FileTreeSource, hasInfoFiles } from './filetree.js';
import { openRedis } from './redis.js';
import type { StoreTarget } from './target.js';
import type { FingerprintDir, OpenedStore, ProgressSink } from './types.js';

export type { OpenedStore } from './types.js';

const FINGERPRINT = /^[0-9a-f]{12}$/;

type Probe = { kind: 'missing' } | { kind: 'denied' } | { kind: 'file' } | { kind: 'dir'; names: { name: string; dir: boolean; file: boolean }[] };

function probe(path: string): Probe {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? { kind: 'denied' } : { kind: 'missing' };
  }
  if (!st.isDirectory()) return { kind: 'file' };
  try {
    const names = readdirSync(path, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory(), file: d.isFile() }));
    return { kind: 'dir', names };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? { kind: 'denied' } : { kind: 'missing' };
  }
}

function fingerprintDirsIn(names: { name: string; dir: boolean }[], base: string): FingerprintDir[] {
  return names
    .filter((n) => n.dir && FINGERPRINT.test(n.name))
    .map((n) => ({ name: n.name, path: join(base, n.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function fileTreeDefault(base: string, dirs: FingerprintDir[], scanLimits: OpenedStore['scanLimits'], extra: { givenDir?: string; legacyCacheDb?: string }): OpenedStore {
  const sources = new Map<string, FileTreeSource>();
  const store: OpenedStore = {
    kind: 'filetree',
    location: extra.givenDir ? join(base, extra.givenDir) : base,
    generation: '3.x+',
    fingerprintDirs: dirs,
    scanLimits,
    ...(extra.givenDir ? { givenDir: extra.givenDir } : {}),
    ...(extra.legacyCacheDb ? { legacyCacheDb: extra.legacyCacheDb } : {}),
    source(dir?: string) {
      const name = dir ?? extra.givenDir ?? dirs[0]?.name ?? '';
      let s = sources.get(name);
      if (!s) {
        s = new FileTreeSource(join(base, name), `fingerprint directory ${name}`);
        sources.set(name, s);
      }
      return s;
    },
    close: async () => {},
  };
  return store;
}

function userFileTree(dir: string, scanLimits: OpenedStore['scanLimits']): OpenedStore {
  const source = new FileTreeSource(dir, `FileTree folder ${basename(dir)}`);
  return { kind: 'filetree', location: dir, generation: 'user-store', fingerprintDirs: [], scanLimits, source: () => source, close: async () => {} };
}

interface OpenHow {
  scanLimits: OpenedStore['scanLimits'];
  progress?: ProgressSink;
  privateCopy?: boolean;
}

/** What a folder is, or a reason it is not a store. */
async function classify(path: string, how: OpenHow): Promise<OpenedStore | string> {
  const { scanLimits } = how;
  const p = probe(path);
  if (p.kind === 'missing') return 'does not exist';
  if (p.kind === 'denied') throw new CollectError(`cannot read ${path}: permission denied`, 'run as a user who can read the store');
  if (p.kind === 'file') {
    if (!isSqliteFile(path)) throw new InputError(`${path} is not an SQLite database (nor a FastMCP store folder)`, 'give cache.db, FASTMCP_HOME, its oauth-proxy folder, a fingerprint folder or a redis:// URL');
    return openDiskcache(path, scanLimits, how.progress, how.privateCopy);
  }
  const names = p.names;
  const has = (n: string, dir: boolean) => names.some((x) => x.name === n && (dir ? x.dir : x.file));
  // FASTMCP_HOME
  if (has('oauth-proxy', true)) {
    const inner = await classify(join(path, 'oauth-proxy'), how);
    return typeof inner === 'string' ? `holds oauth-proxy/ which ${inner}` : inner;
  }
  // oauth-proxy folder: 3.x fingerprint directories (and maybe a leftover 2.x cache.db)
  const dirs = fingerprintDirsIn(names, path);
  if (dirs.length) {
    const legacy = has('cache.db', false) ? join(path, 'cache.db') : undefined;
    return fileTreeDefault(path, dirs, scanLimits, legacy ? { legacyCacheDb: legacy } : {});
  }
  if (has('cache.db', false)) return openDiskcache(join(path, 'cache.db'), scanLimits, how.progress, how.privateCopy);
  // One fingerprint folder, or a FileTreeStore the operator built
  if (names.some((n) => n.file && n.name.endsWith('-info.json')) || hasInfoFiles(path)) {
    const name = basename(path);
    if (FINGERPRINT.test(name)) {
      const parent = dirname(path);
      const siblings = probe(parent);
      const all = siblings.kind === 'dir' ? fingerprintDirsIn(siblings.names, parent) : [{ name, path }];
      const legacy = siblings.kind === 'dir' && siblings.names.some((n) => n.name === 'cache.db' && n.file) ? join(parent, 'cache.db') : undefined;
      return fileTreeDefault(parent, all.some((d) => d.name === name) ? all : [...all, { name, path }], scanLimits, { givenDir: name, ...(legacy ? { legacyCacheDb: legacy } : {}) });
    }
    return userFileTree(path, scanLimits);
  }
  return names.length ? 'holds no cache.db, no fingerprint directory and no *-info.json file' : 'is empty';
}

/**
 * Locate and open the store. InputError (exit 2) when nothing is found (listing every place looked)
 * or the path is not a FastMCP store; CollectError (exit 3) when it cannot be read (Redis down, …).
 */
export async function openStore(target: StoreTarget, io: Io = {}): Promise<OpenedStore> {
  const scanLimits: OpenedStore['scanLimits'] = { ...target.limits };
  const how: OpenHow = { scanLimits, ...(io.progress ? { progress: io.progress } : {}), ...(target.privateCopy ? { privateCopy: true } : {}) };
  const location = target.location;
  if (location.kind === 'redis') return openRedis(location, scanLimits);
  if (location.kind === 'path') {
    const path = location.path;
    const r = await classify(path, how);
    if (typeof r !== 'string') return r;
    if (r === 'does not exist') throw new InputError(`--store ${showPath(path)} does not exist`, 'check the path (cache.db, FASTMCP_HOME, its oauth-proxy folder, a fingerprint folder) or give a redis:// URL');
    throw new InputError(`${path} is not a FastMCP store: it ${r}`, 'give cache.db, FASTMCP_HOME, its oauth-proxy folder, a fingerprint folder or a redis:// URL');
  }
  const looked: string[] = [];
  for (const home of location.homes) {
    const r = await classify(home, how);
    if (typeof r !== 'string') return r;
    looked.push(`${home} (${r})`);
  }
  throw new InputError(`no FastMCP store found; looked in ${looked.join('; ')}`, 'give --store <path|redis-url>, or set FASTMCP_HOME as the server does');
}

/**
 * Open the store, `read` it, close it. A `cache.db` read in place that a server wrote to meanwhile
 * (`changedSinceOpen`) is read once more, from a private copy, so the result is never torn.
 */
export async function readStore<T>(target: StoreTarget, io: Io, read: (store: OpenedStore) => Promise<T>): Promise<T> {
  let store = await openStore(target, io);
  for (;;) {
    let result: T;
    let changed = false;
    try {
      result = await read(store);
      changed = store.changedSinceOpen?.() ?? false;
    } finally {
      await store.close();
    }
    if (!changed || io.signal?.aborted) return result;
    io.progress?.update(`${store.location} changed while it was read; reading a private copy…`);
    store = await openStore({ ...target, privateCopy: true }, io);
  }
}
