/**
 * HTTP for the outside-in probes: undici, one dispatcher per run, never following redirects, every
 * request bounded by a timeout (connect + headers + body) and by the command's abort signal.
 *
 * The proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) of the command's environment are honoured,
 * as a CI runner behind a corporate proxy needs them.
 */
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import type { DiscoveryExchange } from '../model/index.js';
import { show } from '../secrets.js';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** Bodies are read up to this size; metadata documents are a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Text kept in the evidence for a non-JSON body. */
const BODY_EXCERPT = 300;
/** JSON members that are secrets whatever the endpoint: shown as fingerprints. */
const SECRET_MEMBERS = new Set(['client_secret', 'access_token', 'refresh_token', 'id_token', 'registration_access_token']);
/** Response headers kept in the evidence. */
const KEPT_HEADERS = ['content-type', 'www-authenticate', 'location', 'cache-control', 'content-length'];

export type NetErrorKind = NonNullable<DiscoveryExchange['error']>['kind'];

export interface HttpOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Stop reading the body as soon as this returns true for the text so far (SSE streams). */
  enough?: (text: string) => boolean;
}

export interface HttpAnswer {
  status?: number;
  /** All response headers, lower-cased, repeated ones joined with ", " (www-authenticate kept apart). */
  headers: Record<string, string>;
  /** Every WWW-Authenticate field line, separately. */
  wwwAuthenticate: string[];
  text: string;
  error?: { kind: NetErrorKind; message: string };
  ms: number;
}

export interface HttpClient {
  send(req: HttpRequest): Promise<HttpAnswer>;
  close(): Promise<void>;
}

function proxyEnv(env: NodeJS.ProcessEnv): { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const httpProxy = pick('HTTP_PROXY', 'http_proxy');
  const httpsProxy = pick('HTTPS_PROXY', 'https_proxy');
  if (!httpProxy && !httpsProxy) return undefined;
  const out: { httpProxy?: string; httpsProxy?: string; noProxy?: string } = {};
  if (httpProxy) out.httpProxy = httpProxy;
  if (httpsProxy) out.httpsProxy = httpsProxy;
  const noProxy = pick('NO_PROXY', 'no_proxy');
  if (noProxy) out.noProxy = noProxy;
  return out;
}

export function createHttpClient(opts: HttpOptions): HttpClient {
  const timeouts = { connect: { timeout: opts.timeoutMs }, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs };
  const proxy = proxyEnv(opts.env ?? {});
  const dispatcher: Dispatcher = proxy ? new EnvHttpProxyAgent({ ...timeouts, ...proxy }) : new Agent(timeouts);
  return {
    send: (req) => send(dispatcher, req, opts),
    close: async () => {
      await dispatcher.close().catch(() => undefined);
    },
  };
}

async function send(dispatcher: Dispatcher, req: HttpRequest, opts: HttpOptions): Promise<HttpAnswer> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: { 'user-agent': 'mcp-auth-doctor', ...(req.headers ?? {}) },
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
      headers[name] = values.join(', ');
    }
    let text = '';
    let bytes = 0;
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      bytes += buf.length;
      text += decoder.decode(buf, { stream: true });
      if (bytes >= MAX_BODY_BYTES || (req.enough && req.enough(text))) {
        res.body.destroy();
        break;
      }
    }
    text += decoder.decode();
    return { status: res.statusCode, headers, wwwAuthenticate, text, ms: elapsed() };
  } catch (e) {
    return { headers: {}, wwwAuthenticate: [], text: '', error: classifyError(e, opts.signal, timeout), ms: elapsed() };
  }
}

const TLS_CODE = /^(CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Name the network failure in words an operator acts on. */
export function classifyError(e: unknown, userSignal: AbortSignal | undefined, timeout: AbortSignal): { kind: NetErrorKind; message: string } {
  if (userSignal?.aborted) return { kind: 'aborted', message: 'interrupted' };
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  const msg = err?.cause?.message ?? err?.message ?? String(e);
  if (timeout.aborted || err?.name === 'TimeoutError' || /TIMEOUT/.test(code)) return { kind: 'timeout', message: 'no answer within the timeout' };
  if (code === 'ECONNREFUSED') return { kind: 'refused', message: `connection refused (${code})` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { kind: 'dns', message: `host name not found (${code})` };
  if (TLS_CODE.test(code)) return { kind: 'tls', message: `TLS certificate problem: ${msg} (${code})` };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return { kind: 'reset', message: `connection closed by the server (${code})` };
  return { kind: 'other', message: code && !msg.includes(code) ? `${msg} (${code})` : msg };
}

/** Replace secret members of a JSON value by fingerprints (recursively). */
export function redactJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactJson);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = SECRET_MEMBERS.has(k) && typeof x === 'string' ? show(x) : redactJson(x);
    return out;
  }
  return v;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isJsonContentType(ct: string | undefined): boolean {
  if (!ct) return false;
  const mime = ct.split(';')[0]!.trim().toLowerCase();
  return mime === 'application/json' || mime.endsWith('+json');
}

/** The evidence record of one request/answer (selected headers, excerpt, parsed JSON, secrets redacted). */
export function exchangeOf(step: string, req: HttpRequest, ans: HttpAnswer, form?: string): DiscoveryExchange {
  const x: DiscoveryExchange = { step, method: req.method, url: req.url, headers: {}, ms: ans.ms };
  if (form) x.form = form;
  if (ans.error) {
    x.error = ans.error;
    return x;
  }
  x.status = ans.status!;
  for (const h of KEPT_HEADERS) {
    if (h === 'www-authenticate') {
      if (ans.wwwAuthenticate.length) x.headers[h] = ans.wwwAuthenticate.join(', ');
    } else if (ans.headers[h] !== undefined) x.headers[h] = ans.headers[h]!;
  }
  if (ans.headers['mcp-session-id'] !== undefined) x.headers['mcp-session-id'] = '(present)';
  const json = ans.text.trim() ? parseJson(ans.text) : undefined;
  if (json !== undefined) {
    x.json = redactJson(json);
    const shown = JSON.stringify(x.json);
    x.body = shown.length > BODY_EXCERPT ? `${shown.slice(0, BODY_EXCERPT)}…` : shown;
  } else if (ans.text) {
    x.body = ans.text.length > BODY_EXCERPT ? `${ans.text.slice(0, BODY_EXCERPT)}…` : ans.text;
  }
  return x;
}
