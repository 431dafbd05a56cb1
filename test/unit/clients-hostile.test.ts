/**
 * The client-cache adapter on hostile homes: symlinks out of a cache dir, huge files, FIFOs,
 * malformed JSON, wrong types, names that are not UTF-8, unreadable files, deep trees — never a
 * throw, never a write, a per-entry problem or a note instead. Parsers of outside input are fuzzed.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { clientEnvFromRecord, mcpRemoteHash, scanClients } from '../../src/clients/index.js';
import { epochSeconds } from '../../src/clients/parse.js';
import { CLIENT_FIXTURES, copyClientHome, listClientBundles } from '../support/client-bundles.js';
import { hashTree } from '../support/hash.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mad-hostile-'));
  dirs.push(d);
  return d;
}

const URL_A = 'http://127.0.0.1:40001/mcp';
const HASH_A = mcpRemoteHash(URL_A);

function mcpRemoteStore(home: string): string {
  const store = join(home, '.mcp-auth', 'mcp-remote-v1');
  mkdirSync(store, { recursive: true });
  return store;
}

describe('symlinks', () => {
  it('a tokens file that links outside the cache dir is not followed (and its content is never read)', async () => {
    const home = tmp();
    const outside = tmp();
    writeFileSync(join(outside, 'secret.json'), JSON.stringify({ access_token: 'OUTSIDE-SECRET-VALUE' }));
    const store = mcpRemoteStore(home);
    symlinkSync(join(outside, 'secret.json'), join(store, `${HASH_A}_tokens.json`));
    const scan = await scanClients({ home, env: {}, clients: ['mcp-remote'] });
    expect(scan.sessions).toHaveLength(1);
    expect(scan.sessions[0]!.accessToken).toBeNull();
    expect(scan.sessions[0]!.problems.map((p) => p.kind)).toContain('symlink-outside');
    expect(JSON.stringify(scan)).not.toContain('OUTSIDE-SECRET-VALUE');
  });

  it('a symlink that stays inside the cache dir is followed', async () => {
    const b = listClientBundles().find((x) => x.id === 'mcp-remote/a-healthy')!;
    const home = copyClientHome(b);
    dirs.push(home);
    const store = join(home, '.mcp-auth', 'mcp-remote-v1');
    const name = 'c051dc8b721786dd53d1b4f72d06cba7_tokens.json';
    cpSync(join(store, name), join(store, 'real-tokens'));
    rmSync(join(store, name));
    symlinkSync('real-tokens', join(store, name));
    const scan = await scanClients({ home, env: {}, clients: ['mcp-remote'] });
    expect(scan.sessions[0]!.problems).toEqual([]);
    expect(scan.sessions[0]!.accessTokenPeek?.jti).toBe(b.scenario.cached.access_token_claims.jti);
  });

  it('a client directory that is a symlink out of the home is a note, not a read', async () => {
    const home = tmp();
    const outside = tmp();
    mkdirSync(join(outside, 'gem'));
    writeFileSync(join(outside, 'gem', 'mcp-oauth-tokens.json'), '[]');
    symlinkSync(join(outside, 'gem'), join(home, '.gemini'));
    const scan = await scanClients({ home, env: {}, clients: ['gemini-cli'] });
    expect(scan.sessions).toEqual([]);
    expect(scan.notes).toContainEqual(expect.objectContaining({ client: 'gemini-cli', kind: 'skipped', path: join(home, '.gemini') }));
  });

  it('a symlinked component on the way (~/.local → elsewhere) does not lead out of the home', async () => {
    const home = tmp();
    const outside = tmp();
    mkdirSync(join(outside, 'share', 'opencode'), { recursive: true });
    writeFileSync(join(outside, 'share', 'opencode', 'mcp-auth.json'), JSON.stringify({ x: { tokens: { accessToken: 'OUTSIDE-SECRET-VALUE' } } }));
    symlinkSync(outside, join(home, '.local'));
    const scan = await scanClients({ home, env: {}, clients: ['opencode'] });
    expect(scan.sessions).toEqual([]);
    expect(scan.notes).toContainEqual(expect.objectContaining({ client: 'opencode', kind: 'skipped' }));
    // Named explicitly, it is read.
    const named = await scanClients({ home, env: { xdgDataHome: join(home, '.local', 'share') }, clients: ['opencode'] });
    expect(named.sessions).toHaveLength(1);
  });

  it('symlinked directories are not walked in the FileTree search (no loops)', async () => {
    const home = tmp();
    symlinkSync(home, join(home, 'loop'));
    const scan = await scanClients({ home, env: {}, clients: ['fastmcp'] });
    expect(scan.sessions).toEqual([]);
  });
});

describe('sizes, kinds and bounds', () => {
  it('a file over the size cap is refused and says which cap', async () => {
    const home = tmp();
    const store = mcpRemoteStore(home);
    writeFileSync(join(store, `${HASH_A}_tokens.json`), `{"access_token":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    const scan = await scanClients({ home, env: {}, clients: ['mcp-remote'] });
    const p = scan.sessions[0]!.problems.find((x) => x.kind === 'too-large');
    expect(p?.message).toMatch(/over the 4194304-byte limit/);
  });

  it('a FIFO where a cache file should be is refused without blocking', async () => {
    const home = tmp();
    mkdirSync(join(home, '.gemini'));
    execFileSync('mkfifo', [join(home, '.gemini', 'mcp-oauth-tokens.json')]);
    const scan = await scanClients({ home, env: {}, clients: ['gemini-cli'] });
    expect(scan.sessions[0]!.problems.map((p) => p.kind)).toEqual(['not-a-file']);
  });

  it('stops after the entry bound with a note', async () => {
    const home = tmp();
    for (let i = 0; i < 50; i++) mkdirSync(join(home, `d${i}`));
    const scan = await scanClients({ home, env: {}, clients: ['fastmcp'], limits: { maxEntries: 10 } });
    expect(scan.notes).toContainEqual(expect.objectContaining({ kind: 'skipped', message: expect.stringMatching(/stopped after 10 directory entries/) }));
  });

  it('names that are not UTF-8 are skipped with a note, the rest is still read', async () => {
    const b = listClientBundles().find((x) => x.id === 'mcp-remote/b-refresh-superseded')!;
    const home = copyClientHome(b);
    dirs.push(home);
    const store = join(home, '.mcp-auth', 'mcp-remote-v1');
    writeFileSync(Buffer.concat([Buffer.from(`${store}/`), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('_tokens.json')]), '{}');
    const scan = await scanClients({ home, env: {}, clients: ['mcp-remote'] });
    expect(scan.sessions).toHaveLength(1);
    expect(scan.notes).toContainEqual(expect.objectContaining({ kind: 'skipped', message: expect.stringMatching(/not UTF-8/) }));
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file is a per-entry problem (not as root)', async () => {
    const home = tmp();
    const store = mcpRemoteStore(home);
    const f = join(store, `${HASH_A}_tokens.json`);
    writeFileSync(f, '{}');
    chmodSync(f, 0o000);
    const scan = await scanClients({ home, env: {}, clients: ['mcp-remote'] });
    expect(scan.sessions[0]!.problems).toContainEqual(expect.objectContaining({ kind: 'unreadable', message: 'permission denied' }));
  });

  it('a cache readable by others is reported with its mode', async () => {
    const b = listClientBundles().find((x) => x.id === 'gemini-cli/a-healthy')!;
    const home = copyClientHome(b);
    dirs.push(home);
    chmodSync(join(home, '.gemini', 'mcp-oauth-tokens.json'), 0o644);
    const scan = await scanClients({ home, env: {}, clients: ['gemini-cli'] });
    expect(scan.sessions[0]!.cache).toMatchObject({ mode: 0o644, readableByOthers: true });
  });
});

describe('malformed content', () => {
  it('malformed JSON, wrong types and missing fields are per-entry problems naming the field, never the value', async () => {
    const home = tmp();
    const store = mcpRemoteStore(home);
    writeFileSync(join(store, `${HASH_A}_tokens.json`), '{"access_token": 5, "refresh_token": "RT-SECRET", "expires_at": "soon"}');
    writeFileSync(join(store, `${mcpRemoteHash('http://x/mcp')}_client_info.json`), '{not json');
    mkdirSync(join(home, '.gemini'));
    writeFileSync(join(home, '.gemini', 'mcp-oauth-tokens.json'), JSON.stringify([42, { serverName: 'a' }, { serverName: 'b', token: { accessToken: 'AT-SECRET', expiresAt: 'x' } }]));
    const scan = await scanClients({ home, env: {} });
    const kinds = scan.sessions.flatMap((s) => s.problems.map((p) => `${s.client}:${p.kind}:${p.message}`));
    expect(kinds).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mcp-remote:wrong-type:.*"access_token" is a number, expected a string$/),
        expect.stringMatching(/^mcp-remote:wrong-type:.*"expires_at" is a string, expected a number$/),
        expect.stringMatching(/^mcp-remote:unparseable:.*not valid JSON$/),
        expect.stringMatching(/^gemini-cli:wrong-type:.*entry 0: is a number/),
        expect.stringMatching(/^gemini-cli:missing-field:.*entry 1: no "token"$/),
        expect.stringMatching(/^gemini-cli:wrong-type:.*"expiresAt" is a string/),
      ]),
    );
    const text = JSON.stringify(scan);
    expect(text).not.toContain('RT-SECRET');
    expect(text).not.toContain('AT-SECRET');
  });

  it('an encrypted FastMCP client store is an `encrypted` problem', async () => {
    const home = tmp();
    const b = listClientBundles().find((x) => x.id === 'fastmcp/a-healthy')!;
    cpSync(join(b.dir, 'client-home'), home, { recursive: true });
    const tokDir = join(home, '.fastmcp', 'oauth-mcp-client-cache', 'S_mcp_oauth_token-3a009b34');
    chmodSync(tokDir, 0o755);
    const f = join(tokDir, 'S_http_127_0_0_1_54915_mcp_tokens-f80e03f2.json');
    chmodSync(f, 0o600);
    writeFileSync(f, JSON.stringify({ created_at: '2026-12-02T04:42:09+00:00', value: { __encrypted_data__: 'gAAAAAB...', __encryption_version__: 1 }, version: 1 }));
    const scan = await scanClients({ home, env: {}, clients: ['fastmcp'] });
    expect(scan.sessions[0]!.problems.map((p) => p.kind)).toContain('encrypted');
    expect(scan.sessions[0]!.clientId).toBe(b.scenario.cached.client_id);
  });

  it('fuzz: any bytes in any known cache file: never a throw, problems are one-line strings', async () => {
    const home = tmp();
    const store = mcpRemoteStore(home);
    mkdirSync(join(home, '.gemini'));
    mkdirSync(join(home, '.claude'));
    mkdirSync(join(home, '.local', 'share', 'opencode'), { recursive: true });
    mkdirSync(join(home, '.copilot', 'mcp-oauth-config'), { recursive: true });
    const ft = join(home, 'cache', 'S_mcp_oauth_token-3a009b34');
    mkdirSync(ft, { recursive: true });
    const files = [
      join(store, `${HASH_A}_tokens.json`),
      join(store, `${HASH_A}_client_info.json`),
      join(home, '.gemini', 'mcp-oauth-tokens.json'),
      join(home, '.claude', '.credentials.json'),
      join(home, '.local', 'share', 'opencode', 'mcp-auth.json'),
      join(home, '.copilot', 'mcp-oauth-config', 'h.tokens.json'),
      join(home, '.copilot', 'mcp-oauth-config', 'h.json'),
      join(ft, 'S_http_x_mcp_tokens-00000000.json'),
    ];
    const content = fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.uint8Array().map((u) => Buffer.from(u)), fc.string());
    await fc.assert(
      fc.asyncProperty(fc.array(content, { minLength: files.length, maxLength: files.length }), async (contents) => {
        contents.forEach((c, i) => writeFileSync(files[i]!, c));
        const scan = await scanClients({ home, env: {}, platform: 'linux' });
        for (const s of scan.sessions) for (const p of s.problems) expect(typeof p.message).toBe('string');
        JSON.stringify(scan);
      }),
      { numRuns: 60 },
    );
  });

  it('fuzz: epoch normalisation is total and unit-consistent', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), (v) => {
        const ms = epochSeconds(v, 'ms');
        const s = epochSeconds(v, 's');
        if (!Number.isFinite(v) || v <= 0) return ms === null && s === null;
        return ms!.at === v / 1000 && s!.at === v && epochSeconds(v, 'auto')!.at === (v > 1e11 ? v / 1000 : v);
      }),
    );
  });
});

describe('read-only', () => {
  it('a scan of every fixture home with every option changes nothing (content, mode, mtime)', async () => {
    const root = tmp();
    cpSync(CLIENT_FIXTURES, root, { recursive: true });
    const before = hashTree(root);
    await scanClients({ home: root, env: {}, extraDirs: [root], limits: { maxDepth: 8 } });
    for (const b of listClientBundles()) await scanClients({ home: join(root, b.id, 'client-home'), env: {}, allowKeychain: true, platform: 'linux' });
    expect(hashTree(root)).toEqual(before);
  });
});

describe('env', () => {
  it('clientEnvFromRecord maps the variables the clients read, and nothing else', () => {
    expect(
      clientEnvFromRecord({
        MCP_REMOTE_CONFIG_DIR: '/m',
        CLAUDE_CONFIG_DIR: '/c',
        CLAUDE_SECURESTORAGE_CONFIG_DIR: '',
        GEMINI_CLI_HOME: '/g',
        GEMINI_FORCE_ENCRYPTED_FILE_STORAGE: 'TRUE',
        COPILOT_HOME: '/p',
        XDG_DATA_HOME: '/d',
        XDG_CONFIG_HOME: '',
        USER: 'u',
        PATH: '/bin',
      }),
    ).toEqual({ mcpRemoteConfigDir: '/m', claudeConfigDir: '/c', claudeSecureStorageDir: '', geminiCliHome: '/g', geminiForceEncryptedFileStorage: false, copilotHome: '/p', xdgDataHome: '/d', user: 'u' });
    expect(clientEnvFromRecord({ GEMINI_FORCE_ENCRYPTED_FILE_STORAGE: 'true' }).geminiForceEncryptedFileStorage).toBe(true);
    expect(clientEnvFromRecord({})).toEqual({});
  });
});
