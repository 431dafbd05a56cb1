/**
 * Rules of the discovery tier. Pure: evidence in, checks and findings out; no I/O, no clock.
 *
 * `assessDiscovery` judges what the outside-in probe observed (src/server/discovery.ts records the
 * HTTP exchanges; this module decides pass/fail per check and spec revision). The collector stores
 * its result in `DiscoveryEvidence.checks`; `discoveryRules` turns every check that carries a code
 * into a finding, in check order, so the first error finding is the first failing check.
 */
import type { CanaryEvidence, DiscoveryCheck, DiscoveryEvidence, DiscoveryExchange, Evidence, WwwAuthChallenge } from '../evidence.js';
import { valueOf } from '../evidence.js';
import { finding } from '../finding.js';
import type { Finding, Severity } from '../types.js';

type Spec = DiscoveryEvidence['spec'];

/** Check ids, in the order they are evaluated and shown. */
export const CHECK_IDS = [
  'mcp-401',
  'challenge',
  'challenge-scope',
  'challenge-error',
  'prm',
  'prm-resource',
  'prm-authorization-servers',
  'as-metadata',
  'as-issuer',
  'as-endpoints',
  'https',
  'pkce',
  'registration',
  'public-clients',
  'refresh-grant',
  'iss-parameter',
  'dcr-probe',
  'token-endpoint',
  'forged-token',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

const TITLES: Record<CheckId, string> = {
  'mcp-401': 'Unauthenticated initialize answers 401',
  challenge: 'WWW-Authenticate: Bearer with resource_metadata',
  'challenge-scope': 'Challenge names the scope',
  'challenge-error': 'No error code for a request without credentials',
  'forged-token': 'A forged bearer token gets 401 invalid_token',
  prm: 'Protected resource metadata (RFC 9728)',
  'prm-resource': 'PRM resource equals the configured URL',
  'prm-authorization-servers': 'PRM names an authorization server',
  'as-metadata': 'Authorization server metadata (RFC 8414 / OIDC)',
  'as-issuer': 'issuer identical to the PRM entry',
  'as-endpoints': 'Endpoints present and absolute',
  https: 'HTTPS everywhere except loopback',
  pkce: 'PKCE S256 advertised',
  registration: 'Client registration advertised (CIMD / DCR)',
  'public-clients': 'Public clients (auth method none) advertised',
  'refresh-grant': 'refresh_token grant advertised',
  'iss-parameter': 'RFC 9207 iss advertised',
  'dcr-probe': 'Dynamic client registration works',
  'token-endpoint': 'Token endpoint answers a bogus code with a JSON error',
};

const REFS: Record<CheckId, string> = {
  'mcp-401': 'C1',
  challenge: 'C1',
  'challenge-scope': 'C1',
  'challenge-error': 'C1 (RFC 6750 §3.1)',
  'forged-token': 'C10',
  prm: 'C2',
  'prm-resource': 'C3',
  'prm-authorization-servers': 'C2',
  'as-metadata': 'C4',
  'as-issuer': 'C5',
  'as-endpoints': 'C6',
  https: 'C6',
  pkce: 'C7',
  registration: 'C8',
  'public-clients': 'C8',
  'refresh-grant': 'C6',
  'iss-parameter': 'C11',
  'dcr-probe': 'C8',
  'token-endpoint': 'C9',
};

const since1125 = (spec: Spec) => spec !== '2025-06-18';

// ---------------------------------------------------------------------------------------------
// Small pure helpers (exported for tests)

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function absoluteHttpUrl(v: unknown): URL | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

export type UrlDifference = 'scheme' | 'host' | 'host-case' | 'port' | 'trailing-slash' | 'path' | 'query' | 'fragment' | 'not-a-url';

const RAW = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;

/** How two URL strings differ, by kind (empty when identical). Compares the raw text, not a normalised form. */
export function classifyUrlDifference(expected: string, actual: string): UrlDifference[] {
  if (expected === actual) return [];
  const a = RAW.exec(expected);
  const b = RAW.exec(actual);
  if (!a || !b) return ['not-a-url'];
  const out: UrlDifference[] = [];
  const [, schemeA, authA, pathA, queryA, fragA] = a;
  const [, schemeB, authB, pathB, queryB, fragB] = b;
  if (schemeA!.toLowerCase() !== schemeB!.toLowerCase()) out.push('scheme');
  const hostPort = (auth: string): [string, string] => {
    const noUser = auth.replace(/^.*@/, '');
    const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(noUser);
    return [m?.[1] ?? noUser, m?.[2] ?? ''];
  };
  const [hostA, portA] = hostPort(authA!);
  const [hostB, portB] = hostPort(authB!);
  if (hostA !== hostB) out.push(hostA.toLowerCase() === hostB.toLowerCase() ? 'host-case' : 'host');
  if (portA !== portB) out.push('port');
  const pa = pathA || '/';
  const pb = pathB || '/';
  if (pathA !== pathB) out.push(pa.replace(/\/+$/, '') === pb.replace(/\/+$/, '') ? 'trailing-slash' : 'path');
  if ((queryA ?? '') !== (queryB ?? '')) out.push('query');
  if ((fragA ?? '') !== (fragB ?? '')) out.push('fragment');
  return out.length ? out : ['path'];
}

const DIFF_WORDS: Record<UrlDifference, string> = {
  scheme: 'scheme (http vs https: base_url is http behind a TLS-terminating proxy, or the other way round)',
  host: 'host name',
  'host-case': 'host name case',
  port: 'port',
  'trailing-slash': 'trailing slash only',
  path: 'path (another mount path, or the origin instead of the MCP path)',
  query: 'query string',
  fragment: 'fragment',
  'not-a-url': 'one of them is not an absolute URL',
};

export function describeDifference(kinds: UrlDifference[]): string {
  return kinds.map((k) => DIFF_WORDS[k]).join('; ');
}

function bearerOf(challenges: WwwAuthChallenge[] | undefined): WwwAuthChallenge | undefined {
  return challenges?.find((c) => c.scheme.toLowerCase() === 'bearer');
}

function line(x: DiscoveryExchange): string {
  if (x.error) return `${x.method} ${x.url} → ${x.error.message}`;
  const ct = x.headers['content-type'];
  const loc = x.headers.location;
  const extra = loc ? ` (Location: ${loc})` : ct && !/json/i.test(ct) && x.status === 200 ? ` (${ct.split(';')[0]})` : '';
  return `${x.method} ${x.url} → ${x.status}${extra}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** A metadata attempt that worked: 200 and a JSON object. */
export function metadataOk(x: DiscoveryExchange): boolean {
  return x.status === 200 && isObject(x.json);
}

// ---------------------------------------------------------------------------------------------

/** Judge the observed discovery surface, check by check, under `d.spec`. */
export function assessDiscovery(d: DiscoveryEvidence): DiscoveryCheck[] {
  const spec = d.spec;
  const xs = d.exchanges ?? [];
  const checks: DiscoveryCheck[] = [];
  const add = (id: CheckId, status: DiscoveryCheck['status'], detail: string, code?: string, more: Partial<DiscoveryCheck> = {}) => {
    const c: DiscoveryCheck = { id, title: TITLES[id], status, detail, ref: REFS[id], ...more };
    if (code) c.code = code;
    checks.push(c);
  };
  const skip = (id: CheckId, why: string) => add(id, 'skipped', why);

  // --- C1: the unauthenticated initialize ----------------------------------------------------
  const init = xs.find((x) => x.step === 'initialize');
  if (!init) {
    for (const id of CHECK_IDS) skip(id, 'not reached: the MCP URL was not requested');
    return checks;
  }
  if (init.error) {
    if (init.error.kind === 'tls') add('mcp-401', 'fail', `POST ${init.url}: ${init.error.message}`, 'DISCOVERY_TLS_INVALID');
    else add('mcp-401', 'fail', `POST ${init.url}: ${init.error.message}`, 'DISCOVERY_SERVER_UNREACHABLE', { severity: 'warning' });
    const why = init.error.kind === 'tls' ? 'no trusted TLS connection to the MCP server' : 'the MCP server could not be reached';
    for (const id of CHECK_IDS.slice(1)) skip(id, `not reached: ${why} (${init.error.message})`);
    return checks;
  }
  const status = init.status!;
  const ev1 = { status, wwwAuthenticate: init.headers['www-authenticate'] ?? null };
  if (status === 401) add('mcp-401', 'pass', `POST ${init.url} → 401`, undefined, { evidence: ev1 });
  else if (status >= 300 && status < 400) {
    const loc = init.headers.location;
    let target = loc ?? '(no Location)';
    try {
      if (loc) target = new URL(loc, init.url).toString();
    } catch {
      // keep the raw Location
    }
    const slash = loc ? classifyUrlDifference(init.url, target).every((k) => k === 'trailing-slash') : false;
    add('mcp-401', 'fail', `POST ${init.url} → ${status}, Location: ${target}${slash ? ' (the /mcp ↔ /mcp/ redirect: configure clients with the exact URL the server serves)' : ''}`, 'DISCOVERY_MCP_REDIRECT', {
      evidence: { ...ev1, location: loc ?? null },
    });
  } else if (status >= 200 && status < 300) add('mcp-401', 'fail', `POST ${init.url} without credentials → ${status}: the endpoint is not protected`, 'DISCOVERY_NOT_PROTECTED', { evidence: ev1 });
  else if (status >= 500) add('mcp-401', 'fail', `POST ${init.url} → ${status}`, 'DISCOVERY_SERVER_ERROR', { evidence: ev1 });
  else {
    const why =
      status === 404
        ? 'nothing is mounted at this path'
        : status === 405
          ? 'the path does not accept POST'
          : status === 403
            ? 'forbidden, usually a WAF or proxy auth layer; the spec asks for 401'
            : status === 406
              ? 'the server refuses Accept: application/json, text/event-stream'
              : 'clients start OAuth only on 401';
    add('mcp-401', 'fail', `POST ${init.url} → ${status} (${why})`, 'DISCOVERY_WRONG_STATUS', { evidence: ev1 });
  }

  // --- C2 first (the challenge's severity depends on whether a well-known URL works) -----------
  const prmTries = xs.filter((x) => x.step === 'prm');
  const prmFound = prmTries.find(metadataOk);
  const viaWellKnown = prmFound !== undefined && prmFound.form !== 'header';

  // --- C1: the challenge ------------------------------------------------------------------------
  const bearer = bearerOf(d.challenges);
  if (status !== 401) {
    for (const id of ['challenge', 'challenge-scope', 'challenge-error'] as const) skip(id, `not reached: the MCP URL answered ${status}, not 401`);
  } else {
    // 2025-06-18: the header is mandatory. 2025-11-25+: header OR well-known PRM.
    const missingStatus = (): DiscoveryCheck['status'] => (!since1125(spec) ? 'fail' : viaWellKnown ? 'warn' : 'fail');
    const revNote = !since1125(spec) ? 'mandatory in 2025-06-18' : viaWellKnown ? `${spec}: acceptable because a well-known PRM URL works, but clients must guess` : `${spec}: and no well-known PRM URL works either`;
    if (!bearer) {
      const other = (d.challenges ?? []).map((c) => c.scheme);
      const detail = other.length ? `the 401 has WWW-Authenticate ${other.join(', ')} but no Bearer challenge (${revNote})` : `the 401 has no WWW-Authenticate header (${revNote}); a proxy may strip it`;
      add('challenge', missingStatus(), detail, 'DISCOVERY_CHALLENGE_MISSING', { evidence: ev1 });
      skip('challenge-scope', 'not reached: no Bearer challenge');
      skip('challenge-error', 'not reached: no Bearer challenge');
    } else {
      const rm = bearer.params.resource_metadata;
      if (rm === undefined) add('challenge', missingStatus(), `Bearer challenge without resource_metadata (${revNote})`, 'DISCOVERY_CHALLENGE_NO_RESOURCE_METADATA', { evidence: ev1 });
      else add('challenge', 'pass', `Bearer resource_metadata="${rm}"`, undefined, { evidence: ev1 });

      const scope = bearer.params.scope;
      if (scope !== undefined) add('challenge-scope', 'pass', `scope="${scope}"`);
      else if (since1125(spec)) add('challenge-scope', 'warn', `no scope parameter (a SHOULD since 2025-11-25; clients then request every scope in scopes_supported)`, 'DISCOVERY_CHALLENGE_NO_SCOPE');
      else add('challenge-scope', 'pass', 'no scope parameter (not asked for by 2025-06-18)');

      const err = bearer.params.error;
      if (err !== undefined) add('challenge-error', 'info', `error="${err}" on a request that carried no credentials (RFC 6750 §3.1: SHOULD NOT); reported, not failed`, 'DISCOVERY_CHALLENGE_ERROR_PARAM');
      else add('challenge-error', 'pass', 'no error parameter');
    }
  }

  // --- C10: a forged bearer token ------------------------------------------------------------------
  const forged = xs.find((x) => x.step === 'forged-token');
  if (status !== 401) skip('forged-token', `not probed: the MCP URL answered ${status} without credentials, not 401`);
  else if (!forged) skip('forged-token', 'not probed');
  else add('forged-token', ...forgedTokenCheck(forged, bearerOf(d.forgedTokenChallenges)));

  // --- C2: PRM discovery -----------------------------------------------------------------------
  const tried = prmTries.map(line).join('; ');
  if (!prmTries.length) skip('prm', 'not reached: no URL to try');
  else if (prmFound) {
    const header = prmTries.find((x) => x.form === 'header');
    const ct = prmFound.headers['content-type'];
    const ctNote = ct && !/json/i.test(ct) ? ` (served as ${ct.split(';')[0]}, not application/json)` : '';
    if (header && header !== prmFound) {
      add('prm', 'fail', `the challenge's resource_metadata URL fails (${line(header)}), while ${prmFound.url} (${prmFound.form}) works`, 'DISCOVERY_PRM_HEADER_URL_BROKEN', {
        evidence: { tried: prmTries.map(line) },
      });
    } else add('prm', 'pass', `${prmFound.url} → 200 (${prmFound.form === 'header' ? 'URL from the challenge' : prmFound.form})${ctNote}`, undefined, { evidence: { tried: prmTries.map(line) } });
  } else {
    const code = failureCode(prmTries, 'DISCOVERY_PRM_INVALID', 'DISCOVERY_PRM_NOT_FOUND');
    add('prm', 'fail', `no URL served the metadata: ${tried}`, code, { evidence: { tried: prmTries.map(line) } });
  }

  // --- C3: resource ----------------------------------------------------------------------------
  const prm = d.prm;
  if (!prm) {
    skip('prm-resource', 'not reached: no protected resource metadata');
    skip('prm-authorization-servers', 'not reached: no protected resource metadata');
  } else {
    const resource = prm.resource;
    if (typeof resource !== 'string') add('prm-resource', 'fail', `the metadata at ${d.prmUrl} has no resource string`, 'DISCOVERY_PRM_INVALID');
    else if (resource === d.serverUrl) add('prm-resource', 'pass', `"${resource}"`);
    else {
      const kinds = classifyUrlDifference(d.serverUrl, resource);
      add('prm-resource', 'fail', `resource is "${resource}" but clients are configured with "${d.serverUrl}": ${describeDifference(kinds)}`, 'DISCOVERY_PRM_RESOURCE_MISMATCH', {
        evidence: { configured: d.serverUrl, resource, differences: kinds },
      });
    }
    const as = prm.authorization_servers;
    const list = strings(as);
    if (!list || list.length === 0) add('prm-authorization-servers', 'fail', `authorization_servers is ${JSON.stringify(as ?? null)}`, 'DISCOVERY_PRM_NO_AUTHORIZATION_SERVERS');
    else add('prm-authorization-servers', 'pass', list.length === 1 ? `"${list[0]}"` : `${list.map((x) => `"${x}"`).join(', ')} (the first is checked)`);
  }

  // --- C4: AS metadata -------------------------------------------------------------------------
  const issuer = d.issuer;
  const asTries = xs.filter((x) => x.step === 'as-metadata');
  const meta = d.asMetadata;
  const asLater: CheckId[] = ['as-issuer', 'as-endpoints', 'pkce', 'registration', 'public-clients', 'refresh-grant', 'iss-parameter', 'dcr-probe', 'token-endpoint'];
  if (!issuer) {
    skip('as-metadata', 'not reached: no authorization server named in the resource metadata');
  } else if (!absoluteHttpUrl(issuer)) {
    add('as-metadata', 'fail', `authorization_servers[0] "${issuer}" is not an absolute http(s) URL`, 'DISCOVERY_ENDPOINT_NOT_ABSOLUTE');
  } else if (meta) {
    const form = d.asMetadataForm ?? 'rfc8414';
    const earlier = asTries.filter((x) => x !== asTries.find(metadataOk)).map(line);
    const note = earlier.length ? ` after ${earlier.join('; ')}` : '';
    if (!form.startsWith('rfc8414') && !since1125(spec)) {
      add('as-metadata', 'warn', `only OpenID discovery works (${d.asMetadataUrl})${note}; 2025-06-18 clients try RFC 8414 only`, 'DISCOVERY_AS_METADATA_OIDC_ONLY');
    } else add('as-metadata', 'pass', `${d.asMetadataUrl} → 200 (${formWords(form)})${note}`);
  } else {
    const code = failureCode(asTries, 'DISCOVERY_AS_METADATA_INVALID', 'DISCOVERY_AS_METADATA_NOT_FOUND');
    add('as-metadata', 'fail', `no URL served the metadata of ${issuer}: ${asTries.map(line).join('; ')}`, code, { evidence: { tried: asTries.map(line) } });
  }
  if (!meta) {
    const why = !d.prm ? 'not reached: no protected resource metadata' : !issuer ? 'not reached: no authorization server' : 'not reached: no authorization server metadata';
    for (const id of asLater) skip(id, why);
    add('https', ...httpsCheck(d, undefined));
    return finish(checks, CHECK_IDS);
  }

  // --- C5: issuer ------------------------------------------------------------------------------
  const mIssuer = meta.issuer;
  if (typeof mIssuer !== 'string') add('as-issuer', 'fail', `the metadata at ${d.asMetadataUrl} has no issuer (expected "${issuer}")`, 'DISCOVERY_AS_ISSUER_MISMATCH');
  else if (mIssuer === issuer) add('as-issuer', 'pass', `"${mIssuer}"`);
  else {
    const kinds = classifyUrlDifference(issuer ?? '', mIssuer);
    add('as-issuer', 'fail', `metadata issuer "${mIssuer}" ≠ authorization_servers[0] "${issuer}": ${describeDifference(kinds)}`, 'DISCOVERY_AS_ISSUER_MISMATCH', {
      evidence: { expected: issuer, issuer: mIssuer, differences: kinds },
    });
  }

  // --- C6: endpoints -----------------------------------------------------------------------------
  const bad: string[] = [];
  for (const k of ['authorization_endpoint', 'token_endpoint'] as const) {
    if (meta[k] === undefined) bad.push(`${k} missing`);
    else if (!absoluteHttpUrl(meta[k])) bad.push(`${k} ${JSON.stringify(meta[k])} is not an absolute http(s) URL`);
  }
  if (meta.registration_endpoint !== undefined && !absoluteHttpUrl(meta.registration_endpoint)) bad.push(`registration_endpoint ${JSON.stringify(meta.registration_endpoint)} is not an absolute http(s) URL`);
  if (bad.length) add('as-endpoints', 'fail', bad.join('; '), 'DISCOVERY_ENDPOINT_NOT_ABSOLUTE');
  else add('as-endpoints', 'pass', ['authorization_endpoint', 'token_endpoint', 'registration_endpoint'].filter((k) => meta[k] !== undefined).map((k) => `${k.replace('_endpoint', '')} ${String(meta[k])}`).join(', '));

  add('https', ...httpsCheck(d, meta));

  // --- C7: PKCE --------------------------------------------------------------------------------
  const methods = meta.code_challenge_methods_supported;
  const mlist = strings(methods);
  if (mlist?.includes('S256')) add('pkce', 'pass', `code_challenge_methods_supported ${JSON.stringify(mlist)}`);
  else {
    const what = methods === undefined ? 'code_challenge_methods_supported is absent' : `code_challenge_methods_supported is ${JSON.stringify(methods)}`;
    if (since1125(spec)) add('pkce', 'fail', `${what}: ${spec} clients refuse to proceed`, 'DISCOVERY_PKCE_S256_MISSING');
    else add('pkce', 'warn', `${what} (2025-06-18: clients must use PKCE anyway; from 2025-11-25 they refuse)`, 'DISCOVERY_PKCE_S256_MISSING');
  }

  // --- C8: registration -------------------------------------------------------------------------
  const dcr = typeof meta.registration_endpoint === 'string';
  const cimd = meta.client_id_metadata_document_supported === true;
  if (!dcr && !cimd) add('registration', 'warn', 'no registration_endpoint and no client_id_metadata_document_supported: clients need a pre-registered client id', 'DISCOVERY_NO_REGISTRATION_METHOD');
  else if (cimd) add('registration', 'pass', dcr ? 'CIMD and DCR' : 'CIMD');
  else if (since1125(spec))
    add('registration', 'info', `DCR only, no CIMD (${spec === '2026-07-28' ? 'DCR is deprecated in 2026-07-28, kept for compatibility' : 'clients prefer CIMD since 2025-11-25'})`, 'DISCOVERY_NO_CIMD');
  else add('registration', 'pass', 'DCR');

  const auth = meta.token_endpoint_auth_methods_supported;
  const alist = strings(auth);
  if (alist?.includes('none')) add('public-clients', 'pass', `token_endpoint_auth_methods_supported ${JSON.stringify(alist)}`);
  else
    add(
      'public-clients',
      'info',
      auth === undefined ? 'token_endpoint_auth_methods_supported absent (RFC 8414 default: client_secret_basic)' : `token_endpoint_auth_methods_supported ${JSON.stringify(auth)} has no "none"`,
      'DISCOVERY_PUBLIC_CLIENTS_NOT_ADVERTISED',
    );

  const grants = meta.grant_types_supported;
  const glist = strings(grants);
  if (glist?.includes('refresh_token')) add('refresh-grant', 'pass', `grant_types_supported ${JSON.stringify(glist)}`);
  else
    add(
      'refresh-grant',
      'warn',
      grants === undefined ? 'grant_types_supported absent (RFC 8414 default: authorization_code, implicit)' : `grant_types_supported ${JSON.stringify(grants)} has no refresh_token`,
      'DISCOVERY_NO_REFRESH_GRANT',
    );

  // --- C11: RFC 9207 ---------------------------------------------------------------------------
  if (meta.authorization_response_iss_parameter_supported === true) add('iss-parameter', 'pass', 'authorization_response_iss_parameter_supported: true');
  else if (spec === '2026-07-28') add('iss-parameter', 'info', 'not advertised (a SHOULD in 2026-07-28; informational)', 'DISCOVERY_ISS_NOT_ADVERTISED');
  else add('iss-parameter', 'info', `not advertised (not part of ${spec})`);

  // --- C8: DCR probe ---------------------------------------------------------------------------
  const reg = xs.find((x) => x.step === 'registration');
  if (!d.probeRegistration) skip('dcr-probe', 'not requested (--probe-registration registers a client)');
  else if (!dcr) skip('dcr-probe', 'not reached: no registration_endpoint advertised');
  else if (!reg) skip('dcr-probe', 'not reached: registration_endpoint is not an absolute URL');
  else add('dcr-probe', ...registrationCheck(reg, spec));

  // --- C9: token endpoint ------------------------------------------------------------------------
  const tok = xs.find((x) => x.step === 'token');
  if (!tok) {
    skip(
      'token-endpoint',
      meta.token_endpoint === undefined ? 'not reached: no token_endpoint advertised' : !absoluteHttpUrl(meta.token_endpoint) ? 'not reached: token_endpoint is not an absolute URL' : 'not probed',
    );
  }
  else add('token-endpoint', ...tokenCheck(tok));

  return finish(checks, CHECK_IDS);
}

