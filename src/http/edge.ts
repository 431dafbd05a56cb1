/**
 * The one HTTP edge, for GitHub and for the MCP server alike (undici). Everything a request to the
 * outside needs is decided here, once:
 *
 * - **proxies**: HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as resolved from the command's environment at
 *   the boundary (`HttpTarget.proxy`), through undici's EnvHttpProxyAgent — never read here;
 * - **timeouts**: connect, headers and body each bounded by `timeoutMs`, and the whole exchange by a
 *   deadline; the interrupt signal (SIGINT) ends a request at once;
 * - **redirects**: `send` never follows one (a redirect is an answer worth reporting); `fetch` (for
 *   Octokit) follows as fetch does;
 * - **body limits**: `send` reads at most `maxBodyBytes` (then stops reading), `fetch` at most
 *   MAX_FETCH_BYTES (then fails), so no answer can fill memory or keep us waiting;
 * - **errors**: a transport failure is never thrown; it comes back named — timeout, refused, DNS,
 *   TLS (the certificate problem), reset, interrupted — in one line.
 *
 * No retries here, ever: GitHub locks out repeated bad credentials, and a diagnostic must not
 * sleep-and-retry.
 *
 * undici itself is loaded at the first request, not with this module: a run that sends none (no
 * GitHub call, no server) never pays for it.
 */
import type { Dispatcher, Response } from 'undici';
import type { Io, NetError } from '../model/index.js';
import { humanDuration } from '../time.js';

/** Proxy settings, resolved from the environment at the command boundary. */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** Everything the edge needs to know about where requests go out: resolved once per run. */
export interface HttpTarget {
  /** Bound for each request: connect, headers, body, and the whole exchange. */
  timeoutMs: number;
  userAgent: string;
  proxy?: ProxySettings;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Read at most this many bytes of the body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Stop reading the body as soon as this returns true for the text so far (SSE streams). */
  enough?: (text: string) => boolean;
}

export interface HttpAnswer {
  url: string;
  status?: number;
  /** All response headers, lower-cased, repeated ones joined with ", " (www-authenticate kept apart too). */
  headers: Record<string, string>;
  /** Every WWW-Authenticate field line, separately. */
  wwwAuthenticate: string[];
  /** The body read (up to maxBodyBytes). */
  text: string;
  /** No HTTP answer at all. */
  error?: NetError;
  ms: number;
}

export interface HttpEdge {
  /** One request; never throws. */
  send(req: HttpRequest): Promise<HttpAnswer>;
  /** A `fetch` through the same dispatcher (same proxy and timeouts) and the deadline, for Octokit. */
  fetch(input: string | URL, init?: Record<string, unknown>): Promise<Response>;
  /** Drop every connection (a hung one included). */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
/** Most bytes read from one answer Octokit parses (an audit-log page of 100 events is ~200 KB). */
export const MAX_FETCH_BYTES = 8 * 1024 * 1024;
/** Statuses whose Response may not carry a body. */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

let undiciModule: Promise<typeof import('undici')> | undefined;
const loadUndici = () => (undiciModule ??= import('undici'));

export function createHttpEdge(target: HttpTarget, io: Pick<Io, 'signal'> = {}): HttpEdge {
  const options = { connect: { timeout: target.timeoutMs }, headersTimeout: target.timeoutMs, bodyTimeout: target.timeoutMs, keepAliveTimeout: 1000 };
  const p = target.proxy;
  // Every proxy value is passed explicitly ('' = none), so undici never reads process.env itself.
  let dispatcher: Dispatcher | undefined;
  /** undici and the dispatcher, made at the first request. */
  const edge = async () => {
    const undici = await loadUndici();
    dispatcher ??= p && (p.httpProxy || p.httpsProxy) ? new undici.EnvHttpProxyAgent({ ...options, httpProxy: p.httpProxy ?? '', httpsProxy: p.httpsProxy ?? '', noProxy: p.noProxy ?? '' }) : new undici.Agent(options);
    return { undici, dispatcher };
  };
  const userSignal = io.signal;

  /** A deadline for one exchange, combined with the interrupt signal. */
  const deadline = () => {
    const timeout = AbortSignal.timeout(target.timeoutMs);
    const signal = userSignal ? AbortSignal.any([userSignal, timeout]) : timeout;
    return { signal, timeout };
  };

  return {
    async send(req) {
      const { undici, dispatcher } = await edge();
      const started = performance.now();
      const { signal, timeout } = deadline();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        const res = await undici.request(req.url, {
          method: req.method,
          headers: { 'user-agent': target.userAgent, ...(req.headers ?? {}) },
          body: req.body ?? null,
          dispatcher,
          signal,
        });
        const headers: Record<string, string> = {};
        const wwwAuthenticate: string[] = [];
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          const values = Array.isArray(value) ? value : [value];
          if (name === 'www-authenticate') wwwAuthenticate.push(...values);
          headers[name.toLowerCase()] = values.join(', ');
        }
        // Read up to the limit, then stop (a huge or endless body costs neither memory nor time).
        const limit = req.maxBodyBytes ?? DEFAULT_MAX_BODY;
        const chunks: Buffer[] = [];
        let bytes = 0;
        let soFar = '';
        const decoder = req.enough ? new TextDecoder() : undefined;
        for await (const chunk of res.body) {
          const buf = chunk as Buffer;
          chunks.push(buf);
          bytes += buf.length;
          if (decoder) soFar += decoder.decode(buf, { stream: true });
          if (bytes >= limit || (req.enough && req.enough(soFar))) break;
        }
        res.body.destroy();
        const text = Buffer.concat(chunks).subarray(0, limit).toString('utf8');
        return { url: req.url, status: res.statusCode, headers, wwwAuthenticate, text, ms: elapsed() };
      } catch (e) {
        return { url: req.url, headers: {}, wwwAuthenticate: [], text: '', error: classifyNetError(e, { interrupted: userSignal?.aborted === true, timedOut: timeout.aborted, timeoutMs: target.timeoutMs }), ms: elapsed() };
      }
    },

