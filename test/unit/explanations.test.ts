/**
 * Root cause over symptom (src/diagnosis/explanations.ts): one pure evidence → report test per
 * cause → symptom pair, with the evidence that makes the condition false beside it. The verdict names
 * the deepest proven cause; `failingStage` keeps FastMCP's first failing check.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/diagnosis/engine.js';
import { EXPLANATIONS } from '../../src/diagnosis/explanations.js';
import { type ChainEvidence, collected, type CollectionCounts, entry, type Evidence, type FindingCode, type GithubHttpProbe, type IdpEvidence, type IdpEvent, type Report, type StoreEvidence, type TokenEvidence, type UpstreamEvidence } from '../../src/model/index.js';
import { renderText } from '../../src/render/text.js';
import { Secret } from '../../src/secrets.js';

const NOW = 1_800_000_000;
const settings = (extra: Partial<Evidence['settings']> = {}): Evidence['settings'] => ({ mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com', ...extra });
const UPSTREAM = 'ghu_upstreamupstreamupstreamupstream01';
const OTHER = 'ghu_otherotherotherotherotherotherother02';
const hashed = (t: string) => createHash('sha256').update(t).digest('base64');
const BAD: GithubHttpProbe = { url: 'https://api.github.com/user', status: 401, outcome: 'bad-credentials', message: 'Bad credentials', ms: 5, headers: {} };

function token(t: Partial<TokenEvidence> = {}, claims: Record<string, unknown> = {}): TokenEvidence {
  return {
    token: new Secret('eyJ.x.y', 't'),
    kind: 'access',
    headerFamily: 'joserfc',
    sha256: 'ab'.repeat(32),
    claims: { jti: 'jti-1', client_id: 'client-1', exp: NOW + 600, iat: NOW - 60, ...claims },
    signature: { checked: true, validWithCurrent: true, validWith: 'current key', validWithRole: 'current', tried: ['current key'] },
    ...t,
  };
}

function upstream(u: Partial<UpstreamEvidence> = {}): UpstreamEvidence {
  return { token: new Secret(UPSTREAM, 'store'), tokenSource: 'upstream token set up-1…', tokenKind: { prefix: 'ghu_', kind: 'GitHub App user token', expires: true }, apiUrl: 'https://api.github.com', requiredScopes: ['user'], user: BAD, storedExpiresAt: NOW + 3600, hasRefreshToken: true, ...u };
}

const LABEL = 'the upstream token behind this session';
function idp(event: Partial<IdpEvent>, tokenValue = UPSTREAM, extra: Partial<IdpEvidence> = {}): IdpEvidence {
  const e: IdpEvent = { action: 'oauth_access.destroy', at: NOW - 600, hashedToken: hashed(tokenValue), user: 'octo', appName: 'mcp', ...event };
  return {
    source: 'security-log-export',
    eventsRead: 2,
    eventsForApp: 2,
    matches: [{ token: LABEL, event: e }],
    destroysByExplanation: e.explanation ? { [e.explanation]: 1 } : {},
    timelines: [],
    // The label stands for the token the diagnosis followed; its hash is what the export matched.
    tokens: [{ label: LABEL, hashedToken: hashed(tokenValue), prefix: 'ghu_', hasRefreshToken: false }],
    ...extra,
  };
}

const counts = (c: Partial<CollectionCounts>): CollectionCounts => ({ total: 0, live: 0, expired: 0, undecryptable: 0, corrupt: 0, ...c });
function store(s: Partial<StoreEvidence> = {}): StoreEvidence {
  return {
    kind: 'filetree',
    location: '/data/oauth-proxy',
    generation: '3.x+',
    documentFormat: 'B',
    encryption: 'fernet',
    keyUsed: 'the current key',
    collections: { 'mcp-jti-mappings': counts({ total: 2, live: 2 }) },
    decryptsWithCandidate: {},
    chainHealth: { danglingMappings: 0, unreferencedUpstreamSets: 0, upstreamSetsPerClient: {}, tokensByPrefix: {}, tokensByExpiry: { expired: 0, within24h: 0, later: 0, never: 0 }, withRefreshToken: 0, plaintextUpstreamTokens: 0 },
    entriesRead: 2,
    keysTried: [{ label: 'the current key', role: 'current', fingerprint: 'c714d6d70505' }],
    ...s,
  };
}

const W = (c: string) => `${c} in fingerprint directory c714d6d70505`;
const present = <T>(c: string, value: T) => ({ state: 'present' as const, value, expiresAt: NOW + 1000, where: W(c) });
function chain(c: Partial<ChainEvidence> = {}): ChainEvidence {
  return {
    jti: 'jti-1',
    storeKind: 'filetree',
    generation: '3.x+',
    client: present('mcp-oauth-proxy-clients', { clientId: 'client-1' }),
    mapping: present('mcp-jti-mappings', { upstreamTokenId: 'up-1' }),
    upstreamSet: present('mcp-upstream-tokens', { upstreamTokenId: 'up-1', accessToken: new Secret(UPSTREAM, 's'), refreshToken: null, expiresAt: NOW + 3600, refreshTokenExpiresAt: null }),
    ...c,
  };
}

function diagnose(parts: Partial<Evidence>, s: Partial<Evidence['settings']> = {}): Evidence {
  return { command: 'diagnose', now: NOW, settings: settings(s), token: collected(token()), ...parts };
}

const report = (ev: Evidence): Report => buildReport(ev, { version: 't', interrupted: false });
const find = (r: Report, code: FindingCode) => r.findings.find((f) => f.code === code);

/** The symptom is linked to the cause in the report (`explainedBy`). */
function explained(r: Report, symptom: FindingCode, cause: FindingCode): boolean {
  return find(r, symptom)?.explainedBy === cause;
}

