import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/diagnosis/engine.js';
import { type ChainEvidence, collected, type CollectionCounts, type Evidence, failed, type StoreEvidence, type TokenEvidence } from '../../src/model/index.js';
import { refreshRules } from '../../src/diagnosis/rules/refresh.js';
import { storageRules } from '../../src/diagnosis/rules/storage.js';
import { Secret } from '../../src/secrets.js';
import { missing, present as presentEntry, where } from '../support/chain-entries.js';

const NOW = 1795300000;
const settings = (v?: string): Evidence['settings'] => ({ mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com', ...(v ? { fastmcpVersion: v, fastmcpVersionSource: 'flag' as const } : {}) });

function token(kind: 'access' | 'refresh'): TokenEvidence {
  return {
    token: new Secret('t', 't'),
    claims: { jti: 'jti-123', client_id: 'client-1', exp: NOW + 100, ...(kind === 'refresh' ? { token_use: 'refresh' } : {}) },
    kind,
    headerFamily: 'joserfc',
    sha256: 'ab'.repeat(32),
    signature: { checked: true, validWithCurrent: true, validWith: 'current', validWithRole: 'current', tried: ['current'] },
  };
}

const present = <T>(c: string, value: T) => presentEntry(c, value, NOW + 1000);

function healthyChain(generation: ChainEvidence['generation'] = '3.x+'): ChainEvidence {
  return {
    jti: 'jti-123',
    storeKind: 'filetree',
    generation,
    client: present('mcp-oauth-proxy-clients', { clientId: 'client-1' }),
    refreshMeta: present('mcp-refresh-tokens', { expiresAt: NOW + 1000 }),
    mapping: present('mcp-jti-mappings', { upstreamTokenId: 'up-1' }),
    upstreamSet: present('mcp-upstream-tokens', { upstreamTokenId: 'up-1', accessToken: new Secret('ghu_x', 's'), refreshToken: null, expiresAt: NOW + 100, refreshTokenExpiresAt: null }),
  };
}

function evidence(kind: 'access' | 'refresh', chain: ChainEvidence, v?: string): Evidence {
  const c = { ...chain };
  if (kind === 'access') delete c.refreshMeta;
  return { command: 'verify-token', now: NOW, settings: settings(v), token: collected(token(kind)), chain: collected(c) };
}

const codes = (ev: Evidence) => [...storageRules(ev), ...refreshRules(ev)].map((f) => `${f.code}:${f.severity}`);

describe('chain rules (the token under diagnosis)', () => {
  it('a healthy chain raises nothing', () => {
    expect(codes(evidence('access', healthyChain()))).toEqual([]);
    expect(codes(evidence('refresh', healthyChain()))).toEqual([]);
  });

  it('a rotated refresh token (hash and refresh mapping both gone) is REFRESH_TOKEN_NOT_FOUND, not a storage error', () => {
    const chain = { ...healthyChain(), refreshMeta: missing('mcp-refresh-tokens'), mapping: missing('mcp-jti-mappings') };
    delete chain.upstreamSet;
    const ev = evidence('refresh', chain, '3.4.7');
    expect(codes(ev)).toEqual(['REFRESH_TOKEN_NOT_FOUND:error']);
    const r = buildReport(ev, { version: 't', interrupted: false, plan: { tiers: ['storage', 'refresh'], deciding: ['storage', 'refresh'] } });
    expect(r.failingTier).toBe('refresh');
    expect(r.findings[0]!.code).toBe('REFRESH_TOKEN_NOT_FOUND');
    expect(r.findings[0]!.stage).toBe('refresh.hash');
    expect(r.findings[0]!.detail).toMatch(/rotation/);
    expect(r.findings[0]!.logLine).toMatch(/Refresh token not found for client=client-1/);
  });

  it('a missing JTI mapping on the access path is an error at storage.jti_mapping with FastMCP\'s log line', () => {
    const chain = { ...healthyChain(), mapping: missing('mcp-jti-mappings') };
    delete chain.upstreamSet;
    const f = storageRules(evidence('access', chain, '3.4.7'));
    expect(f.map((x) => x.code)).toEqual(['STORE_JTI_MAPPING_MISSING']);
    expect(f[0]).toMatchObject({ severity: 'error', stage: 'storage.jti_mapping', tier: 'storage' });
    expect(f[0]!.logLine).toMatch(/JTI mapping not found \(token may have expired\): jti=jti-123/);
  });

  it('refresh path with the hash present but the mapping gone (operator deleted mappings) is a storage error', () => {
    const chain = { ...healthyChain(), mapping: missing('mcp-jti-mappings') };
    delete chain.upstreamSet;
    const f = storageRules(evidence('refresh', chain, '3.4.7'));
    expect(f.map((x) => x.code)).toEqual(['STORE_JTI_MAPPING_MISSING']);
    expect(f[0]!.logLine).toMatch(/^ERROR JTI mapping not found for refresh token: jti-123/);
  });

  it('an undecryptable mapping: 3.x default store reads it as missing, 2.x and user stores raise', () => {
    const undec = { state: 'undecryptable' as const, where: where('mcp-jti-mappings'), decryptsWith: 'previous secret' };
    const v3 = storageRules(evidence('access', { ...healthyChain('3.x+'), mapping: undec, upstreamSet: undefined }, '3.4.7'));
    expect(v3.map((x) => x.code)).toEqual(['STORE_JTI_MAPPING_MISSING']);
    expect(v3[0]!.detail).toMatch(/decrypts with previous secret/);
    const v2 = storageRules(evidence('access', { ...healthyChain('2.13-2.14'), mapping: undec, upstreamSet: undefined }, '2.14.7'));
    expect(v2.map((x) => x.code)).toEqual(['STORE_DECRYPT_FAILED']);
    expect(v2[0]).toMatchObject({ severity: 'error', stage: 'storage.jti_mapping' });
    expect(v2[0]!.logLine).toMatch(/Failed to decrypt value/);
    const user = storageRules(evidence('refresh', { ...healthyChain('user-store'), refreshMeta: { ...undec, where: where('mcp-refresh-tokens') } }, '3.4.7'));
    expect(user.map((x) => x.code)).toEqual(['STORE_DECRYPT_FAILED']);
    expect(user[0]!.detail).toMatch(/HTTP 500/);
  });

  it('a missing client registration breaks refresh (error, first on the refresh path) but not /mcp (warning)', () => {
    const chain = { ...healthyChain(), client: missing('mcp-oauth-proxy-clients'), foundElsewhere: 'fingerprint directory 8e2094e892ed (selected by candidate 1)' };
    const refresh = storageRules(evidence('refresh', chain));
    expect(refresh.map((x) => `${x.code}:${x.severity}`)).toEqual(['STORE_CLIENT_NOT_FOUND:error']);
    expect(refresh[0]!.detail).toMatch(/invalid_client.*8e2094e892ed/s);
    expect(storageRules(evidence('access', chain)).map((x) => `${x.code}:${x.severity}`)).toEqual(['STORE_CLIENT_NOT_FOUND:warning']);
    const r = buildReport(evidence('refresh', { ...chain, refreshMeta: missing('mcp-refresh-tokens') }), { version: 't', interrupted: false, plan: { tiers: ['storage', 'refresh'], deciding: ['storage'] } });
    expect(r.findings.map((x) => x.code)).toEqual(['STORE_CLIENT_NOT_FOUND', 'REFRESH_TOKEN_NOT_FOUND']);
    expect(r.failingTier).toBe('storage');
  });

  it('a mapping pointing to a gone upstream set is STORE_UPSTREAM_TOKEN_MISSING', () => {
    const f = storageRules(evidence('access', { ...healthyChain(), upstreamSet: missing('mcp-upstream-tokens') }, '2.14.7'));
    expect(f.map((x) => x.code)).toEqual(['STORE_UPSTREAM_TOKEN_MISSING']);
    expect(f[0]!.logLine).toMatch(/Upstream token not found: up-1/);
  });

  it('an expired mapping counts as missing and says when it expired', () => {
    const f = storageRules(evidence('access', { ...healthyChain(), mapping: { state: 'expired', expiresAt: NOW - 4, where: where('mcp-jti-mappings'), value: { upstreamTokenId: 'up-1' } }, upstreamSet: undefined }));
    expect(f.map((x) => x.code)).toEqual(['STORE_JTI_MAPPING_MISSING']);
    expect(f[0]!.detail).toMatch(/expired 4 s ago/);
    expect(f[0]!.title).toBe("The token's JTI mapping has expired (FastMCP reads it as missing)");
  });
});

const zero = (): CollectionCounts => ({ total: 0, live: 0, expired: 0, undecryptable: 0, corrupt: 0 });
function store(over: Partial<StoreEvidence> = {}, cols: Record<string, Partial<CollectionCounts>> = {}): StoreEvidence {
  const collections: Record<string, CollectionCounts> = {};
  for (const c of ['mcp-oauth-proxy-clients', 'mcp-upstream-tokens', 'mcp-jti-mappings', 'mcp-refresh-tokens']) collections[c] = zero();
  for (const [c, v] of Object.entries(cols)) collections[c] = { ...zero(), ...v };
  return {
    kind: 'filetree',
    location: '/home/x/.local/share/fastmcp/oauth-proxy',
    generation: '3.x+',
    documentFormat: 'B',
    encryption: 'fernet',
    collections,
    decryptsWithCandidate: {},
    chainHealth: { danglingMappings: 0, unreferencedUpstreamSets: 0, upstreamSetsPerClient: {}, tokensByPrefix: {}, tokensByExpiry: { expired: 0, within24h: 0, later: 0, never: 0 }, withRefreshToken: 0, plaintextUpstreamTokens: 0 },
    entriesRead: 0,
    keysTried: [{ label: 'current secret', role: 'current', fingerprint: 'c714d6d70505' }],
    keyUsed: 'current secret',
    ...over,
  };
}
const inv = (s: StoreEvidence, partial?: string, v?: string): Evidence => ({ command: 'inspect-cache', now: NOW, settings: settings(v), store: collected(s, partial) });
const live = { live: 2, total: 2 };

describe('inventory rules', () => {
  it('a healthy store raises nothing and is healthy', () => {
    const ev = inv(store({}, { 'mcp-jti-mappings': live, 'mcp-upstream-tokens': { live: 1, total: 1 } }));
    expect(codes(ev)).toEqual([]);
    expect(buildReport(ev, { version: 't', interrupted: false, plan: { tiers: ['storage'], deciding: ['storage'] } }).verdict).toBe('healthy');
  });

  it('nothing decrypts with the key in use → error; some do → warning; no key → warning', () => {
    expect(codes(inv(store({ decryptsWithCandidate: { old: 3 } }, { 'mcp-jti-mappings': { undecryptable: 3, total: 3 } })))).toEqual(['STORE_DECRYPT_FAILED:error']);
    expect(codes(inv(store({}, { 'mcp-jti-mappings': { undecryptable: 1, live: 2, total: 3 } })))).toEqual(['STORE_DECRYPT_FAILED:warning']);
    const noKey = storageRules(inv(store({ keysTried: [], keyUsed: undefined }, { 'mcp-jti-mappings': { undecryptable: 3, total: 3 } })));
    expect(noKey.map((f) => `${f.code}:${f.severity}`)).toEqual(['STORE_DECRYPT_FAILED:warning']);
    expect(noKey[0]!.detail).toMatch(/no key was given/);
  });

  it('orphaned directories: a warning, an error when the directory in use holds no session', () => {
    const fp = (selectedEntries: number) => ({ selected: 'd1505f751a45', expected: 'd1505f751a45', dirs: [{ name: '8e2094e892ed', entries: 5, newest: NOW - 60, selectedBy: 'candidate 1' }, { name: 'd1505f751a45', entries: selectedEntries }] });
    expect(codes(inv(store({ fingerprints: fp(0) })))).toEqual(['STORE_ORPHANED_DIRECTORY:error', 'STORE_EMPTY:warning']);
    expect(codes(inv(store({ fingerprints: fp(2) }, { 'mcp-jti-mappings': live })))).toEqual(['STORE_ORPHANED_DIRECTORY:warning']);
    const f = storageRules(inv(store({ fingerprints: fp(0) })))[0]!;
    expect(f.detail).toMatch(/8e2094e892ed: 5 entries, newest .*selected by candidate 1/);
  });

  it('the current key\'s directory missing is an error', () => {
    const s = store({ fingerprints: { expected: 'c714d6d70505', dirs: [{ name: '8e2094e892ed', entries: 5 }] } });
    expect(codes(inv(s))).toEqual(['STORE_FINGERPRINT_DIR_MISSING:error', 'STORE_ORPHANED_DIRECTORY:warning']);
  });

  it('empty, plaintext, dangling, legacy cache.db, unreadable entries', () => {
    expect(codes(inv(store({}, { 'mcp-jti-mappings': { expired: 4, total: 4 } })))).toEqual(['STORE_EMPTY:warning']);
    const h = store().chainHealth;
    expect(codes(inv(store({ encryption: 'none', chainHealth: { ...h, plaintextUpstreamTokens: 1, tokensByPrefix: { ghu_: 1 } } }, { 'mcp-upstream-tokens': { live: 1, total: 1 } })))).toEqual(['STORE_PLAINTEXT_TOKENS:warning']);
    expect(codes(inv(store({ chainHealth: { ...h, danglingMappings: 2 } }, { 'mcp-jti-mappings': live })))).toEqual(['STORE_DANGLING_MAPPINGS:warning']);
    expect(codes(inv(store({ legacyCacheDb: '/x/oauth-proxy/cache.db' }, { 'mcp-jti-mappings': live })))).toEqual(['STORE_LEGACY_CACHE_IGNORED:warning']);
    expect(codes(inv(store({}, { 'mcp-jti-mappings': { live: 1, corrupt: 1, total: 2 } })))).toEqual(['STORE_UNREADABLE_ENTRIES:warning']);
  });

  it('a partial or limited read says so and does not judge cross-session health', () => {
    const h = store().chainHealth;
    const s = store({ limited: 'read at most 10 entries (--limit)', chainHealth: { ...h, danglingMappings: 3 } }, { 'mcp-jti-mappings': live });
    expect(codes(inv(s))).toEqual(['STORE_PARTIAL_READ:warning']);
    expect(codes(inv(store({}, { 'mcp-jti-mappings': live }), 'interrupted after 10 entries'))).toEqual(['STORE_PARTIAL_READ:warning']);
    const err: Evidence = { command: 'inspect-cache', now: NOW, settings: settings(), store: failed('cannot read Redis at redis://x:***@h/0: connection closed', store({ entriesRead: 5 }, { 'mcp-jti-mappings': live })) };
    expect(codes(err)).toEqual(['STORE_PARTIAL_READ:warning']);
    expect(buildReport(err, { version: 't', interrupted: false, plan: { tiers: ['storage'], deciding: ['storage'] } }).verdict).toBe('inconclusive');
  });

  it('refresh metadata in memory: 2.13.0–2.13.1, by version or by the store\'s shape', () => {
    expect(codes(inv(store({}, { 'mcp-jti-mappings': live }), undefined, '2.13.1'))).toEqual(['REFRESH_METADATA_IN_MEMORY:warning']);
    expect(codes(inv(store({}, { 'mcp-jti-mappings': live }), undefined, '2.13.2'))).toEqual([]);
    const h = store().chainHealth;
    const a = store({ kind: 'diskcache', generation: '2.13-2.14', documentFormat: 'A', chainHealth: { ...h, withRefreshToken: 1 } }, { 'mcp-jti-mappings': live, 'mcp-upstream-tokens': { live: 1, total: 1 } });
    expect(codes(inv(a))).toEqual(['REFRESH_METADATA_IN_MEMORY:warning']);
  });
});
