/**
 * The inventory's aggregation split across threads (src/stores/aggregate.ts): any store's entries,
 * dealt out to several aggregators in any way that keeps each one's entries in read order, merge to
 * the very evidence one aggregator reading everything writes — the same counts, the same chain health
 * (dangling mappings, unreferenced upstream sets) and the same key order in every keyed count.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fernetEncrypt, toUrlsafeBase64Padded } from '../../src/crypto/fernet.js';
import type { StoreEvidence } from '../../src/model/index.js';
import { Aggregator, emptyCounts } from '../../src/stores/aggregate.js';
import { keyringFromTexts } from '../../src/stores/keyring.js';
import type { RawEntry } from '../../src/stores/types.js';

const NOW = 1_795_300_000;
const KEY = toUrlsafeBase64Padded(Buffer.alloc(32, 7));
const OLD = toUrlsafeBase64Padded(Buffer.alloc(32, 9));
const keyring = keyringFromTexts([
  { text: KEY, label: 'the key in use', role: 'explicit' },
  { text: OLD, label: 'an old key', role: 'candidate' },
]);

function skeleton(): StoreEvidence {
  const collections: StoreEvidence['collections'] = {};
  for (const c of ['mcp-upstream-tokens', 'mcp-jti-mappings']) collections[c] = emptyCounts();
  return {
    kind: 'redis',
    location: 'test',
    generation: 'user-store',
    documentFormat: 'unknown',
    encryption: 'unknown',
    collections,
    decryptsWithCandidate: {},
    chainHealth: { danglingMappings: 0, unreferencedUpstreamSets: 0, upstreamSetsPerClient: {}, tokensByPrefix: {}, tokensByExpiry: { expired: 0, within24h: 0, later: 0, never: 0 }, withRefreshToken: 0, plaintextUpstreamTokens: 0 },
    entriesRead: 0,
  };
}

const doc = (value: unknown, key: string | undefined, expires: string | null) => {
  const inner = JSON.stringify(value);
  const v = key ? { __encrypted_data__: Buffer.from(fernetEncrypt(inner, key)).toString('base64'), __encryption_version__: 1 } : value;
  return `{"created_at": "2026-11-01T00:00:00+00:00", ${expires ? `"expires_at": "${expires}", ` : ''}"value": ${JSON.stringify(v)}, "version": 1}`;
};

const ids = fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6');
const entry: fc.Arbitrary<RawEntry> = fc
  .record({
    kind: fc.constantFrom('mapping', 'upstream', 'other', 'corrupt', 'unknown-collection'),
    id: ids,
    client: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
    prefix: fc.constantFrom('gho_', 'ghu_', 'zzz'),
    key: fc.constantFrom<string | undefined>(KEY, KEY, OLD, undefined),
    expires: fc.constantFrom<string | null>(null, '2026-11-01T00:00:00+00:00', '2099-01-01T00:00:00+00:00'),
    collection: fc.constantFrom('x-one', 'x-two', 'x-three'),
  })
  .map((e) => {
    const raw: RawEntry = { collection: '', key: 'k', keyExact: true, storeExpiresAt: null };
    switch (e.kind) {
      case 'mapping':
        raw.collection = 'mcp-jti-mappings';
        raw.text = doc({ jti: 'j', upstream_token_id: e.id, created_at: 1 }, e.key, e.expires);
        break;
      case 'upstream':
        raw.collection = 'mcp-upstream-tokens';
        raw.text = doc({ upstream_token_id: e.id, access_token: `${e.prefix}abc`, client_id: e.client, expires_at: NOW + 3600, refresh_token: e.prefix === 'gho_' ? null : 'r' }, e.key, e.expires);
        break;
      case 'other':
        raw.collection = 'mcp-refresh-tokens';
        raw.text = doc({ client_id: e.client }, e.key, e.expires);
        break;
      case 'corrupt':
        raw.collection = 'mcp-jti-mappings';
        raw.text = '{"value": ';
        break;
      default:
        raw.collection = e.collection;
        raw.text = doc({ a: 1 }, e.key, e.expires);
    }
    return raw;
  });

function aggregate(entries: readonly RawEntry[], positions: readonly number[]): Aggregator {
  const agg = new Aggregator(skeleton(), keyring, NOW, { on: false }, false);
  // Batches of any size, positions as given.
  for (let at = 0; at < entries.length; at += 3) agg.addBatch(entries.slice(at, at + 3), positions.slice(at, at + 3));
  return agg;
}

describe('Aggregator.merge', () => {
  it('parts dealt to several aggregators merge to what one aggregator over every entry writes', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 120, size: 'max' }), fc.array(fc.nat({ max: 3 }), { minLength: 120, maxLength: 120 }), (entries, owner) => {
        const one = aggregate(entries, entries.map((_, i) => i));
        one.finish(false);
        const parts = [0, 1, 2, 3].map((t) => {
          const idx = entries.map((_, i) => i).filter((i) => owner[i] === t);
          return aggregate(
            idx.map((i) => entries[i]!),
            idx,
          );
        });
        const [main, ...others] = parts;
        main!.merge(others.map((p) => p.exportState()));
        main!.finish(false);
        expect(JSON.stringify(main!.ev)).toBe(JSON.stringify(one.ev));
      }),
      { numRuns: 200 },
    );
  });

  it('a collection or client id named "__proto__" (a hostile store) is counted as any other, and pollutes nothing', () => {
    const mk = (collection: string, value: unknown): RawEntry => ({ collection, key: 'k', keyExact: true, storeExpiresAt: null, text: doc(value, KEY, null) });
    const entries = [mk('__proto__', { a: 1 }), mk('mcp-upstream-tokens', { upstream_token_id: 'u', access_token: 'gho_x', client_id: '__proto__' }), mk('__proto__', { a: 2 })];
    const a = aggregate(entries.slice(0, 1), [0]);
    const b = aggregate(entries.slice(1), [1, 2]);
    a.merge([b.exportState()]);
    a.finish(false);
    const one = aggregate(entries, [0, 1, 2]);
    one.finish(false);
    for (const agg of [a, one]) {
      expect(Object.getOwnPropertyDescriptor(agg.ev.collections, '__proto__')?.value).toMatchObject({ total: 2, live: 2 });
      expect(Object.getOwnPropertyDescriptor(agg.ev.chainHealth.upstreamSetsPerClient, '__proto__')?.value).toBe(1);
      expect(JSON.stringify(agg.ev)).toContain('"__proto__":{"total":2');
    }
    expect(JSON.stringify(a.ev)).toBe(JSON.stringify(one.ev));
    expect(({} as Record<string, unknown>).total).toBeUndefined();
  });

  it('counts dangling mappings (each) and unreferenced upstream sets (each id once) across parts', () => {
    const mk = (collection: string, value: unknown): RawEntry => ({ collection, key: 'k', keyExact: true, storeExpiresAt: null, text: doc(value, KEY, null) });
    const entries = [
      mk('mcp-jti-mappings', { jti: 'a', upstream_token_id: 'gone' }),
      mk('mcp-jti-mappings', { jti: 'b', upstream_token_id: 'gone' }),
      mk('mcp-jti-mappings', { jti: 'c', upstream_token_id: 'u1' }),
      mk('mcp-upstream-tokens', { upstream_token_id: 'u1', access_token: 'gho_x' }),
      mk('mcp-upstream-tokens', { upstream_token_id: 'lonely', access_token: 'gho_x' }),
      mk('mcp-upstream-tokens', { upstream_token_id: 'lonely', access_token: 'gho_x' }),
    ];
    const a = aggregate(entries.slice(0, 3), [0, 1, 2]);
    const b = aggregate(entries.slice(3), [3, 4, 5]);
    a.merge([b.exportState()]);
    a.finish(false);
    expect(a.ev.chainHealth.danglingMappings).toBe(2);
    expect(a.ev.chainHealth.unreferencedUpstreamSets).toBe(1);
    expect(a.ev.entriesRead).toBe(6);
  });
});
