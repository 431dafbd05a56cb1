/**
 * Claude Code (read from the @anthropic-ai/claude-code 2.1.197 bundle; no real cache could be made
 * here — see fixtures/real-clients/PROVENANCE.md). Plaintext storage:
 * `${CLAUDE_SECURESTORAGE_CONFIG_DIR (''=~/.claude) ?? CLAUDE_CONFIG_DIR ?? ~/.claude}/.credentials.json`,
 * written 0600. Key `mcpOAuth`: entries keyed `<serverName>|<16 hex of sha256(JSON {type,url,headers})>`
 * with `serverName`, `serverUrl`, `accessToken` ('' after "Clear authentication" keeps the
 * registration), `refreshToken`, `expiresAt` (MILLISECONDS), `scope`, `clientId`, `clientSecret`,
 * `redirectUri`, `discoveryState.authorizationServerUrl`; `mcpOAuthClientConfig[key].clientSecret`
 * for configured secrets. On macOS the same JSON lives in the login Keychain, generic password
 * service `Claude Code-credentials` (suffix `-<8 hex of sha256(config dir)>` when CLAUDE_CONFIG_DIR is
 * set), account = the user name — read only with `allowKeychain`.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { claim, emptySession, homeLocation, locate, type Location, type ScanContext } from '../context.js';
import { fileInfo } from '../safe-fs.js';
import { inferServerUrl } from '../infer.js';
import { epochSeconds, Fields, field, isObject, type JsonObject, jsonType, parseJson, peekToken } from '../parse.js';
import type { CacheFile, ClientSession } from '../types.js';

export const CLAUDE_CREDENTIALS_FILE = '.credentials.json';
const KEYCHAIN_SERVICE = 'Claude Code-credentials';

/** The Keychain service name Claude Code uses for this environment. */
export function claudeKeychainService(ctx: Pick<ScanContext, 'env' | 'home'>): string {
  const secure = ctx.env.claudeSecureStorageDir;
  const noSuffix = secure !== undefined ? !secure : !ctx.env.claudeConfigDir;
  if (noSuffix) return KEYCHAIN_SERVICE;
  const dir = (secure !== undefined ? secure : (ctx.env.claudeConfigDir ?? join(ctx.home, '.claude'))).normalize('NFC');
  return `${KEYCHAIN_SERVICE}-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

export function scanClaudeHome(ctx: ScanContext): void {
  const secure = ctx.env.claudeSecureStorageDir;
  let loc: Location | null;
  if (secure) loc = locate(ctx, 'claude-code', secure, null);
  else if (secure === undefined && ctx.env.claudeConfigDir) loc = locate(ctx, 'claude-code', ctx.env.claudeConfigDir, null);
  else loc = homeLocation(ctx, 'claude-code', '.claude');
  if (loc) scanClaudeDir(ctx, loc);
}

export function scanClaudeDir(ctx: ScanContext, loc: Location): void {
  const e = ctx.fs.list(loc.dir, 'claude-code').find((x) => x.name === CLAUDE_CREDENTIALS_FILE && x.kind !== 'dir');
  if (!e || !claim(ctx, e.path)) return;
  const r = ctx.fs.readText(e.path, loc.boundary);
  if (!r.ok) {
    const s = emptySession('claude-code', CLAUDE_CREDENTIALS_FILE, r.file);
    s.problems.push(r.problem);
    ctx.sessions.push(s);
    return;
  }
  readCredentials(ctx, r.text, e.path, r.file);
}

function readCredentials(ctx: ScanContext, text: string, path: string, cache: CacheFile): void {
  const j = parseJson(text);
  if (!j.ok || !isObject(j.value)) {
    const s = emptySession('claude-code', CLAUDE_CREDENTIALS_FILE, cache);
    s.problems.push({ kind: 'unparseable', message: `${CLAUDE_CREDENTIALS_FILE}: ${j.ok ? `holds ${jsonType(j.value)}, expected an object` : j.message}`, path });
    ctx.sessions.push(s);
    return;
  }
  const mcp = field(j.value, 'mcpOAuth');
  if (mcp === undefined || mcp === null) return; // signed in to Claude only; no MCP sessions
  if (!isObject(mcp)) {
    const s = emptySession('claude-code', 'mcpOAuth', cache);
    s.problems.push({ kind: 'wrong-type', message: `${CLAUDE_CREDENTIALS_FILE}: "mcpOAuth" is ${jsonType(mcp)}, expected an object`, path });
    ctx.sessions.push(s);
    return;
  }
  const cfg = field(j.value, 'mcpOAuthClientConfig');
  const configs = isObject(cfg) ? cfg : null;
  const keys = Object.keys(mcp);
  const max = ctx.limits.maxSessionsPerFile;
  for (const key of keys.slice(0, max)) {
    const cfgEntry = configs ? field(configs, key) : undefined;
    ctx.sessions.push(toSession(key, mcp[key]!, isObject(cfgEntry) ? cfgEntry : null, path, cache));
  }
  if (keys.length > max) ctx.notes.push({ client: 'claude-code', kind: 'skipped', message: `${keys.length} mcpOAuth entries; only the first ${max} were read`, path });
}

function toSession(key: string, item: JsonObject[string], cfg: JsonObject | null, path: string, cache: CacheFile): ClientSession {
  const s = emptySession('claude-code', key, cache);
  const f = new Fields(s.problems, `mcpOAuth entry ${JSON.stringify(key)}`, path);
  if (!isObject(item)) {
    f.note('wrong-type', `is ${jsonType(item)}, expected an object`);
    return s;
  }
  const name = f.str(item, 'serverName') ?? (key.includes('|') ? key.slice(0, key.lastIndexOf('|')) : null);
  if (name !== null) s.serverName = name;
  const url = f.str(item, 'serverUrl', true);
  if (url) {
    s.serverUrl = url;
    s.serverUrlSource = 'cache';
  }
  s.accessToken = f.secret(item, 'accessToken', `claude-code ${path} ${key} accessToken`);
  s.refreshToken = f.secret(item, 'refreshToken', `claude-code ${path} ${key} refreshToken`);
  s.scope = f.str(item, 'scope');
  s.tokenType = s.accessToken ? 'Bearer' : null;
  const exp = epochSeconds(f.num(item, 'expiresAt'), 'ms');
  if (exp) {
    s.expiresAt = exp.at;
    s.expiresAtSource = exp.source;
  }
  s.clientId = f.str(item, 'clientId');
  s.clientSecret = f.secret(item, 'clientSecret', `claude-code ${path} ${key} clientSecret`) ?? (cfg ? f.secret(cfg, 'clientSecret', `claude-code ${path} mcpOAuthClientConfig ${key} clientSecret`) : null);
  const discovery = f.obj(item, 'discoveryState');
  if (discovery) s.issuer = f.str(discovery, 'authorizationServerUrl');
  s.accessTokenPeek = peekToken(s.accessToken);
  s.refreshTokenPeek = peekToken(s.refreshToken);
  inferServerUrl(s, () => false);
  if (s.clientId) {
    s.registration = {
      file: path,
      entry: `mcpOAuth[${JSON.stringify(key)}].clientId`,
      howToClear: `in Claude Code run /mcp, select ${name ?? 'the server'}, choose "Clear authentication", then authenticate again`,
    };
  }
  return s;
}

export function defaultKeychainReader(service: string, account: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('security', ['find-generic-password', '-a', account, '-w', '-s', service], { encoding: 'utf8', timeout: 10_000, windowsHide: true }, (err, stdout) => {
      resolve(err ? null : stdout.trim() || null);
    });
  });
}


/** Claude Code's macOS Keychain item: only with `allowKeychain`, never on other platforms. */
export async function scanClaudeKeychain(ctx: ScanContext): Promise<void> {
  const service = claudeKeychainService(ctx);
  if (ctx.platform !== 'darwin') {
    if (ctx.allowKeychain) {
      ctx.notes.push({ client: 'claude-code', kind: 'keychain-not-applicable', message: `the macOS Keychain does not apply on ${ctx.platform}: Claude Code keeps its credentials in ${CLAUDE_CREDENTIALS_FILE} here` });
    }
    return;
  }
  if (!ctx.allowKeychain) {
    ctx.notes.push({
      client: 'claude-code',
      kind: 'secret-storage',
      message: `on macOS Claude Code keeps its credentials (MCP OAuth tokens included) in the login Keychain item "${service}"; not read without consent`,
      hint: 'pass --allow-keychain to read it (macOS asks for permission)',
    });
    return;
  }
  let account = ctx.env.user;
  if (!account) {
    try {
      account = userInfo().username;
    } catch {
      account = 'claude-code-user';
    }
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(account)) account = 'claude-code-user';
  const text = await ctx.keychainReader(service, account);
  const path = `keychain:${service}`;
  if (text === null) {
    ctx.notes.push({ client: 'claude-code', kind: 'keychain-read', message: `no Keychain item "${service}" for account ${account}, or access was refused` });
    return;
  }
  ctx.notes.push({ client: 'claude-code', kind: 'keychain-read', message: `read the Keychain item "${service}" with the user's consent` });
  readCredentials(ctx, text, path, fileInfo(path, null));
}
