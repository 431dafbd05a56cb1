/**
 * FastMCP's OAuth collections (fastmcp-oauth-proxy.md §4.1) and py-key-value's FileTree name
 * sanitisation (§5.4; `HybridSanitizationStrategy` with the "FileTreeV1" settings).
 */
import { createHash } from 'node:crypto';

export const COLLECTIONS = {
  clients: 'mcp-oauth-proxy-clients',
  transactions: 'mcp-oauth-transactions',
  codes: 'mcp-authorization-codes',
  upstreamTokens: 'mcp-upstream-tokens',
  jtiMappings: 'mcp-jti-mappings',
  refreshTokens: 'mcp-refresh-tokens',
  consentCsrf: 'mcp-consent-csrf-tokens',
} as const;

/** The seven server-side collections, in the order the inventory lists them. */
export const KNOWN_COLLECTIONS: readonly string[] = [
  COLLECTIONS.clients,
  COLLECTIONS.transactions,
  COLLECTIONS.codes,
  COLLECTIONS.upstreamTokens,
  COLLECTIONS.jtiMappings,
  COLLECTIONS.refreshTokens,
  COLLECTIONS.consentCsrf,
];

export function isKnownCollection(name: string): boolean {
  return KNOWN_COLLECTIONS.includes(name);
}

/**
 * Collections whose entry KEY is itself a secret: `mcp-authorization-codes` is keyed by the proxy's
 * authorization code (the value's `code`). Other keys (jti, upstream_token_id, client_id, txn_id,
 * SHA-256 hashes) are identifiers and are shown as they are.
 */
const SECRET_KEYED = new Set<string>([COLLECTIONS.codes]);

export function isSecretKeyed(collection: string): boolean {
  return SECRET_KEYED.has(collection);
}

const ALLOWED = /[^A-Za-z0-9_]+/g;

/** Python's `len()` counts code points; so does this. */
function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function cpSlice(s: string, end: number): string {
  return Array.from(s).slice(0, end).join('');
}

/**
 * `HybridSanitizationStrategy.sanitize` with allowed characters `[A-Za-z0-9_]`, replacement `_`,
 * hash fragment only if changed (8 hex of SHA-256 of the original, UTF-8), prefix `S_`.
 * Runs of disallowed characters become one `_`; a value made only of disallowed characters becomes ''.
 */
export function sanitizeName(value: string, maxLength = Number.POSITIVE_INFINITY): string {
  let sanitized = value.replace(ALLOWED, '_');
  if (sanitized === '_' && value !== '_') sanitized = '';
  const changed = sanitized !== value;
  if (changed) {
    const hash = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
    const maxValue = maxLength - (2 + 1 + 8);
    if (cpLength(sanitized) > maxValue) sanitized = cpSlice(sanitized, maxValue);
    return `S_${sanitized}-${hash}`;
  }
  if (cpLength(sanitized) > maxLength) {
    sanitized = cpSlice(sanitized, maxLength - 2);
    return `S_${sanitized}`;
  }
  return sanitized;
}

/** Directory name of a collection in FastMCP's default FileTree store (collections: NAME_MAX − 10). */
export function collectionDirName(collection: string, nameMax = 255): string {
  return sanitizeName(collection, nameMax - 10);
}

/**
 * File names (without `.json`) under which a key may be stored: the sanitised name (FastMCP's default
 * store) and the key itself (a FileTreeStore built without sanitisation, spec §5.4 item 6).
 * Truncation depends on the server's absolute path, which we do not know: `matchesTruncated` covers
 * names that were cut short.
 */
export function keyFileNames(key: string): string[] {
  const s = sanitizeName(key);
  return s === key ? [key] : [s, key];
}

/**
 * True when `fileStem` is the sanitised, truncated form of `key` (same `S_` prefix of the sanitised
 * text and, when a hash was added, the same hash fragment).
 */
export function matchesTruncated(fileStem: string, key: string): boolean {
  const full = sanitizeName(key);
  if (fileStem === full) return true;
  if (!fileStem.startsWith('S_')) return false;
  const m = /^S_(.*)-([0-9a-f]{8})$/.exec(full);
  if (m) {
    const f = /^S_(.*)-([0-9a-f]{8})$/.exec(fileStem);
    return Boolean(f && f[2] === m[2] && m[1]!.startsWith(f[1]!));
  }
  return key.startsWith(fileStem.slice(2));
}

/** Is this directory name what FastMCP's default store would name a collection (sanitised `S_…-h8`)? */
export function isSanitisedCollectionDir(name: string): boolean {
  return /^S_[A-Za-z0-9_]*-[0-9a-f]{8}$/.test(name);
}
