/**
 * The finding catalogue: every stable code, its tier, default severity, title, fix, and the
 * real-world case it comes from. Data only; docs/findings.md documents each code (a test keeps
 * the two in step).
 */
import type { Severity, TierName } from './types.js';
import { DISCOVERY_CATALOGUE } from './catalogue-discovery.js';

export interface CatalogueEntry {
  code: string;
  tier: TierName;
  severity: Severity;
  title: string;
  fix: string;
  /** Where the failure mode was seen (failure-catalogue.md case numbers, issue refs). */
  seenIn: string;
}

const CORE: CatalogueEntry[] = [
  // --- config ------------------------------------------------------------------------------
  {
    code: 'CONFIG_OAUTH_APP_TOKEN_CAP',
    tier: 'config',
    severity: 'warning',
    title: 'GitHub OAuth App behind a multi-client proxy: the 10-token cap will evict sessions',
    fix: 'Move the deployment to a GitHub App (client id "Iv…"): its user tokens (ghu_) expire after 8 h and FastMCP refreshes them, and the documented 10-tokens-per-user/app/scope cap applies to OAuth Apps. Until then, avoid "clear tokens and reconnect" loops, which mint more tokens.',
    seenIn: 'Artexis10/exomem#223, cli/cli#12490 (failure catalogue #27, #28)',
  },
  {
    code: 'CONFIG_PER_INSTANCE_STORE',
    tier: 'config',
    severity: 'error',
    title: 'Several replicas but a per-instance store',
    fix: 'Give every replica the same shared store (RedisStore/ValkeyStore via client_storage, with the same Fernet key) and the same client secret / jwt_signing_key; a FileTree or diskcache store on each pod loses mappings, codes and refresh metadata across pods.',
    seenIn: 'fastmcp#2010, fastmcp#2478, Systemorph/MeshWeaver#5074 (#6, #17, #18)',
  },
  {
    code: 'CONFIG_SHORT_SIGNING_KEY',
    tier: 'config',
    severity: 'warning',
    title: 'jwt_signing_key is shorter than 12 characters',
    fix: 'Use a long random jwt_signing_key (32+ characters) and keep it stable across deploys and replicas.',
    seenIn: 'FastMCP warns on start-up (OAuthProxy.__init__)',
  },
  {
    code: 'CONFIG_KEY_DERIVED_FROM_CLIENT_SECRET',
    tier: 'config',
    severity: 'info',
    title: 'The JWT key and the store key are derived from the upstream client secret',
    fix: 'Pass an explicit jwt_signing_key (and, for a user store, an explicit storage key) so that rotating the GitHub client secret does not log everyone out and orphan the store.',
    seenIn: 'fastmcp#4117, Artexis10/exomem#17 (#14, #15)',
  },

  // --- jwt -----------------------------------------------------------------------------------
  {
    code: 'JWT_MALFORMED',
    tier: 'jwt',
    severity: 'error',
    title: 'The token is not a well-formed JWT',
    fix: 'Pass the bearer token exactly as the client sends it (three base64url segments, without "Bearer "). FastMCP rejects anything else with 401 invalid_token.',
    seenIn: 'input hygiene',
  },
  {
    code: 'JWT_ALGORITHM_REJECTED',
    tier: 'jwt',
    severity: 'error',
    title: 'The token is not signed with HS256',
    fix: 'FastMCP issues and accepts HS256 only; a token with alg "none" or any other algorithm was not issued by this FastMCP proxy (or was tampered with). Have the client obtain a new token from this server.',
    seenIn: 'FastMCP JWTIssuer (HS256 only); RS256/JWKS issuance never shipped',
  },
  {
    code: 'JWT_MISSING_JTI',
    tier: 'jwt',
    severity: 'error',
    title: 'The token has no jti claim',
    fix: 'FastMCP maps every token through its jti; a token without one fails the swap (KeyError). It was not issued by a FastMCP OAuth proxy: obtain a token from this server.',
    seenIn: 'fastmcp-oauth-proxy.md §7.1 stage 9',
  },
  {
    code: 'JWT_SIGNATURE_INVALID',
    tier: 'jwt',
    severity: 'error',
    title: "The token's signature does not verify with this deployment's key",
    fix: 'The key FastMCP signs with is derived from the upstream client secret (HKDF) or the jwt_signing_key (PBKDF2). If the secret or key changed (rotation, reinstall, another replica), every token issued before is dead: restore the previous value, or have users reconnect — and pin an explicit jwt_signing_key shared by all replicas.',
    seenIn: 'fastmcp#4117, fastmcp#2867, keboola/mcp-server#508 (#14, #19, #24); real bundles c-jwt-signing-key-rotated',
  },
  {
    code: 'JWT_SIGNED_BY_CANDIDATE',
    tier: 'jwt',
    severity: 'info',
    title: 'The token was signed with a candidate (previous) key',
    fix: 'The named secret is the one this token was issued under: the deployment changed its key since. Restore that secret/key if the change was unintended; otherwise clients must re-authenticate once.',
    seenIn: 'fastmcp#4117 (#14)',
  },
  {
    code: 'JWT_WRONG_TOKEN_USE',
    tier: 'jwt',
    severity: 'error',
    title: 'A refresh token is being used as an access token',
    fix: 'Send the access token as the bearer; use the refresh token only at /token with grant_type=refresh_token. FastMCP 3.2+ rejects refresh JWTs at /mcp (2.x and ≤3.1 accepted them, so a client that did this breaks on upgrade).',
    seenIn: 'fastmcp#3524 (#21)',
  },
  {
    code: 'JWT_EXPIRED',
    tier: 'jwt',
    severity: 'error',
    title: 'The token has expired',
    fix: 'The client must refresh (grant_type=refresh_token) or re-authenticate. If this happens long before the expected lifetime, check the access-token lifetime policy for your version (upstream expires_in, fastmcp_access_token_expiry_seconds) and the client\'s refresh handling.',
    seenIn: 'fastmcp#2670, fastmcp#2534, ScottRBK/forgetful#13 (#8–#10); real bundles e-access-jwt-expired',
  },
  {
    code: 'JWT_ISSUER_MISMATCH',
    tier: 'jwt',
    severity: 'error',
    title: "The token's iss does not match this deployment's issuer",
    fix: 'FastMCP compares iss exactly (a bare origin carries a trailing slash). The base_url/issuer_url changed (or differs between replicas): restore it, or have clients reconnect to get tokens for the new issuer.',
    seenIn: 'fastmcp-oauth-proxy.md §3.3; 4.0.0b1 changed iss to issuer_url',
  },
  {
    code: 'JWT_AUDIENCE_MISMATCH',
    tier: 'jwt',
    severity: 'error',
    title: "The token's aud does not match this server's resource URL",
    fix: 'FastMCP compares aud exactly with the resource URL (base URL + MCP path). Since 2.14.2 (GHSA-5h2m-4q8j-pqpj) aud is the real resource URL, not base_url + "/mcp": tokens minted before the upgrade, or for another mount path/host, must be replaced — clients reconnect once.',
    seenIn: 'fastmcp#2763/#2764, GHSA-5h2m-4q8j-pqpj, sigbit/mcp-auth-proxy#129 (#20, #49)',
  },
  {
    code: 'JWT_ID_JAG_TOKEN',
    tier: 'jwt',
    severity: 'info',
    title: 'ID-JAG token (FastMCP 4.x identity assertion grant): storage stages do not apply',
    fix: 'ID-JAG tokens are not mapped through storage; if rejected, check the identity-assertion configuration and the revocation list.',
    seenIn: 'FastMCP 4.0 SEP-990',
  },
  {
    code: 'JWT_NO_KEY_MATERIAL',
    tier: 'jwt',
    severity: 'warning',
    title: 'The signature could not be checked: no key material was given',
    fix: 'Give the upstream client secret (--upstream-client-secret-file) or the jwt_signing_key (--jwt-signing-key-file), as the deployment uses them.',
    seenIn: 'input',
  },

  // --- storage -------------------------------------------------------------------------------
  {
    code: 'STORE_EMPTY',
    tier: 'storage',
    severity: 'warning',
    title: 'The store holds no OAuth state',
    fix: 'Either nobody has logged in since the store was created, or the deployment lost it: a container without a volume on FASTMCP_HOME, a new fingerprint directory after a key change, or another store/db than the server uses. Mount a persistent volume (or use a shared Redis) and point the doctor at the store the server really uses.',
    seenIn: 'jztan/redmine-mcp-server#266, homeassistant-ai/ha-mcp#1261 (#16)',
  },
  {
    code: 'STORE_JTI_MAPPING_MISSING',
    tier: 'storage',
    severity: 'error',
    title: "The token's JTI mapping is not in the store",
    fix: 'FastMCP finds the upstream token through mcp-jti-mappings[jti]; without it the token is dead even though it verifies. Causes: the entry expired, was deleted or evicted, the server uses another store/db/fingerprint directory, or (3.x default store) it no longer decrypts. Point every replica at the same store and key; affected clients must re-authenticate.',
    seenIn: 'fastmcp#4850 (#23, #56); real bundle 3.4.7/d-jti-mapping-deleted',
  },
  {
    code: 'STORE_UPSTREAM_TOKEN_MISSING',
    tier: 'storage',
    severity: 'error',
    title: 'The upstream token set the mapping points to is missing',
    fix: 'The mapping survived but mcp-upstream-tokens[id] did not (expired TTL, deletion, or a 2.13.0 TTL bug). Upgrade past 2.13.1/2.14.3 if affected; clients must re-authenticate.',
    seenIn: 'fastmcp#2406 (#4)',
  },
  {
    code: 'STORE_DECRYPT_FAILED',
    tier: 'storage',
    severity: 'error',
    title: 'Store entries are present but do not decrypt with the key in use',
    fix: 'The store was written under another Fernet key: the client secret / jwt_signing_key (default store) or the explicit storage key changed. Restore the previous key, or clear the store and have clients re-authenticate. FastMCP 2.x answers 500 on refresh in this state; 3.x treats the entries as missing.',
    seenIn: 'fastmcp#4117 (#14); fastmcp-oauth-proxy.md §6',
  },
  {
    code: 'STORE_PLAINTEXT_TOKENS',
    tier: 'storage',
    severity: 'warning',
    title: 'Upstream GitHub tokens are stored in clear text',
    fix: 'Wrap the store in FernetEncryptionWrapper with a stable key (e.g. from STORAGE_ENCRYPTION_KEY), as FastMCP\'s docs show for client_storage; anyone who can read the store can use these GitHub tokens.',
    seenIn: 'real bundle 3.4.7/a-healthy/redis-plain',
  },
  {
    code: 'STORE_ORPHANED_DIRECTORY',
    tier: 'storage',
    severity: 'warning',
    title: 'Orphaned fingerprint directories from an earlier key',
    fix: 'FastMCP 3.x keeps its default store in a directory named after the key; a key change starts a new one and leaves the old one behind. If the change was unintended, restore the old secret/key (the directory is selected again); otherwise archive and remove the orphan.',
    seenIn: 'fastmcp#4117 (#14); real bundle 3.4.7/c-jwt-signing-key-rotated',
  },
  {
    code: 'STORE_FINGERPRINT_DIR_MISSING',
    tier: 'storage',
    severity: 'error',
    title: "The current key's store directory does not exist",
    fix: 'The key inputs given to the doctor do not match any directory under oauth-proxy/: either they are not the deployment\'s current secret/key, or the server has not started with them yet. Check the secret the server runs with.',
    seenIn: 'fastmcp#4117, Artexis10/exomem#17 (#14, #15)',
  },
  {
    code: 'STORE_CLIENT_NOT_FOUND',
    tier: 'storage',
    severity: 'error',
    title: 'The MCP client registration is not in the store',
    fix: 'FastMCP answers invalid_client "Invalid client_id" on refresh when the DCR registration is gone (lost store, other fingerprint directory after a key change). The client must register again; make the store persistent and the key stable.',
    seenIn: 'fastmcp#1762, fastmcp#2027 (#1); real bundle 3.4.7/c-jwt-signing-key-rotated',
  },
  {
    code: 'STORE_DANGLING_MAPPINGS',
    tier: 'storage',
    severity: 'warning',
    title: 'JTI mappings point to upstream token sets that are gone',
    fix: 'Tokens behind these mappings fail with "Upstream token not found". Usually a TTL mismatch (2.13.0) or manual cleanup; affected clients must re-authenticate.',
    seenIn: 'fastmcp#2406 (#4)',
  },
  {
    code: 'STORE_LEGACY_CACHE_IGNORED',
    tier: 'storage',
    severity: 'warning',
    title: 'A FastMCP 2.x cache.db sits beside a 3.x store and is ignored',
    fix: 'FastMCP 3.0 moved the default store from diskcache to FileTree; sessions in cache.db were not migrated, so clients re-register once. Remove cache.db when no 2.x server uses it.',
    seenIn: 'fastmcp#3166 (#13)',
  },
  {
    code: 'STORE_UNREADABLE_ENTRIES',
    tier: 'storage',
    severity: 'warning',
    title: 'Some store entries are not valid py-key-value documents',
    fix: 'Entries that FastMCP cannot parse behave as missing. Look for a foreign writer in the same Redis db / directory, or truncated files.',
    seenIn: 'input hygiene',
  },
  {
    code: 'STORE_PARTIAL_READ',
    tier: 'storage',
    severity: 'warning',
    title: 'The store was read only in part',
    fix: 'Counts below are lower bounds. Re-run when the store is reachable, or without --limit/--sample for exact figures.',
    seenIn: 'faults during collection',
  },

  // --- refresh -------------------------------------------------------------------------------
  {
    code: 'REFRESH_TOKEN_NOT_FOUND',
    tier: 'refresh',
    severity: 'error',
    title: 'The refresh token is not in mcp-refresh-tokens (already rotated, expired or revoked)',
    fix: 'FastMCP rotates refresh tokens on every use; a client presenting an old one gets invalid_grant. Make the client persist the rotated refresh token and avoid concurrent refreshes (one process per token file); the user re-authenticates once.',
    seenIn: 'fastmcp#4264, fastmcp#4265, anthropics/claude-code#66210, anomalyco/opencode#49439 (#29–#31, #46)',
  },
  {
    code: 'REFRESH_METADATA_IN_MEMORY',
    tier: 'refresh',
    severity: 'warning',
    title: 'Refresh-token metadata is not persisted (FastMCP 2.13.0–2.13.1)',
    fix: 'These versions keep refresh metadata per process: refresh fails after a restart and across replicas. Upgrade to 2.13.2 or later.',
    seenIn: 'fastmcp#2478, fastmcp#2479 (#6, #7)',
  },

  // --- upstream ------------------------------------------------------------------------------
  {
    code: 'UPSTREAM_TOKEN_REJECTED',
    tier: 'upstream',
    severity: 'error',
    title: 'GitHub rejects the upstream token (401 Bad credentials)',
    fix: 'The GitHub token behind this session is revoked, expired or evicted — GitHub does not say which (the security log does). FastMCP answers invalid_token and cannot recover: the user must re-authenticate. Check the security log for oauth_access.destroy (max_for_app, expired) and the app authorization.',
    seenIn: 'real bundles b-upstream-revoked; fastmcp#4854 (#25, #55)',
  },
  {
    code: 'UPSTREAM_TOKEN_EXPIRED',
    tier: 'upstream',
    severity: 'error',
    title: 'The upstream GitHub token has expired',
    fix: 'GitHub App user tokens (ghu_) last 8 h. FastMCP 3.2+ refreshes them transparently when the upstream refresh token is alive; older versions need the client to use its refresh token. Upgrade to 3.2+ or make the client refresh.',
    seenIn: 'fastmcp#3581 (#11)',
  },
  {
    code: 'UPSTREAM_UNAVAILABLE',
    tier: 'upstream',
    severity: 'error',
    title: 'GitHub did not answer properly (5xx, timeout or network error): the token may be fine',
    fix: 'This is an outage, not a token problem — but FastMCP\'s GitHub verifier turns any non-200 into invalid_token, so clients drop their sessions. Check https://www.githubstatus.com, wait, and do not make users re-authenticate; consider FastMCP\'s verification cache (cache_ttl_seconds, 3.2+).',
    seenIn: 'fastmcp#4854 (#25)',
  },
  {
    code: 'UPSTREAM_RATE_LIMITED',
    tier: 'upstream',
    severity: 'error',
    title: 'GitHub rate-limits this user',
    fix: 'Every FastMCP verification costs two GitHub calls (/user and /user/repos). Enable FastMCP\'s verification cache (cache_ttl_seconds, 3.2+), reduce polling clients, and wait for the reset time shown.',
    seenIn: 'fastmcp#3543 (#26)',
  },
  {
    code: 'UPSTREAM_SSO_REQUIRED',
    tier: 'upstream',
    severity: 'error',
    title: 'The token is not authorized for the organization\'s SAML SSO',
    fix: 'Have the user authorize the app for the organization (GitHub shows the SSO URL in the X-GitHub-SSO header), then retry.',
    seenIn: 'github.md §4',
  },
  {
    code: 'UPSTREAM_FORBIDDEN',
    tier: 'upstream',
    severity: 'error',
    title: 'GitHub answers 403 for the upstream token',
    fix: 'A 403 without rate-limit or SSO headers is usually GitHub\'s failed-login lockout (after repeated bad credentials, even valid tokens are refused for a while) or a missing permission. Stop clients from retrying, wait, and probe once more.',
    seenIn: 'github.md §6',
  },
  {
    code: 'UPSTREAM_SCOPES_MISSING',
    tier: 'upstream',
    severity: 'error',
    title: 'The upstream token lacks required scopes',
    fix: 'FastMCP requires every scope in required_scopes (default "user") to appear in X-OAuth-Scopes (empty means ["user"]). Request the scopes at authorization, or relax required_scopes.',
    seenIn: 'fastmcp-oauth-proxy.md §8',
  },
  {
    code: 'UPSTREAM_TOKEN_FROM_OTHER_APP',
    tier: 'upstream',
    severity: 'warning',
    title: 'The upstream token was minted by another GitHub app',
    fix: 'X-OAuth-Client-Id names a different client id than the deployment\'s: the store holds tokens of another app (shared store, changed app). Check which app the server is configured with.',
    seenIn: 'github.md §1.2',
  },
  {
    code: 'UPSTREAM_APP_CREDENTIALS_REJECTED',
    tier: 'upstream',
    severity: 'warning',
    title: 'GitHub rejected the app credentials for check-token',
    fix: 'The client id / client secret given for check-token are not a valid pair (or not the app that minted the token). Check them; the /user probe result stands.',
    seenIn: 'github.md §3.1',
  },

  // --- idp -----------------------------------------------------------------------------------
  {
    code: 'IDP_TOKEN_EVICTED_MAX_FOR_APP',
    tier: 'idp',
    severity: 'error',
    title: 'GitHub evicted the upstream token: more than 10 tokens for the same user/app/scope (max_for_app)',
    fix: 'Each new authorization through the same OAuth App minted another token and GitHub revoked the least recently used one. Use a GitHub App instead of an OAuth App, reuse sessions instead of reconnecting, and stop "clear tokens and reconnect" loops.',
    seenIn: 'Artexis10/exomem#223, cli/cli#12490 (#27, #28)',
  },
  {
    code: 'IDP_TOKEN_REVOKED',
    tier: 'idp',
    severity: 'error',
    title: 'The security log shows the upstream token was destroyed',
    fix: 'The token was revoked at GitHub (explanation shown). The user must re-authenticate; if the user or an owner revoked the app, they must authorize it again.',
    seenIn: 'github.md §2.3; real bundles b-upstream-revoked (admin revoke)',
  },
  {
    code: 'IDP_TOKEN_CAP_AT_RISK',
    tier: 'idp',
    severity: 'warning',
    title: 'Tokens for one user/app are at or near GitHub\'s 10-token cap',
    fix: 'The next authorizations will evict older tokens (max_for_app). Use a GitHub App, or reduce the number of parallel MCP clients/reconnects per user.',
    seenIn: 'Artexis10/exomem#223 (#27)',
  },
  {
    code: 'IDP_MAX_FOR_APP_SEEN',
    tier: 'idp',
    severity: 'warning',
    title: 'The security log shows max_for_app evictions for this app',
    fix: 'GitHub is evicting this app\'s tokens over the 10-token cap, which silently kills other clients\' sessions. Use a GitHub App, or fewer parallel authorizations per user.',
    seenIn: 'cli/cli#12490 (#28)',
  },
];

export const CATALOGUE: readonly CatalogueEntry[] = [...CORE, ...DISCOVERY_CATALOGUE];

const BY_CODE = new Map(CATALOGUE.map((e) => [e.code, e]));

export function entry(code: string): CatalogueEntry {
  const e = BY_CODE.get(code);
  if (!e) throw new Error(`unknown finding code ${code}`);
  return e;
}