function formWords(form: string): string {
  switch (form) {
    case 'rfc8414':
      return 'RFC 8414';
    case 'oidc':
      return 'OpenID discovery';
    case 'oidc-insert':
      return 'OpenID discovery, path insertion';
    case 'oidc-append':
      return 'OpenID discovery, path appending';
    default:
      return form;
  }
}

/** The code for a metadata lookup that found nothing: 5xx beats invalid beats unreachable beats absent. */
function failureCode(tries: DiscoveryExchange[], invalid: string, absent: string): string {
  if (tries.some((x) => x.status !== undefined && x.status >= 500)) return 'DISCOVERY_SERVER_ERROR';
  if (tries.some((x) => x.status === 200)) return invalid;
  if (tries.some((x) => x.error?.kind === 'tls')) return 'DISCOVERY_TLS_INVALID';
  if (tries.length && tries.every((x) => x.error)) return 'DISCOVERY_ENDPOINT_UNREACHABLE';
  return absent;
}

function httpsCheck(d: DiscoveryEvidence, meta: Record<string, unknown> | undefined): [DiscoveryCheck['status'], string, string?, Partial<DiscoveryCheck>?] {
  const urls: [string, unknown][] = [
    ['MCP URL', d.serverUrl],
    ['resource_metadata', bearerOf(d.challenges)?.params.resource_metadata],
    ['PRM URL', d.prmUrl],
    ['resource', d.prm?.resource],
    ['authorization server', d.issuer],
    ['AS metadata URL', d.asMetadataUrl],
  ];
  if (meta) for (const k of ['issuer', 'authorization_endpoint', 'token_endpoint', 'registration_endpoint']) urls.push([k, meta[k]]);
  const insecure: string[] = [];
  let loopbackHttp = false;
  for (const [what, v] of urls) {
    const u = absoluteHttpUrl(v);
    if (!u || u.protocol !== 'http:') continue;
    if (isLoopbackHost(u.hostname)) loopbackHttp = true;
    else insecure.push(`${what} ${String(v)}`);
  }
  if (insecure.length) return ['fail', `http:// on a non-loopback host: ${[...new Set(insecure)].join(', ')}`, 'DISCOVERY_INSECURE_ENDPOINT'];
  return ['pass', loopbackHttp ? 'http:// on loopback only (allowed)' : 'all https'];
}

