/**
 * FastMCP's `Client` + `OAuth(token_storage=...)` (PrefectHQ/fastmcp `client/auth/oauth.py`,
 * 4.0.10): a py-key-value store the user chooses. Collections `mcp-oauth-token` (OAuthToken),
 * `mcp-oauth-client-info` (OAuthClientInformationFull, the DCR response + `issuer`) and
 * `mcp-oauth-token-expiry` (`{"expires_at": <epoch SECONDS, float>}`), keys `<mcp_url>/tokens`,
 * `<mcp_url>/client_info`, `<mcp_url>/token_expiry` (`mcp_url` with trailing '/' stripped; an
 * optional `cache_namespace` goes between URL and suffix).
 *
 * Only FileTree stores can be read from disk. A bare `FileTreeStore(dir)` cannot write these keys
 * (they contain '/', so the key file's parent does not exist: FileNotFoundError), so real caches
 * use `FileTreeV1KeySanitizationStrategy`: `S_<key with runs of [^A-Za-z0-9_] → '_'>-<8 hex of
 * sha256(key)>.json`. Collection directories are V1-sanitised (`S_mcp_oauth_token-3a009b34`) or
 * plain (`mcp-oauth-token`), each with a `<dir>-info.json` beside it. Entry files hold
 * `{"created_at", "expires_at", "value": {...} | "<json>", "version": 1}`; an encryption wrapper's
 * value (`__encrypted_data__`) cannot be read here. Found under the home at bounded depth and under
 * `--client-cache` dirs.
 */
import { basename } from 'node:path';
import { matchesTruncated, sanitizeName } from '../../fastmcp/collections.js';
import { claim, emptySession, type Location, locate, type ScanContext } from '../context.js';
import { inferServerUrl } from '../infer.js';
import { epochSeconds, Fields, field, isObject, type JsonObject, jsonType, parseJson, peekToken } from '../parse.js';
import type { CacheFile, ClientSession, EntryProblem } from '../types.js';

type Kind = 'tokens' | 'client_info' | 'token_expiry';
const COLLECTIONS: Record<Kind, string> = {
  tokens: 'mcp-oauth-token',
  client_info: 'mcp-oauth-client-info',
  token_expiry: 'mcp-oauth-token-expiry',
};
const KINDS = Object.keys(COLLECTIONS) as Kind[];

/** Directory names a collection may have: V1-sanitised (NAME_MAX 255 − 10) and plain. */
function collectionDirNames(kind: Kind): string[] {
  return [sanitizeName(COLLECTIONS[kind], 245), COLLECTIONS[kind]];
}
const ALL_DIR_NAMES = new Set(KINDS.flatMap(collectionDirNames));

