/**
 * mcp-remote (geelen/mcp-remote; verified against the 0.15.1 npm package, dist `mcp-auth-config`):
 * `${MCP_REMOTE_CONFIG_DIR || ~/.mcp-auth}/mcp-remote-v1/` (store version 1; releases before the
 * store version used `mcp-remote-<package version>/`). Per server: `<hash>_tokens.json` (OAuth token
 * response + `expires_at` in MILLISECONDS + `requested_scope` + `issuer`) and
 * `<hash>_client_info.json` (the DCR response + `issuer`), both 0600, written via temp file + rename.
 * `<hash>` = md5 hex of `serverUrl` joined with '|' to the `--resource`, sorted authorize params,
 * sorted headers, client metadata URL and token endpoint when given — so the hash alone does not
 * name the server: sessions are matched by reading the files (issuer, token audience).
 * Transient files (`_code_verifier_*`, `_discovery_state_*`, `_refresh_in_progress.json` lease,
 * older `_lock.json`, `*.tmp`) are not sessions and are not read.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { claim, emptySession, homeLocation, locate, type Location, type ScanContext } from '../context.js';
import { inferServerUrl } from '../infer.js';
import { epochSeconds, Fields, isObject, jsonType, parseJson, peekToken } from '../parse.js';
import type { CacheFile, ClientSession } from '../types.js';

const PAIR = /^([0-9a-f]{32})_(tokens|client_info)\.json$/;
const STORE_DIR = /^mcp-remote-/;

export function mcpRemoteHash(url: string): string {
  return createHash('md5').update(url).digest('hex');
}

export function scanMcpRemoteHome(ctx: ScanContext): void {
  const base = ctx.env.mcpRemoteConfigDir
    ? locate(ctx, 'mcp-remote', ctx.env.mcpRemoteConfigDir, null)
    : homeLocation(ctx, 'mcp-remote', '.mcp-auth');
  if (base) scanMcpRemoteDir(ctx, base);
}

/** A base dir (holding `mcp-remote-*` store dirs) or a store dir itself. */
export function scanMcpRemoteDir(ctx: ScanContext, loc: Location): void {
  const entries = ctx.fs.list(loc.dir, 'mcp-remote');
  readStore(ctx, loc, entries);
  for (const e of entries) {
    if (e.kind !== 'dir' || !STORE_DIR.test(e.name)) continue;
    const sub = locate(ctx, 'mcp-remote', e.path, loc.boundary);
    if (sub) readStore(ctx, sub, ctx.fs.list(sub.dir, 'mcp-remote'));
  }
}

function readStore(ctx: ScanContext, loc: Location, entries: { name: string; path: string; kind: string }[]): void {
  const byHash = new Map<string, { tokens?: string; clientInfo?: string }>();
  for (const e of entries) {
    if (e.kind === 'dir') continue; // FIFOs etc. are read (and refused) so they show up
    const m = PAIR.exec(e.name);
    if (!m) continue;
    const slot = byHash.get(m[1]!) ?? {};
    if (m[2] === 'tokens') slot.tokens = e.path;
    else slot.clientInfo = e.path;
    byHash.set(m[1]!, slot);
  }
  for (const [hash, pair] of byHash) {
    if ((pair.tokens && !claim(ctx, pair.tokens)) || (pair.clientInfo && !claim(ctx, pair.clientInfo))) continue;
    ctx.sessions.push(readPair(ctx, loc, hash, pair));
  }
}

function readPair(ctx: ScanContext, loc: Location, hash: string, pair: { tokens?: string; clientInfo?: string }): ClientSession {
  const files: CacheFile[] = [];
  let session: ClientSession | undefined;
  const problems: ClientSession['problems'] = [];

  if (pair.tokens) {
    const r = ctx.fs.readText(pair.tokens, loc.boundary);
    files.push(r.file);
    session = emptySession('mcp-remote', hash, r.file);
    if (!r.ok) problems.push(r.problem);
    else {
      const j = parseJson(r.text);
      const f = new Fields(problems, `${hash}_tokens.json`, pair.tokens);
      if (!j.ok) f.note('unparseable', j.message);
      else if (!isObject(j.value)) f.note('unparseable', `the file holds ${jsonType(j.value)}, expected an object`);
      else {
        const o = j.value;
        session.accessToken = f.secret(o, 'access_token', `mcp-remote ${pair.tokens} access_token`, true);
        session.refreshToken = f.secret(o, 'refresh_token', `mcp-remote ${pair.tokens} refresh_token`);
        session.tokenType = f.str(o, 'token_type');
        session.scope = f.str(o, 'scope');
        session.issuer = f.str(o, 'issuer');
        const exp = epochSeconds(f.num(o, 'expires_at'), 'ms');
        if (exp) {
          session.expiresAt = exp.at;
          session.expiresAtSource = exp.source;
        }
      }
    }
  }
  if (pair.clientInfo) {
    const r = ctx.fs.readText(pair.clientInfo, loc.boundary);
    files.push(r.file);
    session ??= emptySession('mcp-remote', hash, r.file);
    if (!r.ok) problems.push(r.problem);
    else {
      const j = parseJson(r.text);
      const f = new Fields(problems, `${hash}_client_info.json`, pair.clientInfo);
      if (!j.ok) f.note('unparseable', j.message);
      else if (!isObject(j.value)) f.note('unparseable', `the file holds ${jsonType(j.value)}, expected an object`);
      else {
        const o = j.value;
        session.clientId = f.str(o, 'client_id', true);
        session.clientSecret = f.secret(o, 'client_secret', `mcp-remote ${pair.clientInfo} client_secret`);
        session.issuer ??= f.str(o, 'issuer');
      }
    }
    session.registration = {
      file: pair.clientInfo,
      howToClear: `delete ${pair.clientInfo} and ${join(loc.dir, `${hash}_tokens.json`)}; mcp-remote registers again at its next start`,
    };
  } else {
    problems.push({ kind: 'orphan', message: `${hash}_tokens.json has no ${hash}_client_info.json beside it (no cached client_id)`, path: pair.tokens });
  }
  if (!pair.tokens) problems.push({ kind: 'orphan', message: `${hash}_client_info.json has no ${hash}_tokens.json beside it (registered, no tokens)`, path: pair.clientInfo });

  const s = session!;
  s.files = files;
  s.problems = problems;
  s.accessTokenPeek = peekToken(s.accessToken);
  s.refreshTokenPeek = peekToken(s.refreshToken);
  inferServerUrl(s, (url) => mcpRemoteHash(url) === hash);
  return s;
}
