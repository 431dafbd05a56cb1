/**
 * The outside-in probe of an MCP server's authorization surface (checks C1–C11 of
 * mcp-authorization.md; of C10 only what needs no token): the requests a conforming client makes, in
 * the spec's order, recorded as evidence — observations only, no secrets. Judgement is in
 * src/diagnosis/rules/discovery.ts (pure).
 *
 * Requests: POST initialize without credentials, then with a forged bearer token; GET the protected
 * resource metadata (the URL from the challenge, then the path-suffixed and root well-known URLs);
 * GET the authorization server metadata (RFC 8414 / OIDC, path insertion then appending); optionally
 * POST a DCR registration; POST a bogus authorization code to the token endpoint. Redirects are never
 * followed.
 */
import { randomBytes } from 'node:crypto';
import { createHttpEdge, type HttpEdge, type HttpRequest } from '../http/edge.js';
import { collected, failed, type Collected, type DiscoveryEvidence, type Io } from '../model/index.js';
import { redactUrl } from '../secrets.js';
import { exchangeOf } from './http.js';
import type { ServerTarget } from './target.js';
import { absoluteHttpUrl, metadataOk } from './urls.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** The JSON-RPC initialize a client sends first. */
export function initializeBody(protocolVersion: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'mcp-auth-doctor', version: '1' } } });
}

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } as const;

/** RFC 9728 §3.1 well-known URLs for a resource, in the 2025-11-25 client order. */
export function prmWellKnownUrls(resource: string): { form: string; url: string }[] {
  const u = new URL(resource);
  const out: { form: string; url: string }[] = [];
  const suffix = `${u.pathname === '/' ? '' : u.pathname}${u.search}`;
  if (suffix) out.push({ form: 'path-suffixed', url: `${u.origin}/.well-known/oauth-protected-resource${suffix}` });
  out.push({ form: 'root', url: `${u.origin}/.well-known/oauth-protected-resource` });
  return out;
}

/**
 * AS metadata URLs in the 2025-11-25 order. An issuer whose path is "/" (FastMCP's bare origin with its
 * trailing slash) has no path: `/.well-known/oauth-authorization-server`, not the slash form.
 */
export function asMetadataUrls(issuer: string): { form: string; url: string }[] {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/+$/, '');
  if (!path) {
    return [
      { form: 'rfc8414', url: `${u.origin}/.well-known/oauth-authorization-server` },
      { form: 'oidc', url: `${u.origin}/.well-known/openid-configuration` },
    ];
  }
  return [
    { form: 'rfc8414', url: `${u.origin}/.well-known/oauth-authorization-server${path}` },
    { form: 'oidc-insert', url: `${u.origin}/.well-known/openid-configuration${path}` },
    { form: 'oidc-append', url: `${u.origin}${path}/.well-known/openid-configuration` },
  ];
}

/** Redirect URI of the registration probe: loopback, nothing listens there. */
export const PROBE_REDIRECT_URI = 'http://127.0.0.1:9/callback';

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/**
 * A JWT shaped like the ones FastMCP issues (HS256; issuer, audience, a future expiry, a jti) whose
 * signature is random bytes: a server that verifies its tokens can only refuse it. Made up per run.
 */
