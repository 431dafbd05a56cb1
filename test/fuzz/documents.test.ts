/**
 * Property tests: py-key-value documents as stores hold them (both shapes, the Fernet envelope,
 * FastMCP's models), and Redis values through the same decode path the Redis adapter uses
 * (src/stores/decode.ts). Any text is a typed result — a document or a reason; an entry's state is
 * one of four — never an exception. Secret fields never reach a --show-entries summary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fernetEncrypt, toUrlsafeBase64Padded } from '../../src/crypto/fernet.js';
import { clientOf, envelopeOf, jtiMappingOf, parseDocument, parseIsoTime, refreshMetaOf, summarizeValue, upstreamSetOf } from '../../src/fastmcp/documents.js';
import { KNOWN_COLLECTIONS } from '../../src/fastmcp/collections.js';
import { decodeEntry, decodeParsed } from '../../src/stores/decode.js';
import type { RawEntry } from '../../src/stores/types.js';
import { anyJsonText, anyJsonValue, anyText, anyTime, b64urlText, emptyRing, KEY, oneLine, OTHER, ring, RUNS, twoKeys } from './arbitraries.js';


const isoText = fc.oneof(
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+00:00')),
  anyText,
  fc.constantFrom('2026-11-21T22:18:24.123456+00:00', '2026-11-21 22:18:24', '9999-12-31T23:59:59.999999+14:00', '0000-01-01T00:00:00Z', '2026-13-45T99:99:99'),
);

/** A document in either shape with any value, plus arbitrary extra members. */
const documentText = fc
  .record({
    shape: fc.constantFrom('A', 'B'),
    value: anyJsonValue,
    created: fc.option(fc.oneof(isoText, anyJsonValue), { nil: undefined }),
    expires: fc.option(fc.oneof(isoText, anyJsonValue), { nil: undefined }),
    version: fc.oneof(fc.constant(1), anyJsonValue),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), anyJsonValue, { maxKeys: 3 }),
  })
  .map((d) => {
    const doc: Record<string, unknown> = { ...d.extra, value: d.value };
    if (d.created !== undefined) doc.created_at = d.created;
    if (d.expires !== undefined) doc.expires_at = d.expires;
    if (d.shape === 'B') doc.version = d.version;
    return JSON.stringify(doc);
  });

const anyDocumentText = fc.oneof(anyText, anyJsonText, documentText);
const anyDict = fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('jti', 'upstream_token_id', 'access_token', 'refresh_token', 'expires_at', 'client_id', 'scopes', 'created_at', 'redirect_uris', 'client_secret', 'idp_tokens', 'raw_token_data', '__proto__')), anyJsonValue, { maxKeys: 8 });

const STATES = ['live', 'expired', 'undecryptable', 'corrupt'];

