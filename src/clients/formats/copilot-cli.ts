/**
 * GitHub Copilot CLI: `${COPILOT_HOME || ~/.copilot}/mcp-oauth-config/` holds, per server,
 * `<hash>.json` (registration: `serverUrl`, `clientId`, `clientSecret`?, `redirectUri`,
 * `authorizationServerUrl`, `resourceUrl`) and `<hash>.tokens.json` (`accessToken`, `refreshToken`,
 * `expiresAt`, `scope`). The CLI ships as a native binary whose JavaScript is not greppable, so
 * this layout comes from github/copilot-cli issues #2783, #2112 and from public tools that read the
 * cache; `expiresAt` is read as epoch seconds there, so the unit is guessed per value ('auto').
 * Copilot CLI may also keep copies in the OS keychain (`copilot-mcp-oauth/<hash>`); not read.
 */
import { join } from 'node:path';
import { claim, emptySession, homeLocation, locate, type Location, type ScanContext } from '../context.js';
import { inferServerUrl } from '../infer.js';
import { epochSeconds, Fields, isObject, jsonType, parseJson, peekToken, type JsonObject } from '../parse.js';
import type { CacheFile, ClientSession, EntryProblem } from '../types.js';

export const COPILOT_DIR = 'mcp-oauth-config';

export function scanCopilotHome(ctx: ScanContext): void {
  const loc = ctx.env.copilotHome ? locate(ctx, 'copilot-cli', join(ctx.env.copilotHome, COPILOT_DIR), null) : homeLocation(ctx, 'copilot-cli', '.copilot', COPILOT_DIR);
  if (loc) scanCopilotDir(ctx, loc);
}

export function scanCopilotDir(ctx: ScanContext, loc: Location): void {
  const entries = ctx.fs.list(loc.dir, 'copilot-cli');
  // Outside its own folder, only a directory holding `*.tokens.json` files is read as Copilot's.
  if (!loc.dir.endsWith(COPILOT_DIR) && !entries.some((e) => e.name.endsWith('.tokens.json'))) return;
  const pairs = new Map<string, { meta?: string; tokens?: string }>();
  for (const e of entries) {
    if (e.kind === 'dir') continue; // FIFOs etc. are read (and refused) so they show up
    const t = /^(.+)\.tokens\.json$/.exec(e.name);
    const m = t ? null : /^(.+)\.json$/.exec(e.name);
    const hash = t?.[1] ?? m?.[1];
    if (!hash) continue;
    const slot = pairs.get(hash) ?? {};
    if (t) slot.tokens = e.path;
    else slot.meta = e.path;
    pairs.set(hash, slot);
  }
  for (const [hash, pair] of pairs) {
    // Only pairs that look like Copilot's: a tokens file, or a registration with serverUrl.
    if ((pair.tokens && !claim(ctx, pair.tokens)) || (pair.meta && !claim(ctx, pair.meta))) continue;
    const s = readPair(ctx, loc, hash, pair);
    if (s) ctx.sessions.push(s);
  }
}

function readObject(ctx: ScanContext, loc: Location, path: string, problems: EntryProblem[], files: CacheFile[]): JsonObject | null {
  const r = ctx.fs.readText(path, loc.boundary);
  files.push(r.file);
  if (!r.ok) return problems.push(r.problem), null;
  const j = parseJson(r.text);
  if (!j.ok) return problems.push({ kind: 'unparseable', message: `${path}: ${j.message}`, path }), null;
  if (!isObject(j.value)) return problems.push({ kind: 'unparseable', message: `${path}: holds ${jsonType(j.value)}, expected an object`, path }), null;
  return j.value;
}

function readPair(ctx: ScanContext, loc: Location, hash: string, pair: { meta?: string; tokens?: string }): ClientSession | null {
  const problems: EntryProblem[] = [];
  const files: CacheFile[] = [];
  const meta = pair.meta ? readObject(ctx, loc, pair.meta, problems, files) : null;
  if (!pair.tokens && meta && typeof meta.serverUrl !== 'string') return null; // some other JSON file
  const tokens = pair.tokens ? readObject(ctx, loc, pair.tokens, problems, files) : null;
  const s = emptySession('copilot-cli', hash, files[files.length - 1]!);
  s.files = files;
  s.problems = problems;
  if (tokens) {
    const f = new Fields(problems, `${hash}.tokens.json`, pair.tokens!);
    s.accessToken = f.secret(tokens, 'accessToken', `copilot-cli ${pair.tokens} accessToken`, true);
    s.refreshToken = f.secret(tokens, 'refreshToken', `copilot-cli ${pair.tokens} refreshToken`);
    s.scope = f.str(tokens, 'scope');
    s.tokenType = f.str(tokens, 'tokenType') ?? (s.accessToken ? 'Bearer' : null);
    const exp = epochSeconds(f.num(tokens, 'expiresAt'), 'auto');
    if (exp) {
      s.expiresAt = exp.at;
      s.expiresAtSource = exp.source;
    }
  }
  if (meta) {
    const f = new Fields(problems, `${hash}.json`, pair.meta!);
    const url = f.str(meta, 'serverUrl', true);
    if (url) {
      s.serverUrl = url;
      s.serverUrlSource = 'cache';
    }
    s.clientId = f.str(meta, 'clientId');
    s.clientSecret = f.secret(meta, 'clientSecret', `copilot-cli ${pair.meta} clientSecret`);
    s.issuer = f.str(meta, 'authorizationServerUrl');
    if (s.clientId) {
      s.registration = { file: pair.meta!, howToClear: `delete ${pair.meta} and ${join(loc.dir, `${hash}.tokens.json`)}; Copilot CLI registers again on the next /mcp authentication` };
    }
  } else {
    problems.push({ kind: 'orphan', message: `${hash}.tokens.json has no ${hash}.json beside it (no server URL, no client_id)`, path: pair.tokens });
  }
  if (!pair.tokens) problems.push({ kind: 'orphan', message: `${hash}.json has no ${hash}.tokens.json beside it (registered, no tokens)`, path: pair.meta });
  s.accessTokenPeek = peekToken(s.accessToken);
  s.refreshTokenPeek = peekToken(s.refreshToken);
  inferServerUrl(s, () => false);
  return s;
}
