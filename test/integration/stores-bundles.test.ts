/**
 * Every real FastMCP store in fixtures/real-fastmcp (written by FastMCP 2.14.7 and 3.4.7 themselves),
 * read with the key derived from the bundle's current settings and evaluated at captured_at.
 * The expected counts were taken independently (Python's sqlite3/json over the raw files).
 * Redis bundles are loaded into a real redis-server as the bundle README prescribes.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainEvidence, CollectionCounts, StoreEvidence, TokenEvidence } from '../../src/model/index.js';
import type { CommandContext } from '../../src/commands/context.js';
import { silentProgress } from '../../src/commands/context.js';
import { deriveKeys, type DerivedKey, type KeyInput } from '../../src/fastmcp/keys.js';
import { Secret } from '../../src/secrets.js';
import { toUrlsafeBase64Padded } from '../../src/crypto/fernet.js';
import { buildKeyring, collectChain, collectInventory, keyringFromTexts, readUpstreamSets } from '../../src/stores/index.js';
import { listBundles, loadBundle, type Bundle } from '../support/bundles.js';
import { hashTree } from '../support/hash.js';
import { loadRedisDump, redisServerAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { openStoreFromFlags } from '../support/targets.js';

type Counts = Record<string, [live: number, expired: number]>;
const C = 'mcp-oauth-proxy-clients';
const U = 'mcp-upstream-tokens';
const J = 'mcp-jti-mappings';
const R = 'mcp-refresh-tokens';

const EXPECTED: Record<string, Counts> = {
  '2.14.7/a-healthy/default-diskcache': { [C]: [1, 0], [U]: [1, 0], [J]: [3, 0], [R]: [1, 0] },
  '2.14.7/a-healthy/redis-fernet': { [C]: [1, 0], [U]: [1, 0], [J]: [3, 0], [R]: [1, 0] },
  '2.14.7/b-upstream-revoked/default-diskcache': { [C]: [1, 0], [U]: [1, 0], [J]: [2, 0], [R]: [1, 0] },
  '2.14.7/c-jwt-signing-key-rotated/redis-fernet': { [C]: [1, 0], [U]: [1, 0], [J]: [2, 0], [R]: [1, 0] },
  '2.14.7/e-access-jwt-expired/default-diskcache': { [C]: [1, 0], [U]: [1, 0], [J]: [1, 1], [R]: [1, 0] },
  '3.4.7/a-healthy/default-filetree': { [C]: [1, 0], [U]: [1, 0], [J]: [3, 0], [R]: [1, 0] },
  '3.4.7/a-healthy/redis-fernet': { [C]: [1, 0], [U]: [1, 0], [J]: [3, 0], [R]: [1, 0] },
  '3.4.7/a-healthy/redis-plain': { [C]: [1, 0], [U]: [1, 0], [J]: [3, 0], [R]: [1, 0] },
  '3.4.7/b-upstream-revoked/default-filetree': { [C]: [1, 0], [U]: [1, 0], [J]: [2, 0], [R]: [1, 0] },
  // Read with the current key TWO: its directory d1505f751a45 holds only an (empty) clients collection.
  '3.4.7/c-jwt-signing-key-rotated/default-filetree': {},
  '3.4.7/d-jti-mapping-deleted/redis-fernet': { [C]: [1, 0], [U]: [1, 0], [R]: [1, 0] },
  '3.4.7/e-access-jwt-expired/default-filetree': { [C]: [1, 0], [U]: [1, 0], [J]: [1, 1], [R]: [1, 0] },
};

const ctxFor = (now: number): CommandContext => ({ now, nowFromFlag: true, version: 'test', progress: silentProgress, signal: new AbortController().signal, debug: false, env: {}, readStdin: async () => '' });

const derived = new Map<string, Promise<DerivedKey[]>>();
function keysOf(b: Bundle, withIssuingAsCandidate = false): Promise<DerivedKey[]> {
  const id = `${b.id}|${withIssuingAsCandidate}`;
  let p = derived.get(id);
  if (!p) {
    const inputs: KeyInput[] = [];
    const input = (s: Bundle['current'], role: 'current' | 'candidate', label: string): KeyInput => {
      const jwtKey = s['jwt_signing_key (as passed to GitHubProvider)'];
      return jwtKey
        ? { kind: 'jwt-signing-key', secret: new Secret(jwtKey, label), label, role }
        : { kind: 'client-secret', secret: new Secret(s['upstream_client_secret (GitHub app client_secret)'], label), label, role };
    };
    inputs.push(input(b.current, 'current', 'current key'));
    if (withIssuingAsCandidate) inputs.push(input(b.issuing, 'candidate', 'issuing key'));
    p = deriveKeys(inputs);
    derived.set(id, p);
  }
  return p;
}

function b64json(seg: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A minimal TokenEvidence for a bundle's token file. */
function tokenEvidence(text: string): TokenEvidence {
  const [h, p] = text.split('.');
  const claims = b64json(p!);
  return {
    token: new Secret(text, 'bundle token'),
    header: b64json(h!),
    claims,
    kind: claims.token_use === 'refresh' ? 'refresh' : 'access',
    sha256: createHash('sha256').update(text).digest('hex'),
    signature: { checked: false, tried: [] },
  };
}

