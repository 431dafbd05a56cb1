/**
 * Evidence: what the collectors (I/O at the edges) hand to the pure rules.
 *
 * Every tier's evidence is wrapped in `Collected<T>` so that "not looked at" (skipped, with why) and
 * "could not look" (error, with why) are never confused with "looked and found nothing wrong".
 * Secrets only ever appear as `Secret` objects (rendered as fingerprints).
 */
import type { Secret } from '../secrets.js';
import type { VersionRange } from '../fastmcp/version.js';
import type { CommandName } from './types.js';

export type Collected<T> =
  | { status: 'collected'; value: T; /** collection stopped early; value holds what was read */ partial?: string }
  | { status: 'skipped'; reason: string }
  | { status: 'error'; reason: string; /** what was read before the error, if anything */ value?: T };

export const collected = <T>(value: T, partial?: string): Collected<T> => (partial ? { status: 'collected', value, partial } : { status: 'collected', value });
export const skipped = <T>(reason: string): Collected<T> => ({ status: 'skipped', reason });
export const failed = <T>(reason: string, value?: T): Collected<T> => (value === undefined ? { status: 'error', reason } : { status: 'error', reason, value });

export function valueOf<T>(c: Collected<T> | undefined): T | undefined {
  if (!c) return undefined;
  return c.status === 'skipped' ? undefined : c.value;
}

// ---------------------------------------------------------------------------------------------
// Settings: what the operator told us (non-secret), plus what follows from it.

export type FastmcpGeneration = '2.13-2.14' | '3.x+';

export interface SettingsEvidence {
  baseUrl?: string;
  mcpPath: string;
  /** Explicit --issuer, else derived from base URL (pydantic normalisation: bare origin gets '/'). */
  expectedIssuer?: string;
  /** Derived: resource URL (2.14.2+) = base + mcp path. */
  expectedAudience?: string;
  /** As given (--fastmcp-version) or inferred (JWT header order, store layout). */
  fastmcpVersion?: string;
  fastmcpVersionSource?: 'flag' | 'inferred';
  /** Inferred from the token header, the store layout and lifetimes when no version was given. */
  fastmcpVersionRange?: VersionRange;
  /** Where the token was presented: 'access' = bearer at /mcp, 'refresh' = refresh grant at /token (default: by token kind). */
  presentedAs?: 'access' | 'refresh';
  upstreamClientId?: string;
  requiredScopes: string[];
  replicas?: number;
  /** Which input the current JWT key comes from. */
  keySource?: 'client-secret' | 'jwt-signing-key' | 'raw-key';
  /** Length of the jwt_signing_key string (FastMCP warns under 12). */
  signingKeyLength?: number;
  candidateCount: number;
  githubApiUrl: string;
  /** Number of MCP clients (--mcp-clients) sharing the deployment, when the operator says so. */
  mcpClients?: number;
}

// ---------------------------------------------------------------------------------------------
// Keys

export interface KeyEvidence {
  keys: {
    label: string;
    role: 'current' | 'candidate';
    derivation: 'hkdf' | 'pbkdf2' | 'pbkdf2-test-mode' | 'raw';
    /** Default-store directory fingerprint this key selects (3.x+). */
    fingerprint?: string;
    hs256Key?: Secret;
    storageKey?: Secret;
    ms: number;
  }[];
  /** Explicit storage (Fernet) key given by the operator. */
  explicitStorageKey?: { label: string; key: Secret };
}

// ---------------------------------------------------------------------------------------------
// The FastMCP JWT

