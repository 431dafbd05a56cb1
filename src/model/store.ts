/**
 * The storage tier: the inventory of a whole store, and one token's chain through it
 * (mcp-jti-mappings → mcp-upstream-tokens, mcp-refresh-tokens, mcp-oauth-proxy-clients).
 */
import type { Secret } from '../secrets.js';
import type { FastmcpGeneration } from './settings.js';

export type StoreKind = 'diskcache' | 'filetree' | 'redis' | 'redis-cluster';

export interface CollectionCounts {
  total: number;
  live: number;
  expired: number;
  /** Present but not decryptable with the key in use. */
  undecryptable: number;
  /** Not parseable as a py-key-value document. */
  corrupt: number;
}

export interface FingerprintDirEvidence {
  name: string;
  entries: number;
  /** newest entry created_at (unix seconds) */
  newest?: number;
  /** Which key (label) selects this directory, if any of the given ones does. */
  selectedBy?: string;
}

export interface StoreEvidence {
  kind: StoreKind;
  /** Path or redacted URL. */
  location: string;
  generation: FastmcpGeneration | 'user-store';
  documentFormat: 'A' | 'B' | 'mixed' | 'unknown';
  encryption: 'fernet' | 'none' | 'mixed' | 'unknown';
  /** Label of the Fernet key used to read the store, if any. */
  keyUsed?: string;
  /** FileTree only. */
  fingerprints?: {
    /** Directory read (selected by the current key or given directly). */
    selected?: string;
    /** Directory the current key selects, whether or not it exists. */
    expected?: string;
    dirs: FingerprintDirEvidence[];
  };
  collections: Record<string, CollectionCounts>;
  /** Undecryptable entries that do decrypt with a candidate key: label → count. */
  decryptsWithCandidate: Record<string, number>;
  chainHealth: {
    /** Live JTI mappings whose upstream set is missing or expired. */
    danglingMappings: number;
    /** Live upstream sets no live mapping points to. */
    unreferencedUpstreamSets: number;
    /** Live upstream sets per MCP client id. */
    upstreamSetsPerClient: Record<string, number>;
    /** Live upstream access tokens by prefix (gho_, ghu_, …, "other"). */
    tokensByPrefix: Record<string, number>;
    /** Live upstream access tokens by their own expiry. */
    tokensByExpiry: { expired: number; within24h: number; later: number; never: number };
    /** Upstream sets that hold a refresh token. */
    withRefreshToken: number;
    /** Plaintext upstream tokens seen (unencrypted store). */
    plaintextUpstreamTokens: number;
  };
  /** FileTree: collection directories FastMCP does not read (older naming beside the current name), not counted. */
  leftoverCollectionDirs?: { collection: string; dir: string; readDir: string; entries: number }[];
  /** 3.x+ home that still holds a 2.x cache.db (ignored by FastMCP 3). */
  legacyCacheDb?: string;
  /** Entries read (after --limit/--sample). */
  entriesRead: number;
  limited?: string;
  /** The Fernet keys tried, in order (labels and the directory each selects; never the keys). */
  keysTried?: { label: string; role: 'explicit' | 'current' | 'candidate'; fingerprint: string }[];
  /** FileTree default store: how the directory read was chosen. */
  fingerprintSelection?: 'key' | 'given' | 'only' | 'newest' | 'none';
  /** Entries whose value is Fernet-encrypted / plain (all collections). */
  encryptedEntries?: number;
  plaintextEntries?: number;
  /** Redis: keys not shaped `<collection>::<key>` (another application's), skipped. */
  foreignKeys?: number;
  /** --show-entries: one row per entry. Tokens, secrets, codes only as Secret (fingerprints). */
  entries?: {
    collection: string;
    key: string;
    /** False when `key` is a sanitised FileTree file name (the real key is not recoverable from it). */
    keyExact?: boolean;
    state: 'live' | 'expired' | 'undecryptable' | 'corrupt';
    createdAt?: number;
    expiresAt?: number | null;
    /** Undecryptable with the key in use, but opens with this (candidate) key. */
    decryptsWith?: string;
    reason?: string;
    fields?: Record<string, string | number | boolean | null | string[] | Secret>;
  }[];
}

export type Lookup<T> =
  | { state: 'present'; value: T; expiresAt: number | null; where: string }
  | { state: 'expired'; value?: T; expiresAt: number; where: string }
  | { state: 'missing'; where: string }
  | { state: 'undecryptable'; where: string; /** label of a candidate key that does decrypt it */ decryptsWith?: string; decryptsWithValue?: T }
  | { state: 'corrupt'; where: string; reason: string };

export interface UpstreamSetValue {
  upstreamTokenId: string;
  accessToken: Secret;
  refreshToken: Secret | null;
  expiresAt: number | null;
  refreshTokenExpiresAt: number | null;
  clientId?: string;
  scope?: string;
  tokenType?: string;
  createdAt?: number;
}

/** A newer refresh entry for the same client (see ChainEvidence.refreshSuccessors). Its key is a sha256 hash (not secret). */
export interface RefreshSuccessor {
  /** First 12 hex of the entry's key (sha256 of the successor refresh JWT). */
  hashPrefix: string;
  createdAt: number;
  expiresAt: number | null;
}

/** The token's own chain through the store. */
export interface ChainEvidence {
  jti?: string;
  /** `mcp-jti-mappings[jti]` */
  mapping?: Lookup<{ upstreamTokenId: string; createdAt?: number }>;
  /** `mcp-upstream-tokens[upstream_token_id]` */
  upstreamSet?: Lookup<UpstreamSetValue>;
  /** `mcp-refresh-tokens[sha256(token)]` (refresh tokens only) */
  refreshMeta?: Lookup<{ clientId?: string; scopes?: string[]; expiresAt: number | null }>;
  /**
   * Refresh tokens whose hash is not live: the live `mcp-refresh-tokens` entries for the same
   * client_id created after the presented token's `iat` (newest first, at most 5) — its successors.
   * Empty when looked for and none found; absent when not looked for.
   */
  refreshSuccessors?: RefreshSuccessor[];
  /** `mcp-oauth-proxy-clients[client_id claim]` */
  client?: Lookup<{ clientId: string; redirectUris?: string[] }>;
  /** When the chain was not in the current key's directory/key but in another (label / directory). */
  foundElsewhere?: string;
  /** The store the chain was followed in (FastMCP's behaviour on undecryptable entries depends on it). */
  storeKind?: StoreKind;
  generation?: FastmcpGeneration | 'user-store';
  location?: string;
  /** Label of the key FastMCP would read with (explicit storage key or the current derived key). */
  keyUsed?: string;
  /** FileTree: the directory the current key selects / the one the chain was read in. */
  directory?: string;
}
