/**
 * What the outside-in probes keep of an HTTP exchange with the MCP server: selected headers, a body
 * excerpt, the parsed JSON (secret members fingerprinted). The requests themselves go through the one
 * HTTP edge (src/http/edge.ts): proxies, timeouts, redirects (never followed), body limits.
 */
import type { HttpAnswer, HttpRequest } from '../http/edge.js';
import type { DiscoveryExchange } from '../model/index.js';
import { show } from '../secrets.js';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** Text kept in the evidence for a non-JSON body. */
const BODY_EXCERPT = 300;
/** JSON members that are secrets whatever the endpoint: shown as fingerprints. */
const SECRET_MEMBERS = new Set(['client_secret', 'access_token', 'refresh_token', 'id_token', 'registration_access_token']);
/** Response headers kept in the evidence. */
const KEPT_HEADERS = ['content-type', 'www-authenticate', 'location', 'cache-control', 'content-length'];

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

/** The deepest nesting a server's JSON may have: PRM and AS metadata are two or three levels deep. */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests arrays/objects deeper than `max` (one pass, no recursion; strings skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Parsed JSON, or undefined when the text is not JSON or nests deeper than MAX_JSON_DEPTH (never walked). */
export function parseJson(text: string): unknown {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return undefined;
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
export function exchangeOf(step: string, req: Pick<HttpRequest, 'method' | 'url'>, ans: Omit<HttpAnswer, 'url'>, form?: string): DiscoveryExchange {
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
