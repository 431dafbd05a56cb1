/**
 * Property tests for the inventory's batch decoding (src/stores/batch-decode.ts): whatever a batch
 * holds — Python-formatted envelopes under the key in use, another key, no key, damaged data, data
 * with characters base64 would skip, other document shapes, expired entries — every entry decodes
 * exactly as `decodeEntry` decodes it alone; and `isoTime` is `parseIsoTime` to the last bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fernetEncrypt } from '../../src/crypto/fernet.js';
import { parseIsoTime } from '../../src/fastmcp/documents.js';
import { decodeBatch, isoTime } from '../../src/stores/batch-decode.js';
import { decodeEntry, type Decoded } from '../../src/stores/decode.js';
import { keyringFromTexts, type Keyring } from '../../src/stores/keyring.js';
import type { RawEntry } from '../../src/stores/types.js';
import { anyJsonValue, anyText, anyTime, emptyRing, KEY, OTHER, ring, RUNS, twoKeys } from './arbitraries.js';

const candidatesOnly = keyringFromTexts([{ text: OTHER, label: 'a candidate', role: 'candidate' }]);

/** Python's json.dumps (", " and ": "), keys in the order given. */
const py = (pairs: [string, unknown][]) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}: ${typeof v === 'string' && v.startsWith('\u0001raw:') ? v.slice(5) : JSON.stringify(v)}`).join(', ')}}`;

/** A time some entries expire at exactly, and the clock is sometimes set to. */
const EDGE = 1_795_300_000;
const EDGE_ISO = '2026-11-21T22:26:40+00:00';

const pyTime = fc.oneof(
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).chain((d) =>
    fc.integer({ min: 0, max: 9 }).chain((digits) =>
      fc.integer({ min: 0, max: 10 ** digits - 1 }).map((f) => `${d.toISOString().slice(0, 19)}${digits ? `.${String(f).padStart(digits, '0')}` : ''}+00:00`),
    ),
  ),
  fc.constantFrom(EDGE_ISO, EDGE_ISO, '2026-11-21T22:18:24.123456+00:00', '2024-02-29T12:00:00+00:00', '2023-02-29T12:00:00+00:00', '2026-11-21T24:00:00+00:00', '2026-11-21T23:59:60+00:00', '2026-00-10T00:00:00+00:00', '2026-11-21T22:18:24.+00:00', '2026-11-21T22:18:24.1234567890+00:00', '2026-11-21 22:18:24+00:00', '2026-11-21T22:18:24Z', '2026-11-21T22:18:24+01:00', '0000-01-01T00:00:00+00:00', '2026-1a-21T22:18:24+00:00'),
  anyText,
);

const model = fc.oneof(
  fc.record({ jti: fc.string({ maxLength: 43 }), upstream_token_id: fc.string({ maxLength: 43 }), created_at: fc.double() }),
  fc.record({ upstream_token_id: fc.string({ maxLength: 43 }), access_token: fc.constantFrom('gho_abc', 'ghu_def', 'x'), client_id: fc.string({ maxLength: 8 }), expires_at: fc.option(fc.integer(), { nil: null }), refresh_token: fc.option(fc.string({ maxLength: 10 }), { nil: null }) }),
  fc.dictionary(fc.string({ maxLength: 6 }), anyJsonValue, { maxKeys: 4 }),
);

/** The envelope's data: what py-key-value writes, under either key, or damaged in the ways that matter. */
const data = fc.oneof(
  model.map((m) => Buffer.from(fernetEncrypt(JSON.stringify(m), KEY)).toString('base64')),
  model.map((m) => Buffer.from(fernetEncrypt(JSON.stringify(m), OTHER)).toString('base64')),
  fc.oneof(fc.constantFrom('[1]', 'not json', '"s"', '{"a":', ''), anyText).map((t) => Buffer.from(fernetEncrypt(t, KEY)).toString('base64')),
  model.map((m) => Buffer.from(fernetEncrypt(JSON.stringify(m), KEY)).toString('base64')).chain((d) =>
    fc.tuple(fc.nat({ max: d.length }), fc.constantFrom(' ', '\u0001', '\n', '-', '_', '=', 'é', 'A', '==', 'AAAA')).map(([at, c]) => d.slice(0, at) + c + d.slice(at)),
  ),
  model.map((m) => Buffer.from(fernetEncrypt(JSON.stringify(m), KEY)).toString('base64')).chain((d) => fc.nat({ max: d.length }).map((n) => d.slice(0, n))),
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='), maxLength: 200 }),
);

const documentText = fc
  .record({
    withNames: fc.boolean(),
    collection: fc.oneof(fc.constantFrom('mcp-jti-mappings', 'mcp-upstream-tokens'), fc.string({ maxLength: 6 })),
    created: fc.option(pyTime, { nil: undefined }),
    expires: fc.option(fc.option(pyTime, { nil: null }), { nil: undefined }),
    key: fc.string({ maxLength: 10 }),
    data,
    version: fc.constantFrom<unknown>(1, 1, 1, 2, '1'),
    shape: fc.constantFrom('B', 'B', 'B', 'A', 'other'),
  })
  .map((d) => {
    const envelope = `\u0001raw:{"__encrypted_data__": ${JSON.stringify(d.data)}, "__encryption_version__": 1}`;
    if (d.shape === 'A') return py([['value', envelope], ...(d.created !== undefined ? ([['created_at', d.created]] as [string, unknown][]) : [])]);
    const pairs: [string, unknown][] = [];
    if (d.withNames) pairs.push(['collection', d.collection]);
    if (d.created !== undefined) pairs.push(['created_at', d.created]);
    if (d.expires !== undefined) pairs.push(['expires_at', d.expires]);
    if (d.withNames) pairs.push(['key', d.key]);
    pairs.push(['value', envelope], ['version', d.version]);
    return d.shape === 'other' ? JSON.stringify(JSON.parse(py(pairs))) : py(pairs);
  });

