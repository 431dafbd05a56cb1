/**
 * A real HTTP server on 127.0.0.1 playing an MCP resource server and its (co-hosted) authorization
 * server, the way FastMCP's OAuth proxy does — for `check` tests.
 *
 * Presets reproduce what real servers answered:
 *  - fastmcp-4.0.10: /work/shared/spec/fastmcp-4.0.10-discovery-observed.md (curl against a stock server),
 *    byte for byte for the 401, the PRM, the AS metadata, the 307 of the slash form, the token errors
 *    and the DCR answer.
 *  - fastmcp-3.4.7 and fastmcp-2.14.7: fixtures/real-fastmcp/<v>/a-healthy/*\/transcript.jsonl (the 401,
 *    PRM, AS metadata, DCR answer and token errors recorded there).
 * Where no capture exists the answer follows the mcp SDK source (token endpoint: "Missing client_id" /
 * "Invalid client_id" are 401 invalid_client; invalid_grant is 400 with SDK 1.26 = FastMCP 2.14.7 and 401
 * with SDK ≥1.29 = FastMCP 3.4.7/4.0.10), marked "modelled" below.
 *
 * Every broken variant is a switch; every request is recorded.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export type Preset = 'fastmcp-4.0.10' | 'fastmcp-3.4.7' | 'fastmcp-2.14.7';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type Origin = string; // "http://127.0.0.1:PORT"

export interface FakeMcpOptions {
  preset?: Preset;
  /** MCP mount path (default /mcp). */
  mcpPath?: string;

  // --- C1 -------------------------------------------------------------------------------------
  /** The unauthenticated 401's challenge: as the preset, none at all, Bearer without resource_metadata, or a raw header value. */
  challenge?: 'preset' | 'none' | 'no-resource-metadata' | { raw: string };
  /** Answer the unauthenticated POST with this status instead of 401 (no challenge). */
  mcpStatus?: number;
  /** Answer the unauthenticated POST with 307 to this location. */
  mcpRedirect?: (origin: Origin) => string;
  /** Override resource_metadata in the challenge. */
  prmHeaderUrl?: (origin: Origin) => string;

  // --- C2/C3 ----------------------------------------------------------------------------------
  /** Where the PRM is served (default: path-suffixed only, as FastMCP). A string is a literal path. */
  prmAt?: 'path-suffixed' | 'root' | 'both' | 'none' | { path: string };
  prmResource?: (origin: Origin) => unknown;
  authorizationServers?: (origin: Origin) => unknown;
  /** Answer every PRM URL with this status and body (e.g. 502 HTML, or 200 HTML from a catch-all route). */
  prmAnswer?: { status: number; contentType: string; body: string };

  // --- C4–C8 ----------------------------------------------------------------------------------
  /** Where AS metadata is served (default rfc8414, as FastMCP). */
  asMetadataAt?: 'rfc8414' | 'oidc' | 'none';
  asMetadataAnswer?: { status: number; contentType: string; body: string };
  /** Edit the AS metadata object (return the new one); keys set to undefined are dropped. */
  asMetadata?: (meta: Record<string, unknown>, origin: Origin) => Record<string, unknown>;

  // --- C8/C9 ----------------------------------------------------------------------------------
  token?: 'preset' | 'html-404' | 'server-error' | 'ok-200' | 'redirect' | 'json-no-content-type';
  register?: 'preset' | 'reject';

  // --- canary -----------------------------------------------------------------------------------
  /** Bearer tokens the MCP endpoint accepts. */
  acceptedTokens?: string[];
  /** Answer authenticated requests with this status (e.g. 500). */
  authedStatus?: number;
  /** Accept every bearer token, signed or not (a server that verifies nothing). */
  acceptAnyToken?: boolean;
  /** The challenge to a bad bearer: as the preset, or a raw header value. */
  invalidTokenChallenge?: { raw: string };

  /** Paths that never answer (timeouts). */
  hang?: string[];

  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

export interface FakeMcpServer {
  /** The MCP URL, e.g. http://127.0.0.1:PORT/mcp */
  url: string;
  origin: Origin;
  requests: RecordedRequest[];
  /** Client ids registered through DCR. */
  registered: string[];
  /** MCP sessions opened and not deleted. */
  openSessions: Set<string>;
  close(): Promise<void>;
}

