/**
 * Which part of a store FastMCP reads with the given key: for the 3.x+ default FileTree store the
 * fingerprint directory named after the current key (sha256(K_store)[:12]); for every other layout
 * the whole store.
 */
import type { Keyring } from './keyring.js';
import type { EntrySource, OpenedStore } from './types.js';

export interface Selection {
  /** The source FastMCP reads (undefined: the current key's directory does not exist). */
  source?: EntrySource;
  /** Fingerprint directory read, when FileTree default. */
  dir?: string;
  /** The directory the current key selects (whether or not it exists). */
  expected?: string;
  how: 'key' | 'given' | 'only' | 'newest' | 'none' | 'whole-store';
}

/** Label of the key that selects a fingerprint directory, if one of the given keys does. */
export function selectedBy(keyring: Keyring, dir: string): string | undefined {
  return keyring.entries.find((e) => e.fingerprint === dir)?.label;
}

/**
 * Pick the source. `newest` is only used without any key, when several directories exist: it needs
 * each directory's newest entry time, which the caller supplies.
 */
export function selectSource(store: OpenedStore, keyring: Keyring, newestOf?: (dir: string) => number | undefined): Selection {
  if (store.fingerprintDirs.length === 0) return { source: store.source(), how: 'whole-store' };
  const expected = keyring.primary?.fingerprint;
  const names = store.fingerprintDirs.map((d) => d.name);
  const base: Selection = { how: 'none' };
  if (expected) base.expected = expected;
  if (store.givenDir) return { ...base, source: store.source(store.givenDir), dir: store.givenDir, how: 'given' };
  if (expected) {
    if (names.includes(expected)) return { ...base, source: store.source(expected), dir: expected, how: 'key' };
    return base;
  }
  if (names.length === 1) return { ...base, source: store.source(names[0]), dir: names[0]!, how: 'only' };
  // No key: a candidate may still select one (e.g. only candidates given).
  const byCandidate = names.find((n) => selectedBy(keyring, n));
  if (byCandidate) return { ...base, source: store.source(byCandidate), dir: byCandidate, how: 'key' };
  if (newestOf) {
    let best: string | undefined;
    let bestAt = Number.NEGATIVE_INFINITY;
    for (const n of names) {
      const at = newestOf(n) ?? Number.NEGATIVE_INFINITY;
      if (best === undefined || at > bestAt) {
        best = n;
        bestAt = at;
      }
    }
    if (best) return { ...base, source: store.source(best), dir: best, how: 'newest' };
  }
  return base;
}
