/**
 * probeDiscovery against real HTTP servers on 127.0.0.1 (test/support/fake-mcp-server.ts):
 * the presets of real FastMCP versions and every broken variant.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscoveryAssessment, DiscoveryEvidence } from '../../src/model/index.js';
import { assessSurface, discoveryRules } from '../../src/diagnosis/rules/discovery.js';
import { probeDiscovery } from '../../src/server/discovery.js';
import { closedPort, startFakeMcpServer, type FakeMcpOptions, type FakeMcpServer } from '../support/fake-mcp-server.js';
import { serverTarget } from '../support/targets.js';

let server: FakeMcpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function probe(opts: FakeMcpOptions, o: Parameters<typeof serverTarget>[1] & { url?: (s: FakeMcpServer) => string } = {}) {
  server = await startFakeMcpServer(opts);
  const url = o.url ? o.url(server) : server.url;
  const c = await probeDiscovery(serverTarget(url, o));
  expect(c.status).toBe('collected');
  // The probe records observations; the discovery rules judge them (checks, first failure).
  const observed = (c as { value: DiscoveryEvidence }).value;
  const d: DiscoveryEvidence & DiscoveryAssessment = { ...observed, ...assessSurface(observed) };
  const findings = discoveryRules({ command: 'check', now: 0, settings: { mcpPath: '/mcp', requiredScopes: [], candidateCount: 0, githubApiUrl: '' }, discovery: c });
  const status = Object.fromEntries(d.checks.map((x) => [x.id, x.status]));
  return { d, findings, codes: findings.map((f) => `${f.severity}:${f.code}`), status };
}

describe('C10: a forged bearer token', () => {
  it('is sent as an HS256 JWT with this server as issuer and audience and a random signature; FastMCP refuses it (pass)', async () => {
    const { d, status } = await probe({ preset: 'fastmcp-4.0.10' });
    const sent = server!.requests[1]!;
    expect(sent.method).toBe('POST');
    const [h, p, sig] = String(sent.headers.authorization).replace(/^Bearer /, '').split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(p!, 'base64url').toString())).toMatchObject({ iss: `${server!.origin}/`, aud: server!.url });
    expect(Buffer.from(sig!, 'base64url')).toHaveLength(32);
    expect(status['forged-token']).toBe('pass');
    expect(d.checks.find((c) => c.id === 'forged-token')!.ref).toBe('C10');
  });

  it('a server that accepts it fails the check (error)', async () => {
    const { codes, d } = await probe({ preset: 'fastmcp-4.0.10', acceptAnyToken: true });
    expect(codes).toEqual(['error:DISCOVERY_FORGED_TOKEN_ACCEPTED']);
    expect(d.firstFailure).toBe('forged-token');
  });

  it('a 500 instead of 401 is a warning; so is a 401 without error="invalid_token"', async () => {
    expect((await probe({ preset: 'fastmcp-4.0.10', authedStatus: 500 })).codes).toEqual(['warning:DISCOVERY_FORGED_TOKEN_WRONG_STATUS']);
    await server?.close();
    const r = await probe({ preset: 'fastmcp-4.0.10', invalidTokenChallenge: { raw: 'Bearer resource_metadata="x"' } });
    expect(r.codes).toEqual(['warning:DISCOVERY_FORGED_TOKEN_NO_INVALID_TOKEN']);
  });

  it('is not sent when the endpoint does not answer 401 without credentials', async () => {
    const { status } = await probe({ preset: 'fastmcp-4.0.10', mcpStatus: 404 });
    expect(status['forged-token']).toBe('skipped');
    expect(server!.requests.filter((r) => r.headers.authorization)).toEqual([]);
  });
});

describe('presets of real FastMCP servers', () => {
  it('stock FastMCP 4.0.10 (observed discovery surface) is healthy: every check passes, no finding', async () => {
    const { d, findings, status } = await probe({ preset: 'fastmcp-4.0.10' });
    expect(findings).toEqual([]);
    expect(Object.values(status).every((s) => s === 'pass' || s === 'skipped')).toBe(true);
    expect(status['dcr-probe']).toBe('skipped');
    // Only the path-suffixed PRM URL exists; the challenge names it, so nothing else is tried.
    expect(d.prmForm).toBe('header');
    expect(d.prmUrl).toBe(`${server!.origin}/.well-known/oauth-protected-resource/mcp`);
    // Issuer "http://127.0.0.1:PORT/" has no path: the RFC 8414 URL without a trailing slash.
    expect(d.issuer).toBe(`${server!.origin}/`);
    expect(d.asMetadataUrl).toBe(`${server!.origin}/.well-known/oauth-authorization-server`);
    expect(server!.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /mcp',
      'POST /mcp',
      'GET /.well-known/oauth-protected-resource/mcp',
      'GET /.well-known/oauth-authorization-server',
      'POST /token',
    ]);
    // The bogus code is answered 401 invalid_client (observed), which passes.
    const tok = d.checks.find((c) => c.id === 'token-endpoint')!;
    expect(tok.detail).toContain('401');
    expect(tok.detail).toContain('invalid_client');
  });

  it('FastMCP 3.4.7 (transcript) is healthy with a warning for the missing scope and info on RFC 9207', async () => {
    const { codes } = await probe({ preset: 'fastmcp-3.4.7' });
    expect(codes).toEqual(['warning:DISCOVERY_CHALLENGE_NO_SCOPE', 'info:DISCOVERY_ISS_NOT_ADVERTISED']);
  });

  it('FastMCP 2.14.7 (transcript) is healthy with info on error=, no CIMD, no "none" auth method', async () => {
    const { codes } = await probe({ preset: 'fastmcp-2.14.7' });
    expect(codes).toEqual([
      'warning:DISCOVERY_CHALLENGE_NO_SCOPE',
      'info:DISCOVERY_CHALLENGE_ERROR_PARAM',
      'info:DISCOVERY_NO_CIMD',
      'info:DISCOVERY_PUBLIC_CLIENTS_NOT_ADVERTISED',
      'info:DISCOVERY_ISS_NOT_ADVERTISED',
    ]);
  });

  it('FastMCP 2.14.7 under 2025-06-18: scope, CIMD and iss are not asked for', async () => {
    const { codes } = await probe({ preset: 'fastmcp-2.14.7' }, { spec: '2025-06-18' });
    expect(codes).toEqual(['info:DISCOVERY_CHALLENGE_ERROR_PARAM', 'info:DISCOVERY_PUBLIC_CLIENTS_NOT_ADVERTISED']);
  });

  it('--probe-registration registers a loopback native client, then uses it for the token probe (invalid_grant)', async () => {
    const { d, codes } = await probe({ preset: 'fastmcp-4.0.10' }, { probeRegistration: true });
    expect(codes).toEqual([]);
    expect(server!.registered).toHaveLength(1);
    const reg = JSON.parse(server!.requests.find((r) => r.path === '/register')!.body) as Record<string, unknown>;
    expect(reg).toMatchObject({ redirect_uris: ['http://127.0.0.1:9/callback'], token_endpoint_auth_method: 'none', application_type: 'native' });
    const form = new URLSearchParams(server!.requests.find((r) => r.path === '/token')!.body);
    expect(form.get('client_id')).toBe(server!.registered[0]);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(d.checks.find((c) => c.id === 'token-endpoint')!.detail).toContain('invalid_grant');
    expect(d.checks.find((c) => c.id === 'dcr-probe')!.status).toBe('pass');
  });

  it('2025-11-25 registration probe sends no application_type', async () => {
    await probe({ preset: 'fastmcp-3.4.7' }, { probeRegistration: true, spec: '2025-11-25' });
    const reg = JSON.parse(server!.requests.find((r) => r.path === '/register')!.body) as Record<string, unknown>;
    expect(reg).not.toHaveProperty('application_type');
  });

  it('without --probe-registration nothing is registered', async () => {
    await probe({ preset: 'fastmcp-3.4.7' });
    expect(server!.requests.some((r) => r.path === '/register')).toBe(false);
  });
});

describe('broken variants', () => {
  it('missing WWW-Authenticate under 2025-06-18: error, the header is mandatory', async () => {
    const { codes, d } = await probe({ challenge: 'none' }, { spec: '2025-06-18' });
    expect(codes[0]).toBe('error:DISCOVERY_CHALLENGE_MISSING');
    expect(d.firstFailure).toBe('challenge');
    // The well-known URL was still found.
    expect(d.prmForm).toBe('path-suffixed');
  });

  it('missing WWW-Authenticate under 2026-07-28 with a working well-known PRM: warning only (spec allows header OR well-known)', async () => {
    const { codes } = await probe({ challenge: 'none' });
    expect(codes).toEqual(['warning:DISCOVERY_CHALLENGE_MISSING']);
  });

  it('missing WWW-Authenticate and no PRM anywhere: error, AS checks not reached', async () => {
    const { codes, d } = await probe({ challenge: 'none', prmAt: 'none' });
    expect(codes).toEqual(['error:DISCOVERY_CHALLENGE_MISSING', 'error:DISCOVERY_PRM_NOT_FOUND']);
    const as = d.checks.find((c) => c.id === 'as-metadata')!;
    expect(as.status).toBe('skipped');
    expect(as.detail).toMatch(/^not reached/);
  });

  it('Bearer challenge without resource_metadata', async () => {
    const { codes } = await probe({ challenge: 'no-resource-metadata' }, { spec: '2025-06-18' });
    expect(codes[0]).toBe('error:DISCOVERY_CHALLENGE_NO_RESOURCE_METADATA');
  });

  it('PRM resource with a trailing slash the configured URL does not have', async () => {
    const { codes, d } = await probe({ prmResource: (o) => `${o}/mcp/` });
    expect(codes).toEqual(['error:DISCOVERY_PRM_RESOURCE_MISMATCH']);
    expect(d.checks.find((c) => c.id === 'prm-resource')!.evidence).toMatchObject({ differences: ['trailing-slash'] });
  });

  it('PRM resource on http behind a TLS proxy (scheme and port differ)', async () => {
    const { d } = await probe({ prmResource: () => 'https://mcp.example.com/mcp' });
    expect(d.checks.find((c) => c.id === 'prm-resource')!.evidence).toMatchObject({ differences: ['scheme', 'host', 'port'] });
  });

  it('PRM at the wrong path (under the MCP path): not found at any discovery URL', async () => {
    const { codes, d } = await probe({ prmAt: { path: '/mcp/.well-known/oauth-protected-resource' } });
    expect(codes).toEqual(['error:DISCOVERY_PRM_NOT_FOUND']);
    expect(d.exchanges!.filter((x) => x.step === 'prm').map((x) => `${x.form} ${x.status}`)).toEqual(['header 404', 'root 404']);
  });

  it('the challenge points to the root PRM URL, which 404s, while the path-suffixed one works', async () => {
    const { codes } = await probe({ prmHeaderUrl: (o) => `${o}/.well-known/oauth-protected-resource` });
    expect(codes).toEqual(['error:DISCOVERY_PRM_HEADER_URL_BROKEN']);
  });

  it('PRM URL answered by a catch-all HTML page', async () => {
    const { codes } = await probe({ prmAnswer: { status: 200, contentType: 'text/html', body: '<!doctype html><div id=root></div>' } });
    expect(codes).toEqual(['error:DISCOVERY_PRM_INVALID']);
  });

  it('authorization_servers empty', async () => {
    const { codes } = await probe({ authorizationServers: () => [] });
    expect(codes).toEqual(['error:DISCOVERY_PRM_NO_AUTHORIZATION_SERVERS']);
  });

  it('issuer mismatch (metadata issuer without the trailing slash)', async () => {
    const { codes, d } = await probe({ asMetadata: (m, o) => ({ ...m, issuer: o }) });
    expect(codes).toEqual(['error:DISCOVERY_AS_ISSUER_MISMATCH']);
    expect(d.checks.find((c) => c.id === 'as-issuer')!.evidence).toMatchObject({ differences: ['trailing-slash'] });
  });

  it('no S256: error from 2025-11-25, warning under 2025-06-18', async () => {
    const drop = (m: Record<string, unknown>) => ({ ...m, code_challenge_methods_supported: undefined });
    expect((await probe({ asMetadata: drop })).codes).toEqual(['error:DISCOVERY_PKCE_S256_MISSING']);
    await server!.close();
    server = undefined;
    expect((await probe({ asMetadata: (m) => ({ ...m, code_challenge_methods_supported: ['plain'] }) }, { spec: '2025-06-18' })).codes).toContain('warning:DISCOVERY_PKCE_S256_MISSING');
  });

  it('HTML error page from the token endpoint', async () => {
    const { codes, d } = await probe({ token: 'html-404' });
    expect(codes).toEqual(['error:DISCOVERY_TOKEN_ENDPOINT_NOT_JSON']);
    expect(d.checks.find((c) => c.id === 'token-endpoint')!.detail).toContain('text/html');
  });

  it('token endpoint 5xx, 200 and redirect', async () => {
    expect((await probe({ token: 'server-error' })).codes).toEqual(['error:DISCOVERY_TOKEN_ENDPOINT_SERVER_ERROR']);
    await server!.close();
    expect((await probe({ token: 'ok-200' })).codes).toEqual(['error:DISCOVERY_TOKEN_ENDPOINT_ACCEPTED_BOGUS_CODE']);
    await server!.close();
    expect((await probe({ token: 'redirect' })).codes).toEqual(['error:DISCOVERY_TOKEN_ENDPOINT_NOT_JSON']);
    await server!.close();
    expect((await probe({ token: 'json-no-content-type' })).codes).toEqual(['warning:DISCOVERY_TOKEN_ENDPOINT_NOT_JSON']);
  });

  it('AS metadata 502 from the proxy: an outage, reported apart from absence', async () => {
    const { codes, d } = await probe({ asMetadataAnswer: { status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' } });
    expect(codes).toEqual(['error:DISCOVERY_SERVER_ERROR']);
    expect(d.checks.find((c) => c.id === 'token-endpoint')!.detail).toMatch(/^not reached/);
  });

  it('AS metadata only via OpenID discovery: fine from 2025-11-25, a warning under 2025-06-18', async () => {
    const a = await probe({ asMetadataAt: 'oidc' });
    expect(a.codes).toEqual([]);
    expect(a.d.asMetadataForm).toBe('oidc');
    await server!.close();
    expect((await probe({ asMetadataAt: 'oidc' }, { spec: '2025-06-18' })).codes).toEqual(['warning:DISCOVERY_AS_METADATA_OIDC_ONLY']);
  });

  it('AS metadata nowhere', async () => {
    expect((await probe({ asMetadataAt: 'none' })).codes).toEqual(['error:DISCOVERY_AS_METADATA_NOT_FOUND']);
  });

  it('relative endpoints and no registration', async () => {
    const { codes } = await probe({ asMetadata: (m) => ({ ...m, token_endpoint: '/token', registration_endpoint: undefined, client_id_metadata_document_supported: undefined }) });
    expect(codes).toEqual(['error:DISCOVERY_ENDPOINT_NOT_ABSOLUTE', 'warning:DISCOVERY_NO_REGISTRATION_METHOD']);
  });

  it('no refresh_token grant advertised', async () => {
    expect((await probe({ asMetadata: (m) => ({ ...m, grant_types_supported: ['authorization_code'] }) })).codes).toEqual(['warning:DISCOVERY_NO_REFRESH_GRANT']);
  });

  it('insecure endpoint: http:// on a non-loopback host', async () => {
    const { codes } = await probe({ asMetadata: (m) => ({ ...m, authorization_endpoint: 'http://auth.example.com/authorize' }) });
    expect(codes).toEqual(['error:DISCOVERY_INSECURE_ENDPOINT']);
  });

  it('registration probe rejected', async () => {
    expect((await probe({ register: 'reject' }, { probeRegistration: true })).codes).toEqual(['error:DISCOVERY_REGISTRATION_FAILED']);
  });

  it('/mcp/ configured while the server serves /mcp: redirect, never followed', async () => {
    const { codes, d } = await probe({}, { url: (s) => `${s.url}/` });
    expect(codes[0]).toBe('error:DISCOVERY_MCP_REDIRECT');
    expect(d.checks[0]!.detail).toContain('/mcp ↔ /mcp/');
    expect(server!.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/mcp'))).toHaveLength(1);
    // Discovery still looked for the metadata; the path-suffixed URL for /mcp/ redirects too (not followed).
    expect(codes).toEqual(['error:DISCOVERY_MCP_REDIRECT', 'error:DISCOVERY_PRM_NOT_FOUND']);
    expect(d.checks.find((c) => c.id === 'prm')!.detail).toContain('307 (Location: ');
  });

  it('wrong status (404, 403), 5xx and an unprotected endpoint', async () => {
    expect((await probe({ mcpStatus: 404 })).codes[0]).toBe('error:DISCOVERY_WRONG_STATUS');
    await server!.close();
    expect((await probe({ mcpStatus: 403 })).codes[0]).toBe('error:DISCOVERY_WRONG_STATUS');
    await server!.close();
    expect((await probe({ mcpStatus: 503 })).codes[0]).toBe('error:DISCOVERY_SERVER_ERROR');
    await server!.close();
    expect((await probe({ mcpStatus: 200 })).codes[0]).toBe('error:DISCOVERY_NOT_PROTECTED');
  });

  it('a hanging token endpoint times out: endpoint unreachable, the run still completes', async () => {
    const { codes } = await probe({ hang: ['/token'] }, { timeoutMs: 400 });
    expect(codes).toEqual(['error:DISCOVERY_ENDPOINT_UNREACHABLE']);
  });
});

describe('unreachable server', () => {
  it('connection refused: evidence error with a one-line reason and a warning finding', async () => {
    const port = await closedPort();
    const c = await probeDiscovery(serverTarget(`http://127.0.0.1:${port}/mcp`, { timeoutMs: 2000 }));
    expect(c.status).toBe('error');
    if (c.status !== 'error') return;
    expect(c.reason).toBe(`cannot reach http://127.0.0.1:${port}/mcp: connection refused (ECONNREFUSED)`);
    expect(assessSurface(c.value!).checks[0]).toMatchObject({ id: 'mcp-401', status: 'fail', code: 'DISCOVERY_SERVER_UNREACHABLE', severity: 'warning' });
    expect(assessSurface(c.value!).checks.slice(1).every((x) => x.status === 'skipped')).toBe(true);
  });

  it('a server that accepts but never answers: timeout, evidence error', async () => {
    server = await startFakeMcpServer({ hang: ['/mcp'] });
    const c = await probeDiscovery(serverTarget(server.url, { timeoutMs: 300 }));
    expect(c.status).toBe('error');
    if (c.status === 'error') expect(c.reason).toContain('no answer within 0.3 s');
  });
});