const AUTH_FAILED =
  'Authentication failed. The provided bearer token is invalid, expired, or no longer recognized by the server. To resolve: clear authentication tokens in your MCP client and reconnect. Your client should automatically re-register and obtain new tokens.';

/** AS metadata exactly as each version serialised it (key order included). */
function presetAsMetadata(preset: Preset, o: Origin): string {
  switch (preset) {
    case 'fastmcp-4.0.10':
      return `{"issuer":"${o}/","authorization_endpoint":"${o}/authorize","token_endpoint":"${o}/token","registration_endpoint":"${o}/register","scopes_supported":["user"],"response_types_supported":["code"],"grant_types_supported":["authorization_code","refresh_token"],"token_endpoint_auth_methods_supported":["none","private_key_jwt"],"code_challenge_methods_supported":["S256"],"client_id_metadata_document_supported":true,"authorization_response_iss_parameter_supported":true}`;
    case 'fastmcp-3.4.7':
      return `{"issuer":"${o}/","authorization_endpoint":"${o}/authorize","token_endpoint":"${o}/token","registration_endpoint":"${o}/register","scopes_supported":["user"],"response_types_supported":["code"],"grant_types_supported":["authorization_code","refresh_token"],"token_endpoint_auth_methods_supported":["client_secret_post","client_secret_basic","private_key_jwt","none"],"code_challenge_methods_supported":["S256"],"client_id_metadata_document_supported":true}`;
    case 'fastmcp-2.14.7':
      return `{"issuer":"${o}/","authorization_endpoint":"${o}/authorize","token_endpoint":"${o}/token","registration_endpoint":"${o}/register","scopes_supported":["user"],"response_types_supported":["code"],"grant_types_supported":["authorization_code","refresh_token"],"token_endpoint_auth_methods_supported":["client_secret_post","client_secret_basic"],"code_challenge_methods_supported":["S256"]}`;
  }
}

function presetChallenge(preset: Preset, prmUrl: string): string {
  switch (preset) {
    case 'fastmcp-4.0.10':
      return `Bearer scope="user", resource_metadata="${prmUrl}"`;
    case 'fastmcp-3.4.7':
      return `Bearer resource_metadata="${prmUrl}"`;
    case 'fastmcp-2.14.7':
      return `Bearer error="invalid_token", error_description="${AUTH_FAILED}", resource_metadata="${prmUrl}"`;
  }
}

