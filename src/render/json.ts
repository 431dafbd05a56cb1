import type { Report } from '../model/index.js';

/** Safety net: raw bytes never reach JSON (Secrets already render as fingerprints via toJSON). */
function replacer(_key: string, value: unknown): unknown {
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
