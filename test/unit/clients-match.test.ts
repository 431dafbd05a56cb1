/**
 * Selecting the cached sessions for one MCP server URL, and Claude Code's Keychain consent.
 */
import { renameSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeKeychainService, matchSession, mcpRemoteHash, normalizeServerUrl, scanClients, sessionsForServer } from '../../src/clients/index.js';
import { CLIENT_FIXTURES, copyClientHome, listClientBundles } from '../support/client-bundles.js';
import { readFileSync } from 'node:fs';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});
const bundle = (id: string) => listClientBundles().find((b) => b.id === id)!;

describe('normalizeServerUrl', () => {
  it.each([
    ['http://127.0.0.1:80/mcp/', 'http://127.0.0.1/mcp'],
    ['HTTPS://Example.COM:443/MCP', 'https://example.com/MCP'],
    ['https://example.com', 'https://example.com'],
    ['https://example.com/', 'https://example.com'],
    ['https://user:pw@example.com:8443/a//?x=1#frag', 'https://example.com:8443/a?x=1'],
    [' http://[::1]:9000/mcp ', 'http://[::1]:9000/mcp'],
  ])('%s → %s', (input, want) => expect(normalizeServerUrl(input)).toBe(want));

  it.each(['not a url', 'ftp://example.com/mcp', '', 'javascript:alert(1)'])('%j is not an MCP server URL', (input) => expect(normalizeServerUrl(input)).toBeNull());

  it('is idempotent on any input (fuzz)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()), (u) => {
        const n = normalizeServerUrl(u);
        return n === null || normalizeServerUrl(n) === n;
      }),
    );
  });
});

describe('sessionsForServer on the real bundles', () => {
  for (const b of listClientBundles()) {
    it(`${b.id}: matches its server URL in any spelling, and no other server`, async () => {
      const home = copyClientHome(b);
      homes.push(home);
      const { sessions } = await scanClients({ home, env: {} });
      const url = b.settings.mcp_client.server_url_used_by_client;
      const u = new URL(url);
      for (const spelling of [url, `${url}/`, `HTTP://${u.host}:${u.port === '' ? '80' : u.port}${u.pathname}//`.replace(`:${u.port}:${u.port}`, `:${u.port}`)]) {
        expect(sessionsForServer(sessions, spelling).map((m) => m.matchedBy)).toEqual(['url']);
      }
      expect(sessionsForServer(sessions, `http://127.0.0.1:1${u.port}/mcp`)).toEqual([]);
      expect(sessionsForServer(sessions, `${u.origin}/other/mcp`)).toEqual([]);
    });
  }
});

describe('mcp-remote sessions whose hash mixes in --resource or headers', () => {
  it('are matched by reading the files (token audience, then issuer origin), not by the recomputed hash', async () => {
    const b = bundle('mcp-remote/a-healthy');
    const home = copyClientHome(b);
    homes.push(home);
    const store = join(home, '.mcp-auth', 'mcp-remote-v1');
    const old = 'c051dc8b721786dd53d1b4f72d06cba7';
    // What mcp-remote would have named them with `--resource <url>`: md5("<url>|<resource>").
    const mixed = mcpRemoteHash(`${b.settings.server_url}|${b.settings.server_url}`);
    for (const kind of ['tokens', 'client_info']) renameSync(join(store, `${old}_${kind}.json`), join(store, `${mixed}_${kind}.json`));
    const { sessions } = await scanClients({ home, env: {}, clients: ['mcp-remote'] });
    expect(sessions[0]).toMatchObject({ key: mixed, serverUrl: b.settings.server_url, serverUrlSource: 'token-audience' });
    expect(sessionsForServer(sessions, b.settings.server_url).map((m) => m.matchedBy)).toEqual(['token-audience']);
    // Without a JWT audience, the cached issuer's origin still ties the session to the server.
    const s = { ...sessions[0]!, accessTokenPeek: { kind: 'opaque' as const }, refreshTokenPeek: null, serverUrl: null, serverUrlSource: null };
    expect(matchSession(s, b.settings.server_url)).toBe('issuer-origin');
    expect(matchSession(s, 'http://127.0.0.2:59637/mcp')).toBeNull();
  });

  it('a session keyed by the plain URL hash matches by hash even without readable tokens', async () => {
    const b = bundle('mcp-remote/b-refresh-superseded');
    const home = copyClientHome(b);
    homes.push(home);
    const { sessions } = await scanClients({ home, env: {}, clients: ['mcp-remote'] });
    const s = { ...sessions[0]!, accessTokenPeek: null, refreshTokenPeek: null, issuer: null, serverUrl: null, serverUrlSource: null };
    expect(matchSession(s, b.settings.server_url)).toBe('key-hash');
    expect(matchSession(s, `${b.settings.server_url}/`)).toBe('key-hash');
  });

  it('fastmcp: the sanitised FileTree key is recomputed for the match', async () => {
    const b = bundle('fastmcp/a-healthy');
    const home = copyClientHome(b);
    homes.push(home);
    const { sessions } = await scanClients({ home, env: {}, clients: ['fastmcp'] });
    const s = { ...sessions[0]!, accessTokenPeek: null, refreshTokenPeek: null, issuer: null, serverUrl: null, serverUrlSource: null };
    expect(matchSession(s, b.settings.server_url)).toBe('key-hash');
    expect(matchSession(s, 'http://127.0.0.1:54915/mcp2')).toBeNull();
  });
});

