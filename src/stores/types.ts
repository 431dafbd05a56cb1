/**
 * The storage tier's internal interface: one adapter per layout (diskcache SQLite, FileTree, Redis),
 * all read-only, all yielding the same raw entries. Decoding (py-key-value documents, the Fernet
 * envelope, FastMCP's models) happens above the adapters, in one place (inventory.ts / chain.ts).
 *
 * Contract for every adapter:
 * - never writes to the store (no files created beside it, Redis read commands only);
 * - streams: `scan()` yields batches, so memory stays flat whatever the store's size;
 * - errors reaching the store become `CollectError` (exit 3); a path that is not a store is an
 *   `InputError` (exit 2). Neither ever carries a secret (URLs are redacted).
 */
import type { FastmcpGeneration, StoreKind } from '../model/index.js';

export type { ProgressSink } from '../model/index.js';

/** One stored entry as the adapter found it, before any decoding. */
export interface RawEntry {
  collection: string;
  /**
   * The entry's key. Exact for diskcache and Redis; for FileTree the file name without `.json`,
   * which is the key itself unless the name was sanitised (`S_…-<h8>`, see `keyExact`).
   */
  key: string;
  /** False when `key` is a sanitised FileTree file name (one-way: the real key is in the value, if anywhere). */
  keyExact: boolean;
  /** The py-key-value document text (JSON). Undefined when it could not be read (see `error`). */
  text?: string;
  /** Why the document could not be read (side file missing, not a string value, I/O error). */
  error?: string;
  /**
   * Expiry kept by the store itself, unix seconds: diskcache `expire_time`, Redis read time + PTTL.
   * `null` = the store keeps no expiry for it; undefined = the layout has no such notion (FileTree).
   */
  storeExpiresAt?: number | null;
  /**
   * The store's expiry is the one that counts and the document's `expires_at` need not be parsed
   * (diskcache: `get()` filters on `expire_time`, which is a few µs before the document's).
   */
  storeExpiryAuthoritative?: boolean;
  /** The value was not read because the store's own expiry had passed (ScanOptions.skipExpiredValuesAt). */
  valueSkipped?: boolean;
}

export interface ScanOptions {
  /** Only these collections (exact names). Default: every collection, known or not. */
  collections?: string[];
  /** Stop after this many entries. */
  limit?: number;
  /** Read about this many entries spread over the store. */
  sample?: number;
  signal?: AbortSignal;
  /**
   * Do not read values of entries whose store-kept expiry is at or before this time (diskcache:
   * expired rows stay until culled, and often outnumber live ones). They come back with `valueSkipped`.
   */
  skipExpiredValuesAt?: number;
}

/**
 * A readable set of collections: the whole store (diskcache, Redis, a user FileTree folder) or one
 * fingerprint directory of FastMCP's default FileTree store.
 */
export interface EntrySource {
  /** For messages and `Lookup.where`, e.g. "cache.db", "fingerprint directory c714d6d70505", "redis://…/0". */
  readonly label: string;
  /** Collections known to exist (FileTree: from `*-info.json`; others: found while scanning, so maybe empty before). */
  collections(): Promise<string[]>;
  /** Every entry, in batches. Stops early on `signal` abort (no throw) — the caller notices the abort. */
  scan(opts?: ScanOptions): AsyncGenerator<RawEntry[], void, undefined>;
  /** One entry by exact collection and key, or undefined when absent. */
  get(collection: string, key: string): Promise<RawEntry | undefined>;
  /** Where a running scan is, for progress (e.g. "master 2/3 127.0.0.1:7001"); undefined when there is nothing to add. */
  position?(): string | undefined;
  /**
   * Parts the last finished scan could not read and skipped (e.g. a cluster master that is down, files
   * that vanished while the folder was read), each with why. Empty: nothing was skipped.
   */
  unread?(): string[];
}

/** A fingerprint directory of FastMCP's 3.x+ default store (`<home>/oauth-proxy/<sha256(K_store)[:12]>`). */
export interface FingerprintDir {
  name: string;
  path: string;
}

/** What `openStore` returns. Always `close()` it (temp copies, Redis connections). */
export interface OpenedStore {
  readonly kind: StoreKind;
  /** Path, or the Redis URL with the password redacted. Never a secret. */
  readonly location: string;
  /** 2.13–2.14 (diskcache), 3.x+ (default FileTree), or a store the operator built (Redis, custom FileTree). */
  readonly generation: FastmcpGeneration | 'user-store';
  /** FileTree default store: every fingerprint directory under oauth-proxy/ (empty for other layouts). */
  readonly fingerprintDirs: FingerprintDir[];
  /** Set when --store named one fingerprint directory: that one is read whatever the key. */
  readonly givenDir?: string;
  /** A 2.x `cache.db` found beside a 3.x FileTree store (FastMCP 3 ignores it). */
  readonly legacyCacheDb?: string;
  /** --limit / --sample as given to openStore: applied by the inventory (never to point lookups). */
  readonly scanLimits: { limit?: number; sample?: number };
  /**
   * The entries of a fingerprint directory (by name; FileTree default store) or of the whole store
   * (others: the argument is ignored).
   */
  source(dir?: string): EntrySource;
  /**
   * Set when the store is read in place without locks (a `cache.db` no server held): true once the
   * file has changed since it was opened, so what was read may be torn. `readStore` reads again.
   */
  changedSinceOpen?(): boolean;
  close(): Promise<void>;
}

