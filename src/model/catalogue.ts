/**
 * The finding catalogue: every stable code, its tier, default severity, title, fix, and the
 * real-world case it comes from. Data only; docs/findings.md documents each code (a test keeps
 * the two in step).
 *
 * The entries are `as const`, so `FindingCode` is the closed union of the codes below: a finding
 * raised with a code that is not catalogued is a compile error, not a run-time failure.
 */
import { CLIENT_CATALOGUE } from './catalogue-client.js';
import { DISCOVERY_CATALOGUE } from './catalogue-discovery.js';
import type { CatalogueEntryOf } from './catalogue-entry.js';

const CORE = [
  // --- config ------------------------------------------------------------------------------
  {
    code: 'CONFIG_OAUTH_APP_TOKEN_CAP',
    meaning: "The deployment's upstream is a GitHub OAuth App (client id Ov…/20-hex, gho_ tokens). GitHub keeps at most 10 tokens per user, app and scope set and silently revokes the least recently used one when an 11th is created. Behind a proxy that every MCP client of a user authorises separately, that cap is reached quickly. Evidence: the client id's shape, the upstream token's prefix, the number of MCP clients holding live upstream sets in the store, `--mcp-clients`. A warning when several clients are seen, info otherwise.",
    tier: 'config',
    severity: 'warning',
    title: 'GitHub OAuth App behind a multi-client proxy: the 10-token cap will evict sessions',
    fix: 'Move the deployment to a GitHub App (client id "Iv…"): its user tokens (ghu_) expire after 8 h and FastMCP refreshes them, and the documented 10-tokens-per-user/app/scope cap applies to OAuth Apps. Until then, avoid "clear tokens and reconnect" loops, which mint more tokens.',
    seenIn: 'Artexis10/exomem#223, cli/cli#12490 (failure catalogue #27, #28)',
  },
  {
    code: 'CONFIG_PER_INSTANCE_STORE',
    meaning: "`--replicas` is more than 1 but the store is FastMCP's default on-disk store (diskcache or FileTree), which lives on one instance. Mappings, authorization codes and refresh metadata written through one replica are missing on the others, so tokens work or fail depending on which pod answers. A FileTree store on a volume every replica mounts is one store: say so with `--store-shared`.",
    tier: 'config',
    severity: 'error',
    title: 'Several replicas but a per-instance store',
    fix: 'Give every replica the same shared store (RedisStore/ValkeyStore via client_storage, with the same Fernet key) and the same client secret / jwt_signing_key; a FileTree or diskcache store on each pod loses mappings, codes and refresh metadata across pods. If every replica mounts the same FileTree volume, pass --store-shared.',
    seenIn: 'fastmcp#2010, fastmcp#2478, Systemorph/MeshWeaver#5074 (#6, #17, #18)',
  },
  {
    code: 'CONFIG_SHORT_SIGNING_KEY',
    meaning: "The `jwt_signing_key` string is shorter than 12 characters; FastMCP warns about it at start-up. PBKDF2 slows guessing but a short key remains guessable.",
    tier: 'config',
    severity: 'warning',
    title: 'jwt_signing_key is shorter than 12 characters',
    fix: 'Use a long random jwt_signing_key (32+ characters) and keep it stable across deploys and replicas.',
    seenIn: 'FastMCP warns on start-up (OAuthProxy.__init__)',
  },
  {
    code: 'CONFIG_KEY_DERIVED_FROM_CLIENT_SECRET',
    meaning: "No explicit `jwt_signing_key`: FastMCP derives its JWT key from the GitHub client secret (HKDF) and, for the default store, the store's Fernet key and directory from that JWT key. Rotating the client secret therefore logs everyone out and orphans the store. Reported by `diagnose` and `check` as advice.",
    tier: 'config',
    severity: 'info',
    title: 'The JWT key and the store key are derived from the upstream client secret',
    fix: 'Pass an explicit jwt_signing_key (and, for a user store, an explicit storage key) so that rotating the GitHub client secret does not log everyone out and orphan the store.',
    seenIn: 'fastmcp#4117, Artexis10/exomem#17 (#14, #15)',
  },

  // --- jwt -----------------------------------------------------------------------------------
  {
    code: 'JWT_MALFORMED',
    meaning: "The bearer is not a JWS compact token FastMCP could decode: not three segments, segments that are not base64url, a header or payload that is not a JSON object, or a non-numeric `exp`. FastMCP rejects it as `invalid_token`. `verify-token` and `diagnose` exit 2 with one line, since the input itself is unusable.",
    tier: 'jwt',
    severity: 'error',
    title: 'The token is not a well-formed JWT',
    fix: 'Pass the bearer token exactly as the client sends it (three base64url segments, without "Bearer "). FastMCP rejects anything else with 401 invalid_token.',
    seenIn: 'input hygiene',
  },
  {
    code: 'JWT_ALGORITHM_REJECTED',
    meaning: "The header's `alg` is not HS256 (including `none`). FastMCP's JWTIssuer only ever issues and accepts HS256 with its own key, so the token was not issued by this server, or was altered.",
    tier: 'jwt',
    severity: 'error',
    title: 'The token is not signed with HS256',
    fix: 'FastMCP issues and accepts HS256 only; a token with alg "none" or any other algorithm was not issued by this FastMCP proxy (or was tampered with). Have the client obtain a new token from this server.',
    seenIn: 'FastMCP JWTIssuer (HS256 only); RS256/JWKS issuance never shipped',
  },
  {
    code: 'JWT_MISSING_JTI',
    meaning: "The signature and claims pass but there is no `jti`: FastMCP's token swap reads `payload[\"jti\"]` to find the JTI mapping, fails with a KeyError and answers `invalid_token`.",
    tier: 'jwt',
    severity: 'error',
    title: 'The token has no jti claim',
    fix: 'FastMCP maps every token through its jti; a token without one fails the swap (KeyError). It was not issued by a FastMCP OAuth proxy: obtain a token from this server.',
    seenIn: 'fastmcp-oauth-proxy.md §7.1 stage 9',
  },
  {
    code: 'JWT_SIGNATURE_INVALID',
    meaning: "HMAC-SHA256 over the raw `header.payload` segments does not match with the deployment's current key — the 44-character text FastMCP derives from the client secret (HKDF) or the `jwt_signing_key` (PBKDF2, 1,000,000 iterations), or raw key bytes. Evidence: which keys were tried; with candidate secrets, which one verifies. The first stage of FastMCP's check, so it outranks every later finding.",
    tier: 'jwt',
    severity: 'error',
    title: "The token's signature does not verify with this deployment's key",
    fix: 'The key FastMCP signs with is derived from the upstream client secret (HKDF) or the jwt_signing_key (PBKDF2). If the secret or key changed (rotation, reinstall, another replica), every token issued before is dead: restore the previous value, or have users reconnect — and pin an explicit jwt_signing_key shared by all replicas.',
    seenIn: 'fastmcp#4117, fastmcp#2867, keboola/mcp-server#508 (#14, #19, #24); real bundles c-jwt-signing-key-rotated',
  },
  {
    code: 'JWT_SIGNED_BY_CANDIDATE',
    meaning: "One of the candidate secrets given with `--candidate-secret-file` (tried as a client secret and as a signing-key string) verifies the token: that is the secret the deployment used when it issued the token.",
    tier: 'jwt',
    severity: 'info',
    title: 'The token was signed with a candidate (previous) key',
    fix: 'The named secret is the one this token was issued under: the deployment changed its key since. Restore that secret/key if the change was unintended; otherwise clients must re-authenticate once.',
    seenIn: 'fastmcp#4117 (#14)',
  },
  {
    code: 'JWT_WRONG_TOKEN_USE',
    meaning: "A refresh JWT (`token_use: \"refresh\"`) is presented as the bearer at /mcp (`--presented-as access`, or `check`'s canary). FastMCP 3.2+ rejects it (\"Token type mismatch\"); 2.x and ≤3.1 accept it, so the finding is a warning there — the client breaks on upgrade.",
    tier: 'jwt',
    severity: 'error',
    title: 'A refresh token is being used as an access token',
    fix: 'Send the access token as the bearer; use the refresh token only at /token with grant_type=refresh_token. FastMCP 3.2+ rejects refresh JWTs at /mcp (2.x and ≤3.1 accepted them, so a client that did this breaks on upgrade).',
    seenIn: 'fastmcp#3524 (#21)',
  },
  {
    code: 'JWT_EXPIRED',
    meaning: "`exp` is before the evaluation time (`--at`, or now). FastMCP compares with no leeway. The detail says how long ago, the token's lifetime (exp − iat), and whether a clock difference could explain it (only for a few minutes).",
    tier: 'jwt',
    severity: 'error',
    title: 'The token has expired',
    fix: 'The client must refresh (grant_type=refresh_token) or re-authenticate. If this happens long before the expected lifetime, check the access-token lifetime policy for your version (upstream expires_in, fastmcp_access_token_expiry_seconds) and the client\'s refresh handling.',
    seenIn: 'fastmcp#2670, fastmcp#2534, ScottRBK/forgetful#13 (#8–#10); real bundles e-access-jwt-expired',
  },
  {
    code: 'JWT_NOT_YET_VALID',
    meaning: "`nbf` (not before) is after the evaluation time. FastMCP 4.2.1+ rejects such a token at the expiry check; earlier versions do not read `nbf` (a warning there: the token breaks on upgrade). The detail says how far ahead it is and whether a clock difference between the issuing host and the server (a few minutes at most) could explain it.",
    tier: 'jwt',
    severity: 'error',
    title: 'The token is not valid yet (nbf in the future)',
    fix: 'FastMCP 4.2.1+ rejects a JWT whose nbf lies in the future, with no leeway. If it is seconds to minutes ahead, synchronise the clocks (NTP) of the host that issued the token and the server; if it is further ahead, the token was not minted by this server\'s clock — have the client obtain a new one.',
    seenIn: 'FastMCP 4.2.1 release notes; mcp-hangar/mcp-hangar#630 (#53, zero-leeway time checks)',
  },
  {
    code: 'JWT_ISSUER_MISMATCH',
    meaning: "`iss` is not exactly the issuer the deployment expects: `str(base_url)` after pydantic normalisation (a bare origin gets a trailing slash), or `issuer_url` on 4.x. The detail names the difference (scheme, host, port, path, trailing slash). With `check` and no `--base-url`, the expectation is the running server's own AS metadata issuer.",
    tier: 'jwt',
    severity: 'error',
    title: "The token's iss does not match this deployment's issuer",
    fix: 'FastMCP compares iss exactly (a bare origin carries a trailing slash). The base_url/issuer_url changed (or differs between replicas): restore it, or have clients reconnect to get tokens for the new issuer.',
    seenIn: 'fastmcp-oauth-proxy.md §3.3; 4.0.0b1 changed iss to issuer_url',
  },
  {
    code: 'JWT_AUDIENCE_MISMATCH',
    meaning: "`aud` is not exactly the server's resource URL (base URL + MCP path). Since FastMCP 2.14.2 (GHSA-5h2m-4q8j-pqpj) `aud` is the real resource URL; before, it was `base_url + \"/mcp\"` whatever the mount path — the detail says when a token carries that legacy value, i.e. was minted before the upgrade. With `check` and no `--base-url`, the expectation is the server's PRM `resource`.",
    tier: 'jwt',
    severity: 'error',
    title: "The token's aud does not match this server's resource URL",
    fix: 'FastMCP compares aud exactly with the resource URL (base URL + MCP path). Since 2.14.2 (GHSA-5h2m-4q8j-pqpj) aud is the real resource URL, not base_url + "/mcp": tokens minted before the upgrade, or for another mount path/host, must be replaced — clients reconnect once.',
    seenIn: 'fastmcp#2763/#2764, GHSA-5h2m-4q8j-pqpj, sigbit/mcp-auth-proxy#129 (#20, #49)',
  },
  {
    code: 'JWT_ID_JAG_TOKEN',
    meaning: "The token carries `fastmcp_grant: \"id_jag\"` (FastMCP 4.x, SEP-990 identity assertion): FastMCP checks it without the JTI mapping and the upstream token, so the storage stages are skipped.",
    tier: 'jwt',
    severity: 'info',
    title: 'ID-JAG token (FastMCP 4.x identity assertion grant): storage stages do not apply',
    fix: 'ID-JAG tokens are not mapped through storage; if rejected, check the identity-assertion configuration and the revocation list.',
    seenIn: 'FastMCP 4.0 SEP-990',
  },
  {
    code: 'JWT_NO_KEY_MATERIAL',
    meaning: "No client secret, signing key or raw key was given (or the run was interrupted before the keys were derived), so the signature could not be checked. Claims are still checked, but the JWT tier is incomplete and a clean run is `inconclusive`, never `healthy`.",
    tier: 'jwt',
    severity: 'warning',
    title: "The token's signature was not checked",
    fix: 'Give the upstream client secret (--upstream-client-secret-file) or the jwt_signing_key (--jwt-signing-key-file), as the deployment uses them.',
    seenIn: 'fastmcp#4850 (re-verifying a FastMCP JWT offline needs the deployment\'s key)',
  },

  // --- storage -------------------------------------------------------------------------------
  {
    code: 'STORE_EMPTY',
    meaning: "The store — or, for FastMCP 3.x, the fingerprint directory the current key selects — holds no live entry (expired ones may remain on disk). Either nobody logged in since it was created, or the deployment lost its state or reads another store.",
    tier: 'storage',
    severity: 'warning',
    title: 'The store holds no OAuth state',
    fix: 'Either nobody has logged in since the store was created, or the deployment lost it: a container without a volume on FASTMCP_HOME, a new fingerprint directory after a key change, or another store/db than the server uses. Mount a persistent volume (or use a shared Redis) and point the doctor at the store the server really uses.',
    seenIn: 'jztan/redmine-mcp-server#266, homeassistant-ai/ha-mcp#1261 (#16)',
  },
  {
    code: 'STORE_JTI_MAPPING_MISSING',
    meaning: "`mcp-jti-mappings[jti]` is absent, expired, unreadable, or (3.x default store, where undecryptable reads as missing) does not decrypt. FastMCP cannot find the upstream token and answers `invalid_token` even though the JWT verifies. The detail says where it looked and, when the chain sits elsewhere (another fingerprint directory, a candidate key), where.",
    tier: 'storage',
    severity: 'error',
    title: "The token's JTI mapping is not in the store",
    fix: 'FastMCP finds the upstream token through mcp-jti-mappings[jti]; without it the token is dead even though it verifies. Causes: the entry expired, was deleted or evicted, the server uses another store/db/fingerprint directory, or (3.x default store) it no longer decrypts. Point every replica at the same store and key; affected clients must re-authenticate.',
    seenIn: 'fastmcp#4850 (#23, #56); real bundle 3.4.7/d-jti-mapping-deleted',
  },
  {
    code: 'STORE_UPSTREAM_TOKEN_MISSING',
    meaning: "The JTI mapping is there but `mcp-upstream-tokens[upstream_token_id]` is absent or expired (\"Upstream token not found\").",
    tier: 'storage',
    severity: 'error',
    title: 'The upstream token set the mapping points to is missing',
    fix: 'The mapping survived but mcp-upstream-tokens[id] did not (expired TTL, deletion, or a 2.13.0 TTL bug). Upgrade past 2.13.1/2.14.3 if affected; clients must re-authenticate.',
    seenIn: 'fastmcp#2406 (#4)',
  },
  {
    code: 'STORE_DECRYPT_FAILED',
    meaning: "Entries exist but do not decrypt with the Fernet key in use (explicit storage key, or the one derived from the JWT key). Error when nothing decrypts, or when the token's own entry fails in a store that raises on decryption errors (2.x default store, user-supplied wrappers: 401 at /mcp, 500 on refresh); a warning when no key was given. The detail names a candidate key that does decrypt them, if any.",
    tier: 'storage',
    severity: 'error',
    title: 'Store entries are present but do not decrypt with the key in use',
    fix: 'The store was written under another Fernet key: the client secret / jwt_signing_key (default store) or the explicit storage key changed. Restore the previous key, or clear the store and have clients re-authenticate. FastMCP 2.x answers 500 on refresh in this state; 3.x treats the entries as missing.',
    seenIn: 'fastmcp#4117 (#14); fastmcp-oauth-proxy.md §6',
  },
  {
    code: 'STORE_PLAINTEXT_TOKENS',
    meaning: "The store holds upstream GitHub tokens without the Fernet envelope: anyone who can read the store (a Redis user, a backup) can use them against GitHub.",
    tier: 'storage',
    severity: 'warning',
    title: 'Upstream GitHub tokens are stored in clear text',
    fix: 'Wrap the store in FernetEncryptionWrapper with a stable key (e.g. from STORAGE_ENCRYPTION_KEY), as FastMCP\'s docs show for client_storage; anyone who can read the store can use these GitHub tokens.',
    seenIn: 'real bundle 3.4.7/a-healthy/redis-plain',
  },
  {
    code: 'STORE_ORPHANED_DIRECTORY',
    meaning: "FastMCP 3.x keeps its default store in `oauth-proxy/<sha256(store key)[:12]>/`; other directories there were written under another key. The detail lists each with its entry count, newest entry and the key (if given) that selects it. An error when the directory in use holds no session while an orphan does: every session issued before the key change is gone for FastMCP.",
    tier: 'storage',
    severity: 'warning',
    title: 'Orphaned fingerprint directories from an earlier key',
    fix: 'FastMCP 3.x keeps its default store in a directory named after the key; a key change starts a new one and leaves the old one behind. If the change was unintended, restore the old secret/key (the directory is selected again); otherwise archive and remove the orphan.',
    seenIn: 'fastmcp#4117 (#14); real bundle 3.4.7/c-jwt-signing-key-rotated',
  },
  {
    code: 'STORE_FINGERPRINT_DIR_MISSING',
    meaning: "No directory under `oauth-proxy/` matches the fingerprint of the key the doctor derived: the key inputs given are not the ones the server runs with, or the server has not started with them yet.",
    tier: 'storage',
    severity: 'error',
    title: "The current key's store directory does not exist",
    fix: 'The key inputs given to the doctor do not match any directory under oauth-proxy/: either they are not the deployment\'s current secret/key, or the server has not started with them yet. Check the secret the server runs with.',
    seenIn: 'fastmcp#4117, Artexis10/exomem#17 (#14, #15)',
  },
  {
    code: 'STORE_CLIENT_NOT_FOUND',
    meaning: "`mcp-oauth-proxy-clients[client_id]` (the JWT's `client_id` claim) is absent. On the refresh path this fails first (the MCP SDK answers `invalid_client \"Invalid client_id\"`); at /mcp it does not matter yet, so it is a warning there.",
    tier: 'storage',
    severity: 'error',
    title: 'The MCP client registration is not in the store',
    fix: 'FastMCP answers invalid_client "Invalid client_id" on refresh when the DCR registration is gone (lost store, other fingerprint directory after a key change). The client must register again; make the store persistent and the key stable.',
    seenIn: 'fastmcp#1762, fastmcp#2027 (#1); real bundle 3.4.7/c-jwt-signing-key-rotated',
  },
  {
    code: 'STORE_DANGLING_MAPPINGS',
    meaning: "Live JTI mappings point to upstream token sets that are missing or expired (full reads only; not judged with `--limit`/`--sample`).",
    tier: 'storage',
    severity: 'warning',
    title: 'JTI mappings point to upstream token sets that are gone',
    fix: 'Tokens behind these mappings fail with "Upstream token not found". Usually a TTL mismatch (2.13.0) or manual cleanup; affected clients must re-authenticate.',
    seenIn: 'fastmcp#2406 (#4)',
  },
  {
    code: 'STORE_LEGACY_CACHE_IGNORED',
    meaning: "A FastMCP 2.x `cache.db` lies beside a 3.x FileTree store. FastMCP 3 never reads it.",
    tier: 'storage',
    severity: 'warning',
    title: 'A FastMCP 2.x cache.db sits beside a 3.x store and is ignored',
    fix: 'FastMCP 3.0 moved the default store from diskcache to FileTree; sessions in cache.db were not migrated, so clients re-register once. Remove cache.db when no 2.x server uses it.',
    seenIn: 'fastmcp#3166 (#13)',
  },
  {
    code: 'STORE_LEFTOVER_COLLECTION_DIR',
    meaning: "A FileTree directory holds a collection twice: under the name FastMCP reads now (e.g. `S_mcp_jti_mappings-a0131f3f`) and under an older name (e.g. `mcp_jti_mappings-<hash>`). FastMCP reads only the current one; the doctor does the same and lists the leftover with its entry count.",
    tier: 'storage',
    severity: 'info',
    title: 'A collection directory from older naming sits beside the one FastMCP reads',
    fix: 'Nothing breaks: FastMCP ignores the leftover directory. Entries only there are gone for FastMCP; archive and remove it once no older server uses it.',
    seenIn: 'py-key-value FileTree naming (fastmcp-oauth-proxy.md §5.4); issue 12',
  },
  {
    code: 'STORE_UNREADABLE_ENTRIES',
    meaning: "Some entries are not py-key-value documents or valid FastMCP models: a foreign writer in the same Redis db or directory, a truncated file, a Redis value of another type, an envelope that is not a Fernet token. FastMCP treats them as missing. A Fernet token whose HMAC verifies but that does not decrypt with the key in use (bad padding, no JSON inside: a key sharing only the signing half) is not corrupt: it does not decrypt with that key (STORE_DECRYPT_FAILED).",
    tier: 'storage',
    severity: 'warning',
    title: 'Some store entries are not valid py-key-value documents',
    fix: 'Entries that FastMCP cannot parse behave as missing. Look for a foreign writer in the same Redis db / directory, or truncated files.',
    seenIn: 'input hygiene',
  },
  {
    code: 'STORE_PARTIAL_READ',
    meaning: "The store was read only in part: interrupted, failed part-way (the detail says where), or capped by `--limit`/`--sample`. Counts are lower bounds and a clean result is `inconclusive`.",
    tier: 'storage',
    severity: 'warning',
    title: 'The store was read only in part',
    fix: 'Counts below are lower bounds. Re-run when the store is reachable, or without --limit/--sample for exact figures.',
    seenIn: 'faults during collection',
  },

  // --- refresh -------------------------------------------------------------------------------
  {
    code: 'REFRESH_TOKEN_NOT_FOUND',
    meaning: "`mcp-refresh-tokens[sha256(refresh JWT)]` is absent, expired or unreadable. FastMCP rotates refresh tokens on every use and deletes the old hash and JTI mapping, so a missing hash with a missing refresh mapping means the token was already used (rotated). FastMCP answers `invalid_grant`; 3.4.7+ logs \"Refresh token not found … already rotated, expired, or revoked\".",
    tier: 'refresh',
    severity: 'error',
    title: 'The refresh token is not in mcp-refresh-tokens (already rotated, expired or revoked)',
    fix: 'FastMCP rotates refresh tokens on every use; a client presenting an old one gets invalid_grant. Make the client persist the rotated refresh token and avoid concurrent refreshes (one process per token file); the user re-authenticates once.',
    seenIn: 'fastmcp#4264, fastmcp#4265, anthropics/claude-code#66210, anomalyco/opencode#49439 (#29–#31, #46)',
  },
  {
    code: 'REFRESH_METADATA_IN_MEMORY',
    meaning: "FastMCP 2.13.0–2.13.1 keeps refresh-token metadata in process memory (no `mcp-refresh-tokens` collection): refresh fails after every restart and across replicas. Detected from `--fastmcp-version`, or inferred from a store with refreshable upstream sets and no refresh hashes.",
    tier: 'refresh',
    severity: 'warning',
    title: 'Refresh-token metadata is not persisted (FastMCP 2.13.0–2.13.1)',
    fix: 'These versions keep refresh metadata per process: refresh fails after a restart and across replicas. Upgrade to 2.13.2 or later.',
    seenIn: 'fastmcp#2478, fastmcp#2479 (#6, #7)',
  },

  // --- upstream ------------------------------------------------------------------------------
  {
    code: 'UPSTREAM_TOKEN_REJECTED',
    meaning: "GitHub answered `GET /user` with 401 Bad credentials (or the check-token API with 404) for the upstream token behind the session. Revoked, expired and evicted tokens look the same here; the security log tells them apart. FastMCP logs \"GitHub token verification failed: 401 …\" and answers `invalid_token`.",
    tier: 'upstream',
    severity: 'error',
    title: 'GitHub rejects the upstream token (401 Bad credentials)',
    fix: 'The GitHub token behind this session is revoked, expired or evicted. FastMCP answers invalid_token and cannot recover: the user must re-authenticate.',
    seenIn: 'real bundles b-upstream-revoked; fastmcp#4854 (#25, #55)',
  },
  {
    code: 'UPSTREAM_TOKEN_EXPIRED',
    meaning: "The upstream set's own `expires_at` has passed and GitHub answers 401. FastMCP 3.2+ refreshes an expired upstream token transparently when it holds an upstream refresh token (then only a warning); before 3.2 the session fails until the client refreshes. On the refresh path it is expected (FastMCP refreshes upstream on the grant).",
    tier: 'upstream',
    severity: 'error',
    title: 'The upstream GitHub token has expired',
    fix: 'GitHub App user tokens (ghu_) last 8 h. FastMCP 3.2+ refreshes them transparently when the upstream refresh token is alive; older versions need the client to use its refresh token. Upgrade to 3.2+ or make the client refresh.',
    seenIn: 'fastmcp#3581 (#11)',
  },
  {
    code: 'UPSTREAM_UNAVAILABLE',
    meaning: "GitHub did not give a verdict on the token: 5xx (the \"Unicorn!\" page), a timeout or a dropped connection after connecting, or an unexpected answer such as 404 at `/user` (a wrong `--github-api-url`). The token may be fine, but FastMCP's verifier treats any non-200 as an invalid token (fastmcp#4854). A request that never reached GitHub from the operator's machine (DNS failure, connection refused, no route) is not an outage: the upstream tier is then not checked (inconclusive, exit 3).",
    tier: 'upstream',
    severity: 'error',
    title: 'GitHub did not answer properly (5xx, timeout or network error): the token may be fine',
    fix: 'This is an outage, not a token problem — but FastMCP\'s GitHub verifier turns any non-200 into invalid_token, so clients drop their sessions. Check https://www.githubstatus.com, wait, and do not make users re-authenticate; consider FastMCP\'s verification cache (cache_ttl_seconds, 3.2+).',
    seenIn: 'fastmcp#4854 (#25)',
  },
  {
    code: 'UPSTREAM_RATE_LIMITED',
    meaning: "403/429 with `x-ratelimit-remaining: 0`, or a secondary rate limit (`retry-after`). The detail shows limit, used, remaining and the reset time. FastMCP spends two GitHub calls per verification without its cache.",
    tier: 'upstream',
    severity: 'error',
    title: 'GitHub rate-limits this user',
    fix: 'Every FastMCP verification costs two GitHub calls (/user and /user/repos). Enable FastMCP\'s verification cache (cache_ttl_seconds, 3.2+), reduce polling clients, and wait for the reset time shown.',
    seenIn: 'fastmcp#3543 (#26)',
  },
  {
    code: 'UPSTREAM_SSO_REQUIRED',
    meaning: "403 with `X-GitHub-SSO: required`: the token has not been authorised for the organisation's SAML SSO.",
    tier: 'upstream',
    severity: 'error',
    title: 'The token is not authorized for the organization\'s SAML SSO',
    fix: 'Have the user authorize the app for the organization (GitHub shows the SSO URL in the X-GitHub-SSO header), then retry.',
    seenIn: 'github.md §4',
  },
  {
    code: 'UPSTREAM_FORBIDDEN',
    meaning: "403 without rate-limit or SSO headers: usually GitHub's failed-login lockout (\"Maximum number of login attempts exceeded\"), which refuses even valid credentials for a while after repeated bad ones, or a missing permission.",
    tier: 'upstream',
    severity: 'error',
    title: 'GitHub answers 403 for the upstream token',
    fix: 'A 403 without rate-limit or SSO headers is usually GitHub\'s failed-login lockout (after repeated bad credentials, even valid tokens are refused for a while) or a missing permission. Stop clients from retrying, wait, and probe once more.',
    seenIn: 'github.md §6',
  },
  {
    code: 'UPSTREAM_SCOPES_MISSING',
    meaning: "The token's `X-OAuth-Scopes` (FastMCP reads it from `GET /user/repos`; empty or absent counts as `[\"user\"]`) does not contain every required scope (`--required-scopes`, default `user`).",
    tier: 'upstream',
    severity: 'error',
    title: 'The upstream token lacks required scopes',
    fix: 'FastMCP requires every scope in required_scopes (default "user") to appear in X-OAuth-Scopes (empty means ["user"]). Request the scopes at authorization, or relax required_scopes.',
    seenIn: 'fastmcp-oauth-proxy.md §8',
  },
  {
    code: 'UPSTREAM_TOKEN_FROM_OTHER_APP',
    meaning: "`X-OAuth-Client-Id` on GitHub's answer names another client id than the deployment's `--upstream-client-id`: the store holds tokens minted by another app.",
    tier: 'upstream',
    severity: 'warning',
    title: 'The upstream token was minted by another GitHub app',
    fix: 'X-OAuth-Client-Id names a different client id than the deployment\'s: the store holds tokens of another app (shared store, changed app). Check which app the server is configured with.',
    seenIn: 'github.md §1.2',
  },
  {
    code: 'UPSTREAM_APP_CREDENTIALS_REJECTED',
    meaning: "The check-token API (`POST /applications/{client_id}/token`, HTTP Basic) refused the app's client id and secret. The doctor does not fall back to `/user` after a rejection; the token stays unchecked (the tier is `error`, the run inconclusive) — use `--no-check-token` to probe `/user` once instead.",
    tier: 'upstream',
    severity: 'warning',
    title: 'GitHub rejected the app credentials for check-token',
    fix: 'The client id / client secret given for check-token are not a valid pair (or not the app that minted the token). Check them; the /user probe result stands.',
    seenIn: 'github.md §3.1',
  },

  // --- idp -----------------------------------------------------------------------------------
  {
    code: 'IDP_TOKEN_EVICTED_MAX_FOR_APP',
    meaning: "The security log has an `oauth_access.destroy` with `explanation: max_for_app` whose `hashed_token` (base64 SHA-256) matches the upstream token behind the session: GitHub evicted it when the user/app/scope bucket exceeded 10 tokens. The detail names the create that triggered it (same request id, or the last create within two minutes) and the live count after it.",
    tier: 'idp',
    severity: 'error',
    title: 'GitHub evicted the upstream token: more than 10 tokens for the same user/app/scope (max_for_app)',
    fix: 'Each new authorization through the same OAuth App minted another token and GitHub revoked the least recently used one. Use a GitHub App instead of an OAuth App, reuse sessions instead of reconnecting, and stop "clear tokens and reconnect" loops.',
    seenIn: 'Artexis10/exomem#223, cli/cli#12490 (#27, #28)',
  },
  {
    code: 'IDP_TOKEN_REVOKED',
    meaning: "The security log shows the upstream token destroyed or revoked for another reason (`expired`, `web_user`, no explanation), or the app's authorisation destroyed after the token was created (the user revoked the app). A warning for `expired` when a refresh token is stored.",
    tier: 'idp',
    severity: 'error',
    title: 'The security log shows the upstream token was destroyed',
    fix: 'The token was revoked at GitHub (explanation shown). The user must re-authenticate; if the user or an owner revoked the app, they must authorize it again.',
    seenIn: 'github.md §2.3; real bundles b-upstream-revoked (admin revoke)',
  },
  {
    code: 'IDP_TOKEN_CAP_AT_RISK',
    meaning: "The estimated live tokens for one user and app (from the log's creates and destroys, a lower bound) or the store's live gho_ upstream sets are at 8 or more: the next authorisations will evict older tokens.",
    tier: 'idp',
    severity: 'warning',
    title: 'Tokens for one user/app are at or near GitHub\'s 10-token cap',
    fix: 'The next authorizations will evict older tokens (max_for_app). Use a GitHub App, or reduce the number of parallel MCP clients/reconnects per user.',
    seenIn: 'Artexis10/exomem#223 (#27)',
  },
  {
    code: 'IDP_MAX_FOR_APP_SEEN',
    meaning: "The log shows `max_for_app` destroys for the app, but none for the tokens under diagnosis: other sessions are being evicted.",
    tier: 'idp',
    severity: 'warning',
    title: 'The security log shows max_for_app evictions for this app',
    fix: 'GitHub is evicting this app\'s tokens over the 10-token cap, which silently kills other clients\' sessions. Use a GitHub App, or fewer parallel authorizations per user.',
    seenIn: 'cli/cli#12490 (#28)',
  },
] as const satisfies readonly CatalogueEntryOf<string>[];

const ALL = [...CLIENT_CATALOGUE, ...CORE, ...DISCOVERY_CATALOGUE] as const;

/** Every finding code the doctor can raise. */
export type FindingCode = (typeof ALL)[number]['code'];

/** One catalogue entry. */
export type CatalogueEntry = CatalogueEntryOf<FindingCode>;

export const CATALOGUE: readonly CatalogueEntry[] = ALL;

const BY_CODE = new Map<string, CatalogueEntry>(CATALOGUE.map((e) => [e.code, e]));

export function entry(code: FindingCode): CatalogueEntry {
  return BY_CODE.get(code)!;
}

/** True for a catalogued code (input from outside, e.g. a JSON report). */
export function isFindingCode(code: string): code is FindingCode {
  return BY_CODE.has(code);
}
