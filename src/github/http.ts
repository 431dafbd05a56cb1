/**
 * GitHub's side of the HTTP edge: one bounded GET with a token, as FastMCP's GitHubTokenVerifier
 * sends it, and the pure classification of an answer into a `GithubHttpProbe` (github.md §4, §6).
 * The request itself goes through the one HTTP edge (src/http/edge.ts): proxies, timeouts, body
 * limits, named transport errors. No retries here, ever.
 */
import { oneLineText, type HttpEdge } from '../http/edge.js';
import type { GithubHttpProbe, GithubOutcome } from '../model/index.js';

export { oneLineText } from '../http/edge.js';

/** What came back, before classification. `error` is set when no HTTP answer arrived. */
export interface RawAnswer {
  url: string;
  status?: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Body text (only kept up to a few KB). */
  body?: string;
  error?: { kind: 'timeout' | 'network' | 'unreachable' | 'aborted'; message: string };
  ms: number;
}

/** Body bytes kept from an answer to GET /user (GitHub's JSON is small; an HTML error page is cut). */
export const BODY_KEEP = 8192;

/** GET with a bearer token, as FastMCP's GitHubTokenVerifier sends it. Never throws. */
export async function getWithToken(http: HttpEdge, url: string, token: string): Promise<RawAnswer> {
  const ans = await http.send({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github.v3+json' }, maxBodyBytes: BODY_KEEP });
  if (ans.error) {
    const kind = ans.error.kind === 'timeout' ? 'timeout' : ans.error.kind === 'aborted' ? 'aborted' : notReached(ans.error.kind) ? 'unreachable' : 'network';
    return { url, headers: {}, error: { kind, message: ans.error.message }, ms: ans.ms };
  }
  return { url, status: ans.status!, headers: ans.headers, body: ans.text, ms: ans.ms };
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Seconds to wait from a Retry-After value (delta-seconds or an HTTP date). `nowMs` for the date form. */
function retryAfterSeconds(v: string | undefined, nowMs: number): number | undefined {
  if (v === undefined) return undefined;
  const n = num(v);
  if (n !== undefined) return n;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, Math.round((t - nowMs) / 1000));
}

/** The headers a diagnosis needs (github.md §4). */
export function probeHeaders(h: Record<string, string>, nowMs = 0): GithubHttpProbe['headers'] {
  const out: GithubHttpProbe['headers'] = {};
  out.oauthScopes = 'x-oauth-scopes' in h ? h['x-oauth-scopes']! : null;
  if (h['x-oauth-client-id']) out.oauthClientId = h['x-oauth-client-id'];
  if (h['github-authentication-token-expiration']) out.tokenExpiration = h['github-authentication-token-expiration'];
  if (h['x-github-request-id']) out.requestId = h['x-github-request-id'];
  if (h['x-github-sso']) out.sso = h['x-github-sso'];
  const ra = retryAfterSeconds(h['retry-after'], nowMs);
  if (ra !== undefined) out.retryAfter = ra;
  const rl: NonNullable<GithubHttpProbe['headers']['rateLimit']> = {};
  const limit = num(h['x-ratelimit-limit']);
  const remaining = num(h['x-ratelimit-remaining']);
  const used = num(h['x-ratelimit-used']);
  const reset = num(h['x-ratelimit-reset']);
  if (limit !== undefined) rl.limit = limit;
  if (remaining !== undefined) rl.remaining = remaining;
  if (used !== undefined) rl.used = used;
  if (reset !== undefined) rl.reset = reset;
  if (h['x-ratelimit-resource']) rl.resource = h['x-ratelimit-resource'];
  if (Object.keys(rl).length) out.rateLimit = rl;
  if (h['x-github-enterprise-version']) out.githubEnterpriseVersion = h['x-github-enterprise-version'];
  return out;
}

/** GitHub's `message` from a JSON error body, if any (on one line). */
export function githubMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const j = JSON.parse(body) as unknown;
    if (j && typeof j === 'object' && typeof (j as { message?: unknown }).message === 'string') return oneLineText((j as { message: string }).message);
  } catch {
    // not JSON (e.g. the HTML "Unicorn!" page of a 5xx)
  }
  return undefined;
}

/** Classify an answer (pure): which of GitHub's meanings it carries. */
export function classifyAnswer(raw: RawAnswer): GithubHttpProbe {
  const probe: GithubHttpProbe = { url: raw.url, outcome: 'unexpected', ms: Math.round(raw.ms), headers: raw.error ? {} : probeHeaders(raw.headers) };
  if (raw.error) {
    probe.outcome = raw.error.kind === 'timeout' ? 'timeout' : raw.error.kind === 'unreachable' ? 'unreachable' : 'network-error';
    probe.message = raw.error.message;
    return probe;
  }
  const status = raw.status!;
  probe.status = status;
  const message = githubMessage(raw.body);
  if (message !== undefined) probe.message = message;
  if (status !== 200 && raw.body) probe.body = raw.body.slice(0, 200);
  probe.outcome = outcomeOf(status, message, probe.headers);
  return probe;
}

export function outcomeOf(status: number, message: string | undefined, h: GithubHttpProbe['headers']): GithubOutcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 401) return message === 'Bad credentials' ? 'bad-credentials' : 'unexpected';
  if (status === 403 || status === 429) {
    if (h.rateLimit?.remaining === 0) return 'rate-limited';
    if (h.retryAfter !== undefined || /secondary rate limit|abuse/i.test(message ?? '') || status === 429) return 'secondary-rate-limit';
    if (h.sso && /^required/i.test(h.sso.trim())) return 'sso-required';
    if (/maximum number of login attempts/i.test(message ?? '')) return 'locked-out';
    return 'forbidden';
  }
  if (status === 404) return 'not-found';
  if (status >= 500) return 'server-error';
  return 'unexpected';
}

/** The request never reached GitHub: DNS, connection refused, no route (the network here, not an outage). */
export function notReached(kind: string): boolean {
  return kind === 'dns' || kind === 'refused' || kind === 'no-route';
}

/** Outcomes that say nothing about the token: GitHub itself did not answer properly. */
export function isUnavailable(outcome: GithubOutcome | undefined): boolean {
  return outcome === 'server-error' || outcome === 'timeout' || outcome === 'network-error';
}
