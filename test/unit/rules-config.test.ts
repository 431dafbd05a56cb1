/** The configuration rules (src/diagnosis/rules/config.ts): hazards of how the deployment is set up. */
import { describe, expect, it } from 'vitest';
import { configRules } from '../../src/diagnosis/rules/config.js';
import { collected, type CommandName, type Evidence, type SettingsEvidence, type StoreEvidence } from '../../src/model/index.js';

const settings = (s: Partial<SettingsEvidence> = {}): SettingsEvidence => ({ mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com', ...s });
const ev = (s: Partial<SettingsEvidence>, more: Partial<Evidence> = {}, command: CommandName = 'diagnose'): Evidence => ({ command, now: 0, settings: settings(s), ...more });
const codes = (e: Evidence) => configRules(e).map((f) => `${f.severity}:${f.code}`);

function store(kind: StoreEvidence['kind'], tokensByPrefix: Record<string, number> = {}, perClient: Record<string, number> = {}): StoreEvidence {
  return {
    kind,
    location: '/srv/fastmcp',
    generation: kind === 'diskcache' ? '2.13-2.14' : '3.x+',
    documentFormat: 'B',
    encryption: 'fernet',
    collections: {},
    decryptsWithCandidate: {},
    chainHealth: { danglingMappings: 0, unreferencedUpstreamSets: 0, upstreamSetsPerClient: perClient, tokensByPrefix, tokensByExpiry: { expired: 0, within24h: 0, later: 0, never: 0 }, withRefreshToken: 0, plaintextUpstreamTokens: 0 },
    entriesRead: 0,
  };
}

describe('config rules', () => {
  it('nothing to say about an unknown deployment', () => {
    expect(codes(ev({}))).toEqual([]);
  });

  it('a jwt_signing_key under 12 characters is a warning; 12 is fine', () => {
    expect(codes(ev({ keySource: 'jwt-signing-key', signingKeyLength: 11 }))).toEqual(['warning:CONFIG_SHORT_SIGNING_KEY']);
    expect(codes(ev({ keySource: 'jwt-signing-key', signingKeyLength: 12 }))).toEqual([]);
  });

  it('several replicas on a per-instance store is an error; on Redis it is not', () => {
    expect(codes(ev({ replicas: 3 }, { store: collected(store('diskcache')) }))).toEqual(['error:CONFIG_PER_INSTANCE_STORE']);
    expect(codes(ev({ replicas: 3 }, { store: collected(store('filetree')) }))).toEqual(['error:CONFIG_PER_INSTANCE_STORE']);
    expect(codes(ev({ replicas: 3 }, { store: collected(store('redis')) }))).toEqual([]);
    expect(codes(ev({ replicas: 1 }, { store: collected(store('diskcache')) }))).toEqual([]);
  });

  it('--store-shared: a FileTree store on a shared volume is one store; a shared diskcache SQLite file still is not (says why)', () => {
    expect(codes(ev({ replicas: 3, storeShared: true }, { store: collected(store('filetree')) }))).toEqual([]);
    const sqlite = configRules(ev({ replicas: 3, storeShared: true }, { store: collected(store('diskcache')) }));
    expect(sqlite.map((f) => f.code)).toEqual(['CONFIG_PER_INSTANCE_STORE']);
    expect(sqlite[0]!.detail).toMatch(/--store-shared does not apply to a diskcache SQLite file/);
  });

  it('keys derived from the client secret: advice from diagnose and check only', () => {
    expect(codes(ev({ keySource: 'client-secret' }))).toEqual(['info:CONFIG_KEY_DERIVED_FROM_CLIENT_SECRET']);
    expect(codes(ev({ keySource: 'client-secret' }, {}, 'check'))).toEqual(['info:CONFIG_KEY_DERIVED_FROM_CLIENT_SECRET']);
    expect(codes(ev({ keySource: 'client-secret' }, {}, 'verify-token'))).toEqual([]);
  });

  it('an OAuth App behind the proxy: info alone, a warning once several clients share it', () => {
    expect(codes(ev({ upstreamClientId: 'Ov23liEXAMPLE0000001' }))).toEqual(['info:CONFIG_OAUTH_APP_TOKEN_CAP']);
    expect(codes(ev({ upstreamClientId: 'Ov23liEXAMPLE0000001', mcpClients: 3 }))).toEqual(['warning:CONFIG_OAUTH_APP_TOKEN_CAP']);
    expect(codes(ev({}, { store: collected(store('redis', { gho_: 2 }, { a: 1, b: 1 })) }))).toEqual(['warning:CONFIG_OAUTH_APP_TOKEN_CAP']);
    expect(codes(ev({ upstreamClientId: 'Iv23liEXAMPLE0000001', mcpClients: 3 }))).toEqual([]);
  });
});