/** C10: an HS256-shaped JWT with a made-up signature, sent as a bearer to the MCP URL. */
function forgedTokenCheck(x: DiscoveryExchange, ch: WwwAuthChallenge | undefined): [DiscoveryCheck['status'], string, string?, Partial<DiscoveryCheck>?] {
  if (x.error) return ['skipped', `no answer: ${x.error.message}`];
  const st = x.status!;
  const evidence = { status: st, wwwAuthenticate: x.headers['www-authenticate'] ?? null };
  if (st >= 200 && st < 300) return ['fail', `POST ${x.url} initialize with a forged bearer token (random signature) → ${st}: the server does not verify the tokens it is given`, 'DISCOVERY_FORGED_TOKEN_ACCEPTED', { evidence }];
  if (st !== 401) return ['warn', `POST ${x.url} with a forged bearer token → ${st}, not 401: clients read only 401 as "authenticate again"`, 'DISCOVERY_FORGED_TOKEN_WRONG_STATUS', { evidence }];
  if (ch?.params.error !== 'invalid_token') {
    const got = ch ? (ch.params.error !== undefined ? `error="${ch.params.error}"` : 'no error parameter') : 'no Bearer challenge';
    return ['warn', `POST ${x.url} with a forged bearer token → 401 with ${got} (RFC 6750 §3.1: invalid_token)`, 'DISCOVERY_FORGED_TOKEN_NO_INVALID_TOKEN', { evidence }];
  }
  return ['pass', `forged token → 401 error="invalid_token"`];
}