/** Directories never worth descending into when searching a home. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'site-packages', '__pycache__', '.Trash', 'proc']);

export function scanFastmcpTree(ctx: ScanContext, root: Location): void {
  const walk = (loc: Location, depth: number) => {
    if (ctx.fs.exhausted) return;
    const entries = ctx.fs.list(loc.dir, 'fastmcp');
    if (entries.some((e) => e.kind === 'dir' && ALL_DIR_NAMES.has(e.name))) {
      readFileTree(ctx, loc, entries);
      return;
    }
    if (depth >= ctx.limits.maxDepth) return;
    for (const e of entries) {
      // Real directories only: symlinked directories are not walked (loops, escapes).
      if (e.kind !== 'dir' || SKIP_DIRS.has(e.name) || ALL_DIR_NAMES.has(e.name)) continue;
      walk({ dir: e.path, boundary: loc.boundary }, depth + 1);
    }
  };
  walk(root, 0);
}

interface Entry {
  stem: string;
  path: string;
  file: CacheFile;
  value: JsonObject | null;
  createdAt: number | null;
}

function groupOf(kind: Kind, stem: string): string {
  const m = new RegExp(`^S_(.*)_${kind}-[0-9a-f]{8}$`).exec(stem);
  return m ? m[1]! : `?${stem}`;
}

function readFileTree(ctx: ScanContext, root: Location, entries: { name: string; path: string; kind: string }[]): void {
  const groups = new Map<string, Partial<Record<Kind, Entry>>>();
  const problems = new Map<string, EntryProblem[]>();
  for (const kind of KINDS) {
    for (const name of collectionDirNames(kind)) {
      const e = entries.find((x) => x.name === name && x.kind === 'dir');
      if (!e) continue;
      const loc = locate(ctx, 'fastmcp', e.path, root.boundary);
      if (!loc) continue;
      for (const f of ctx.fs.list(loc.dir, 'fastmcp')) {
        if (f.kind === 'dir' || !f.name.endsWith('.json') || f.name.endsWith('-info.json')) continue;
        if (!claim(ctx, f.path)) continue;
        const stem = f.name.slice(0, -'.json'.length);
        const group = groupOf(kind, stem);
        const probs = problems.get(group) ?? [];
        problems.set(group, probs);
        const entry = readEntry(ctx, loc, f.path, stem, probs);
        const slot = groups.get(group) ?? {};
        slot[kind] = entry;
        groups.set(group, slot);
      }
    }
  }
  for (const [group, slot] of groups) ctx.sessions.push(toSession(slot, problems.get(group) ?? []));
}

function readEntry(ctx: ScanContext, loc: Location, path: string, stem: string, problems: EntryProblem[]): Entry {
  const r = ctx.fs.readText(path, loc.boundary);
  const entry: Entry = { stem, path, file: r.file, value: null, createdAt: null };
  if (!r.ok) {
    problems.push(r.problem);
    return entry;
  }
  const f = new Fields(problems, basename(path), path);
  const j = parseJson(r.text);
  if (!j.ok) return f.note('unparseable', j.message), entry;
  if (!isObject(j.value)) return f.note('unparseable', `the file holds ${jsonType(j.value)}, expected a py-key-value entry object`), entry;
  const created = f.str(j.value, 'created_at');
  if (created) {
    const t = Date.parse(created);
    if (Number.isFinite(t)) entry.createdAt = t / 1000;
  }
  let value = field(j.value, 'value');
  if (value === undefined) return f.note('missing-field', 'no "value"'), entry;
  if (typeof value === 'string') {
    // py-key-value's value_format="string" stores the value as JSON text.
    const inner = parseJson(value);
    if (!inner.ok) return f.note('unparseable', `"value" is a string that is ${inner.message}`), entry;
    value = inner.value;
  }
  if (!isObject(value)) return f.note('wrong-type', `"value" is ${jsonType(value)}, expected an object`), entry;
  if (field(value, '__encrypted_data__') !== undefined) {
    return f.note('encrypted', 'the value is encrypted by a py-key-value encryption wrapper; it cannot be read without the key'), entry;
  }
  entry.value = value;
  return entry;
}

function toSession(slot: Partial<Record<Kind, Entry>>, problems: EntryProblem[]): ClientSession {
  const first = slot.tokens ?? slot.client_info ?? slot.token_expiry!;
  const s = emptySession('fastmcp', slot.tokens?.stem ?? first.stem, first.file);
  s.files = KINDS.flatMap((k) => (slot[k] ? [slot[k]!.file] : []));
  s.problems = problems;
  const t = slot.tokens;
  if (t?.value) {
    const f = new Fields(problems, basename(t.path), t.path);
    s.accessToken = f.secret(t.value, 'access_token', `fastmcp ${t.path} access_token`, true);
    s.refreshToken = f.secret(t.value, 'refresh_token', `fastmcp ${t.path} refresh_token`);
    s.tokenType = f.str(t.value, 'token_type');
    s.scope = f.str(t.value, 'scope');
    const expiresIn = f.num(t.value, 'expires_in');
    if (expiresIn !== null && t.createdAt !== null) {
      s.expiresAt = t.createdAt + expiresIn;
      s.expiresAtSource = 'created+expires_in';
    }
  }
  const e = slot.token_expiry;
  if (e?.value) {
    const f = new Fields(problems, basename(e.path), e.path);
    const exp = epochSeconds(f.num(e.value, 'expires_at', true), 's');
    if (exp) {
      s.expiresAt = exp.at;
      s.expiresAtSource = exp.source;
    }
  }
  const c = slot.client_info;
  if (c?.value) {
    const f = new Fields(problems, basename(c.path), c.path);
    s.clientId = f.str(c.value, 'client_id', true);
    s.clientSecret = f.secret(c.value, 'client_secret', `fastmcp ${c.path} client_secret`);
    s.issuer = f.str(c.value, 'issuer');
  }
  if (!slot.tokens) problems.push({ kind: 'orphan', message: `registration without tokens (no ${COLLECTIONS.tokens} entry for this server)`, path: first.path });
  if (!slot.client_info) problems.push({ kind: 'orphan', message: `tokens without a registration (no ${COLLECTIONS.client_info} entry for this server)`, path: first.path });
  s.accessTokenPeek = peekToken(s.accessToken);
  s.refreshTokenPeek = peekToken(s.refreshToken);
  const [kind, entry] = slot.tokens ? (['tokens', slot.tokens] as const) : slot.client_info ? (['client_info', slot.client_info] as const) : (['token_expiry', slot.token_expiry!] as const);
  inferServerUrl(s, (url) => url === url.replace(/\/+$/, '') && matchesTruncated(entry.stem, `${url}/${kind}`));
  if (c) {
    const files = [c.path, slot.tokens?.path, slot.token_expiry?.path].filter((p): p is string => Boolean(p));
    s.registration = {
      file: c.path,
      entry: `${COLLECTIONS.client_info} / ${s.serverUrlSource === 'key-hash' ? `${s.serverUrl}/client_info` : c.stem}`,
      howToClear: `delete ${files.join(' and ')}; the FastMCP client registers again on its next connect`,
    };
  }
  return s;
}
