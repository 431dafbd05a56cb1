/** FastMCP version arithmetic: "2.14.7", "3.4", "4.0.0b3" → comparable tuples. */
import type { StoreKind, VersionRange } from '../model/index.js';

export function parseVersion(v: string): [number, number, number] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** True when `v` is at least `min`. Unknown versions return `undefined` (the caller decides). */
export function atLeast(v: string | undefined, min: string): boolean | undefined {
  if (!v) return undefined;
  const a = parseVersion(v);
  const b = parseVersion(min);
  if (!a || !b) return undefined;
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return true;
}

function max(a: string | undefined, b: string): string {
  return a === undefined || atLeast(b, a) ? b : a;
}
function min(a: string | undefined, b: string): string {
  return a === undefined || atLeast(a, b) ? b : a;
}

export interface VersionHints {
  headerFamily?: 'authlib' | 'joserfc' | 'other';
  storeKind?: StoreKind;
  /** exp - iat of a refresh JWT, seconds. */
  refreshLifetime?: number;
  /** The store has mcp-refresh-tokens entries (2.13.2+). */
  hasRefreshTokenCollection?: boolean;
  /** The store has mcp-consent-csrf-tokens (4.0.0b3+). */
  hasConsentCsrfCollection?: boolean;
}

/** Narrow the FastMCP version from what the artifacts show (fastmcp-oauth-proxy.md §1, §3.1, §5). */
export function inferVersionRange(h: VersionHints): VersionRange {
  const r: VersionRange = { hints: [] };
  if (h.headerFamily === 'joserfc') {
    r.min = max(r.min, '3.4.0');
    r.hints.push('JWT header {typ, alg} (joserfc, 3.4+)');
  } else if (h.headerFamily === 'authlib') {
    r.min = max(r.min, '2.13.0');
    r.below = min(r.below, '3.4.0');
    r.hints.push('JWT header {alg, typ} (authlib, 2.13–3.3)');
  }
  if (h.storeKind === 'diskcache') {
    r.min = max(r.min, '2.13.0');
    r.below = min(r.below, '3.0.0');
    r.hints.push('diskcache store (2.13–2.14)');
  } else if (h.storeKind === 'filetree') {
    r.min = max(r.min, '3.0.0');
    r.hints.push('FileTree store (3.0+)');
  }
  if (h.refreshLifetime !== undefined) {
    if (h.refreshLifetime > 40 * 86400) {
      r.min = max(r.min, '3.3.0');
      r.hints.push('refresh JWT lifetime ≈ 1 year (3.3+)');
    } else if (h.refreshLifetime > 29 * 86400 && h.refreshLifetime <= 30 * 86400) {
      r.below = min(r.below, '3.3.0');
      r.hints.push('refresh JWT lifetime 30 days (before 3.3)');
    }
  }
  if (h.hasRefreshTokenCollection) {
    r.min = max(r.min, '2.13.2');
    r.hints.push('mcp-refresh-tokens collection (2.13.2+)');
  }
  if (h.hasConsentCsrfCollection) {
    r.min = max(r.min, '4.0.0');
    r.hints.push('mcp-consent-csrf-tokens collection (4.0+)');
  }
  return r;
}

/**
 * Is the server at least `v`? An explicit version decides; otherwise the inferred range does when it
 * can (`undefined` = cannot tell).
 */
export function serverAtLeast(explicit: string | undefined, range: VersionRange | undefined, v: string): boolean | undefined {
  if (explicit) return atLeast(explicit, v);
  if (!range) return undefined;
  if (range.min && atLeast(range.min, v)) return true;
  if (range.below && atLeast(v, range.below)) return false;
  return undefined;
}
