/**
 * The HTTP edge towards GitHub: one bounded request at a time (undici, with connect/headers/body
 * timeouts and an overall deadline), and the pure classification of an answer into a
 * `GithubHttpProbe` (github.md §4, §6). No retries here, ever: GitHub locks out repeated bad
 * credentials, and a diagnostic must not sleep-and-retry.
 */
import { Agent, Response, fetch as undiciFetch, request } from 'undici';
import type { GithubHttpProbe, GithubOutcome } from '../model/index.js';
import { describeError } from '../errors.js';
import { humanDuration } from '../time.js';

/** What came back, before classification. `error` is set when no HTTP answer arrived. */
export interface RawAnswer {
  url: string;
  status?: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Body text (only kept up to a few KB). */
  body?: string;
  error?: { kind: 'timeout' | 'network' | 'aborted'; message: string };
  ms: number;
}

export interface GithubHttpOptions {
  /** REST API base, without trailing slash (https://api.github.com, https://HOST/api/v3). */
  apiUrl: string;
  /** Bound for each request: connect, headers, body, and the whole exchange. */
  timeoutMs: number;
  userAgent: string;
  /** Interrupt (SIGINT). */
  signal?: AbortSignal;
}

const BODY_KEEP = 8192;
/** Most bytes read from one answer Octokit parses (an audit-log page of 100 events is ~200 KB). */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Statuses whose Response may not carry a body. */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** One undici dispatcher per run, with the timeouts applied to every request (ours and Octokit's). */
export class GithubHttp {
  readonly agent: Agent;

  constructor(readonly opts: GithubHttpOptions) {
    this.agent = new Agent({
      connect: { timeout: opts.timeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 1000,
    });
  }

  url(path: string): string {
    return `${this.opts.apiUrl.replace(/\/+$/, '')}${path}`;
  }

  /** A deadline for one exchange, combined with the interrupt signal. */
  private deadline(): { signal: AbortSignal; timedOut: () => boolean } {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, timeout]) : timeout;
    return { signal, timedOut: () => timeout.aborted && !this.opts.signal?.aborted };
  }

  /** GET with a bearer token, as FastMCP's GitHubTokenVerifier sends it. */
  async getWithToken(path: string, token: string): Promise<RawAnswer> {
    const url = this.url(path);
    const started = performance.now();
    const { signal, timedOut } = this.deadline();
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: this.agent,
        signal,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.github.v3+json',
          'user-agent': this.opts.userAgent,
        },
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      // Keep the first few KB; stop reading there (a huge or endless body must cost neither memory nor time).
      const chunks: Buffer[] = [];
      let kept = 0;
      for await (const chunk of res.body) {
        chunks.push(chunk as Buffer);
        kept += (chunk as Buffer).length;
        if (kept >= BODY_KEEP) break;
      }
      res.body.destroy();
      const body = Buffer.concat(chunks).subarray(0, BODY_KEEP).toString('utf8');
      return { url, status: res.statusCode, headers, body, ms: performance.now() - started };
    } catch (e) {
      return { url, headers: {}, error: transportError(e, timedOut(), this.opts), ms: performance.now() - started };
    }
  }

  /**
   * A `fetch` for Octokit that goes through the same dispatcher (same timeouts), plus the deadline.
   * Octokit buffers whole bodies, so the body is read here first, up to MAX_RESPONSE_BYTES: a larger
   * answer rejects (Octokit reports it as a request error without a response), never fills memory.
   */
  readonly fetch = async (input: string | URL, init?: Record<string, unknown>): Promise<unknown> => {
    const { signal } = this.deadline();
    const merged = init?.signal instanceof AbortSignal ? AbortSignal.any([init.signal, signal]) : signal;
    const res = await undiciFetch(input, { ...(init as object), dispatcher: this.agent, signal: merged } as Parameters<typeof undiciFetch>[1]);
    if (!res.body || NULL_BODY_STATUS.has(res.status)) return res;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        await res.body.cancel().catch(() => undefined);
        throw new Error(`the answer was larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB; not read further`);
      }
      chunks.push(chunk);
    }
    return new Response(Buffer.concat(chunks), { status: res.status, statusText: res.statusText, headers: res.headers });
  };

  /** Drop every connection (a hung one included). */
  async close(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }
}

/** Turn a transport failure into words, distinguishing timeout, interrupt and network errors. */
export function transportError(e: unknown, timedOut: boolean, opts: Pick<GithubHttpOptions, 'timeoutMs' | 'signal'>): NonNullable<RawAnswer['error']> {
  const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  const name = (e as { name?: string }).name;
  if (opts.signal?.aborted && !timedOut) return { kind: 'aborted', message: 'interrupted before GitHub answered' };
  if (timedOut || name === 'TimeoutError' || (typeof code === 'string' && /TIMEOUT/.test(code))) {
    // The timeout as given (1.5 s stays 1.5 s; whole minutes and more read as a duration).
    const within = opts.timeoutMs < 60_000 ? `${opts.timeoutMs / 1000} s` : humanDuration(opts.timeoutMs / 1000);
    return { kind: 'timeout', message: `no answer within ${within} (${code ?? 'timeout'})` };
  }
  const cause = (e as { cause?: unknown }).cause;
  const text = oneLineText(cause instanceof Error ? describeError(cause) : describeError(e));
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'network', message: `DNS lookup failed (${text})` };
  if (code === 'ECONNREFUSED') return { kind: 'network', message: `connection refused (${text})` };
  return { kind: 'network', message: text };
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

/** Text a server sent, made fit for one line of output: control characters and runs of space collapsed, at most 300 characters. */
export function oneLineText(text: string): string {
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
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
    probe.outcome = raw.error.kind === 'timeout' ? 'timeout' : 'network-error';
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

/** Outcomes that say nothing about the token: GitHub itself did not answer properly. */
export function isUnavailable(outcome: GithubOutcome | undefined): boolean {
  return outcome === 'server-error' || outcome === 'timeout' || outcome === 'network-error';
}
