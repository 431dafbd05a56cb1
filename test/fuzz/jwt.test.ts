/**
 * Property tests: FastMCP JWT text from outside (argument, stdin, files) — any string is either a
 * decoded token or one reason line, never an exception; a signed token verifies only with its key and
 * only unchanged.
 */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { cleanTokenText, collectToken, decodeJwt } from '../../src/fastmcp/jwt.js';
import { deriveKeys, type DerivedKey } from '../../src/fastmcp/keys.js';
import { Secret } from '../../src/secrets.js';
import { anyJsonValue, anyText, b64urlText, oneLine, RUNS } from './arbitraries.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8').toString('base64url');

/** Three segments built from arbitrary JSON (objects or not) and arbitrary signature text. */
const jwtShaped = fc.tuple(anyJsonValue, anyJsonValue, fc.oneof(b64urlText, anyText)).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`);
/** Dots in random places among base64url characters. */
const dotted = fc.array(fc.oneof(b64urlText, anyText), { minLength: 0, maxLength: 7 }).map((parts) => parts.join('.'));
const anyToken = fc.oneof(anyText, jwtShaped, dotted);

let keys: DerivedKey[] = [];
async function currentKeys(): Promise<DerivedKey[]> {
  if (!keys.length) {
    keys = await deriveKeys([
      { kind: 'client-secret', secret: new Secret('fuzz-client-secret-current', 'test'), label: 'current', role: 'current' },
      { kind: 'client-secret', secret: new Secret('fuzz-client-secret-previous', 'test'), label: 'previous', role: 'candidate' },
    ]);
  }
  return keys;
}

describe('decodeJwt / cleanTokenText: any text', () => {
  it('decodeJwt returns a token or one reason line, never throws', () => {
    fc.assert(
      fc.property(anyToken, (text) => {
        const r = decodeJwt(text);
        if (r.ok) {
          expect(r.jwt.header).toBeTypeOf('object');
          expect(Array.isArray(r.jwt.claims)).toBe(false);
          expect(text.split('.')).toHaveLength(3);
        } else {
          expect(oneLine(r.reason)).toBe(true);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('any three base64url segments of JSON objects decode to exactly those objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), b64urlText.filter((s) => !s.includes('=')), (h, p, sig) => {
        const r = decodeJwt(`${b64(h)}.${b64(p)}.${sig}`);
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.jwt.header).toEqual(JSON.parse(JSON.stringify(h)));
          expect(r.jwt.claims).toEqual(JSON.parse(JSON.stringify(p)));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('cleanTokenText never throws, and recovers a token from what people paste around it', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        expect(typeof cleanTokenText(t)).toBe('string');
      }),
      { numRuns: RUNS },
    );
    const token = fc.tuple(b64urlText, b64urlText, b64urlText).map(([a, b, c]) => `eyJ${a.replace(/=/g, '')}.${b.replace(/=/g, '')}.${c.replace(/=/g, '')}`);
    const ws = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r\n'), maxLength: 3 });
    fc.assert(
      fc.property(token, ws, ws, fc.constantFrom('', 'Bearer ', 'bearer  ', 'Authorization: Bearer ', 'authorization:bearer '), fc.constantFrom('', '"', "'"), (t, before, after, prefix, quote) => {
        const pasted = quote && prefix ? `${before}${prefix}${quote}${t}${quote}${after}` : `${before}${quote}${prefix}${t}${quote}${after}`;
        expect(cleanTokenText(pasted)).toBe(t);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('collectToken: any text, real keys', () => {
  it('never throws; a malformed token carries one reason line and no signature verdict', async () => {
    const k = await currentKeys();
    await fc.assert(
      fc.asyncProperty(anyToken, async (text) => {
        const ev = await collectToken(text, k, 'fuzz');
        if (ev.malformed !== undefined) {
          expect(oneLine(ev.malformed)).toBe(true);
          expect(ev.signature.validWith).toBeUndefined();
        }
        // The token is held as a Secret: its text never shows in the evidence as JSON.
        if (text.length >= 12) expect(JSON.stringify(ev)).not.toContain(JSON.stringify(text).slice(1, -1));
      }),
      { numRuns: RUNS },
    );
  });

  it('headers with any alg (objects, numbers, "none", crit/b64 extensions) are rejected by alg, never verified', async () => {
    const k = await currentKeys();
    const header = fc.record({ alg: fc.oneof(anyJsonValue, fc.constantFrom('none', 'HS384', 'RS256', 'hs256', 'HS256 ')), typ: fc.constant('JWT') }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(header, fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })), b64urlText.filter((s) => !s.includes('=')), async (h, p, sig) => {
        const ev = await collectToken(`${b64(h)}.${b64(p)}.${sig}`, k, 'fuzz');
        expect(ev.malformed).toBeUndefined();
        if (h.alg !== 'HS256') expect(ev.rejectedAlg).toBeTypeOf('string');
        expect(ev.signature.validWith).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('a token signed with the current key verifies with it; any change to its header or payload never verifies', async () => {
    const k = await currentKeys();
    const current = k.find((x) => x.role === 'current')!;
    const claims = fc.record({ jti: fc.string({ minLength: 1, maxLength: 43 }), exp: fc.integer({ min: 0, max: 4_102_444_800 }), iat: fc.integer({ min: 0, max: 4_102_444_800 }), client_id: fc.uuid(), token_use: fc.constantFrom(undefined, 'refresh') }, { requiredKeys: ['jti'] });
    await fc.assert(
      fc.asyncProperty(claims, fc.nat(), fc.integer({ min: 1, max: 63 }), async (c, at, delta) => {
        const token = await new SignJWT(JSON.parse(JSON.stringify(c)) as Record<string, unknown>).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(current.hs256Key);
        const good = await collectToken(token, k, 'fuzz');
        expect(good.signature.validWith).toBe('current');
        expect(good.signature.validWithCurrent).toBe(true);

        // Change one character of header.payload to another base64url character.
        const signed = token.slice(0, token.lastIndexOf('.'));
        const i = at % signed.length;
        if (signed[i] === '.') return;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const j = (alphabet.indexOf(signed[i]!) + delta) % 64;
        const changed = `${signed.slice(0, i)}${alphabet[j]}${signed.slice(i + 1)}${token.slice(token.lastIndexOf('.'))}`;
        const bad = await collectToken(changed, k, 'fuzz');
        expect(bad.signature.validWith).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });
});