export function forgedToken(serverUrl: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const part = (o: unknown) => base64url(Buffer.from(JSON.stringify(o)));
  const u = new URL(serverUrl);
  const claims = { iss: `${u.origin}/`, aud: serverUrl, sub: 'mcp-auth-doctor-forged-token', client_id: 'mcp-auth-doctor', scope: 'user', exp: nowSeconds + 3600, iat: nowSeconds, jti: base64url(randomBytes(24)) };
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.${base64url(randomBytes(32))}`;
}

export async function probeDiscovery(target: ServerTarget, io: Io = {}): Promise<Collected<DiscoveryEvidence>> {
  const http = createHttpEdge(target.http, io);
  const ev: DiscoveryEvidence = { serverUrl: target.url, spec: target.spec, exchanges: [] };
  if (target.probeRegistration) ev.probeRegistration = true;
  const interrupted = () => io.signal?.aborted === true;
  let unreachable: string | undefined;
  try {
    unreachable = await collect(http, ev, target, io);
  } finally {
    await http.close();
  }
  if (interrupted()) return collected(ev, 'interrupted');
  if (unreachable) return failed(unreachable, ev);
  return collected(ev);
}

/** Returns the reason when the MCP server itself cannot be reached (evidence error). */
async function collect(http: HttpEdge, ev: DiscoveryEvidence, target: ServerTarget, io: Io): Promise<string | undefined> {
  const xs = ev.exchanges!;
  const stop = () => io.signal?.aborted === true;
  const own = new URL(target.url).origin;
  const go = async (step: string, req: HttpRequest, form?: string) => {
    if (target.publicOrigin && target.publicOrigin !== own && req.url.startsWith(`${target.publicOrigin}/`)) req = { ...req, url: own + req.url.slice(target.publicOrigin.length) };
    io.progress?.update(`${req.method} ${redactUrl(req.url)}`);
    const ans = await http.send(req);
    const x = exchangeOf(step, req, ans, form);
    xs.push(x);
    return { ans, x };
  };

  // C1: unauthenticated initialize.
  const init = await go('initialize', { method: 'POST', url: ev.serverUrl, headers: { ...MCP_HEADERS }, body: initializeBody(target.spec) });
  if (init.ans.error) {
    if (init.ans.error.kind === 'tls' || init.ans.error.kind === 'aborted') return undefined;
    return `cannot reach ${redactUrl(ev.serverUrl)}: ${init.ans.error.message}`;
  }
  ev.challenges = parseWwwAuthenticate(init.ans.wwwAuthenticate);
  if (stop()) return undefined;

  // C10: a protected endpoint must refuse a token it did not sign (401 invalid_token).
  if (init.ans.status === 401) {
    const forged = await go('forged-token', { method: 'POST', url: ev.serverUrl, headers: { ...MCP_HEADERS, authorization: `Bearer ${forgedToken(ev.serverUrl)}` }, body: initializeBody(target.spec) });
    if (!forged.ans.error) ev.forgedTokenChallenges = parseWwwAuthenticate(forged.ans.wwwAuthenticate);
    if (stop()) return undefined;
  }

  // C2: protected resource metadata — the challenge's URL, then the well-known URLs.
  const bearer = ev.challenges.find((c) => c.scheme.toLowerCase() === 'bearer');
  const candidates: { form: string; url: string }[] = [];
  const rm = bearer?.params.resource_metadata;
  if (rm !== undefined) candidates.push({ form: 'header', url: rm });
  for (const c of prmWellKnownUrls(ev.serverUrl)) if (!candidates.some((x) => x.url === c.url)) candidates.push(c);
  for (const c of candidates) {
    if (stop()) return undefined;
    if (!absoluteHttpUrl(c.url)) {
      xs.push({ step: 'prm', form: c.form, method: 'GET', url: c.url, headers: {}, error: { kind: 'other', message: 'not an absolute http(s) URL' }, ms: 0 });
      continue;
    }
    const { x } = await go('prm', { method: 'GET', url: c.url, headers: { accept: 'application/json' } }, c.form);
    if (metadataOk(x)) {
      ev.prmUrl = c.url;
      ev.prmForm = c.form;
      ev.prm = x.json as Record<string, unknown>;
      break;
    }
  }
  const servers = ev.prm?.authorization_servers;
  const issuer = Array.isArray(servers) && typeof servers[0] === 'string' ? servers[0] : undefined;
  if (!issuer) return undefined;
  ev.issuer = issuer;
  if (!absoluteHttpUrl(issuer)) return undefined;

  // C4: authorization server metadata.
  for (const c of asMetadataUrls(issuer)) {
    if (stop()) return undefined;
    const { x } = await go('as-metadata', { method: 'GET', url: c.url, headers: { accept: 'application/json' } }, c.form);
    if (metadataOk(x)) {
      ev.asMetadataUrl = c.url;
      ev.asMetadataForm = c.form;
      ev.asMetadata = x.json as Record<string, unknown>;
      break;
    }
  }
  const meta = ev.asMetadata;
  if (!meta) return undefined;

  // C8: optional DCR probe (creates a registration, hence opt-in).
  let clientId: string | undefined;
  const regUrl = absoluteHttpUrl(meta.registration_endpoint) ? (meta.registration_endpoint as string) : undefined;
  if (target.probeRegistration && regUrl && !stop()) {
    const body: Record<string, unknown> = {
      redirect_uris: [PROBE_REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'mcp-auth-doctor check (registration probe)',
    };
    if (target.spec === '2026-07-28') body.application_type = 'native';
    const { x } = await go('registration', { method: 'POST', url: regUrl, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    const j = x.json as Record<string, unknown> | undefined;
    if (x.status !== undefined && x.status < 300 && typeof j?.client_id === 'string') clientId = j.client_id;
  }

  // C9: the token endpoint answers a bogus code with a JSON error.
  const tokenUrl = absoluteHttpUrl(meta.token_endpoint) ? (meta.token_endpoint as string) : undefined;
  if (tokenUrl && !stop()) {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: `mcp-auth-doctor-bogus-${randomBytes(8).toString('hex')}`,
      redirect_uri: PROBE_REDIRECT_URI,
      code_verifier: base64url(randomBytes(32)),
      resource: ev.serverUrl,
    });
    if (clientId) form.set('client_id', clientId);
    await go('token', { method: 'POST', url: tokenUrl, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() });
  }
  return undefined;
}

