/**
 * Which cached sessions belong to one MCP server URL. URLs are compared normalised (scheme and
 * host lower-case, default port dropped, trailing slashes of the path dropped, fragment and
 * credentials dropped, query kept). Clients that key by a hash are matched by recomputing it, then
 * by what their files hold (token audience, issuer origin) — newer mcp-remote releases mix
 * `--resource` and headers into the hash, so a recomputed hash alone would miss them.
 */
import { matchesTruncated } from '../fastmcp/collections.js';
import { mcpRemoteHash } from './formats/mcp-remote.js';
import { urlSpellings } from './infer.js';
import { audiences } from './parse.js';
import type { ClientSession, MatchReason, SessionMatch } from './types.js';

export function normalizeServerUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const path = u.pathname.replace(/\/+$/, '');
  return `${u.protocol}//${u.host}${path}${u.search}`;
}

function origin(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

const STRENGTH: Record<MatchReason, number> = { url: 0, 'key-hash': 1, 'token-audience': 2, 'issuer-origin': 3 };

function keyMatches(s: ClientSession, target: string, given: string): boolean {
  const spellings = new Set([...urlSpellings(given.trim()), ...urlSpellings(target)]);
  if (s.client === 'mcp-remote') return [...spellings].some((u) => mcpRemoteHash(u) === s.key);
  if (s.client === 'fastmcp') {
    // FastMCP strips trailing slashes before keying.
    return [...spellings].filter((u) => !u.endsWith('/')).some((u) => matchesTruncated(s.key, `${u}/tokens`) || matchesTruncated(s.key, `${u}/client_info`));
  }
  return false;
}

/** How (if at all) a session belongs to the server at `serverUrl`. */
export function matchSession(s: ClientSession, serverUrl: string): MatchReason | null {
  const target = normalizeServerUrl(serverUrl);
  if (!target) return null;
  const stored = s.serverUrl && (s.serverUrlSource === 'cache' || s.serverUrlSource === 'key-hash') ? normalizeServerUrl(s.serverUrl) : null;
  if (stored !== null) return stored === target ? 'url' : null;
  if (keyMatches(s, target, serverUrl)) return 'key-hash';
  if (audiences(s.accessTokenPeek).some((a) => normalizeServerUrl(a) === target)) return 'token-audience';
  if (s.issuer && origin(s.issuer) !== null && origin(s.issuer) === origin(target)) return 'issuer-origin';
  return null;
}

/** The sessions for one server, strongest match first (then in scan order). */
export function sessionsForServer(sessions: readonly ClientSession[], serverUrl: string): SessionMatch[] {
  const out: SessionMatch[] = [];
  for (const session of sessions) {
    const matchedBy = matchSession(session, serverUrl);
    if (matchedBy) out.push({ session, matchedBy });
  }
  return out.sort((a, b) => STRENGTH[a.matchedBy] - STRENGTH[b.matchedBy]);
}