/** The challenge for a bad bearer (all versions send error="invalid_token"; 4.0.10 adds scope — parameter order modelled). */
function invalidTokenChallenge(preset: Preset, prmUrl: string): string {
  const scope = preset === 'fastmcp-4.0.10' ? ', scope="user"' : '';
  return `Bearer error="invalid_token", error_description="${AUTH_FAILED}"${scope}, resource_metadata="${prmUrl}"`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeMcpServer(opts: FakeMcpOptions = {}): Promise<FakeMcpServer> {
  const preset = opts.preset ?? 'fastmcp-4.0.10';
  const mcpPath = opts.mcpPath ?? '/mcp';
  const requests: RecordedRequest[] = [];
  const registered: string[] = [];
  const openSessions = new Set<string>();
  let origin = '';
  const uvicorn = preset === 'fastmcp-4.0.10' ? { date: new Date().toUTCString(), server: 'uvicorn' } : {};

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body = '') => {
    res.writeHead(status, { ...uvicorn, ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}) => send(res, status, { 'content-type': 'application/json', ...extra }, body);
  const notFound = (res: ServerResponse) => send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found');

  const prmPathSuffixed = `/.well-known/oauth-protected-resource${mcpPath}`;
  const prmRoot = '/.well-known/oauth-protected-resource';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    requests.push({ method: req.method ?? '', path: `${path}${url.search}`, headers: req.headers, body });
    if (opts.hang?.includes(path)) return; // never answer

    const prmUrl = opts.prmHeaderUrl ? opts.prmHeaderUrl(origin) : `${origin}${prmPathSuffixed}`;

    // --- the MCP endpoint ----------------------------------------------------------------------
    if (path === mcpPath) {
      const auth = req.headers.authorization;
      if (auth) {
        const token = auth.replace(/^Bearer\s+/i, '');
        if (opts.authedStatus) return json(res, opts.authedStatus, '{"error":"server_error"}');
        if (!opts.acceptAnyToken && !(opts.acceptedTokens ?? []).includes(token)) {
          return json(res, 401, JSON.stringify({ error: 'invalid_token', error_description: AUTH_FAILED }).replace(/":"/g, '": "').replace(/","/g, '", "'), {
            'www-authenticate': opts.invalidTokenChallenge?.raw ?? invalidTokenChallenge(preset, prmUrl),
          });
        }
        if (req.method === 'DELETE') {
          const sid = String(req.headers['mcp-session-id'] ?? '');
          if (!openSessions.delete(sid)) return json(res, 404, '{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Session not found"}}');
          return send(res, 200, { 'content-type': 'application/json', 'mcp-session-id': sid });
        }
        let requested = '2025-06-18';
        try {
          requested = (JSON.parse(body) as { params?: { protocolVersion?: string } }).params?.protocolVersion ?? requested;
        } catch {
          // keep the default
        }
        const sid = randomUUID().replace(/-/g, '');
        openSessions.add(sid);
        const version = preset.replace('fastmcp-', '');
        const result = { jsonrpc: '2.0', id: 1, result: { protocolVersion: requested, capabilities: { tools: { listChanged: true } }, serverInfo: { name: 'Fake GitHub-protected server', version } } };
        return send(res, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'mcp-session-id': sid }, `event: message\r\ndata: ${JSON.stringify(result)}\r\n\r\n`);
      }
      if (opts.mcpRedirect) return send(res, 307, { location: opts.mcpRedirect(origin) });
      if (opts.mcpStatus) {
        return opts.mcpStatus === 200
          ? send(res, 200, { 'content-type': 'text/event-stream', 'mcp-session-id': 'x' }, 'event: message\r\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\r\n\r\n')
          : send(res, opts.mcpStatus, { 'content-type': 'text/html' }, `<html><body><h1>${opts.mcpStatus}</h1></body></html>`);
      }
      const c = opts.challenge ?? 'preset';
      const headers: Record<string, string> = {};
      if (c === 'preset') headers['www-authenticate'] = presetChallenge(preset, prmUrl);
      else if (c === 'no-resource-metadata') headers['www-authenticate'] = 'Bearer realm="mcp"';
      else if (typeof c === 'object') headers['www-authenticate'] = c.raw;
      if (preset === 'fastmcp-2.14.7') {
        return json(res, 401, JSON.stringify({ error: 'invalid_token', error_description: AUTH_FAILED }).replace(/":"/g, '": "').replace(/","/g, '", "'), headers);
      }
      return send(res, 401, headers);
    }
    if (path === `${mcpPath}/` && mcpPath !== '/') return send(res, 307, { location: `${origin}${mcpPath}` }); // Starlette's slash redirect

    // --- protected resource metadata -------------------------------------------------------------
    const at = opts.prmAt ?? 'path-suffixed';
    const servesPrm =
      (typeof at === 'object' && path === at.path) ||
      (path === prmPathSuffixed && (at === 'path-suffixed' || at === 'both')) ||
      (path === prmRoot && (at === 'root' || at === 'both'));
    if (path === prmPathSuffixed || path === prmRoot || servesPrm) {
      if (opts.prmAnswer) return send(res, opts.prmAnswer.status, { 'content-type': opts.prmAnswer.contentType }, opts.prmAnswer.body);
      if (!servesPrm) return notFound(res);
      const doc = {
        resource: opts.prmResource ? opts.prmResource(origin) : `${origin}${mcpPath}`,
        authorization_servers: opts.authorizationServers ? opts.authorizationServers(origin) : [`${origin}/`],
        scopes_supported: ['user'],
        bearer_methods_supported: ['header'],
      };
      return json(res, 200, JSON.stringify(doc), { 'cache-control': 'public, max-age=3600', vary: 'Origin' });
    }

    // --- authorization server metadata -----------------------------------------------------------
    const asAt = opts.asMetadataAt ?? 'rfc8414';
    if (path === '/.well-known/oauth-authorization-server/') return send(res, 307, { location: `${origin}/.well-known/oauth-authorization-server` });
    if (path === '/.well-known/oauth-authorization-server' || path === '/.well-known/openid-configuration') {
      if (opts.asMetadataAnswer) return send(res, opts.asMetadataAnswer.status, { 'content-type': opts.asMetadataAnswer.contentType }, opts.asMetadataAnswer.body);
      const serves = (asAt === 'rfc8414' && path.endsWith('oauth-authorization-server')) || (asAt === 'oidc' && path.endsWith('openid-configuration'));
      if (!serves) return notFound(res);
      let text = presetAsMetadata(preset, origin);
      if (opts.asMetadata) {
        const edited = opts.asMetadata(JSON.parse(text) as Record<string, unknown>, origin);
        text = JSON.stringify(edited);
      }
      return json(res, 200, text, { 'cache-control': 'public, max-age=3600', vary: 'Origin' });
    }

    // --- registration ----------------------------------------------------------------------------
    if (path === '/register' && req.method === 'POST') {
      if (opts.register === 'reject') return json(res, 400, '{"error":"invalid_redirect_uri","error_description":"Redirect URI not allowed"}');
      const m = JSON.parse(body) as Record<string, unknown>;
      const clientId = randomUUID();
      registered.push(clientId);
      const issuedAt = Math.floor(Date.now() / 1000);
      let doc: Record<string, unknown>;
      if (preset === 'fastmcp-4.0.10') {
        doc = { response_types: m.response_types, scope: 'user', client_name: m.client_name, redirect_uris: m.redirect_uris, token_endpoint_auth_method: m.token_endpoint_auth_method, grant_types: m.grant_types };
        if (m.application_type !== undefined) doc.application_type = m.application_type;
      } else {
        doc = { redirect_uris: m.redirect_uris, token_endpoint_auth_method: m.token_endpoint_auth_method, grant_types: m.grant_types, response_types: m.response_types };
        if (preset === 'fastmcp-3.4.7') doc.scope = 'user';
        doc.client_name = m.client_name;
      }
      doc.client_id = clientId;
      doc.client_id_issued_at = issuedAt;
      return json(res, 201, JSON.stringify(doc));
    }

    // --- token endpoint ----------------------------------------------------------------------------
    if (path === '/token' && req.method === 'POST') {
      switch (opts.token ?? 'preset') {
        case 'html-404':
          return send(res, 404, { 'content-type': 'text/html' }, '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>');
        case 'server-error':
          return send(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'Internal Server Error');
        case 'ok-200':
          return json(res, 200, '{"error":"invalid_grant","error_description":"authorization code does not exist"}');
        case 'redirect':
          return send(res, 302, { location: `${origin}/login` });
        case 'json-no-content-type':
          return send(res, 400, { 'content-type': 'text/plain' }, '{"error":"invalid_grant"}');
        case 'preset':
          break;
      }
      const form = new URLSearchParams(body);
      const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
      const clientId = form.get('client_id');
      if (!clientId) return json(res, 401, '{"error":"invalid_client","error_description":"Missing client_id"}', noStore);
      if (!registered.includes(clientId)) return json(res, 401, '{"error":"invalid_client","error_description":"Invalid client_id"}', noStore);
      return json(res, preset === 'fastmcp-2.14.7' ? 400 : 401, '{"error":"invalid_grant","error_description":"authorization code does not exist"}', noStore);
    }

    // Starlette's redirect_slashes: a known route asked for with a trailing slash answers 307.
    if (path.length > 1 && path.endsWith('/')) {
      const bare = path.replace(/\/+$/, '');
      if ([mcpPath, prmPathSuffixed, prmRoot, '/token', '/register', '/authorize'].includes(bare)) return send(res, 307, { location: `${origin}${bare}` });
    }
    return notFound(res);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain' }, 'fake server error');
    });
  };
  const server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : createServer(listener);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: `${origin}${mcpPath}`,
    origin,
    requests,
    registered,
    openSessions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A self-signed certificate for 127.0.0.1 (openssl), written to a temporary directory. */
export function selfSignedCert(): { key: string; cert: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-mcp-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
