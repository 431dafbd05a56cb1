/**
 * Gemini CLI (google-gemini/gemini-cli `packages/core/src/mcp/oauth-token-storage.ts`,
 * `config/storage.ts`, `services/fileKeychain.ts`; real files from 0.61.0):
 * `${GEMINI_CLI_HOME || ~}/.gemini/mcp-oauth-tokens.json`, 0600, a JSON array of
 * `{serverName, token: {accessToken, tokenType, refreshToken, scope, expiresAt (MILLISECONDS)},
 * clientId, tokenUrl, mcpServerUrl, updatedAt (ms)}` — the DCR client_id lives in the entry.
 * With `GEMINI_FORCE_ENCRYPTED_FILE_STORAGE=true` the tokens go to the OS keychain (keytar,
 * service `gemini-cli-oauth`, account = server name with [^A-Za-z0-9-_.] → '_', password = the
 * same JSON object) or, without a keychain, to `~/.gemini/gemini-credentials.json` (AES-256-GCM):
 * neither is read here. An exported entry (one object or an array) in a `mcp-oauth-tokens.json`
 * under `--client-cache` is read like the plaintext file.
 */
import { join } from 'node:path';
import { claim, emptySession, homeLocation, locate, type Location, type ScanContext } from '../context.js';
import { inferServerUrl } from '../infer.js';
import { epochSeconds, Fields, isObject, type Json, jsonType, parseJson, peekToken } from '../parse.js';
import type { ClientSession } from '../types.js';

export const GEMINI_TOKENS_FILE = 'mcp-oauth-tokens.json';
const ENCRYPTED_FILE = 'gemini-credentials.json';

export function scanGeminiHome(ctx: ScanContext): void {
  const loc = ctx.env.geminiCliHome ? locate(ctx, 'gemini-cli', join(ctx.env.geminiCliHome, '.gemini'), null) : homeLocation(ctx, 'gemini-cli', '.gemini');
  if (ctx.env.geminiForceEncryptedFileStorage) {
    ctx.notes.push({
      client: 'gemini-cli',
      kind: 'secret-storage',
      message: 'GEMINI_FORCE_ENCRYPTED_FILE_STORAGE=true: Gemini CLI keeps MCP OAuth tokens in the OS keychain (service "gemini-cli-oauth") or its encrypted file; they cannot be read here',
      hint: 'export an entry with `security find-generic-password -s gemini-cli-oauth -a <server name> -w` (macOS) or `secret-tool lookup service gemini-cli-oauth account <server name>` (Linux), save the JSON as mcp-oauth-tokens.json in a directory and pass that directory with --client-cache',
    });
  }
  if (loc) scanGeminiDir(ctx, loc);
}

export function scanGeminiDir(ctx: ScanContext, loc: Location): void {
  const entries = ctx.fs.list(loc.dir, 'gemini-cli');
  const enc = entries.find((e) => e.name === ENCRYPTED_FILE);
  if (enc) {
    ctx.notes.push({
      client: 'gemini-cli',
      kind: 'encrypted-file',
      message: `Gemini CLI's encrypted token store (${ENCRYPTED_FILE}, used in keychain mode without a keychain) exists; it is not read`,
      hint: 'unset GEMINI_FORCE_ENCRYPTED_FILE_STORAGE and run /mcp auth <server> in gemini to get a readable mcp-oauth-tokens.json',
      path: enc.path,
    });
  }
  const file = entries.find((e) => e.name === GEMINI_TOKENS_FILE && e.kind !== 'dir');
  if (!file || !claim(ctx, file.path)) return;
  const r = ctx.fs.readText(file.path, loc.boundary);
  if (!r.ok) {
    const s = emptySession('gemini-cli', GEMINI_TOKENS_FILE, r.file);
    s.problems.push(r.problem);
    ctx.sessions.push(s);
    return;
  }
  const j = parseJson(r.text);
  let list: Json[];
  if (j.ok && Array.isArray(j.value)) list = j.value;
  else if (j.ok && isObject(j.value)) list = [j.value];
  else {
    const s = emptySession('gemini-cli', GEMINI_TOKENS_FILE, r.file);
    s.problems.push({ kind: 'unparseable', message: `${GEMINI_TOKENS_FILE}: ${j.ok ? `holds ${jsonType(j.value)}, expected an array` : j.message}`, path: file.path });
    ctx.sessions.push(s);
    return;
  }
  const max = ctx.limits.maxSessionsPerFile;
  list.slice(0, max).forEach((item, i) => ctx.sessions.push(toSession(item, i, file.path, r.file)));
  if (list.length > max) {
    ctx.notes.push({ client: 'gemini-cli', kind: 'skipped', message: `${list.length} entries; only the first ${max} were read`, path: file.path });
  }
}

function toSession(item: Json, index: number, path: string, cache: ClientSession['cache']): ClientSession {
  const s = emptySession('gemini-cli', `[${index}]`, cache);
  const where = `${GEMINI_TOKENS_FILE} entry ${index}`;
  const f = new Fields(s.problems, where, path);
  if (!isObject(item)) {
    f.note('wrong-type', `is ${jsonType(item)}, expected an object`);
    return s;
  }
  const name = f.str(item, 'serverName', true);
  if (name !== null) {
    s.serverName = name;
    s.key = name;
  }
  const tok = f.obj(item, 'token', true);
  if (tok) {
    s.accessToken = f.secret(tok, 'accessToken', `gemini-cli ${path} ${name ?? index} accessToken`, true);
    s.refreshToken = f.secret(tok, 'refreshToken', `gemini-cli ${path} ${name ?? index} refreshToken`);
    s.tokenType = f.str(tok, 'tokenType');
    s.scope = f.str(tok, 'scope');
    const exp = epochSeconds(f.num(tok, 'expiresAt'), 'ms');
    if (exp) {
      s.expiresAt = exp.at;
      s.expiresAtSource = exp.source;
    }
  }
  s.clientId = f.str(item, 'clientId');
  const url = f.str(item, 'mcpServerUrl');
  if (url) {
    s.serverUrl = url;
    s.serverUrlSource = 'cache';
  }
  s.accessTokenPeek = peekToken(s.accessToken);
  s.refreshTokenPeek = peekToken(s.refreshToken);
  inferServerUrl(s, () => false);
  if (s.clientId) s.registration = {
    file: path,
    entry: `serverName=${name ?? `#${index}`} .clientId`,
    howToClear: `remove the "${name ?? `#${index}`}" entry from ${path} (or the file), then run /mcp auth ${name ?? '<server>'} in gemini`,
  };
  return s;
}