describe("Claude Code's macOS Keychain", () => {
  const keychainJson = () => readFileSync(join(CLIENT_FIXTURES, 'from-source', 'claude-code', 'client-home', '.claude', '.credentials.json'), 'utf8');

  it('is not read without consent: a note says where the tokens are and how to allow it', async () => {
    let calls = 0;
    const scan = await scanClients({ home: '/nonexistent-home', env: { user: 'mona' }, clients: ['claude-code'], platform: 'darwin', keychainReader: async () => (calls++, null) });
    expect(calls).toBe(0);
    expect(scan.notes).toContainEqual(expect.objectContaining({ kind: 'secret-storage', message: expect.stringContaining('"Claude Code-credentials"'), hint: expect.stringContaining('--allow-keychain') }));
  });

  it('with consent, reads the item for the user and parses it like .credentials.json', async () => {
    const seen: string[] = [];
    const json = keychainJson();
    const scan = await scanClients({ home: '/nonexistent-home', env: { user: 'mona' }, clients: ['claude-code'], platform: 'darwin', allowKeychain: true, keychainReader: async (service, account) => (seen.push(`${service}/${account}`), json) });
    expect(seen).toEqual(['Claude Code-credentials/mona']);
    expect(scan.sessions.map((s) => [s.serverName, s.cache.path])).toEqual([
      ['fastmcp-demo', 'keychain:Claude Code-credentials'],
      ['cleared', 'keychain:Claude Code-credentials'],
    ]);
  });

  it('does not apply off macOS', async () => {
    let calls = 0;
    const scan = await scanClients({ home: '/nonexistent-home', env: {}, clients: ['claude-code'], platform: 'linux', allowKeychain: true, keychainReader: async () => (calls++, null) });
    expect(calls).toBe(0);
    expect(scan.notes.map((n) => n.kind)).toEqual(['keychain-not-applicable']);
  });

  it('the service name carries a suffix of the config dir when CLAUDE_CONFIG_DIR is set', () => {
    expect(claudeKeychainService({ env: {}, home: '/h' })).toBe('Claude Code-credentials');
    const h = createHash('sha256').update('/cfg').digest('hex').slice(0, 8);
    expect(claudeKeychainService({ env: { claudeConfigDir: '/cfg' }, home: '/h' })).toBe(`Claude Code-credentials-${h}`);
    expect(claudeKeychainService({ env: { claudeConfigDir: '/cfg', claudeSecureStorageDir: '' }, home: '/h' })).toBe('Claude Code-credentials');
  });
});

describe('VS Code', () => {
  it('is a note (secret storage, how to clear), never a session', async () => {
    const scan = await scanClients({ home: '/nonexistent-home', env: {}, clients: ['vscode'], platform: 'linux' });
    expect(scan.sessions).toEqual([]);
    expect(scan.notes).toEqual([expect.objectContaining({ client: 'vscode', kind: 'secret-storage', hint: expect.stringContaining('Authentication: Remove Dynamic Authentication Providers') })]);
  });
});
