/**
 * The client-cache adapter against the real caches written by mcp-remote 0.15.1, FastMCP 4.0.10's
 * Client and Gemini CLI 0.61.0 (fixtures/real-clients), and against caches built from the
 * Claude Code, Copilot CLI and opencode sources (fixtures/real-clients/from-source).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanClients, sessionsForServer, type ClientSession } from '../../src/clients/index.js';
import { copyClientHome, copyFromSourceHome, listClientBundles } from '../support/client-bundles.js';
import { hashTree } from '../support/hash.js';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const EXPECTED_SOURCE = { 'mcp-remote': 'key-hash', fastmcp: 'key-hash', 'gemini-cli': 'cache', 'claude-code': 'cache' } as const;
const EXPECTED_EXPIRY_UNIT = { 'mcp-remote': 'ms', fastmcp: 's', 'gemini-cli': 'ms', 'claude-code': 'ms' } as const;
const REGISTRATION_FILE = { 'mcp-remote': /_client_info\.json$/, fastmcp: /S_mcp_oauth_client_info-92af0fc1\/.*_client_info-[0-9a-f]{8}\.json$/, 'gemini-cli': /mcp-oauth-tokens\.json$/, 'claude-code': /\.claude\/\.credentials\.json$/ } as const;

describe.each(listClientBundles().map((b) => [b.id, b] as const))('real bundle %s', (_id, b) => {
  const home = copyClientHome(b);
  homes.push(home);

  it('finds exactly the cached session, with the server URL, client_id, tokens and expiry the client wrote', async () => {
    const before = hashTree(home);
    const scan = await scanClients({ home, env: {}, platform: 'linux' });
    expect(hashTree(home)).toEqual(before);

    expect(scan.sessions.map((s) => s.client)).toEqual([b.client]);
    const s = scan.sessions[0]!;
    expect(s.problems).toEqual([]);
    expect(s.serverUrl).toBe(b.settings.mcp_client.server_url_used_by_client);
    expect(s.serverUrlSource).toBe(EXPECTED_SOURCE[b.client]);
    expect(s.clientId).toBe(b.scenario.cached.client_id);
    const want = b.scenario.cached;
    expect(s.accessTokenPeek).toMatchObject({ kind: 'jwt', jti: want.access_token_claims.jti, iss: want.access_token_claims.iss, aud: want.access_token_claims.aud, clientId: want.client_id });
    expect(s.refreshTokenPeek).toMatchObject({ kind: 'jwt', jti: want.refresh_token_claims.jti, tokenUse: 'refresh' });
    expect(s.tokenType).toBe('Bearer');
    expect(s.scope).toBe('');
    // The client computes its expiry from expires_in at receipt: within a few seconds of the JWT's exp.
    expect(s.expiresAtSource).toBe(EXPECTED_EXPIRY_UNIT[b.client]);
    expect(Math.abs(s.expiresAt! - want.access_token_claims.exp)).toBeLessThan(5);
    expect(s.cache.mode).toBe(0o600);
    expect(s.cache.readableByOthers).toBe(false);
    expect(s.registration?.file).toMatch(REGISTRATION_FILE[b.client]);
    if (b.client !== 'gemini-cli') expect(s.issuer).toBe(want.access_token_claims.iss);
    // d-other-server: the cache holds a session for another server only.
    expect(sessionsForServer(scan.sessions, b.settings.server_url).map((m) => m.matchedBy)).toEqual(b.scenario.scenario === 'd-other-server' ? [] : ['url']);
    expect(sessionsForServer(scan.sessions, b.settings.mcp_client.server_url_used_by_client).map((m) => m.matchedBy)).toEqual(['url']);
  });

  it('prints no token, only fingerprints', async () => {
    const scan = await scanClients({ home, env: {}, platform: 'linux' });
    const s = scan.sessions[0]!;
    const text = JSON.stringify(scan);
    expect(text).not.toContain(s.accessToken!.reveal());
    expect(text).not.toContain(s.refreshToken!.reveal());
    expect(text).toContain(s.accessToken!.fingerprint);
  });
});

describe('bundle-specific shapes', () => {
  it('mcp-remote: the cache lives in ~/.mcp-auth/mcp-remote-v1 and MCP_REMOTE_CONFIG_DIR moves it', async () => {
    const b = listClientBundles().find((x) => x.id === 'mcp-remote/a-healthy')!;
    const home = copyClientHome(b);
    homes.push(home);
    const scan = await scanClients({ home, env: {}, clients: ['mcp-remote'] });
    expect(scan.sessions[0]!.cache.path).toBe(join(home, '.mcp-auth', 'mcp-remote-v1', 'c051dc8b721786dd53d1b4f72d06cba7_tokens.json'));
    // Pointed elsewhere: the default location is no longer searched.
    const moved = await scanClients({ home, env: { mcpRemoteConfigDir: join(home, 'nowhere') }, clients: ['mcp-remote'] });
    expect(moved.sessions).toEqual([]);
    const direct = await scanClients({ home: join(home, 'nowhere'), env: { mcpRemoteConfigDir: join(home, '.mcp-auth') }, clients: ['mcp-remote'] });
    expect(direct.sessions).toHaveLength(1);
  });

  it('--client-cache may name a store directory itself, a base directory or a home; a missing one is a note', async () => {
    const b = listClientBundles().find((x) => x.id === 'mcp-remote/c-registration-lost')!;
    const home = copyClientHome(b);
    homes.push(home);
    for (const dir of [join(home, '.mcp-auth', 'mcp-remote-v1'), join(home, '.mcp-auth'), home]) {
      const scan = await scanClients({ home: '/nonexistent-home', env: {}, extraDirs: [dir] });
      expect(scan.sessions.map((s) => [s.client, s.clientId])).toEqual([['mcp-remote', b.scenario.cached.client_id]]);
    }
    const missing = await scanClients({ home: '/nonexistent-home', env: {}, extraDirs: [join(home, 'missing')], clients: ['mcp-remote'] });
    expect(missing.notes).toContainEqual(expect.objectContaining({ kind: 'unreadable', path: join(home, 'missing') }));
  });

  it('fastmcp: found at depth under the home and through --client-cache, read once', async () => {
    const b = listClientBundles().find((x) => x.id === 'fastmcp/b-refresh-superseded')!;
    const home = copyClientHome(b);
    homes.push(home);
    const scan = await scanClients({ home, env: {}, extraDirs: [join(home, '.fastmcp', 'oauth-mcp-client-cache')] });
    expect(scan.sessions).toHaveLength(1);
    expect(scan.sessions[0]!.files.map((f) => f.path.split('/').at(-2))).toEqual(['S_mcp_oauth_token-3a009b34', 'S_mcp_oauth_client_info-92af0fc1', 'S_mcp_oauth_token_expiry-1a152c9e']);
    const shallow = await scanClients({ home, env: {}, limits: { maxDepth: 0 } });
    expect(shallow.sessions).toEqual([]);
  });

  it('gemini-cli: GEMINI_CLI_HOME moves ~/.gemini; keychain mode is a note with how to export', async () => {
    const b = listClientBundles().find((x) => x.id === 'gemini-cli/a-healthy')!;
    const home = copyClientHome(b);
    homes.push(home);
    const scan = await scanClients({ home: '/nonexistent-home', env: { geminiCliHome: home, geminiForceEncryptedFileStorage: true }, clients: ['gemini-cli'] });
    expect(scan.sessions).toHaveLength(1);
    expect(scan.sessions[0]!.serverName).toBe('fastmcp-clients');
    const note = scan.notes.find((n) => n.client === 'gemini-cli' && n.kind === 'secret-storage');
    expect(note?.hint).toMatch(/gemini-cli-oauth.*--client-cache/);
  });
});

function only(sessions: ClientSession[], client: ClientSession['client']): ClientSession[] {
  return sessions.filter((s) => s.client === client);
}

describe('caches built from the client sources (no real cache could be made here)', () => {
  it('claude-code: mcpOAuth entries (ms expiry, configured secret, a cleared stub); claudeAiOauth is not an MCP session', async () => {
    const home = copyFromSourceHome('claude-code');
    homes.push(home);
    const scan = await scanClients({ home, env: {}, platform: 'linux' });
    const [s, stub] = only(scan.sessions, 'claude-code');
    expect(scan.sessions).toHaveLength(2);
    expect(s).toMatchObject({ serverName: 'fastmcp-demo', serverUrl: 'http://127.0.0.1:48123/mcp', serverUrlSource: 'cache', clientId: '3f1c2b9e-7d4a-4c55-9e21-6b0a1d2c3e4f', issuer: 'http://127.0.0.1:48123/', expiresAt: 1796218800.412, expiresAtSource: 'ms', key: 'fastmcp-demo|894469a42a1be5b4' });
    expect(s!.accessTokenPeek?.jti).toBe('fromSourceClaudeAccessJti_0000000000000001');
    expect(s!.registration).toMatchObject({ entry: 'mcpOAuth["fastmcp-demo|894469a42a1be5b4"].clientId' });
    expect(s!.registration!.howToClear).toMatch(/Clear authentication/);
    expect(stub).toMatchObject({ serverName: 'cleared', accessToken: null, refreshToken: null, clientId: 'cleared-client-0001', expiresAt: null });
    expect(stub!.clientSecret?.reveal()).toBe('fake-configured-client-secret-from-source');
    expect(stub!.problems).toEqual([]);
  });

  it('claude-code: CLAUDE_CONFIG_DIR moves .credentials.json and renames the Keychain item', async () => {
    const home = copyFromSourceHome('claude-code');
    homes.push(home);
    const scan = await scanClients({ home: '/nonexistent-home', env: { claudeConfigDir: join(home, '.claude') }, clients: ['claude-code'] });
    expect(scan.sessions).toHaveLength(2);
  });

  it('copilot-cli: <hash>.json + <hash>.tokens.json pair; seconds read as seconds', async () => {
    const home = copyFromSourceHome('copilot-cli');
    homes.push(home);
    const scan = await scanClients({ home, env: {} });
    expect(scan.sessions).toHaveLength(1);
    expect(scan.sessions[0]).toMatchObject({ client: 'copilot-cli', serverUrl: 'http://127.0.0.1:48123/mcp', clientId: 'copilot-client-0001', expiresAt: 1796218800, expiresAtSource: 'auto', issuer: 'http://127.0.0.1:48123/', problems: [] });
    expect(scan.sessions[0]!.accessTokenPeek).toEqual({ kind: 'opaque' });
  });

  it('opencode: mcp-auth.json under XDG data; expiry in seconds; logout command as the fix', async () => {
    const home = copyFromSourceHome('opencode');
    homes.push(home);
    const scan = await scanClients({ home, env: {} });
    expect(scan.sessions).toHaveLength(1);
    expect(scan.sessions[0]).toMatchObject({ client: 'opencode', serverName: 'fastmcp-demo', clientId: 'opencode-client-0001', expiresAt: 1796218800, expiresAtSource: 's', problems: [] });
    expect(scan.sessions[0]!.registration!.howToClear).toContain('opencode mcp logout fastmcp-demo');
    const moved = await scanClients({ home: '/nonexistent-home', env: { xdgDataHome: join(home, '.local', 'share') } });
    expect(moved.sessions).toHaveLength(1);
  });
});
