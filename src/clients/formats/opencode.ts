/**
 * opencode (anomalyco/opencode, formerly sst/opencode, `packages/opencode/src/mcp/auth.ts`):
 * `${XDG_DATA_HOME || ~/.local/share}/opencode/mcp-auth.json`, 0600, an object keyed by the MCP
 * server's name: `{tokens: {accessToken, refreshToken?, expiresAt? (SECONDS: compared with
 * Date.now()/1000), scope?}, clientInfo: {clientId, clientSecret?, clientIdIssuedAt?,
 * clientSecretExpiresAt?}, codeVerifier?, oauthState?, serverUrl?}`. `opencode mcp logout <name>`
 * removes an entry.
 */
import { join } from 'node:path';
import { claim, emptySession, homeLocation, locate, type Location, type ScanContext } from '../context.js';
import { inferServerUrl } from '../infer.js';
import { epochSeconds, Fields, isObject, jsonType, parseJson, peekToken, type Json } from '../parse.js';
import type { CacheFile, ClientSession } from '../types.js';

export const OPENCODE_FILE = 'mcp-auth.json';

export function scanOpencodeHome(ctx: ScanContext): void {
  const loc = ctx.env.xdgDataHome ? locate(ctx, 'opencode', join(ctx.env.xdgDataHome, 'opencode'), null) : homeLocation(ctx, 'opencode', '.local', 'share', 'opencode');
  if (loc) scanOpencodeDir(ctx, loc);
}

export function scanOpencodeDir(ctx: ScanContext, loc: Location): void {
  const e = ctx.fs.list(loc.dir, 'opencode').find((x) => x.name === OPENCODE_FILE && x.kind !== 'dir');
  if (!e || !claim(ctx, e.path)) return;
  const r = ctx.fs.readText(e.path, loc.boundary);
  const j = r.ok ? parseJson(r.text) : null;
  if (!r.ok || !j!.ok || !isObject(j!.value)) {
    const s = emptySession('opencode', OPENCODE_FILE, r.file);
    if (!r.ok) s.problems.push(r.problem);
    else s.problems.push({ kind: 'unparseable', message: `${OPENCODE_FILE}: ${j!.ok ? `holds ${jsonType(j!.value)}, expected an object` : j!.message}`, path: e.path });
    ctx.sessions.push(s);
    return;
  }
  const all = j!.value as Record<string, Json>;
  const names = Object.keys(all);
  const max = ctx.limits.maxSessionsPerFile;
  for (const name of names.slice(0, max)) ctx.sessions.push(toSession(name, all[name]!, e.path, r.file));
  if (names.length > max) ctx.notes.push({ client: 'opencode', kind: 'skipped', message: `${names.length} entries; only the first ${max} were read`, path: e.path });
}

function toSession(name: string, item: Json, path: string, cache: CacheFile): ClientSession {
  const s = emptySession('opencode', name, cache);
  s.serverName = name;
  const f = new Fields(s.problems, `${OPENCODE_FILE} entry ${JSON.stringify(name)}`, path);
  if (!isObject(item)) {
    f.note('wrong-type', `is ${jsonType(item)}, expected an object`);
    return s;
  }
  const tokens = f.obj(item, 'tokens');
  if (tokens) {
    s.accessToken = f.secret(tokens, 'accessToken', `opencode ${path} ${name} accessToken`, true);
    s.refreshToken = f.secret(tokens, 'refreshToken', `opencode ${path} ${name} refreshToken`);
    s.scope = f.str(tokens, 'scope');
    s.tokenType = s.accessToken ? 'Bearer' : null;
    const exp = epochSeconds(f.num(tokens, 'expiresAt'), 's');
    if (exp) {
      s.expiresAt = exp.at;
      s.expiresAtSource = exp.source;
    }
  }
  const info = f.obj(item, 'clientInfo');
  if (info) {
    s.clientId = f.str(info, 'clientId', true);
    s.clientSecret = f.secret(info, 'clientSecret', `opencode ${path} ${name} clientSecret`);
  }
  const url = f.str(item, 'serverUrl');
  if (url) {
    s.serverUrl = url;
    s.serverUrlSource = 'cache';
  }
  s.accessTokenPeek = peekToken(s.accessToken);
  s.refreshTokenPeek = peekToken(s.refreshToken);
  inferServerUrl(s, () => false);
  if (s.clientId) s.registration = { file: path, entry: `${JSON.stringify(name)}.clientInfo`, howToClear: `run: opencode mcp logout ${name}, then authenticate again (opencode mcp auth ${name})` };
  return s;
}
