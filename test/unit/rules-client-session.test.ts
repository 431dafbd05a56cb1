/**
 * The client tier and the session judgement (src/diagnosis/session.ts) on hand-built evidence, and
 * REFRESH_TOKEN_SUPERSEDED (src/diagnosis/rules/refresh.ts): the e2e tests over the real client
 * bundles cover the whole path; these pin each rule.
 */
import { describe, expect, it } from 'vitest';
import { clientFindings, buildSessionReport, worstSession } from '../../src/diagnosis/session.js';
import { refreshRules } from '../../src/diagnosis/rules/refresh.js';
import { type CacheFile, type ChainEvidence, type ClientEvidence, type ClientSession, collected, type Evidence, type TokenEvidence } from '../../src/model/index.js';
import { Secret } from '../../src/secrets.js';
import { missing, present as presentEntry } from '../support/chain-entries.js';

const NOW = 1796186551;
const URL_ = 'http://127.0.0.1:37583/mcp';
const settings = (): Evidence['settings'] => ({ mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com', baseUrl: 'http://127.0.0.1:37583/', expectedAudience: URL_, expectedIssuer: 'http://127.0.0.1:37583/' });
const file = (mode = 0o600): CacheFile => ({ path: '/home/u/.mcp-auth/mcp-remote-v1/x_tokens.json', mode, readableByOthers: (mode & 0o044) !== 0, size: 10, mtimeMs: 0 });

function session(over: Partial<ClientSession> = {}): ClientSession {
  return {
    client: 'mcp-remote',
    serverUrl: URL_,
    serverUrlSource: 'key-hash',
    key: 'x',
    issuer: 'http://127.0.0.1:37583/',
    clientId: 'client-1',
    clientSecret: null,
    accessToken: new Secret('access-token-value-0123456789', 'cache'),
    refreshToken: new Secret('refresh-token-value-0123456789', 'cache'),
    accessTokenPeek: { kind: 'jwt', iss: 'http://127.0.0.1:37583/', aud: URL_, jti: 'j', clientId: 'client-1', exp: NOW + 100 },
    refreshTokenPeek: { kind: 'jwt', iss: 'http://127.0.0.1:37583/', aud: URL_, jti: 'r', clientId: 'client-1', tokenUse: 'refresh' },
    tokenType: 'Bearer',
    scope: null,
    expiresAt: NOW + 100,
    expiresAtSource: 'ms',
    registration: { file: '/home/u/.mcp-auth/mcp-remote-v1/x_client_info.json', howToClear: 'delete x_client_info.json and x_tokens.json' },
    cache: file(),
    files: [file()],
    problems: [],
    ...over,
  };
}

const client = (s?: ClientSession): ClientEvidence => ({ client: 'mcp-remote', home: '/home/u', serverUrl: URL_, ...(s ? { session: s, matchedBy: 'key-hash' as const } : {}), otherServers: ['http://elsewhere/mcp'], notes: [], searched: [{ client: 'mcp-remote', path: '/home/u/.mcp-auth', present: true }] });
const base = (c: ClientEvidence): Evidence => ({ command: 'diagnose', now: NOW, settings: settings(), client: collected(c) });
const codes = (fs: { code: string; severity: string }[]) => fs.map((f) => `${f.code}:${f.severity}`);

function token(kind: 'access' | 'refresh', exp = NOW + 100): TokenEvidence {
  return {
    token: new Secret(`${kind}-token-value-0123456789`, 't'),
    claims: { jti: kind === 'access' ? 'j' : 'r', client_id: 'client-1', exp, iat: NOW - 10, iss: 'http://127.0.0.1:37583/', aud: URL_, ...(kind === 'refresh' ? { token_use: 'refresh' } : {}) },
    kind,
    headerFamily: 'joserfc',
    sha256: 'ab'.repeat(32),
    signature: { checked: true, validWithCurrent: true, validWith: 'current', validWithRole: 'current', tried: ['current'] },
  };
}
const present = <T>(c: string, value: T) => presentEntry(c, value, NOW + 1000);
const chain = (over: Partial<ChainEvidence> = {}): ChainEvidence => ({
  jti: 'j',
  storeKind: 'filetree',
  generation: '3.x+',
  client: present('mcp-oauth-proxy-clients', { clientId: 'client-1' }),
  mapping: present('mcp-jti-mappings', { upstreamTokenId: 'up-1' }),
  upstreamSet: present('mcp-upstream-tokens', { upstreamTokenId: 'up-1', accessToken: new Secret('ghu_x', 's'), refreshToken: null, expiresAt: NOW + 100, refreshTokenExpiresAt: null }),
  ...over,
});
const path = (kind: 'access' | 'refresh', c: ChainEvidence, exp?: number): Evidence => ({ command: 'diagnose', now: NOW, settings: { ...settings(), presentedAs: kind }, token: collected(token(kind, exp)), chain: collected(kind === 'refresh' ? { ...c, refreshMeta: c.refreshMeta ?? present('mcp-refresh-tokens', { expiresAt: NOW + 1000 }) } : c) });
const OPTS = { version: 't', interrupted: false };

describe('client tier findings', () => {
  it('a clean session raises nothing', () => {
    expect(clientFindings(client(session()), base(client(session())))).toEqual([]);
  });
  it('no session, no token, access only, another server, readable by others', () => {
    expect(codes(clientFindings(client(), base(client())))).toEqual(['CLIENT_NO_SESSION:error']);
    expect(clientFindings(client(), base(client()))[0]!.detail).toContain('It holds sessions for: http://elsewhere/mcp');
    expect(codes(clientFindings(client(session({ accessToken: null, refreshToken: null })), base(client())))).toEqual(['CLIENT_NO_TOKEN:error']);
    expect(codes(clientFindings(client(session({ refreshToken: null })), base(client())))).toEqual(['CLIENT_NO_REFRESH_TOKEN:warning']);
    const other = session({ accessTokenPeek: { kind: 'jwt', iss: 'http://127.0.0.1:9/', aud: 'http://127.0.0.1:9/mcp' } });
    expect(codes(clientFindings(client(other), base(client())))).toEqual(['CLIENT_TOKEN_FOR_OTHER_SERVER:error']);
    const open = session({ cache: file(0o644), files: [file(0o644)] });
    const f = clientFindings(client(open), base(client()));
    expect(codes(f)).toEqual(['CLIENT_CACHE_READABLE_BY_OTHERS:warning']);
    expect(f[0]!.detail).toContain('mode 0644');
  });
  it('control characters from a cache file are escaped in the detail', () => {
    const c = { ...client(), otherServers: ['http://evil\u001b[31m/mcp'] };
    const d = clientFindings(c, base(c))[0]!.detail;
    expect(d).not.toContain('\u001b');
    expect(d).toContain('\\x1b[31m');
  });
});

describe('REFRESH_TOKEN_SUPERSEDED', () => {
  it('a gone hash with a newer entry for the same client: not-found (where FastMCP stops), superseded (why)', () => {
    const c = chain({ refreshMeta: missing('mcp-refresh-tokens'), mapping: missing('mcp-jti-mappings'), refreshSuccessors: [{ hashPrefix: 'e0ed27e128ae', createdAt: NOW - 1, expiresAt: null }] });
    const fs = refreshRules(path('refresh', c));
    expect(codes(fs)).toEqual(['REFRESH_TOKEN_NOT_FOUND:error', 'REFRESH_TOKEN_SUPERSEDED:error']);
    expect(fs[1]!.detail).toContain('e0ed27e128ae');
    // Without successors it is only not-found ("expired or revoked").
    expect(codes(refreshRules(path('refresh', chain({ refreshMeta: missing('mcp-refresh-tokens'), refreshSuccessors: [] }))))).toEqual(['REFRESH_TOKEN_NOT_FOUND:error']);
  });
});

describe('the session verdict', () => {
  const c = client(session());
  it('access works and refresh works: healthy', () => {
    const r = buildSessionReport({ base: base(c), access: path('access', chain()), refresh: path('refresh', chain()) }, OPTS);
    expect([r.verdict, r.failingTier]).toEqual(['healthy', null]);
    expect(r.session?.access?.endpoint).toBe('POST /mcp');
  });
  it('access works, refresh dead: failing at refresh, and the session ends at the access expiry', () => {
    const dead = chain({ refreshMeta: missing('mcp-refresh-tokens'), refreshSuccessors: [{ hashPrefix: 'e0', createdAt: NOW - 1, expiresAt: null }] });
    const r = buildSessionReport({ base: base(c), access: path('access', chain()), refresh: path('refresh', dead) }, OPTS);
    expect([r.verdict, r.failingTier, r.findings.find((f) => f.severity === 'error')?.code]).toEqual(['failing', 'refresh', 'REFRESH_TOKEN_SUPERSEDED']);
    expect(r.session?.endsAt).toBe(NOW + 100);
    expect(r.summary).toContain('The session works until');
  });
  it('access expired, refresh works: healthy, said as info', () => {
    const r = buildSessionReport({ base: base(c), access: path('access', chain(), NOW - 5), refresh: path('refresh', chain()) }, OPTS);
    expect(r.verdict).toBe('healthy');
    expect(codes(r.findings)).toContain('CLIENT_ACCESS_EXPIRED_REFRESHES:info');
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
  it('registration lost: STORE_CACHED_CLIENT_ID_UNKNOWN first, with the clearing instruction', () => {
    const lost = chain({ client: missing('mcp-oauth-proxy-clients'), mapping: missing('mcp-jti-mappings') });
    delete lost.upstreamSet;
    const r = buildSessionReport({ base: base(c), access: path('access', lost), refresh: path('refresh', lost) }, OPTS);
    expect([r.verdict, r.failingTier, r.findings.find((f) => f.severity === 'error')?.code]).toEqual(['failing', 'storage', 'STORE_CACHED_CLIENT_ID_UNKNOWN']);
    expect(r.fix).toContain('delete x_client_info.json');
  });
  it('no session: failing at client', () => {
    const r = buildSessionReport({ base: base(client()) }, OPTS);
    expect([r.verdict, r.failingTier, r.findings[0]?.code]).toEqual(['failing', 'client', 'CLIENT_NO_SESSION']);
  });
  it('several sessions: the worst wins, every session listed', () => {
    const ok = buildSessionReport({ base: base(c), access: path('access', chain()), refresh: path('refresh', chain()) }, OPTS);
    const bad = buildSessionReport({ base: base(c), access: path('access', chain()), refresh: path('refresh', chain({ refreshMeta: missing('mcp-refresh-tokens') })) }, OPTS);
    const w = worstSession([ok, bad]);
    expect(w.verdict).toBe('failing');
    expect(w.sessions?.map((s) => s.verdict)).toEqual(['failing', 'healthy']);
  });
});