export interface TokenEvidence {
  token: Secret;
  /** Set when the token cannot be parsed; the rest is then partial. */
  malformed?: string;
  /** `alg` from the header when it is not HS256 (including "none"). */
  rejectedAlg?: string;
  header?: Record<string, unknown>;
  /** 'authlib' = {"alg","typ"} (2.13–3.3), 'joserfc' = {"typ","alg"} (3.4+). */
  headerFamily?: 'authlib' | 'joserfc' | 'other';
  claims?: Record<string, unknown>;
  kind?: 'access' | 'refresh' | 'id-jag';
  /** sha256 hex of the exact token text: the `mcp-refresh-tokens` key. Not secret. */
  sha256?: string;
  signature: {
    /** false when no key material was available. */
    checked: boolean;
    /** Verified with the deployment's current key. */
    validWithCurrent?: boolean;
    /** Label of the key (current or a candidate) that verified, if any. */
    validWith?: string;
    validWithRole?: 'current' | 'candidate';
    /** Why the signature was not checked although key material was given (e.g. interrupted). */
    notCheckedBecause?: string;
    /** Labels tried. */
    tried: string[];
    /** The current key's 32 decoded bytes were also tried (a common implementation mistake): did they verify? */
    decodedBytesVerify?: boolean;
  };
}

// ---------------------------------------------------------------------------------------------
// Storage: inventory of the whole store

export type StoreKind = 'diskcache' | 'filetree' | 'redis' | 'redis-cluster';

export interface CollectionCounts {
  total: number;
  live: number;
  expired: number;
  /** Present but not decryptable with the key in use. */
  undecryptable: number;
  /** Not parseable as a py-key-value document. */
  corrupt: number;
}

export interface FingerprintDirEvidence {
  name: string;
  entries: number;
  /** newest entry created_at (unix seconds) */
  newest?: number;
  /** Which key (label) selects this directory, if any of the given ones does. */
  selectedBy?: string;
}

export interface StoreEvidence {
  kind: StoreKind;
  /** Path or redacted URL. */
  location: string;
  generation: FastmcpGeneration | 'user-store';
  documentFormat: 'A' | 'B' | 'mixed' | 'unknown';
  encryption: 'fernet' | 'none' | 'mixed' | 'unknown';
  /** Label of the Fernet key used to read the store, if any. */
  keyUsed?: string;
  /** FileTree only. */
  fingerprints?: {
    /** Directory read (selected by the current key or given directly). */
    selected?: string;
    /** Directory the current key selects, whether or not it exists. */
    expected?: string;
    dirs: FingerprintDirEvidence[];
  };
  collections: Record<string, CollectionCounts>;
  /** Undecryptable entries that do decrypt with a candidate key: label → count. */
  decryptsWithCandidate: Record<string, number>;
  chainHealth: {
    /** Live JTI mappings whose upstream set is missing or expired. */
    danglingMappings: number;
    /** Live upstream sets no live mapping points to. */
    unreferencedUpstreamSets: number;
    /** Live upstream sets per MCP client id. */
    upstreamSetsPerClient: Record<string, number>;
    /** Live upstream access tokens by prefix (gho_, ghu_, …, "other"). */
    tokensByPrefix: Record<string, number>;
    /** Live upstream access tokens by their own expiry. */
    tokensByExpiry: { expired: number; within24h: number; later: number; never: number };
    /** Upstream sets that hold a refresh token. */
    withRefreshToken: number;
    /** Plaintext upstream tokens seen (unencrypted store). */
    plaintextUpstreamTokens: number;
  };
  /** 3.x+ home that still holds a 2.x cache.db (ignored by FastMCP 3). */
  legacyCacheDb?: string;
  /** Entries read (after --limit/--sample). */
  entriesRead: number;
  limited?: string;
  /** The Fernet keys tried, in order (labels and the directory each selects; never the keys). */
  keysTried?: { label: string; role: 'explicit' | 'current' | 'candidate'; fingerprint: string }[];
  /** FileTree default store: how the directory read was chosen. */
  fingerprintSelection?: 'key' | 'given' | 'only' | 'newest' | 'none';
  /** Entries whose value is Fernet-encrypted / plain (all collections). */
  encryptedEntries?: number;
  plaintextEntries?: number;
  /** Redis: keys not shaped `<collection>::<key>` (another application's), skipped. */
  foreignKeys?: number;
  /** --show-entries: one row per entry. Tokens, secrets, codes only as Secret (fingerprints). */
  entries?: {
    collection: string;
    key: string;
    /** False when `key` is a sanitised FileTree file name (the real key is not recoverable from it). */
    keyExact?: boolean;
    state: 'live' | 'expired' | 'undecryptable' | 'corrupt';
    createdAt?: number;
    expiresAt?: number | null;
    /** Undecryptable with the key in use, but opens with this (candidate) key. */
    decryptsWith?: string;
    reason?: string;
    fields?: Record<string, string | number | boolean | null | string[] | Secret>;
  }[];
}