    async fetch(input, init) {
      const { undici, dispatcher } = await edge();
      const { signal } = deadline();
      const merged = init?.signal instanceof AbortSignal ? AbortSignal.any([init.signal, signal]) : signal;
      const res = await undici.fetch(input, { ...(init as object), dispatcher, signal: merged } as Parameters<typeof undici.fetch>[1]);
      if (!res.body || NULL_BODY_STATUS.has(res.status)) return res;
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += chunk.byteLength;
        if (size > MAX_FETCH_BYTES) {
          await res.body.cancel().catch(() => undefined);
          throw new Error(`the answer was larger than ${MAX_FETCH_BYTES / 1024 / 1024} MB; not read further`);
        }
        chunks.push(chunk);
      }
      return new undici.Response(Buffer.concat(chunks), { status: res.status, statusText: res.statusText, headers: res.headers });
    },

    async close() {
      await dispatcher?.destroy().catch(() => undefined);
    },
  };
}

const TLS_CODE = /^(CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** The error and its causes, outermost first (undici and Octokit wrap the socket's error). */
function* causes(e: unknown): Generator<object> {
  const seen = new Set<unknown>();
  for (let cur: unknown = e; cur && typeof cur === 'object' && !seen.has(cur); cur = (cur as { cause?: unknown }).cause) {
    seen.add(cur);
    yield cur;
  }
}

/** The first string `code` along the cause chain. */
function codeOf(e: unknown): string {
  for (const c of causes(e)) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
  }
  return '';
}

function isTimeout(e: unknown): boolean {
  for (const c of causes(e)) {
    const { name, code } = c as { name?: string; code?: unknown };
    if (name === 'TimeoutError' || (typeof code === 'string' && /TIMEOUT/.test(code))) return true;
  }
  return false;
}

/** Text from outside made fit for one line of output: control characters and runs of space collapsed, at most 300 characters. */
export function oneLineText(text: string): string {
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

/** The timeout as given: 1.5 s stays 1.5 s; whole minutes and more read as a duration. */
export function timeoutWords(ms: number): string {
  return ms < 60_000 ? `${ms / 1000} s` : humanDuration(ms / 1000);
}

/**
 * Name a transport failure in words an operator acts on — the one vocabulary of every request the
 * doctor makes. `timedOut`: the exchange's own deadline fired; `interrupted`: SIGINT.
 */
export function classifyNetError(e: unknown, how: { interrupted: boolean; timedOut: boolean; timeoutMs: number }): NetError {
  if (how.interrupted && !how.timedOut) return { kind: 'aborted', message: 'interrupted' };
  const code = codeOf(e);
  const cause = (e as { cause?: unknown })?.cause;
  const msg = oneLineText(cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e));
  if (how.timedOut || isTimeout(e)) return { kind: 'timeout', message: `no answer within ${timeoutWords(how.timeoutMs)}${/TIMEOUT/.test(code) ? ` (${code})` : ''}` };
  if (code === 'ECONNREFUSED') return { kind: 'refused', message: `connection refused (${code})` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { kind: 'dns', message: `host name not found (${code})` };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENETDOWN' || code === 'EHOSTDOWN') return { kind: 'no-route', message: `no route to the host (${code})` };
  if (TLS_CODE.test(code)) return { kind: 'tls', message: `TLS certificate problem: ${msg} (${code})` };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return { kind: 'reset', message: `connection closed by the server (${code})` };
  return { kind: 'other', message: code && !msg.includes(code) ? `${msg} (${code})` : msg };
}
