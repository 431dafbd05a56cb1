/**
 * Finding codes of the client tier (`diagnose --client`: what the MCP client's own token cache holds
 * for the server) and of the session judgement that joins it with the server's store. Data only;
 * part of the closed union of codes (see catalogue.ts).
 */
import type { CatalogueEntryOf } from './catalogue-entry.js';

export const CLIENT_CATALOGUE = [
  {
    code: 'CLIENT_NO_SESSION',
    meaning: "The client's cache holds no OAuth session for the server URL under diagnosis: no entry keyed by that URL, none whose file-name hash the URL reproduces, none whose token audience or issuer matches. The client will start a new browser login the next time it connects (or it is configured for another URL). The detail lists the servers it does hold sessions for and where the doctor looked.",
    tier: 'client',
    severity: 'error',
    title: 'The client holds no session for this server',
    fix: 'Check that the client is configured with exactly this server URL (scheme, host, port, path /mcp), then connect once and complete the browser login; a client that keeps tokens in OS secret storage (VS Code, Gemini CLI keychain mode, Claude Code on macOS) is not readable from a file — see the README section "Your MCP client\'s tokens".',
    seenIn: 'issue 13; real bundle fastmcp/d-other-server (the client logged in to another server)',
  },
  {
    code: 'CLIENT_NO_TOKEN',
    meaning: 'The client has an entry for the server (a registration, or a cleared session) but holds neither an access token nor a refresh token for it: it cannot call the server without a new login.',
    tier: 'client',
    severity: 'error',
    title: 'The client holds no token for this server',
    fix: 'Connect once and complete the browser login. If the client keeps failing to store a token, look at its own log (a sign-in that never reached the callback, a cache it cannot write).',
    seenIn: 'issue 13; Claude Code writes accessToken "" after "Clear authentication"',
  },
  {
    code: 'CLIENT_NO_REFRESH_TOKEN',
    meaning: 'The client holds an access token but no refresh token for the server. It works until the access token expires (FastMCP mirrors the upstream lifetime, 8 h for GitHub App tokens), then the client needs a new browser login. FastMCP issues a refresh token whenever the upstream provider gives one, so a missing one means the client dropped it or the upstream app issues none (OAuth App tokens do not expire).',
    tier: 'client',
    severity: 'warning',
    title: 'The client holds an access token but no refresh token',
    fix: 'Nothing to do while the access token is valid; expect a browser login when it expires. If the client is supposed to refresh, check that it stores the refresh_token of the token response.',
    seenIn: 'issue 13 (client tier: what the client holds)',
  },
  {
    code: 'CLIENT_TOKEN_FOR_OTHER_SERVER',
    meaning: "The token the client caches for this server URL was issued for another server: its `iss` or `aud` (read without verification) is not this server's issuer / MCP URL. The client sends it anyway, and FastMCP rejects it (audience or signature). Typical after the server's base URL changed, or a cache shared between two deployments on the same host.",
    tier: 'client',
    severity: 'error',
    title: 'The cached token was issued for another server',
    fix: "Clear this client's session for the server (see the fix line for this client) and log in again; if the server's base_url changed on purpose, every client needs that once.",
    seenIn: 'issue 13 (client tier: what the client holds)',
  },
  {
    code: 'CLIENT_CACHE_READABLE_BY_OTHERS',
    meaning: 'The cache file holding the tokens can be read by the group or by every user (mode wider than 0600): anyone on the machine who can read it can use the session. The clients themselves write 0600.',
    tier: 'client',
    severity: 'warning',
    title: 'The token cache is readable by other users',
    fix: 'chmod 600 the file named in the detail (and 700 its directory); if others could read it, log out of the session so the server forgets the tokens.',
    seenIn: 'issue 13 (client tier: what the client holds)',
  },
  {
    code: 'CLIENT_CACHE_MALFORMED',
    meaning: 'A field the client always writes is missing or has the wrong type in the cache entry for this server (named in the detail; values are never shown). The client may discard the entry and start a new login.',
    tier: 'client',
    severity: 'warning',
    title: 'The cache entry for this server is incomplete or malformed',
    fix: "Clear this client's session for the server and log in again; if it recurs, report it to the client with the field named in the detail.",
    seenIn: 'issue 13 (client tier: what the client holds)',
  },
  {
    code: 'CLIENT_ACCESS_EXPIRED_REFRESHES',
    meaning: 'The cached access token has expired, but the cached refresh token would work at /token (its hash is in mcp-refresh-tokens, its registration and upstream token are there). The client refreshes by itself on its next request: nothing is wrong.',
    tier: 'client',
    severity: 'info',
    title: 'The access token has expired; the client will refresh it by itself',
    fix: 'Nothing to do.',
    seenIn: 'issue 13 (client tier: what the client holds)',
  },
  {
    code: 'CLIENT_SESSION_ENDS',
    meaning: 'The cached access token still works but the refresh token does not: the session keeps working until the access token expires (the time is in the detail) and then needs a new browser login.',
    tier: 'client',
    severity: 'info',
    title: 'The session ends when the access token expires',
    fix: 'Follow the fix of the refresh finding; until then the client works.',
    seenIn: 'issue 13; real bundles */b-refresh-superseded',
  },
  {
    code: 'STORE_CACHED_CLIENT_ID_UNKNOWN',
    meaning: "The client_id the client cached from its dynamic client registration is not in the server's `mcp-oauth-proxy-clients`: the server lost the registration (a store that does not persist, another fingerprint directory after a key change) while the client kept it. FastMCP answers the refresh grant with `invalid_client` \"Invalid client_id\"; current clients then register again and need a new browser login, older ones keep replaying the dead client_id.",
    tier: 'storage',
    severity: 'error',
    title: "The client's cached registration (client_id) is unknown to the server",
    fix: "Clear the client's cached registration (the detail names the file or command for this client), then re-authenticate; and make the server's store persistent with a stable key so registrations survive restarts.",
    seenIn: 'fastmcp#1762, fastmcp#2027; real bundles fastmcp/c-registration-lost, mcp-remote/c-registration-lost',
  },
  {
    code: 'REFRESH_TOKEN_SUPERSEDED',
    meaning: "The refresh token's hash is gone from `mcp-refresh-tokens` while a newer refresh entry for the same client_id exists, created after the presented token was issued: the token was rotated and a successor exists. Another process or machine sharing the cache redeemed it first, or the client lost the /token response that carried the successor. Not \"expired or revoked\": the session lives on elsewhere.",
    tier: 'refresh',
    severity: 'error',
    title: 'The refresh token was rotated: a newer refresh token for this client exists',
    fix: 'Run one process per token cache (no two clients, machines or containers sharing one cache file) and re-authenticate once; if only one process uses it, the client lost a /token response (crash or timeout mid-refresh) — update the client.',
    seenIn: 'fastmcp#4264, anthropics/claude-code#66210 (#29–#31); real bundles */b-refresh-superseded',
  },
] as const satisfies readonly CatalogueEntryOf<string>[];