export type Lookup<T> =
  | { state: 'present'; value: T; expiresAt: number | null; where: string }
  | { state: 'expired'; value?: T; expiresAt: number; where: string }
  | { state: 'missing'; where: string }
  | { state: 'undecryptable'; where: string; /** label of a candidate key that does decrypt it */ decryptsWith?: string; decryptsWithValue?: T }
  | { state: 'corrupt'; where: string; reason: string };

export interface UpstreamSetValue {
  upstreamTokenId: string;
  accessToken: Secret;
  refreshToken: Secret | null;
  expiresAt: number | null;
  refreshTokenExpiresAt: number | null;
  clientId?: string;
  scope?: string;
  tokenType?: string;
  createdAt?: number;
}

/** The token's own chain through the store. */
export interface ChainEvidence {
  jti?: string;
  /** `mcp-jti-mappings[jti]` */
  mapping?: Lookup<{ upstreamTokenId: string; createdAt?: number }>;
  /** `mcp-upstream-tokens[upstream_token_id]` */
  upstreamSet?: Lookup<UpstreamSetValue>;
  /** `mcp-refresh-tokens[sha256(token)]` (refresh tokens only) */
  refreshMeta?: Lookup<{ clientId?: string; scopes?: string[]; expiresAt: number | null }>;
  /** `mcp-oauth-proxy-clients[client_id claim]` */
  client?: Lookup<{ clientId: string; redirectUris?: string[] }>;
  /** When the chain was not in the current key's directory/key but in another (label / directory). */
  foundElsewhere?: string;
  /** The store the chain was followed in (FastMCP's behaviour on undecryptable entries depends on it). */
  storeKind?: StoreKind;
  generation?: FastmcpGeneration | 'user-store';
  location?: string;
  /** Label of the key FastMCP would read with (explicit storage key or the current derived key). */
  keyUsed?: string;
  /** FileTree: the directory the current key selects / the one the chain was read in. */
  directory?: string;
}

// ---------------------------------------------------------------------------------------------
// Upstream: GitHub probe

export type GithubOutcome =
  | 'ok'
  | 'bad-credentials'
  | 'rate-limited'
  | 'secondary-rate-limit'
  | 'sso-required'
  | 'locked-out'
  | 'forbidden'
  | 'not-found'
  | 'server-error'
  | 'timeout'
  | 'network-error'
  | 'unexpected';

export interface GithubHttpProbe {
  url: string;
  status?: number;
  outcome: GithubOutcome;
  /** GitHub's `message`, or the network error text. */
  message?: string;
  ms: number;
  headers: {
    oauthScopes?: string | null;
    oauthClientId?: string;
    tokenExpiration?: string;
    requestId?: string;
    sso?: string;
    retryAfter?: number;
    rateLimit?: { limit?: number; remaining?: number; used?: number; reset?: number; resource?: string };
    githubEnterpriseVersion?: string;
  };
  /** First 200 characters of a non-200 body (what FastMCP logs after the status). Never a token. */
  body?: string;
}

