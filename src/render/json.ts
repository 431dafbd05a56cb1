import type { Report } from '../diagnosis/types.js';
import { isSecretKeyed } from '../fastmcp/collections.js';
import { show } from '../secrets.js';

/**
 * Safety net: raw bytes never reach JSON (Secrets already render as fingerprints via toJSON), and
 * store entries keyed by a secret (an authorization code) show the key as a fingerprint.
 */
function replacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as { collection?: unknown; key?: unknown };
    if (typeof v.collection === 'string' && typeof v.key === 'string' && isSecretKeyed(v.collection)) return { ...value, key: show(v.key) };
  }
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return `[${(value as { data: unknown[] }).data.length} bytes]`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, replacer, 2)}\n`;
}
