import { UsageError } from './errors.js';

/** The largest |unix seconds| a Date holds (ECMA-262: ±8.64e15 ms). */
const MAX_DATE_SECONDS = 8.64e12;

/** 2015-01-01T00:00:00Z: an epoch value before it is a typo (FastMCP and GitHub Apps tokens are younger). */
export const EARLIEST_EPOCH_SECONDS = 1_420_070_400;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parse a time option (`--at`, `--since`): unix seconds (or milliseconds, 13 digits) or ISO 8601 only.
 * An ISO time without a zone is UTC, as a date-only value is — never local time. Epoch values before
 * 2015, negative values, empty text and other date formats ("Dec 25", 1/2/2026) are usage errors.
 * Returns unix seconds (float), always a time a Date can hold.
 */
export function parseAt(text: string, flag = '--at'): number {
  const t = text.trim();
  const example = `use e.g. ${flag} 1795299504 or ${flag} 2026-11-21T22:18:24Z`;
  let n: number;
  if (/^\d+(\.\d+)?$/.test(t)) {
    n = Number(t);
    // milliseconds are a common slip: 13 digits
    if (n >= 1e12) n /= 1000;
    if (n < EARLIEST_EPOCH_SECONDS) throw new UsageError(`${flag} ${JSON.stringify(t)} is before 2015 as unix seconds — a typo?`, example);
  } else {
    const m = ISO.exec(t);
    if (!m) {
      const why = t === '' ? 'is empty' : /^-\d/.test(t) ? 'is negative' : 'is neither unix seconds nor an ISO 8601 time';
      throw new UsageError(`${flag} ${JSON.stringify(t)} ${why}`, example);
    }
    const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m;
    const tz = zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac.slice(0, 4)}${tz}`);
    // Date.parse rolls nothing over for this form, but check the fields: 2026-13-45 is no date.
    const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (Number.isNaN(ms) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) {
      throw new UsageError(`${flag} ${JSON.stringify(t)} is not a valid ISO 8601 time`, example);
    }
    n = ms / 1000;
  }
  if (!(Math.abs(n) <= MAX_DATE_SECONDS)) throw new UsageError(`${flag} ${JSON.stringify(t)} is out of range`, example);
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