export interface UpstreamEvidence {
  token: Secret;
  tokenSource: string;
  tokenKind: { prefix: string; kind: string; expires: boolean | null };
  /** Upstream set's own expiry (from the store), if known. */
  storedExpiresAt?: number | null;
  hasRefreshToken?: boolean;
  apiUrl: string;
  user?: GithubHttpProbe & { login?: string; id?: number };
  repos?: GithubHttpProbe;
  /** Scopes as FastMCP sees them (header split on ',', or ['user'] when empty/absent). */
  effectiveScopes?: string[];
  requiredScopes: string[];
  checkToken?: {
    status?: number;
    outcome: 'valid' | 'invalid' | 'app-credentials-rejected' | 'error' | 'skipped';
    message?: string;
    expiresAt?: string | null;
    appName?: string;
    appClientId?: string;
    userLogin?: string;
    scopes?: string[];
  };
  clientIdKind?: ClientIdKind;
  /** Raw classification of the check-token answer (transport failures, 5xx) when it was called. */
  checkTokenHttp?: GithubHttpProbe;
  /** Why a call was not made (rate limit at 0, check-token answered 404, …). */
  notes?: string[];
}

export type ClientIdKind = 'oauth-app' | 'legacy-oauth-app' | 'github-app' | 'unknown';

// ---------------------------------------------------------------------------------------------
// IdP side: security log export / audit-log API

export interface IdpEvent {
  action: string;
  at: number;
  explanation?: string;
  hashedToken?: string;
  tokenLastEight?: string;
  appName?: string;
  appClientId?: string;
  user?: string;
  requestId?: string;
  /** application_id, when the event carries one. */
  appId?: string;
  /** token_scopes / scopes, as recorded. */
  scopes?: string;
  /** Where it was read: file name (and record number) or the audit-log API. */
  origin?: string;
  /** For a max_for_app destroy: the create that triggered it and the estimated live count after it. */
  trigger?: { at: number; requestId?: string; liveAfter: number };
}

export interface TimelinePoint {
  at: number;
  /** Estimated live tokens for this user/app after the event. */
  live: number;
  event: 'create' | 'destroy';
  explanation?: string;
}

export interface IdpEvidence {
  source: 'security-log-export' | 'audit-log-api' | 'store-estimate';
  file?: string;
  format?: 'json-array' | 'json-lines' | 'csv';
  eventsRead: number;
  /** The app the events were filtered to (name, id or client id as given). */
  app?: string;
  eventsForApp: number;
  /** Events about the upstream tokens in play (matched by hashed_token). */
  matches: { token: string; event: IdpEvent }[];
  /** Destroy events for the app, by explanation ('(none)' when absent). */
  destroysByExplanation: Record<string, number>;
  /** Per user (or '(unknown)') and app: live-token estimate over time. */
  timelines: {
    user: string;
    app: string;
    points: TimelinePoint[];
    peak: number;
    /** Tokens that must have existed before the first event (destroys seen before enough creates): the estimate is a lower bound. */
    baseline?: number;
    /** Live count after the last event. */
    current?: number;
  }[];
  /** From the store: live upstream sets that would compete for the same user/app/scope bucket. */
  storeEstimate?: { liveUpstreamSets: number; oauthAppTokens: number; perClient: Record<string, number> };
  /** Every source read (several exports and/or the audit-log API). */
  sources?: { kind: 'security-log-export' | 'audit-log-api' | 'store-estimate'; file?: string; format?: 'json-array' | 'json-lines' | 'csv'; gzip?: boolean; events: number }[];
  /** oauth_access / oauth_authorization events per application name (top 20), to help pick --app. */
  appsSeen?: Record<string, number>;
  /** The upstream tokens looked for (hashes only), with what the store says about them. */
  tokens?: { label: string; hashedToken: string; prefix: string; hasRefreshToken?: boolean; expiresAt?: number | null; clientId?: string }[];
  /** Set when the timeline keeps only part of the events (memory bound). */
  limited?: string;
  /** oauth_authorization.* events for the app (user authorized / removed the app), oldest first, at most 1,000. */
  authorizations?: IdpEvent[];
}

// ---------------------------------------------------------------------------------------------
// Discovery (check, outside-in) and canary (check, inside-out): shapes owned by src/server/*.