function registrationCheck(x: DiscoveryExchange, spec: Spec): [DiscoveryCheck['status'], string, string?, Partial<DiscoveryCheck>?] {
  if (x.error) return ['fail', line(x), 'DISCOVERY_REGISTRATION_FAILED'];
  const j = isObject(x.json) ? x.json : undefined;
  const clientId = str(j?.client_id);
  if ((x.status === 201 || x.status === 200) && clientId) {
    const notes: string[] = [];
    if (x.status === 200) notes.push('200 instead of 201 Created');
    if (spec === '2026-07-28' && j?.application_type !== undefined && j.application_type !== 'native') notes.push(`application_type answered as ${JSON.stringify(j.application_type)}`);
    if (j?.token_endpoint_auth_method !== undefined) notes.push(`token_endpoint_auth_method ${JSON.stringify(j.token_endpoint_auth_method)}`);
    return ['pass', `POST ${x.url} → ${x.status}, client_id ${clientId}${notes.length ? ` (${notes.join('; ')})` : ''}`, undefined, { evidence: { status: x.status, clientId } }];
  }
  const err = str(j?.error);
  const desc = str(j?.error_description);
  const why = err ? `${err}${desc ? `: ${desc}` : ''}` : x.body ? `body ${x.body.slice(0, 120)}` : 'empty body';
  return ['fail', `POST ${x.url} → ${x.status} (${why})`, 'DISCOVERY_REGISTRATION_FAILED', { evidence: { status: x.status, error: err ?? null } }];
}

