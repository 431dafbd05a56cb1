/**
 * Finding codes of the discovery tier (outside-in `check`, checks C1–C11 of mcp-authorization.md) and
 * of the canary request. Owned by src/server/*. Severities here are defaults; the rules set the
 * severity the chosen spec revision gives (e.g. PKCE S256: error from 2025-11-25, warning before).
 */
import type { CatalogueEntry } from './catalogue.js';

const d = (e: Omit<CatalogueEntry, 'tier'>): CatalogueEntry => ({ ...e, tier: 'discovery' });

export const DISCOVERY_CATALOGUE: CatalogueEntry[] = [
  // --- reaching the server -------------------------------------------------------------------
  d({
    code: 'DISCOVERY_SERVER_UNREACHABLE',
    severity: 'warning',
    title: 'The MCP server could not be reached: nothing was checked',
    fix: 'Check the --server URL (scheme, host, port, path), DNS, and that the deployment is up and reachable from where the check runs (firewall, VPN, HTTPS_PROXY/NO_PROXY); raise --http-timeout for a slow cold start. The check is inconclusive (exit 3), not failed.',
    seenIn: 'post-deploy gates run before the new revision receives traffic',
  }),
  d({
    code: 'DISCOVERY_TLS_INVALID',
    severity: 'error',
    title: "The server's TLS certificate is not accepted",
    fix: 'Clients refuse the connection just as the doctor did. Serve a certificate valid for this host name (full chain, not expired). For a private CA, give the check the CA with NODE_EXTRA_CA_CERTS.',
    seenIn: 'mcp-authorization.md §1 (AS endpoints over HTTPS)',
  }),
  d({
    code: 'DISCOVERY_ENDPOINT_UNREACHABLE',
    severity: 'error',
    title: 'A discovery endpoint did not answer (timeout or connection failure)',
    fix: 'The MCP URL answered, but this metadata or OAuth endpoint did not: it is on another host or port that is down or not routed (reverse-proxy rule, ingress path), or it hangs. Make it reachable at the URL the metadata advertises.',
    seenIn: 'anthropics/claude-code#80731 (AS on another host) (failure catalogue #50)',
  }),

  // --- C1: the unauthenticated request ----------------------------------------------------------
  d({
    code: 'DISCOVERY_NOT_PROTECTED',
    severity: 'error',
    title: 'The MCP endpoint answers a request without credentials with 2xx',
    fix: 'Authentication is off for this URL: the server was started without its auth provider (e.g. FastMCP without auth=GitHubProvider(...)), or a proxy serves another app here. Deploy with the auth provider configured.',
    seenIn: 'mcp-authorization.md C1',
  }),
  d({
    code: 'DISCOVERY_WRONG_STATUS',
    severity: 'error',
    title: 'The MCP endpoint does not answer 401 to a request without credentials',
    fix: 'MCP clients start OAuth only on 401. 404 means nothing is mounted at this path (check the MCP path / the proxy route); 405 means the path does not take POST (an SSE-only or static route); 403 usually comes from a WAF or a proxy auth layer in front. Make the MCP URL answer 401 with a Bearer challenge.',
    seenIn: 'mcp-authorization.md C1; modelcontextprotocol/inspector#1802 (#52)',
  }),
  d({
    code: 'DISCOVERY_MCP_REDIRECT',
    severity: 'error',
    title: 'The MCP URL redirects',
    fix: 'Clients POST to the URL they are configured with; a redirect (often /mcp ↔ /mcp/, or http → https) loses the request body or the Authorization header in many clients and changes the resource URL. Configure clients with the final URL exactly, or serve the MCP endpoint at the configured URL without a redirect.',
    seenIn: 'mcp-authorization.md C1 (no redirect between /mcp and /mcp/)',
  }),
  d({
    code: 'DISCOVERY_SERVER_ERROR',
    severity: 'error',
    title: 'A discovery URL answers 5xx (outage, not absence)',
    fix: 'The server or a proxy in front of it fails (5xx) instead of serving the endpoint: look at the server logs and the proxy/upstream health for this URL. Clients treat this as "cannot discover OAuth".',
    seenIn: 'mcp-authorization.md C4 (report 4xx and 5xx separately)',
  }),
  d({
    code: 'DISCOVERY_CHALLENGE_MISSING',
    severity: 'error',
    title: 'The 401 has no WWW-Authenticate: Bearer challenge',
    fix: 'Send `WWW-Authenticate: Bearer resource_metadata="<PRM URL>"` with every 401 (mandatory in 2025-06-18). If the server sends it, a proxy in front strips it: let the header through.',
    seenIn: 'failure catalogue ranked mode 7 (missing or stripped WWW-Authenticate)',
  }),
  d({
    code: 'DISCOVERY_CHALLENGE_NO_RESOURCE_METADATA',
    severity: 'error',
    title: 'The Bearer challenge has no resource_metadata parameter',
    fix: 'Add resource_metadata="<absolute URL of the protected resource metadata>" to the Bearer challenge so clients find the metadata without guessing well-known URLs (mandatory in 2025-06-18; from 2025-11-25 clients fall back to the well-known URIs).',
    seenIn: 'RFC 9728 §5.1; mcp-authorization.md C1',
  }),
  d({
    code: 'DISCOVERY_CHALLENGE_NO_SCOPE',
    severity: 'warning',
    title: 'The Bearer challenge does not name the scope to request',
    fix: 'From 2025-11-25 servers SHOULD send scope="…" in the 401 challenge; without it clients request every scope in the PRM scopes_supported. FastMCP 4.0.10 sends it; 2.14.7 and 3.4.7 do not (upgrade, or keep scopes_supported minimal).',
    seenIn: 'observed: FastMCP 2.14.7 and 3.4.7 send no scope, 4.0.10 does; anthropics/claude-code#55954 (#54)',
  }),
  d({
    code: 'DISCOVERY_CHALLENGE_ERROR_PARAM',
    severity: 'info',
    title: 'The challenge to a request without credentials carries an error code',
    fix: 'RFC 6750 §3.1 says a request with no credentials SHOULD NOT get an error code (clients may read invalid_token as "my token is bad"). Harmless for MCP clients; FastMCP 3.4.3+ no longer sends it.',
    seenIn: 'observed: FastMCP 2.14.7 (error="invalid_token" on the unauthenticated 401)',
  }),

  // --- C2/C3: protected resource metadata -------------------------------------------------------
  d({
    code: 'DISCOVERY_PRM_NOT_FOUND',
    severity: 'error',
    title: 'No protected resource metadata (RFC 9728) at any discovery URL',
    fix: 'Serve the metadata at the URL the challenge names and at /.well-known/oauth-protected-resource/<mcp path> (FastMCP does this itself; behind a proxy, route /.well-known/* to the MCP server, not to a website).',
    seenIn: 'failure catalogue ranked mode 7 (PRM at the wrong path); modelcontextprotocol/inspector#2296 (#51)',
  }),
  d({
    code: 'DISCOVERY_PRM_HEADER_URL_BROKEN',
    severity: 'error',
    title: 'The resource_metadata URL from the challenge does not work, although a well-known URL does',
    fix: 'Clients that follow the header (every 2025-11-25+ client) stop at this URL. Fix the advertised URL: its host/scheme usually comes from base_url (or resource_base_url) and is wrong behind a proxy or after a path change.',
    seenIn: 'mcp-authorization.md C2',
  }),
  d({
    code: 'DISCOVERY_PRM_INVALID',
    severity: 'error',
    title: 'The protected resource metadata is not a JSON object with a resource',
    fix: 'The discovery URL answers 200 but not with the metadata document (often an HTML page from a catch-all frontend route). Route /.well-known/oauth-protected-resource* to the MCP server.',
    seenIn: 'RFC 9728 §3.2',
  }),
  d({
    code: 'DISCOVERY_PRM_RESOURCE_MISMATCH',
    severity: 'error',
    title: 'The metadata resource is not the URL clients are configured with',
    fix: 'Clients send the URL they are configured with as `resource`; the server compares it with its own resource URL (FastMCP: exact on 2.14.x, trailing slash and query stripped on 3.0+) and puts its own in the token audience. Configure clients with the metadata `resource` exactly, or fix base_url / the MCP path so that it matches the public URL (behind a TLS proxy, base_url must be the https URL).',
    seenIn: 'anthropics/claude-code#52871, getsentry/sentry-mcp#1247, sigbit/mcp-auth-proxy#123 (#47–#49); fastmcp#2763 (#20)',
  }),
  d({
    code: 'DISCOVERY_PRM_NO_AUTHORIZATION_SERVERS',
    severity: 'error',
    title: 'The protected resource metadata lists no authorization server',
    fix: 'authorization_servers must name at least one issuer URL; without it clients cannot start OAuth. Check the auth provider configuration (base_url / issuer_url).',
    seenIn: 'RFC 9728 §2; anthropics/claude-code#80731 (#50)',
  }),

  // --- C4–C8: authorization server metadata ---------------------------------------------------
  d({
    code: 'DISCOVERY_AS_METADATA_NOT_FOUND',
    severity: 'error',
    title: 'No authorization server metadata at any discovery URL',
    fix: 'Serve RFC 8414 metadata at /.well-known/oauth-authorization-server (with the issuer path inserted after it when the issuer has a path) or OpenID discovery; behind a proxy, route /.well-known/* to the authorization server.',
    seenIn: 'modelcontextprotocol/inspector#2296, #563, #1095 (#51)',
  }),
  d({
    code: 'DISCOVERY_AS_METADATA_INVALID',
    severity: 'error',
    title: 'The authorization server metadata is not a JSON object',
    fix: 'The metadata URL answers 200 with something else (often an HTML page from a catch-all route). Route it to the authorization server.',
    seenIn: 'RFC 8414 §3.2',
  }),
  d({
    code: 'DISCOVERY_AS_METADATA_OIDC_ONLY',
    severity: 'warning',
    title: 'Only OpenID discovery works; RFC 8414 metadata is missing',
    fix: '2025-06-18 clients look only at /.well-known/oauth-authorization-server. Serve RFC 8414 metadata too if such clients must connect.',
    seenIn: 'mcp-authorization.md §1 (AS metadata row)',
  }),
  d({
    code: 'DISCOVERY_AS_ISSUER_MISMATCH',
    severity: 'error',
    title: 'The metadata issuer differs from the authorization server URL in the resource metadata',
    fix: 'RFC 8414 §3.3: clients compare the two strings exactly and stop on a difference (FastMCP\'s bare-origin issuer carries a trailing slash on both sides). The issuer_url/base_url differs between the resource and the authorization server, or between replicas: make them the same.',
    seenIn: 'mcp-authorization.md C5; fastmcp 4.0.0b1 (iss = issuer_url)',
  }),
  d({
    code: 'DISCOVERY_ENDPOINT_NOT_ABSOLUTE',
    severity: 'error',
    title: 'An OAuth endpoint is missing or not an absolute URL',
    fix: 'authorization_endpoint and token_endpoint (and registration_endpoint when offered) must be absolute http(s) URLs; relative or missing values break every client. Fix base_url of the auth provider.',
    seenIn: 'RFC 8414 §2; mcp-authorization.md C6',
  }),
  d({
    code: 'DISCOVERY_INSECURE_ENDPOINT',
    severity: 'error',
    title: 'An authorization URL uses http:// on a non-loopback host',
    fix: 'OAuth endpoints, the resource and its metadata must be HTTPS except on loopback. Behind a TLS-terminating proxy, set base_url to the public https:// URL (FastMCP builds every advertised URL from it).',
    seenIn: 'mcp-authorization.md §1 and C3 (http vs https behind a proxy)',
  }),
  d({
    code: 'DISCOVERY_PKCE_S256_MISSING',
    severity: 'error',
    title: 'The metadata does not advertise PKCE S256',
    fix: 'Advertise code_challenge_methods_supported: ["S256"] (and support it). From 2025-11-25 conforming clients refuse to proceed without it; under 2025-06-18 clients must still use PKCE.',
    seenIn: 'mcp-authorization.md C7',
  }),
  d({
    code: 'DISCOVERY_NO_REGISTRATION_METHOD',
    severity: 'warning',
    title: 'Neither dynamic client registration nor client ID metadata documents are advertised',
    fix: 'Without registration_endpoint (DCR) or client_id_metadata_document_supported (CIMD) clients need a pre-registered client id. For an OAuth proxy serving arbitrary MCP clients, enable one of them.',
    seenIn: 'mcp-authorization.md C8',
  }),
  d({
    code: 'DISCOVERY_NO_CIMD',
    severity: 'info',
    title: 'Only dynamic client registration is offered (no client ID metadata documents)',
    fix: 'From 2025-11-25 clients prefer CIMD, and 2026-07-28 deprecates DCR (kept for compatibility). FastMCP 3.4.7 and 4.0.10 advertise CIMD, 2.14.7 does not; upgrade when clients start to require it.',
    seenIn: 'observed: FastMCP 2.14.7 advertises no CIMD',
  }),
  d({
    code: 'DISCOVERY_PUBLIC_CLIENTS_NOT_ADVERTISED',
    severity: 'info',
    title: 'The token endpoint does not advertise public clients (auth method "none")',
    fix: 'MCP clients register as public clients (token_endpoint_auth_method "none"). A strict client may refuse when the metadata lists only client_secret_* methods. FastMCP 2.14.7 registers such clients anyway; 3.4.7 and 4.0.10 advertise "none".',
    seenIn: 'observed: FastMCP 2.14.7 advertises client_secret_post/basic only, registers with none',
  }),
  d({
    code: 'DISCOVERY_NO_REFRESH_GRANT',
    severity: 'warning',
    title: 'The metadata does not advertise the refresh_token grant',
    fix: 'Clients may not try to refresh when grant_types_supported lacks refresh_token (the RFC 8414 default is authorization_code and implicit): users re-authenticate whenever the access token expires. Advertise it if the server issues refresh tokens.',
    seenIn: 'mcp-authorization.md C6',
  }),
  d({
    code: 'DISCOVERY_ISS_NOT_ADVERTISED',
    severity: 'info',
    title: 'RFC 9207 iss in the authorization response is not advertised',
    fix: '2026-07-28 says the AS SHOULD send iss and advertise authorization_response_iss_parameter_supported (mix-up defence). FastMCP 4.0.10 does; 2.14.7 and 3.4.7 do not.',
    seenIn: 'observed: FastMCP 2.14.7 and 3.4.7 do not, 4.0.10 does',
  }),

  // --- C8/C9: live endpoint probes -------------------------------------------------------------
  d({
    code: 'DISCOVERY_REGISTRATION_FAILED',
    severity: 'error',
    title: 'Dynamic client registration of a loopback native client failed',
    fix: 'The registration endpoint must answer 201 JSON with a client_id for a public client with a loopback redirect URI. Check the redirect-URI allow-list (FastMCP allowed_client_redirect_uris), the client storage (writable, shared), and the server log for the rejection.',
    seenIn: 'fastmcp#1564, fastmcp#3746 (#2, #3)',
  }),
  d({
    code: 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON',
    severity: 'error',
    title: 'The token endpoint does not answer a bad request with a JSON OAuth error',
    fix: 'Clients parse token errors as JSON ({"error": …}); an HTML page (proxy error page, login page, catch-all route) or a redirect makes them fail without a reason. Route /token to the authorization server and let its JSON errors through.',
    seenIn: 'mcp-authorization.md C9',
  }),
  d({
    code: 'DISCOVERY_TOKEN_ENDPOINT_SERVER_ERROR',
    severity: 'error',
    title: 'The token endpoint answers a bad request with 5xx',
    fix: 'A bogus authorization code must get a 4xx JSON error; a 5xx means the token endpoint crashes (storage unreachable or undecryptable, missing configuration). Look at the server log for the traceback.',
    seenIn: 'mcp-authorization.md C9; fastmcp-oauth-proxy.md §6 (2.x answers 500 on undecryptable entries)',
  }),
  d({
    code: 'DISCOVERY_TOKEN_ENDPOINT_ACCEPTED_BOGUS_CODE',
    severity: 'error',
    title: 'The token endpoint answers a bogus authorization code with 2xx',
    fix: 'A made-up code must be refused with a 4xx error. 200 with an error body breaks clients\' error handling; 200 with tokens would be a security hole. Check what answers at this URL.',
    seenIn: 'mcp-authorization.md C9',
  }),

  // --- canary ---------------------------------------------------------------------------------
  d({
    code: 'DISCOVERY_CANARY_REJECTED',
    severity: 'error',
    title: 'The canary token is rejected by the MCP endpoint (401)',
    fix: 'A token that worked before the deploy no longer does: the JWT key, issuer/audience, the store or the upstream token changed. Run the inside-out checks (give the key material and the store) or `mcp-auth-doctor diagnose` on the token to see which tier rejects it.',
    seenIn: 'fastmcp#4117, fastmcp#4850 (#14, #23)',
  }),
  d({
    code: 'DISCOVERY_CANARY_ERROR',
    severity: 'error',
    title: 'The canary request did not get a usable answer',
    fix: 'An authenticated initialize must answer 200 (accepted) or 401 (rejected). Anything else (403, 404, 5xx, timeout) is a server or proxy fault: look at the status and the server log.',
    seenIn: 'mcp-authorization.md §3 (inside-out canary)',
  }),
];