/** Each pair: evidence where the condition holds, and the same evidence where it does not. */
interface Case {
  yes: () => Evidence;
  no: () => Evidence;
}

const undecryptable = (c: string) => ({ state: 'undecryptable' as const, where: W(c) });
const missing = (c: string) => ({ state: 'missing' as const, where: W(c) });
const keyChanged = { checked: true, validWithCurrent: false, validWith: 'candidate secret #1', validWithRole: 'candidate' as const, tried: ['current key', 'candidate secret #1'] };
const orphaned = (selectedBy?: string) =>
  store({
    collections: { 'mcp-jti-mappings': counts({}) },
    fingerprints: { selected: 'bbbbbbbbbbbb', expected: 'bbbbbbbbbbbb', dirs: [{ name: 'bbbbbbbbbbbb', entries: 0 }, { name: 'aaaaaaaaaaaa', entries: 5, ...(selectedBy ? { selectedBy } : {}) }] },
    keysTried: [
      { label: 'the current key', role: 'current', fingerprint: 'bbbbbbbbbbbb' },
      { label: 'candidate secret #1', role: 'candidate', fingerprint: 'aaaaaaaaaaaa' },
    ],
  });
const decryptFailed = store({ collections: { 'mcp-jti-mappings': counts({ total: 5, undecryptable: 5 }) }, keyUsed: 'storage key (--storage-encryption-key-file)' });
const dirMissing = store({ collections: {}, fingerprints: { expected: 'cccccccccccc', dirs: [{ name: 'dddddddddddd', entries: 3 }] } });
const refreshToken = () => collected(token({ kind: 'refresh' }, { token_use: 'refresh' }));