const OAUTH_TOKEN_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target']);

function tokenCheck(x: DiscoveryExchange): [DiscoveryCheck['status'], string, string?, Partial<DiscoveryCheck>?] {
  if (x.error) return ['fail', line(x), x.error.kind === 'tls' ? 'DISCOVERY_TLS_INVALID' : 'DISCOVERY_ENDPOINT_UNREACHABLE'];
  const s = x.status!;
  const ct = x.headers['content-type'];
  const j = isObject(x.json) ? x.json : undefined;
  const err = str(j?.error);
  const desc = str(j?.error_description);
  const evidence = { status: s, contentType: ct ?? null, error: err ?? null, body: j ? null : (x.body ?? '').slice(0, 120) };
  const what = `POST ${x.url} (bogus code) → ${s}${ct ? ` ${ct.split(';')[0]}` : ''}`;
  if (s >= 500) return ['fail', `${what}${err ? ` ${err}` : ''}`, 'DISCOVERY_TOKEN_ENDPOINT_SERVER_ERROR', { evidence }];
  if (s >= 200 && s < 300) return ['fail', `${what}${err ? ` with error ${err} in the body` : ''}: a made-up code was not refused with 4xx`, 'DISCOVERY_TOKEN_ENDPOINT_ACCEPTED_BOGUS_CODE', { evidence }];
  if (s >= 300 && s < 400) return ['fail', `${what}, Location: ${x.headers.location ?? '(none)'}`, 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', { evidence }];
  if (s >= 400 && s < 500) {
    if (!err) return ['fail', `${what}: ${j ? 'JSON without an error member' : `not JSON (${(x.body ?? '').slice(0, 80).replace(/\s+/g, ' ') || 'empty body'})`}`, 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', { evidence }];
    const known = OAUTH_TOKEN_ERRORS.has(err) ? '' : ' (not a standard RFC 6749 code)';
    const detail = `${what} {"error":"${err}"${desc ? `,"error_description":"${desc}"` : ''}}${known}`;
    if (!/json/i.test(ct ?? '')) return ['warn', `${detail}, but Content-Type is ${ct ?? 'absent'}`, 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', { evidence }];
    return ['pass', detail, undefined, { evidence }];
  }
  return ['fail', what, 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', { evidence }];
}

/** Order the checks as CHECK_IDS says (the https check is added out of line). */
function finish(checks: DiscoveryCheck[], order: readonly string[]): DiscoveryCheck[] {
  return [...checks].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

export function severityOf(c: DiscoveryCheck): Severity | undefined {
  if (c.severity) return c.severity;
  if (c.status === 'fail') return 'error';
  if (c.status === 'warn') return 'warning';
  if (c.status === 'info') return 'info';
  return undefined;
}

/** The first check that fails the run (error severity), if any. */
export function firstFailure(checks: DiscoveryCheck[]): DiscoveryCheck | undefined {
  return checks.find((c) => c.code && severityOf(c) === 'error');
}

// ---------------------------------------------------------------------------------------------

function canaryFindings(ev: Evidence): Finding[] {
  const c = ev.canary;
  if (!c || c.status === 'skipped') return [];
  if (c.status === 'error') return [finding('DISCOVERY_CANARY_ERROR', `the canary request failed: ${c.reason}`, { stage: 'canary' })];
  const v: CanaryEvidence = c.value;
  if (v.outcome === 'accepted') return [];
  if (v.outcome === 'rejected') {
    const ch = bearerOf(v.challenges);
    const why = ch?.params.error ? ` ${ch.params.error}${ch.params.error_description ? ` ("${ch.params.error_description}")` : ''}` : '';
    // The canary stage is ordered after the token's own stages: when the inside-out evidence explains
    // the rejection (signature, mapping, upstream…), that finding names the failing tier; otherwise
    // this one does.
    const inside = ev.token?.status === 'collected' ? ' — the tiers above say at which stage FastMCP rejected it; if none fails, the server runs with other settings than the ones given here' : '';
    return [
      finding('DISCOVERY_CANARY_REJECTED', `POST ${v.url ?? 'the MCP URL'} initialize with the canary token → 401${why}${inside}`, {
        stage: 'canary',
        data: { status: v.status ?? 401, wwwAuthenticate: v.wwwAuthenticate ?? null },
      }),
    ];
  }
  return [finding('DISCOVERY_CANARY_ERROR', `POST ${v.url ?? 'the MCP URL'} initialize with the canary token → ${v.status ?? 'no answer'}${v.message ? ` (${v.message})` : ''}`, { stage: 'canary', data: { status: v.status ?? null } })];
}

/** Rules of the discovery tier: one finding per check that carries a code, in check order; then the canary. */
export function discoveryRules(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  const d = valueOf(ev.discovery);
  if (d) {
    for (const c of d.checks) {
      const severity = severityOf(c);
      if (!c.code || !severity) continue;
      const extra: Parameters<typeof finding>[2] = { severity, stage: 'discovery', data: { check: c.id, ...(c.ref ? { ref: c.ref } : {}), spec: d.spec, ...(c.evidence ?? {}) } };
      out.push(finding(c.code, c.detail, extra));
    }
  }
  out.push(...canaryFindings(ev));
  return out;
}