const haveRedis = redisServerAvailable();
let redis: RedisServer | undefined;

beforeAll(async () => {
  if (haveRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function open(b: Bundle) {
  if (b.redisDump) {
    if (!redis) throw new Error('redis-server not available');
    loadRedisDump(redis, b.redisDump);
    return openStoreFromFlags({ store: redis.url }, ctxFor(b.scenario.captured_at));
  }
  return openStoreFromFlags({ store: b.storePath }, ctxFor(b.scenario.captured_at));
}

async function read(b: Bundle, opts: { candidate?: boolean } = {}) {
  const store = await open(b);
  try {
    const keyring = buildKeyring(await keysOf(b, opts.candidate), b.storageKey ? new Secret(b.storageKey, 'bundle storage key') : undefined);
    const now = b.scenario.captured_at;
    const inv = await collectInventory(store, keyring, now, {});
    const access = await collectChain(store, keyring, tokenEvidence(b.accessToken), now);
    const refresh = await collectChain(store, keyring, tokenEvidence(b.refreshToken), now);
    const sets = [];
    for await (const s of readUpstreamSets(store, keyring, now)) sets.push(s);
    const value = <T>(c: { status: string; value?: T }) => {
      expect(c.status).toBe('collected');
      return c.value as T;
    };
    return { inv: value<StoreEvidence>(inv), access: value<ChainEvidence>(access), refresh: value<ChainEvidence>(refresh), sets };
  } finally {
    await store.close();
  }
}

const bundles = listBundles();

describe.skipIf(!haveRedis)('every real bundle', () => {
  it('covers all twelve bundles', () => {
    expect(bundles.map((b) => b.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(bundles.map((b) => [b.id, b] as const))('%s: counts per collection at captured_at', async (_id, b) => {
    const before = b.redisDump ? undefined : hashTree(b.dir);
    const { inv } = await read(b);
    const want = EXPECTED[b.id]!;
    for (const [name, counts] of Object.entries(inv.collections) as [string, CollectionCounts][]) {
      const [live, expired] = want[name] ?? [0, 0];
      expect({ name, live: counts.live, expired: counts.expired, undecryptable: counts.undecryptable, corrupt: counts.corrupt }).toEqual({ name, live, expired, undecryptable: 0, corrupt: 0 });
    }
    expect(inv.kind).toBe(b.backend === 'default-filetree' ? 'filetree' : b.backend === 'default-diskcache' ? 'diskcache' : 'redis');
    expect(inv.generation).toBe(b.backend === 'default-filetree' ? '3.x+' : b.backend === 'default-diskcache' ? '2.13-2.14' : 'user-store');
    if (Object.keys(want).length) {
      expect(inv.documentFormat).toBe('B');
      expect(inv.encryption).toBe(b.backend === 'redis-plain' ? 'none' : 'fernet');
    }
    if (before) expect(hashTree(b.dir)).toEqual(before);
  });

  it.each(bundles.filter((b) => b.id !== '3.4.7/c-jwt-signing-key-rotated/default-filetree').map((b) => [b.id, b] as const))('%s: chain health', async (_id, b) => {
    const { inv, sets } = await read(b);
    const h = inv.chainHealth;
    expect(h.danglingMappings).toBe(0);
    // d-…: every mapping was deleted, so the upstream set is unreferenced.
    expect(h.unreferencedUpstreamSets).toBe(b.scenario.scenario === 'd-jti-mapping-deleted' ? 1 : 0);
    expect(h.upstreamSetsPerClient).toEqual({ [b.scenario.mcp_client_id]: 1 });
    expect(h.tokensByPrefix).toEqual({ ghu_: 1 });
    expect(h.withRefreshToken).toBe(1);
    expect(h.plaintextUpstreamTokens).toBe(b.backend === 'redis-plain' ? 1 : 0);
    // 2.14.7/e-…: the stand-in GitHub answered expires_in=5, so the GitHub token itself has expired.
    const githubExpired = b.id === '2.14.7/e-access-jwt-expired/default-diskcache';
    expect(h.tokensByExpiry).toEqual({ expired: githubExpired ? 1 : 0, within24h: githubExpired ? 0 : 1, later: 0, never: 0 });
    expect(sets).toHaveLength(1);
    expect(sets[0]!.state).toBe('live');
    expect(String(sets[0]!.value.accessToken)).toMatch(/^ghu_…sha256:[0-9a-f]{8}$/);
  });

  it.each(bundles.filter((b) => b.scenario.scenario !== 'd-jti-mapping-deleted' && b.scenario.scenario !== 'c-jwt-signing-key-rotated' && b.scenario.scenario !== 'e-access-jwt-expired').map((b) => [b.id, b] as const))(
    '%s: both tokens walk the whole chain',
    async (_id, b) => {
      const { access, refresh } = await read(b);
      for (const chain of [access, refresh]) {
        expect(chain.client?.state).toBe('present');
        expect(chain.mapping?.state).toBe('present');
        expect(chain.upstreamSet?.state).toBe('present');
        expect(chain.foundElsewhere).toBeUndefined();
      }
      expect(access.refreshMeta).toBeUndefined();
      expect(refresh.refreshMeta?.state).toBe('present');
      const m = access.mapping;
      const u = access.upstreamSet;
      if (m?.state === 'present' && u?.state === 'present') expect(u.value.upstreamTokenId).toBe(m.value.upstreamTokenId);
    },
  );

  it.each(['2.14.7/e-access-jwt-expired/default-diskcache', '3.4.7/e-access-jwt-expired/default-filetree'])('%s: the access mapping has expired at captured_at; the refresh chain is intact', async (id) => {
    const b = loadBundle(id);
    const { access, refresh } = await read(b);
    expect(access.mapping?.state).toBe('expired');
    if (access.mapping?.state === 'expired') {
      expect(access.mapping.expiresAt).toBeLessThanOrEqual(b.scenario.captured_at);
      expect(access.mapping.value?.upstreamTokenId).toBeTruthy();
    }
    expect(refresh.refreshMeta?.state).toBe('present');
    expect(refresh.mapping?.state).toBe('present');
    expect(refresh.upstreamSet?.state).toBe('present');
  });

  it('3.4.7/d-jti-mapping-deleted: no mapping for either token; upstream set and refresh hash remain', async () => {
    const b = loadBundle('3.4.7/d-jti-mapping-deleted/redis-fernet');
    const { access, refresh } = await read(b);
    expect(access.mapping?.state).toBe('missing');
    expect(access.upstreamSet).toBeUndefined();
    expect(refresh.client?.state).toBe('present');
    expect(refresh.refreshMeta?.state).toBe('present');
    expect(refresh.mapping?.state).toBe('missing');
  });

  it('3.4.7/c-jwt-signing-key-rotated: key TWO selects the empty d1505f751a45, 8e2094e892ed is orphaned', async () => {
    const b = loadBundle('3.4.7/c-jwt-signing-key-rotated/default-filetree');
    const { inv, access, refresh } = await read(b);
    expect(inv.fingerprints?.selected).toBe('d1505f751a45');
    expect(inv.fingerprints?.expected).toBe('d1505f751a45');
    expect(inv.fingerprints?.dirs).toEqual([
      { name: '8e2094e892ed', entries: 5, newest: expect.any(Number) },
      { name: 'd1505f751a45', entries: 0, selectedBy: 'current key' },
    ]);
    expect(inv.entriesRead).toBe(0);
    // What FastMCP sees: nothing in its directory; the chain is in the orphan.
    expect(refresh.client?.state).toBe('missing');
    expect(refresh.client?.where).toContain('d1505f751a45');
    expect(access.mapping?.state).toBe('missing');
    expect(access.foundElsewhere).toBe('fingerprint directory 8e2094e892ed (not selected by any given key)');
  });

  it('3.4.7/c-jwt-signing-key-rotated with key ONE as a candidate: the orphan is selected by that candidate', async () => {
    const b = loadBundle('3.4.7/c-jwt-signing-key-rotated/default-filetree');
    const { inv, access, refresh } = await read(b, { candidate: true });
    expect(inv.fingerprints?.selected).toBe('d1505f751a45');
    expect(inv.fingerprints?.dirs.find((d) => d.name === '8e2094e892ed')?.selectedBy).toBe('issuing key');
    expect(access.foundElsewhere).toBe('fingerprint directory 8e2094e892ed (selected by issuing key)');
    expect(refresh.foundElsewhere).toBe('fingerprint directory 8e2094e892ed (selected by issuing key)');
  });

  it('a Redis bundle read with the wrong explicit key: present but not decryptable, never missing; the right key named as a candidate', async () => {
    const b = loadBundle('3.4.7/a-healthy/redis-fernet');
    if (!redis) throw new Error('no redis');
    loadRedisDump(redis, b.redisDump!);
    const store = await openStoreFromFlags({ store: redis.url }, ctxFor(b.scenario.captured_at));
    try {
      const keyring = keyringFromTexts([
        { text: toUrlsafeBase64Padded(Buffer.alloc(32, 7)), label: 'rotated key', role: 'explicit' },
        { text: b.storageKey!, label: 'previous key', role: 'candidate' },
      ]);
      const inv = await collectInventory(store, keyring, b.scenario.captured_at, {});
      const v = inv.status === 'collected' ? inv.value : undefined;
      expect(v?.collections[J]).toMatchObject({ total: 3, live: 0, undecryptable: 3 });
      expect(v?.decryptsWithCandidate).toEqual({ 'previous key': 6 });
      const chain = await collectChain(store, keyring, tokenEvidence(b.accessToken), b.scenario.captured_at);
      const c = chain.status === 'collected' ? chain.value : undefined;
      expect(c?.mapping).toMatchObject({ state: 'undecryptable', decryptsWith: 'previous key' });
      expect(c?.upstreamSet).toMatchObject({ state: 'undecryptable', decryptsWith: 'previous key' });
      expect(c?.foundElsewhere).toBe('decrypts with previous key');
    } finally {
      await store.close();
    }
  });
});
