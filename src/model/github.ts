/**
 * The GitHub tiers: the upstream token behind a session (probe), and GitHub's own logs (security-log
 * exports, the audit-log API) with the store's estimate against the 10-token cap.
 */
import type { Secret } from '../secrets.js';

/** GitHub's documented cap: tokens per user, OAuth App and scope set. */
export const GITHUB_TOKEN_CAP = 10;

export type ClientIdKind = 'oauth-app' | 'legacy-oauth-app' | 'github-app' | 'unknown';

export const CLIENT_ID_KIND_TEXT: Record<ClientIdKind, string> = {
  'oauth-app': 'OAuth App (client id Ov…)',
  'legacy-oauth-app': 'OAuth App (20-hex client id, older registration)',
  'github-app': 'GitHub App (client id Iv…)',
  unknown: 'unknown app kind',
};

/**
 * The upstream GitHub token to probe, and what the store says about it. The one shape for every
 * source: --upstream-token-file / GITHUB_UPSTREAM_TOKEN, or the chain of a FastMCP JWT.
 */
export interface UpstreamToken {
  token: Secret;
  /** Where the token came from, in words (never the value). */
  source: string;
  /** The upstream set's own expires_at (unix seconds), if known. */
  storedExpiresAt?: number | null;
  hasRefreshToken?: boolean;
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
  /** DNS failure, connection refused or no route from the operator's machine: GitHub was not reached (not an outage). */
  | 'unreachable'
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
  /** A 200 whose body is not a GitHub user FastMCP can read (HTML, cut-off JSON, no id, over the size cap): why. */
  bodyProblem?: string;
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
  /** When GitHub was asked (unix seconds, wall clock): live figures (rate-limit reset) are relative to it, not to --at. */
  probedAt?: number;
}

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
  /**
   * Set when this point stands for several consecutive events (a busy timeline is cut to at most 1,000
   * points): `at`/`live`/`event` are the last one's, `explanation` is max_for_app or expired when any was.
   */
  merged?: { events: number; creates: number; destroys: number; maxForApp: number; expired: number; peak: number; from: number };
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
    /** Create/destroy events behind the timeline, when `points` holds fewer (merged, or none for the quietest timelines). */
    events?: number;
  }[];
  /** First and last max_for_app destroy for the app (exact, whatever the timelines keep). */
  maxForAppSpan?: { first: number; last: number };
  /** Events about the upstream tokens not listed in `matches` (only the latest 1,000 and each token's latest create and destroy are). */
  matchesOmitted?: number;
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