describe('stored documents: any text', () => {
  it('parseDocument returns a document or one reason line, never throws', () => {
    fc.assert(
      fc.property(anyDocumentText, fc.boolean(), fc.boolean(), (text, createdAt, expiresAt) => {
        const d = parseDocument(text, { createdAt, expiresAt });
        if (typeof d === 'string') expect(oneLine(d)).toBe(true);
        else {
          expect(['A', 'B']).toContain(d.format);
          if (d.expiresAt !== null) expect(Number.isFinite(d.expiresAt)).toBe(true);
          if (d.createdAt !== undefined) expect(Number.isFinite(d.createdAt)).toBe(true);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('parseIsoTime gives a finite number or undefined for anything; Python isoformat round-trips', () => {
    fc.assert(
      fc.property(fc.oneof(isoText, anyJsonValue, anyTime), (v) => {
        const t = parseIsoTime(v);
        if (t !== undefined) expect(Number.isFinite(t)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }), (d, micros) => {
        const iso = `${d.toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}+00:00`;
        expect(parseIsoTime(iso)).toBeCloseTo(d.getTime() / 1000 + micros / 1e6, 5);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseIsoTime refuses impossible fields and keeps years below 100 as they are', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 23 }), (y, mo, d, h) => {
        const text = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00+00:00`;
        const t = parseIsoTime(text);
        const valid = d <= new Date(Date.UTC(2000, mo, 0)).getUTCDate() && !(mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)));
        if (!valid) expect(t).toBeUndefined();
        else expect(new Date(t! * 1000).toISOString().replace(/^\+?0*(\d{4})/, '$1').slice(0, 13)).toBe(text.slice(0, 13));
      }),
      { numRuns: RUNS },
    );
    for (const bad of ['2026-13-01T00:00:00', '2026-02-30T00:00:00', '2026-01-01T24:00:00', '2026-01-01T00:60:00', '2026-01-01T00:00:61']) expect(parseIsoTime(bad)).toBeUndefined();
  });

  it('envelopeOf and the model readers take any value without throwing', () => {
    fc.assert(
      fc.property(anyJsonValue, anyDict, (v, dict) => {
        const env = envelopeOf(v);
        if (typeof env === 'string') expect(oneLine(env)).toBe(true);
        jtiMappingOf(dict);
        upstreamSetOf(dict);
        refreshMetaOf(dict);
        clientOf(dict);
      }),
      { numRuns: RUNS },
    );
  });

  it('summarizeValue never shows a secret field\'s value, whatever else the value holds', () => {
    const secret = fc.string({ minLength: 4, maxLength: 30 }).map((s) => `SECRET-${s}-${Math.random().toString(36).slice(2)}`);
    const field = fc.constantFrom('access_token', 'refresh_token', 'id_token', 'client_secret', 'code', 'code_challenge', 'proxy_code_verifier', 'code_verifier', 'csrf_token', 'consent_token', 'client_state', 'token');
    fc.assert(
      fc.property(anyDict, field, secret, fc.constantFrom('', 'idp_tokens', 'raw_token_data'), fc.constantFrom(...KNOWN_COLLECTIONS), (dict, f, s, nest, collection) => {
        const value: Record<string, unknown> = { ...dict };
        if (nest) value[nest] = { access_token: s, refresh_token: s, id_token: s };
        else value[f] = s;
        const summary = summarizeValue(collection, value);
        expect(JSON.stringify(summary)).not.toContain(s);
        expect(Object.values(summary).map(String).join(' ')).not.toContain(s);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('Redis values (and any raw entry) through decodeEntry', () => {
  const rawEntry = fc.record({
    collection: fc.oneof(fc.constantFrom(...KNOWN_COLLECTIONS), fc.string({ maxLength: 12 })),
    key: fc.string({ maxLength: 20 }),
    text: fc.option(anyDocumentText, { nil: undefined }),
    error: fc.option(anyText, { nil: undefined }),
    storeExpiresAt: fc.option(fc.option(anyTime, { nil: null }), { nil: undefined }),
    storeExpiryAuthoritative: fc.option(fc.boolean(), { nil: undefined }),
    valueSkipped: fc.option(fc.boolean(), { nil: undefined }),
  });

  it('any value: one of the four states, a reason line when corrupt, never an exception', () => {
    fc.assert(
      fc.property(rawEntry, fc.constantFrom(ring, twoKeys, emptyRing), anyTime, fc.boolean(), fc.boolean(), (r, keyring, now, decryptExpired, verifyMac) => {
        const raw: RawEntry = { collection: r.collection, key: r.key, keyExact: true };
        if (r.text !== undefined) raw.text = r.text;
        if (r.error !== undefined) raw.error = r.error;
        if (r.storeExpiresAt !== undefined) raw.storeExpiresAt = r.storeExpiresAt;
        if (r.storeExpiryAuthoritative !== undefined) raw.storeExpiryAuthoritative = r.storeExpiryAuthoritative;
        if (r.valueSkipped !== undefined) raw.valueSkipped = r.valueSkipped;
        const d = decodeEntry(raw, keyring, now, { decryptExpired, verifyMac });
        expect(STATES).toContain(d.state);
        if (d.state === 'corrupt') expect(typeof d.reason).toBe('string');
        if (d.value !== undefined) expect(typeof d.value).toBe('object');
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('envelopes holding any text (not Fernet, wrong key, Fernet of non-JSON) are undecryptable or corrupt, never live', () => {
    const payload = fc.oneof(
      anyText.map((t) => Buffer.from(t, 'utf8').toString('base64')),
      fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(fernetEncrypt(b, KEY)).toString('base64')),
      anyJsonText.filter((t) => !t.startsWith('{')).map((t) => Buffer.from(fernetEncrypt(t, KEY)).toString('base64')),
      anyDict.map((d) => Buffer.from(fernetEncrypt(JSON.stringify(d), toUrlsafeBase64Padded(Buffer.alloc(32, 3)))).toString('base64')),
    );
    fc.assert(
      fc.property(payload, fc.constantFrom('A', 'B'), (data, shape) => {
        const doc = { value: { __encrypted_data__: data, __encryption_version__: 1 }, created_at: '2026-11-21T22:18:24+00:00', ...(shape === 'B' ? { version: 1 } : {}) };
        const d = decodeEntry({ collection: 'mcp-jti-mappings', key: 'k', keyExact: true, text: JSON.stringify(doc), storeExpiresAt: null }, ring, 1_795_299_504);
        expect(['undecryptable', 'corrupt']).toContain(d.state);
      }),
      { numRuns: RUNS },
    );
  });

  it('any model dict, encrypted as py-key-value does, decodes live to the same dict (and names the old key when only it opens it)', () => {
    fc.assert(
      fc.property(anyDict, fc.constantFrom('A', 'B'), fc.boolean(), fc.boolean(), (dict, shape, withOld, verifyMac) => {
        const plain = JSON.stringify(dict);
        const data = Buffer.from(fernetEncrypt(plain, withOld ? OTHER : KEY)).toString('base64');
        const doc = shape === 'B' ? { collection: 'mcp-upstream-tokens', created_at: '2026-11-21T22:18:24.000001+00:00', expires_at: '2099-01-01T00:00:00+00:00', key: 'k', value: { __encrypted_data__: data, __encryption_version__: 1 }, version: 1 } : { value: { __encrypted_data__: data, __encryption_version__: 1 }, created_at: '2026-11-21T22:18:24+00:00' };
        const d = decodeEntry({ collection: 'mcp-upstream-tokens', key: 'k', keyExact: true, text: JSON.stringify(doc), storeExpiresAt: null }, twoKeys, 1_795_299_504, { verifyMac });
        expect(d.state).toBe(withOld ? 'undecryptable' : 'live');
        expect(d.value).toEqual(JSON.parse(plain));
        if (withOld) expect(d.openedWith?.label).toBe('an old key');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the shortcut for Python-formatted format-B envelopes', () => {
  // py-key-value writes `json.dumps` text (", " and ": " separators): the only text the shortcut in
  // decodeEntry takes. Whatever it decides must be what parsing the whole document decides.
  const MARK = '"value": {"__encrypted_data__": "';
  const TAIL = '", "__encryption_version__": 1}, "version": 1}';
  const member = fc.oneof(
    fc.tuple(fc.constantFrom('created_at', 'expires_at', 'collection', 'key', 'value', 'version'), fc.oneof(isoText, anyJsonValue)).map(([k, v]) => `"${k}": ${JSON.stringify(v) ?? 'null'}, `),
    fc.constantFrom(MARK, `${MARK}x", "__encryption_version__": 1}, `, '"a": {', '}, ', '"b": "\\", ', '"c": "\\"value\\": {\\"__encrypted_data__\\": \\"", '),
  );
  const data = fc.oneof(
    anyDict.map((d) => Buffer.from(fernetEncrypt(JSON.stringify(d), KEY)).toString('base64url')),
    anyDict.map((d) => Buffer.from(fernetEncrypt(JSON.stringify(d), OTHER)).toString('base64url')),
    anyJsonText.map((t) => Buffer.from(fernetEncrypt(t, KEY)).toString('base64url')),
    b64urlText,
    fc.tuple(b64urlText, fc.constantFrom('"', '\\', '\\"', `${TAIL.slice(0, 5)}`, MARK), b64urlText).map((p) => p.join('')),
  );
  it('decides exactly as the full parse, for any prefix and any data', () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 4 }), data, fc.constantFrom(ring, twoKeys, emptyRing), anyTime, fc.option(anyTime, { nil: null }), fc.boolean(), fc.boolean(), fc.boolean(), (members, d, keyring, now, se, authoritative, decryptExpired, verifyMac) => {
        const raw = { collection: 'mcp-upstream-tokens', key: 'k', keyExact: true, text: `{${members.join('')}${MARK}${d}${TAIL}`, storeExpiresAt: se, storeExpiryAuthoritative: authoritative };
        const opts = { decryptExpired, verifyMac };
        expect(decodeEntry(raw, keyring, now, opts)).toEqual(decodeParsed(raw, keyring, now, opts));
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