const CASES: Record<string, Case> = {
  'IDP_TOKEN_EVICTED_MAX_FOR_APP→UPSTREAM_TOKEN_REJECTED': {
    yes: () => diagnose({ upstream: collected(upstream()), idp: collected(idp({ explanation: 'max_for_app' })) }),
    no: () => diagnose({ upstream: collected(upstream()), idp: collected(idp({ explanation: 'max_for_app' }, OTHER)) }),
  },
  'IDP_TOKEN_REVOKED→UPSTREAM_TOKEN_REJECTED': {
    yes: () => diagnose({ upstream: collected(upstream()), idp: collected(idp({})) }),
    no: () => diagnose({ upstream: collected(upstream()), idp: collected(idp({}, OTHER)) }),
  },
  'IDP_TOKEN_EVICTED_MAX_FOR_APP→UPSTREAM_TOKEN_EXPIRED': {
    yes: () => diagnose({ upstream: collected(upstream({ storedExpiresAt: NOW - 60, hasRefreshToken: false })), idp: collected(idp({ explanation: 'max_for_app', at: NOW - 600 })) }),
    no: () => diagnose({ upstream: collected(upstream({ storedExpiresAt: NOW - 60, hasRefreshToken: false })), idp: collected(idp({ explanation: 'max_for_app', at: NOW - 30 })) }),
  },
  'IDP_TOKEN_REVOKED→UPSTREAM_TOKEN_EXPIRED': {
    yes: () => diagnose({ upstream: collected(upstream({ storedExpiresAt: NOW - 60, hasRefreshToken: false })), idp: collected(idp({ at: NOW - 600 })) }),
    no: () => diagnose({ upstream: collected(upstream({ storedExpiresAt: NOW - 60, hasRefreshToken: false })), idp: collected(idp({ at: NOW - 600 }, OTHER)) }),
  },
  'STORE_DECRYPT_FAILED→STORE_JTI_MAPPING_MISSING': {
    yes: () => diagnose({ store: collected(decryptFailed), chain: collected(chain({ mapping: undecryptable('mcp-jti-mappings') })) }),
    no: () => diagnose({ store: collected(decryptFailed), chain: collected(chain({ mapping: missing('mcp-jti-mappings') })) }),
  },
  'STORE_DECRYPT_FAILED→STORE_UPSTREAM_TOKEN_MISSING': {
    yes: () => diagnose({ store: collected(decryptFailed), chain: collected(chain({ upstreamSet: undecryptable('mcp-upstream-tokens') })) }),
    no: () => diagnose({ store: collected(decryptFailed), chain: collected(chain({ upstreamSet: missing('mcp-upstream-tokens') })) }),
  },
  'STORE_DECRYPT_FAILED→STORE_CLIENT_NOT_FOUND': {
    yes: () => diagnose({ token: refreshToken(), store: collected(decryptFailed), chain: collected(chain({ client: undecryptable('mcp-oauth-proxy-clients'), refreshMeta: present('mcp-refresh-tokens', { expiresAt: NOW + 100 }) })) }),
    no: () => diagnose({ token: refreshToken(), store: collected(decryptFailed), chain: collected(chain({ client: missing('mcp-oauth-proxy-clients'), refreshMeta: present('mcp-refresh-tokens', { expiresAt: NOW + 100 }) })) }),
  },
  'STORE_DECRYPT_FAILED→REFRESH_TOKEN_NOT_FOUND': {
    yes: () => diagnose({ token: refreshToken(), store: collected(decryptFailed), chain: collected(chain({ refreshMeta: undecryptable('mcp-refresh-tokens') })) }),
    no: () => diagnose({ token: refreshToken(), store: collected(decryptFailed), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens') })) }),
  },
  'STORE_ORPHANED_DIRECTORY→STORE_JTI_MAPPING_MISSING': {
    yes: () => diagnose({ store: collected(orphaned('candidate secret #1')), chain: collected(chain({ mapping: missing('mcp-jti-mappings'), foundElsewhere: 'fingerprint directory aaaaaaaaaaaa' })) }),
    no: () => diagnose({ store: collected(orphaned('candidate secret #1')), chain: collected(chain({ mapping: missing('mcp-jti-mappings') })) }),
  },
  'STORE_ORPHANED_DIRECTORY→STORE_UPSTREAM_TOKEN_MISSING': {
    yes: () => diagnose({ store: collected(orphaned()), chain: collected(chain({ upstreamSet: missing('mcp-upstream-tokens'), foundElsewhere: 'fingerprint directory aaaaaaaaaaaa' })) }),
    no: () => diagnose({ store: collected(orphaned()), chain: collected(chain({ upstreamSet: missing('mcp-upstream-tokens') })) }),
  },
  'STORE_ORPHANED_DIRECTORY→STORE_CLIENT_NOT_FOUND': {
    yes: () => diagnose({ token: refreshToken(), store: collected(orphaned()), chain: collected(chain({ client: missing('mcp-oauth-proxy-clients'), refreshMeta: present('mcp-refresh-tokens', { expiresAt: NOW + 100 }), foundElsewhere: 'fingerprint directory aaaaaaaaaaaa' })) }),
    no: () => diagnose({ token: refreshToken(), store: collected(orphaned()), chain: collected(chain({ client: missing('mcp-oauth-proxy-clients'), refreshMeta: present('mcp-refresh-tokens', { expiresAt: NOW + 100 }) })) }),
  },
  'STORE_ORPHANED_DIRECTORY→REFRESH_TOKEN_NOT_FOUND': {
    yes: () => diagnose({ token: refreshToken(), store: collected(orphaned()), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens'), foundElsewhere: 'fingerprint directory aaaaaaaaaaaa' })) }),
    no: () => diagnose({ token: refreshToken(), store: collected(orphaned()), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens') })) }),
  },
  'STORE_ORPHANED_DIRECTORY→STORE_EMPTY': {
    yes: () => ({ command: 'inspect-cache', now: NOW, settings: settings(), store: collected(orphaned('candidate secret #1')) }),
    no: () => ({ command: 'inspect-cache', now: NOW, settings: settings(), store: collected(orphaned()) }),
  },
  'STORE_FINGERPRINT_DIR_MISSING→STORE_JTI_MAPPING_MISSING': {
    yes: () => diagnose({ store: collected(dirMissing), chain: collected(chain({ mapping: missing('mcp-jti-mappings') })) }),
    no: () => diagnose({ store: collected(store()), chain: collected(chain({ mapping: missing('mcp-jti-mappings') })) }),
  },
  'STORE_FINGERPRINT_DIR_MISSING→STORE_CLIENT_NOT_FOUND': {
    yes: () => diagnose({ token: refreshToken(), store: collected(dirMissing), chain: collected(chain({ client: missing('mcp-oauth-proxy-clients'), refreshMeta: present('mcp-refresh-tokens', { expiresAt: NOW + 100 }) })) }),
    no: () => diagnose({ token: refreshToken(), store: collected(store()), chain: collected(chain({ client: missing('mcp-oauth-proxy-clients'), refreshMeta: present('mcp-refresh-tokens', { expiresAt: NOW + 100 }) })) }),
  },
  'STORE_FINGERPRINT_DIR_MISSING→REFRESH_TOKEN_NOT_FOUND': {
    yes: () => diagnose({ token: refreshToken(), store: collected(dirMissing), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens') })) }),
    no: () => diagnose({ token: refreshToken(), store: collected(store()), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens') })) }),
  },
  ...Object.fromEntries(
    (['STORE_JTI_MAPPING_MISSING', 'STORE_UPSTREAM_TOKEN_MISSING'] as const).map((symptom) => {
      const c = (elsewhere: boolean) =>
        chain({ ...(symptom === 'STORE_JTI_MAPPING_MISSING' ? { mapping: missing('mcp-jti-mappings') } : { upstreamSet: missing('mcp-upstream-tokens') }), ...(elsewhere ? { foundElsewhere: 'fingerprint directory aaaaaaaaaaaa' } : {}) });
      return [`JWT_SIGNED_BY_CANDIDATE→${symptom}`, { yes: () => diagnose({ token: collected(token({ signature: keyChanged })), chain: collected(c(true)) }), no: () => diagnose({ token: collected(token({ signature: keyChanged })), chain: collected(c(false)) }) }];
    }),
  ),
  'JWT_SIGNED_BY_CANDIDATE→STORE_CLIENT_NOT_FOUND': {
    yes: () => diagnose({ token: collected(token({ signature: keyChanged })), chain: collected(chain({ client: missing('mcp-oauth-proxy-clients'), foundElsewhere: 'fingerprint directory aaaaaaaaaaaa' })) }),
    no: () => diagnose({ token: collected(token({ signature: keyChanged })), chain: collected(chain({ client: missing('mcp-oauth-proxy-clients') })) }),
  },
  'JWT_SIGNED_BY_CANDIDATE→REFRESH_TOKEN_NOT_FOUND': {
    yes: () => diagnose({ token: collected(token({ kind: 'refresh', signature: keyChanged }, { token_use: 'refresh' })), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens'), foundElsewhere: 'fingerprint directory aaaaaaaaaaaa' })) }),
    no: () => diagnose({ token: collected(token({ kind: 'refresh', signature: keyChanged }, { token_use: 'refresh' })), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens') })) }),
  },
  'JWT_SIGNED_BY_CANDIDATE→STORE_EMPTY': {
    yes: () => diagnose({ token: collected(token({ signature: keyChanged })), store: collected(orphaned('candidate secret #1')) }),
    no: () => diagnose({ token: collected(token({ signature: keyChanged })), store: collected(orphaned()) }),
  },
  'JWT_SIGNED_BY_CANDIDATE→STORE_ORPHANED_DIRECTORY': {
    yes: () => diagnose({ token: collected(token({ signature: keyChanged })), store: collected(orphaned('candidate secret #1')) }),
    no: () => diagnose({ token: collected(token({ signature: keyChanged })), store: collected(orphaned()) }),
  },
  'REFRESH_METADATA_IN_MEMORY→REFRESH_TOKEN_NOT_FOUND': {
    yes: () => diagnose({ token: refreshToken(), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens') })) }, { fastmcpVersion: '2.13.1', fastmcpVersionSource: 'flag' }),
    no: () => diagnose({ token: refreshToken(), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens') })) }, { fastmcpVersion: '2.14.7', fastmcpVersionSource: 'flag' }),
  },
  'REFRESH_TOKEN_SUPERSEDED→REFRESH_TOKEN_NOT_FOUND': {
    yes: () => diagnose({ token: refreshToken(), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens'), refreshSuccessors: [{ hashPrefix: 'e0ed27e128ae', createdAt: NOW - 1, expiresAt: null }] })) }),
    no: () => diagnose({ token: refreshToken(), chain: collected(chain({ refreshMeta: missing('mcp-refresh-tokens'), refreshSuccessors: [] })) }),
  },
  'JWT_EXPIRED→STORE_JTI_MAPPING_MISSING': {
    yes: () => diagnose({ token: collected(token({}, { exp: NOW - 60 })), chain: collected(chain({ mapping: { state: 'expired', expiresAt: NOW - 60, where: W('mcp-jti-mappings') } })) }),
    no: () => diagnose({ token: collected(token({}, { exp: NOW - 60 })), chain: collected(chain({ mapping: missing('mcp-jti-mappings') })) }),
  },
};

const PAIRS = EXPLANATIONS.flatMap((row) => row.symptoms.map((symptom) => ({ key: `${row.cause}→${symptom}`, cause: row.cause, symptom })));

describe('explanations: one test per cause → symptom pair', () => {
  it('every pair in the table has a case, and every case is a pair of the table', () => {
    expect(PAIRS.map((p) => p.key).sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(PAIRS)('$key', ({ key, cause, symptom }) => {
    const c = CASES[key]!;
    const yes = report(c.yes());
    expect(find(yes, cause), `${cause} raised`).toBeDefined();
    expect(find(yes, symptom), `${symptom} raised`).toBeDefined();
    // Raised by the rules and linked: the symptom names its cause (another row may name a deeper one).
    const row = EXPLANATIONS.find((r) => r.cause === cause && r.symptoms.includes(symptom))!;
    expect(row.when({ ev: c.yes(), cause: find(yes, cause)!, symptom: find(yes, symptom)! })).toBe(true);
    expect(find(yes, symptom)?.explainedBy).toBeDefined();
    const no = report(c.no());
    const noCause = find(no, cause);
    const noSymptom = find(no, symptom);
    expect(noSymptom, `${symptom} raised without the condition`).toBeDefined();
    if (noCause) expect(row.when({ ev: c.no(), cause: noCause, symptom: noSymptom! })).toBe(false);
    expect(explained(no, symptom, cause)).toBe(false);
  });
});

describe('the verdict names the deepest proven cause; failingStage keeps where FastMCP stops', () => {
  it('max_for_app for the very token GitHub rejects: idp verdict, the cause\'s fix, FastMCP stops at GET /user', async () => {
    const r = report(CASES['IDP_TOKEN_EVICTED_MAX_FOR_APP→UPSTREAM_TOKEN_REJECTED']!.yes());
    expect(r.failingTier).toBe('idp');
    expect(r.failingStage).toEqual({ stage: 'upstream.verify', tier: 'upstream', code: 'UPSTREAM_TOKEN_REJECTED' });
    expect(r.summary).toMatch(/\(IDP_TOKEN_EVICTED_MAX_FOR_APP\)\.$/);
    expect(r.fix).toBe(entry('IDP_TOKEN_EVICTED_MAX_FOR_APP').fix);
    expect(r.fix).not.toMatch(/security log/);
    const text = (await renderText(r, { color: false })).replace(/\s+/g, ' ');
    expect(text).toContain('FastMCP stops at: GitHub GET /user: GitHub rejects the upstream token (401 Bad credentials) (UPSTREAM_TOKEN_REJECTED). Cause: GitHub evicted the upstream token');
    const { renderGithub } = await import('../../src/render/github.js');
    expect(renderGithub(r).stdout).toContain('(failing tier: idp; FastMCP stops at upstream.verify (UPSTREAM_TOKEN_REJECTED))');
    // Another token evicted: the symptom stays the verdict.
    const other = report(CASES['IDP_TOKEN_EVICTED_MAX_FOR_APP→UPSTREAM_TOKEN_REJECTED']!.no());
    expect(other.failingTier).toBe('upstream');
    expect(other.failingStage?.code).toBe('UPSTREAM_TOKEN_REJECTED');
    expect(await renderText(other, { color: false })).not.toMatch(/FastMCP stops at/);
  });

  it('a revocation for the same token: idp verdict', () => {
    const r = report(CASES['IDP_TOKEN_REVOKED→UPSTREAM_TOKEN_REJECTED']!.yes());
    expect(r.failingTier).toBe('idp');
    expect(r.summary).toMatch(/IDP_TOKEN_REVOKED/);
  });

  it('an undecryptable mapping counted with the store\'s undecryptable entries: STORE_DECRYPT_FAILED names the key in use', () => {
    const r = report(CASES['STORE_DECRYPT_FAILED→STORE_JTI_MAPPING_MISSING']!.yes());
    expect(r.failingTier).toBe('storage');
    expect(r.failingStage).toEqual({ stage: 'storage.jti_mapping', tier: 'storage', code: 'STORE_JTI_MAPPING_MISSING' });
    expect(r.summary).toMatch(/STORE_DECRYPT_FAILED/);
    expect(find(r, 'STORE_DECRYPT_FAILED')?.detail).toMatch(/storage key \(--storage-encryption-key-file\)/);
  });

  it('2.13.0–2.13.1 given: the in-memory refresh metadata is the cause (promoted to error)', () => {
    const r = report(CASES['REFRESH_METADATA_IN_MEMORY→REFRESH_TOKEN_NOT_FOUND']!.yes());
    expect(r.summary).toMatch(/REFRESH_METADATA_IN_MEMORY/);
    expect(find(r, 'REFRESH_METADATA_IN_MEMORY')?.severity).toBe('error');
    expect(r.failingStage?.code).toBe('REFRESH_TOKEN_NOT_FOUND');
  });

  it('the chain in another fingerprint directory: the orphaned directory is the cause of the missing mapping', () => {
    const r = report(CASES['STORE_ORPHANED_DIRECTORY→STORE_JTI_MAPPING_MISSING']!.yes());
    expect(r.summary).toMatch(/STORE_ORPHANED_DIRECTORY/);
    expect(r.failingStage?.code).toBe('STORE_JTI_MAPPING_MISSING');
  });

  it('a cause that lies before the stop changes nothing: the stop is the verdict, and its symptoms are linked only', () => {
    const r = report(CASES['JWT_SIGNED_BY_CANDIDATE→STORE_JTI_MAPPING_MISSING']!.yes());
    expect(r.failingTier).toBe('jwt');
    expect(r.failingStage?.code).toBe('JWT_SIGNATURE_INVALID');
    expect(r.summary).toMatch(/JWT_SIGNATURE_INVALID/);
    expect(find(r, 'JWT_SIGNED_BY_CANDIDATE')?.severity).toBe('info');
  });

  it('not failing: failingStage is null', () => {
    expect(report(diagnose({ chain: collected(chain()) })).failingStage).toBeNull();
  });
});