/** One HTTP request the discovery probe or the canary made, with the parts of the answer that matter. */
export interface DiscoveryExchange {
  /** initialize | forged-token | prm | as-metadata | registration | token | canary | canary-delete */
  step: string;
  /** Which URL form was tried: header, path-suffixed, root; rfc8414, oidc-insert, oidc-append, oidc. */
  form?: string;
  method: string;
  url: string;
  status?: number;
  /** Selected response headers (content-type, www-authenticate, location, cache-control, mcp-session-id as present/absent). */
  headers: Record<string, string>;
  /** First bytes of the body, as text (secret members fingerprinted when the body is JSON). */
  body?: string;
  /** The body parsed as JSON (secret members fingerprinted), when it is JSON. */
  json?: unknown;
  /** Network-level failure: no HTTP answer at all. */
  error?: { kind: 'timeout' | 'refused' | 'dns' | 'tls' | 'reset' | 'aborted' | 'other'; message: string };
  ms: number;
}

/** One parsed challenge of a WWW-Authenticate header (RFC 9110 §11.6.1). */
export interface WwwAuthChallenge {
  /** As sent (compare case-insensitively). */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
  token68?: string;
}

export interface DiscoveryCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'info' | 'skipped';
  detail: string;
  /** Finding code to raise when status is fail/warn. */
  code?: string;
  evidence?: Record<string, unknown>;
  /** Finding severity when it differs from the status (fail → error, warn → warning, info → info). */
  severity?: 'error' | 'warning' | 'info';
  /** Which spec check this is (C1–C11 of mcp-authorization.md) and why it has this severity under the chosen revision. */
  ref?: string;
}

export interface DiscoveryEvidence {
  serverUrl: string;
  spec: '2025-06-18' | '2025-11-25' | '2026-07-28';
  checks: DiscoveryCheck[];
  prmUrl?: string;
  prm?: Record<string, unknown>;
  issuer?: string;
  asMetadataUrl?: string;
  asMetadata?: Record<string, unknown>;
  /** Every request made, in order. */
  exchanges?: DiscoveryExchange[];
  /** The parsed WWW-Authenticate challenges of the unauthenticated 401. */
  challenges?: WwwAuthChallenge[];
  /** The parsed WWW-Authenticate challenges of the answer to a forged bearer token (C10). */
  forgedTokenChallenges?: WwwAuthChallenge[];
  /** Which PRM URL form worked (header, path-suffixed, root). */
  prmForm?: string;
  /** Which AS metadata URL form worked (rfc8414, oidc-insert, oidc-append, oidc). */
  asMetadataForm?: string;
  /** --probe-registration was given. */
  probeRegistration?: boolean;
  /** Id of the first failing check (the one the verdict names). */
  firstFailure?: string;
}

export interface CanaryEvidence {
  status?: number;
  outcome: 'accepted' | 'rejected' | 'error';
  wwwAuthenticate?: string;
  message?: string;
  /** The URL the canary was sent to. */
  url?: string;
  ms?: number;
  /** The parsed challenge of a rejection. */
  challenges?: WwwAuthChallenge[];
  contentType?: string;
  /** From the initialize result, when accepted. */
  protocolVersion?: string;
  serverInfo?: { name?: string; version?: string };
  /** An MCP session was opened and closed again with DELETE (status of the DELETE, or the error). */
  sessionClosed?: { status?: number; error?: string };
}

// ---------------------------------------------------------------------------------------------

export interface Evidence {
  command: CommandName;
  /** Evaluation time, unix seconds (float). Rules never read the clock. */
  now: number;
  settings: SettingsEvidence;
  keys?: Collected<KeyEvidence>;
  token?: Collected<TokenEvidence>;
  store?: Collected<StoreEvidence>;
  chain?: Collected<ChainEvidence>;
  upstream?: Collected<UpstreamEvidence>;
  idp?: Collected<IdpEvidence>;
  discovery?: Collected<DiscoveryEvidence>;
  canary?: Collected<CanaryEvidence>;
}