/**
 * A document with a raw character put into its text, or written over one (JSON forbids raw control
 * characters in strings; base64 decoders skip them).
 */
const damagedText = fc.tuple(documentText, fc.nat(), fc.constantFrom('\u0001', '\n', '\t', '\u001f', '"', '\\', ' '), fc.constantFrom(1, 4), fc.boolean()).map(([t, at, c, n, over]) => {
  const i = at % (t.length + 1);
  return t.slice(0, i) + c.repeat(n) + t.slice(over ? i + 1 : i);
});

const rawEntry = fc
  .record({
    collection: fc.constantFrom('mcp-jti-mappings', 'mcp-upstream-tokens', 'mcp-refresh-tokens'),
    text: fc.oneof({ weight: 8, arbitrary: documentText }, { weight: 2, arbitrary: damagedText }, { weight: 1, arbitrary: anyText }, { weight: 1, arbitrary: fc.constant(undefined) }),
    storeExpiresAt: fc.option(fc.option(fc.oneof(anyTime, fc.constant(EDGE + 3600), fc.constant(EDGE)), { nil: null }), { nil: undefined }),
    authoritative: fc.boolean(),
    valueSkipped: fc.boolean().map((b) => b && Math.random() < 0.2),
  })
  .map((r) => {
    const raw: RawEntry = { collection: r.collection, key: 'k', keyExact: true };
    if (r.text !== undefined) raw.text = r.text;
    else raw.error = 'unreadable';
    if (r.storeExpiresAt !== undefined) raw.storeExpiresAt = r.storeExpiresAt;
    if (r.authoritative) raw.storeExpiryAuthoritative = true;
    if (r.valueSkipped) raw.valueSkipped = true;
    return raw;
  });

describe('decodeBatch', () => {
  it('decodes every entry of any batch exactly as decodeEntry decodes it alone', () => {
    fc.assert(
      fc.property(
        fc.array(rawEntry, { maxLength: 300, size: 'max' }),
        fc.constantFrom(ring, twoKeys, candidatesOnly, emptyRing),
        fc.oneof(anyTime, fc.constant(EDGE)),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom<boolean | undefined>(false, false, true, undefined),
        (raws, keyring, now, decryptExpired, createdAt, verifyMac) => {
          const opts = { decryptExpired, createdAt, ...(verifyMac !== undefined ? { verifyMac } : {}) };
          const out: Decoded[] = [];
          decodeBatch(raws, keyring, now, opts, out);
          expect(out).toHaveLength(raws.length);
          raws.forEach((raw, i) => expect(out[i]).toEqual(decodeEntry(raw, keyring, now, opts)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('decodes a long run of good entries across many cipher calls (the chaining between calls stays right)', () => {
    const entries: RawEntry[] = [];
    for (let i = 0; i < 1000; i++) {
      const value = { jti: `j${i}`, upstream_token_id: `u${'x'.repeat(i % 97)}`, created_at: i };
      const doc = py([['collection', 'mcp-jti-mappings'], ['created_at', '2026-11-21T22:18:24.123456+00:00'], ['expires_at', '2099-01-01T00:00:00+00:00'], ['key', `j${i}`], ['value', `\u0001raw:{"__encrypted_data__": ${JSON.stringify(Buffer.from(fernetEncrypt(JSON.stringify(value), KEY)).toString('base64'))}, "__encryption_version__": 1}`], ['version', 1]]);
      entries.push({ collection: 'mcp-jti-mappings', key: `j${i}`, keyExact: true, text: doc, storeExpiresAt: null });
    }
    for (const size of [1, 7, 128, 129, 1000]) {
      const out: Decoded[] = [];
      for (let at = 0; at < entries.length; at += size) {
        const part: Decoded[] = [];
        decodeBatch(entries.slice(at, at + size), ring, 1_795_300_000, { verifyMac: false }, part);
        out.push(...part);
      }
      expect(out.map((d) => d.state)).toEqual(entries.map(() => 'live'));
      expect(out.map((d) => d.value)).toEqual(entries.map((e) => decodeEntry(e, ring, 1_795_300_000).value));
    }
    // They were all decided by the shortcut: a keyring whose one-by-one opening fails is never asked.
    const noOpen: Keyring = { entries: ring.entries, primary: ring.primary!, open: () => { throw new Error('opened one by one'); } };
    const out: Decoded[] = [];
    decodeBatch(entries, noOpen, 1_795_300_000, { verifyMac: false }, out);
    expect(out.every((d) => d.state === 'live')).toBe(true);
  });
});

describe('isoTime', () => {
  it('is parseIsoTime, bit for bit, for any text', () => {
    fc.assert(
      fc.property(pyTime, (t) => {
        expect(Object.is(isoTime(t), parseIsoTime(t))).toBe(true);
      }),
      { numRuns: RUNS * 10 },
    );
  });
});
