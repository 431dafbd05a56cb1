/**
 * Property tests: Fernet tokens and keys from stores and files. Anything that is not a token under the
 * key fails with a FernetError (and nothing else); every token fernetEncrypt makes decrypts back; no
 * changed token ever yields plaintext. The keyring the stores use agrees with the reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUrlsafeBase64Strict, FernetError, fernetDecrypt, fernetEncrypt, parseFernetKey, toUrlsafeBase64Padded } from '../../src/crypto/fernet.js';
import { keyringFromTexts } from '../../src/stores/keyring.js';
import { anyText, b64urlText, RUNS } from './arbitraries.js';

const keyText = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toUrlsafeBase64Padded(b));
const iv = fc.uint8Array({ minLength: 16, maxLength: 16 });
const timestamp = fc.integer({ min: 0, max: 2 ** 40 });

function fernetFailure(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(FernetError);
    return (e as FernetError).reason;
  }
}

/** Token-shaped byte strings: version byte, any timestamp, any body length around the block size. */
const tokenBytes = fc.tuple(fc.constantFrom(0x80, 0x80, 0x00, 0x81), fc.uint8Array({ minLength: 0, maxLength: 140 })).map(([v, rest]) => Uint8Array.from([v, ...rest]));

describe('Fernet: any input', () => {
  it('parseFernetKey accepts exactly 32 canonical bytes; anything else is FernetError bad-key', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, b64urlText, keyText), (k) => {
        const reason = fernetFailure(() => parseFernetKey(k));
        if (reason !== undefined) expect(reason).toBe('bad-key');
        else expect(decodeUrlsafeBase64Strict(k.trim())?.length).toBe(32);
      }),
      { numRuns: RUNS },
    );
  });

  it('fernetDecrypt of any string, any bytes, any options throws FernetError only', () => {
    const opts = fc.record({ ttlSeconds: fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }), now: fc.option(fc.double(), { nil: undefined }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(anyText, b64urlText, tokenBytes.map(toUrlsafeBase64Padded)), fc.oneof(keyText, anyText), opts, (token, key, o) => {
        const reason = fernetFailure(() => fernetDecrypt(token, key, o as { ttlSeconds?: number; now?: number }));
        // Random text never happens to carry a valid HMAC.
        expect(reason).toBeDefined();
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('round trip: fernetEncrypt → fernetDecrypt gives back the plaintext and the timestamp', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), keyText, iv, timestamp, (plain, key, v, ts) => {
        const token = fernetEncrypt(plain, key, { iv: v, timestamp: ts });
        expect(token.length % 4).toBe(0);
        const out = fernetDecrypt(token, key);
        expect(Buffer.compare(out.plaintext, Buffer.from(plain))).toBe(0);
        expect(out.timestamp).toBe(ts);
      }),
      { numRuns: RUNS },
    );
  });

  it('a token never decrypts with another key, and no changed byte ever yields plaintext', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), keyText, keyText, iv, fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, key, other, v, at, flip) => {
        const token = fernetEncrypt(plain, key, { iv: v, timestamp: 1_700_000_000 });
        if (other !== key) expect(fernetFailure(() => fernetDecrypt(token, other))).toBe('bad-mac');
        const bytes = decodeUrlsafeBase64Strict(token)!;
        const i = at % bytes.length;
        const changed = Buffer.from(bytes);
        changed[i] = changed[i]! ^ flip;
        expect(fernetFailure(() => fernetDecrypt(toUrlsafeBase64Padded(changed), key))).toBeDefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('strict base64: canonical round trip for any bytes; non-canonical or unpadded text is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const text = toUrlsafeBase64Padded(b);
        expect(Buffer.compare(decodeUrlsafeBase64Strict(text)!, Buffer.from(b))).toBe(0);
        if (text.endsWith('=')) expect(decodeUrlsafeBase64Strict(text.replace(/=+$/, ''))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.oneof(anyText, b64urlText), (t) => {
        const out = decodeUrlsafeBase64Strict(t);
        if (out) expect(toUrlsafeBase64Padded(out)).toBe(t);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the stores\' keyring agrees with the reference Fernet on any input', () => {
  it('open() never throws; it opens exactly the tokens fernetDecrypt opens, with or without MAC verification', () => {
    fc.assert(
      fc.property(keyText, fc.uint8Array({ maxLength: 80 }), iv, fc.oneof(fc.constant(undefined), anyText, b64urlText, tokenBytes.map(toUrlsafeBase64Padded)), (key, plain, v, junk) => {
        const ring = keyringFromTexts([{ text: key, label: 'fuzz key', role: 'explicit' }]);
        const token = junk ?? fernetEncrypt(plain, key, { iv: v, timestamp: 1_700_000_000 });
        // Envelopes hold standard base64 of the token text (py-key-value's FernetEncryptionWrapper).
        for (const data of [Buffer.from(token, 'utf8').toString('base64'), token]) {
          const verified = ring.open(data, { verifyMac: true });
          let reference: Buffer | undefined;
          try {
            reference = fernetDecrypt(Buffer.from(data, 'base64').toString('utf8'), key).plaintext;
          } catch (e) {
            expect(e).toBeInstanceOf(FernetError);
          }
          if (verified.ok) {
            expect(reference).toBeDefined();
            expect(Buffer.compare(verified.plaintext, reference!)).toBe(0);
          }
          if (junk === undefined && data !== token) expect(verified.ok).toBe(true);
          const fast = ring.open(data, { verifyMac: false });
          if (fast.ok && reference) expect(Buffer.compare(fast.plaintext, reference)).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
