/** Filling in a session's server URL when the cache keys it by a hash instead of storing it. */
import { audiences } from './parse.js';
import type { ClientSession } from './types.js';

/** URL spellings a client may have hashed: as is, and with / without one trailing slash. */
export function urlSpellings(url: string): string[] {
  const out = [url];
  if (url.endsWith('/')) out.push(url.slice(0, -1));
  else out.push(`${url}/`);
  return out;
}

/**
 * Candidates: the tokens' audiences (FastMCP puts the MCP URL there), then the issuer. The first
 * that reproduces the client's key (`reproduces`) is the URL the client keyed (`key-hash`);
 * otherwise the audience (`token-audience`) or the issuer (`issuer`) is shown as a hint.
 */
export function inferServerUrl(s: ClientSession, reproduces: (candidate: string) => boolean): void {
  if (s.serverUrl) return;
  const cands = [...audiences(s.accessTokenPeek), ...audiences(s.refreshTokenPeek)];
  if (s.issuer) cands.push(s.issuer);
  for (const c of cands) {
    for (const spelling of urlSpellings(c)) {
      if (reproduces(spelling)) {
        s.serverUrl = spelling;
        s.serverUrlSource = 'key-hash';
        return;
      }
    }
  }
  const aud = audiences(s.accessTokenPeek)[0] ?? audiences(s.refreshTokenPeek)[0];
  if (aud) {
    s.serverUrl = aud;
    s.serverUrlSource = 'token-audience';
  } else if (s.issuer) {
    s.serverUrl = s.issuer;
    s.serverUrlSource = 'issuer';
  }
}
