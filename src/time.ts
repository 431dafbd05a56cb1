import { UsageError } from './errors.js';

/** The largest |unix seconds| a Date holds (ECMA-262: ±8.64e15 ms). */
const MAX_DATE_SECONDS = 8.64e12;

/** Parse `--at`: unix seconds (integer or float) or ISO 8601. Returns unix seconds (float), always a time a Date can hold. */
export function parseAt(text: string): number {
  const t = text.trim();
  let n: number;
  if (/^\d+(\.\d+)?$/.test(t)) {
    n = Number(t);
    // milliseconds are a common slip: 13 digits
    if (n >= 1e12) n /= 1000;
  } else {
    const ms = Date.parse(t);
    if (Number.isNaN(ms)) {
      throw new UsageError(`--at ${JSON.stringify(t)} is neither unix seconds nor an ISO 8601 time`, 'use e.g. --at 1795299504 or --at 2026-11-21T22:18:24Z');
    }
    n = ms / 1000;
  }
  if (!(Math.abs(n) <= MAX_DATE_SECONDS)) throw new UsageError(`--at ${JSON.stringify(t)} is out of range`, 'use e.g. --at 1795299504 or --at 2026-11-21T22:18:24Z');
  return n;
}

/** A time as ISO 8601 (whole seconds without ".000"); times no Date can hold are shown as numbers. */
export function isoTime(unixSeconds: number): string {
  if (!Number.isFinite(unixSeconds) || Math.abs(unixSeconds) > MAX_DATE_SECONDS) return String(unixSeconds);
  return new Date(unixSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** "3 h 12 min", "4 s", "2 d 3 h": a compact human duration of |seconds|. */
export function humanDuration(seconds: number): string {
  let s = Math.abs(seconds);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Math.round(s)} s`;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m && !d) parts.push(`${m} min`);
  return parts.join(' ') || `${Math.round(s)} s`;
}

/** "in 3 h" / "4 s ago" relative to now. */
export function relative(at: number, now: number): string {
  const delta = at - now;
  return delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(delta)} ago`;
}
