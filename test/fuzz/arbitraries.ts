/**
 * Shared fast-check generators for the fuzz suite: text an attacker or a broken tool could hand the
 * doctor (any UTF-16, lone surrogates, control characters, the delimiters each parser cares about).
 */
import fc from 'fast-check';
import { toUrlsafeBase64Padded } from '../../src/crypto/fernet.js';
import { keyringFromTexts } from '../../src/stores/keyring.js';

/** Runs per property: enough to find the classic bugs, small enough that the suite stays fast. */
export const RUNS = 300;

/** Characters that matter to the parsers under test (JWT, base64, JSON, CSV, WWW-Authenticate, .env). */
const DELIMITERS = [...'.=_-+/ "\'{}[]:,;\\#\n\r\t\u0000\uFEFF\u2028\uD800\uDFFFabcAZ09$@~%<>'];

/** Any string, weighted towards the characters parsers split on. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...DELIMITERS), maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** base64url-ish text (valid alphabet, any length), where the strict decoders do their work. */
export const b64urlText: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_='), maxLength: 120 });

/** Any JSON value, including the odd ones (-0, huge and tiny numbers, deep nesting, "__proto__" keys). */
export const anyJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom<unknown>(null, true, 0, -0, 1e308, -1e308, 5e-324, 1e20, -1, '', '\u0000', [], {}, { __proto__: null }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'toString', 'value', 'version', 'expires_at', 'created_at'), fc.jsonValue({ maxDepth: 2 })),
);

export const anyJsonText: fc.Arbitrary<string> = anyJsonValue.map((v) => JSON.stringify(v) ?? 'null');

/** Unix seconds of any kind a file could hold: normal, negative, out of the Date range, fractional. */
export const anyTime: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(1e300, -1e300, 8.64e12, 8.64e12 + 1, Number.MAX_SAFE_INTEGER, -0),
);

/** A single-line message: what "one clear error line" means. */
export function oneLine(text: string): boolean {
  return text.length > 0 && !/[\r\n]/.test(text);
}

/** Two Fernet keys and the keyrings the store property tests read with: the key in use, plus an old one. */
export const KEY = toUrlsafeBase64Padded(Buffer.alloc(32, 7));
export const OTHER = toUrlsafeBase64Padded(Buffer.alloc(32, 9));
export const ring = keyringFromTexts([{ text: KEY, label: 'the key in use', role: 'explicit' }]);
export const twoKeys = keyringFromTexts([
  { text: KEY, label: 'the key in use', role: 'explicit' },
  { text: OTHER, label: 'an old key', role: 'candidate' },
]);
export const emptyRing = keyringFromTexts([]);
