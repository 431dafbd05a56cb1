/**
 * The last step before any renderer: every string of the report (values and keys) that may have come
 * from outside — GitHub, MCP servers, stores, exports, token claims — is scrubbed of known secrets and
 * token-shaped values, capped, and its control characters are escaped, in every format. Iterative: a
 * report built from deeply nested input never recurses.
 */
import type { Report } from '../model/index.js';
import { Secret, scrubSecrets } from '../secrets.js';

/** The longest string a report echoes; longer values are cut with a note of how much was left out. */
export const MAX_ECHO_CHARS = 2000;

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeControl(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One string made safe to print: secrets scrubbed, at most MAX_ECHO_CHARS (+ a note), control characters escaped. */
export function safeText(s: string, max = MAX_ECHO_CHARS): string {
  let t = s.length > 4 * max ? `${s.slice(0, 2 * max)}` : s;
  t = scrubSecrets(t);
  if (s.length > max) {
    const cut = t.slice(0, max);
    t = `${cut}… (${s.length - cut.length} more characters not shown)`;
  }
  return t.replace(CONTROL, escapeControl);
}

/** A copy of the report with every string made safe (Secrets become their fingerprints). */
export function sanitizeReport<R extends Report>(report: R): R {
  const out: { v?: unknown } = {};
  const work: Array<{ target: Record<string, unknown> | unknown[]; key: string | number; value: unknown }> = [{ target: out as Record<string, unknown>, key: 'v', value: report }];
  while (work.length) {
    const { target, key, value } = work.pop()!;
    let copy: unknown = value;
    if (typeof value === 'string') copy = safeText(value);
    else if (value instanceof Secret) copy = value.toString();
    else if (Array.isArray(value)) {
      const arr: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i += 1) work.push({ target: arr, key: i, value: value[i] });
      copy = arr;
    } else if (value && typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const safeKey = safeText(k, 200);
        obj[safeKey] = undefined; // keeps the key order
        work.push({ target: obj, key: safeKey, value: v });
      }
      copy = obj;
    }
    (target as Record<string | number, unknown>)[key] = copy;
  }
  return out.v as R;
}
