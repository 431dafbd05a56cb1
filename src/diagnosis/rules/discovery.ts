/**
 * Rules of the discovery tier. Pure: evidence in, checks and findings out; no I/O, no clock.
 *
 * The outside-in probe (src/server/discovery.ts) only records what it saw: the HTTP exchanges, the
 * parsed challenges and the metadata documents. Here each check of mcp-authorization.md (C1–C11) is
 * data — `{ id, title, ref, needs, evaluate }` in DISCOVERY_CHECKS, in the order they are shown — and
 * `assessDiscovery` runs them over the observed surface under the chosen spec revision.
 * `discoveryRules` turns every judged check that carries a code into a finding, in check order, so
 * the first error finding is the first failing check; then the canary; then the replicas (several
 * --server: rules/replicas.ts).
 */
import { valueOf, type CanaryEvidence, type DiscoveryAssessment, type DiscoveryCheck, type DiscoveryEvidence, type DiscoveryExchange, type Evidence, type Finding, type FindingCode, type Severity, type WwwAuthChallenge } from '../../model/index.js';
import { absoluteHttpUrl, isLoopbackHost, metadataOk } from '../../server/urls.js';
import { finding } from '../finding.js';
import { replicaFindings } from './replicas.js';

type Spec = DiscoveryEvidence['spec'];

const since1125 = (spec: Spec) => spec !== '2025-06-18';

// ---------------------------------------------------------------------------------------------
// Small pure helpers (exported for tests)

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

// ---------------------------------------------------------------------------------------------
// The surface: what the checks read, derived once from the evidence.

interface Surface {
  d: DiscoveryEvidence;
  spec: Spec;
  /** The unauthenticated initialize (C1). */
  init?: DiscoveryExchange;
  /** Its status, when it answered. */
  status: number;
  /** Evidence attached to the C1 checks. */
  ev1: Record<string, unknown>;
  bearer?: WwwAuthChallenge;
  prmTries: DiscoveryExchange[];
  prmFound?: DiscoveryExchange;
  /** The PRM was found at a well-known URL, not the challenge's. */
  viaWellKnown: boolean;
  forged?: DiscoveryExchange;
  issuer?: string;
  asTries: DiscoveryExchange[];
  meta?: Record<string, unknown>;
}

function surfaceOf(d: DiscoveryEvidence): Surface {
  const xs = d.exchanges ?? [];
  const init = xs.find((x) => x.step === 'initialize');
  const prmTries = xs.filter((x) => x.step === 'prm');
  const prmFound = prmTries.find(metadataOk);
  const s: Surface = {
    d,
    spec: d.spec,
    status: init?.status ?? 0,
    ev1: { status: init?.status, wwwAuthenticate: init?.headers['www-authenticate'] ?? null },
    prmTries,
    viaWellKnown: prmFound !== undefined && prmFound.form !== 'header',
    asTries: xs.filter((x) => x.step === 'as-metadata'),
  };
  if (init) s.init = init;
  const bearer = bearerOf(d.challenges);
  if (bearer) s.bearer = bearer;
  if (prmFound) s.prmFound = prmFound;
  const forged = xs.find((x) => x.step === 'forged-token');
  if (forged) s.forged = forged;
  if (d.issuer !== undefined) s.issuer = d.issuer;
  if (d.asMetadata) s.meta = d.asMetadata;
  return s;
}

/** A check's verdict on the surface. */
interface Outcome {
  status: DiscoveryCheck['status'];
  detail: string;
  code?: FindingCode;
  severity?: Severity;
  evidence?: Record<string, unknown>;
}

const pass = (detail: string, more: Partial<Outcome> = {}): Outcome => ({ status: 'pass', detail, ...more });
const skip = (detail: string): Outcome => ({ status: 'skipped', detail });
const judged = (status: Outcome['status'], detail: string, code: FindingCode, more: Partial<Outcome> = {}): Outcome => ({ status, detail, code, ...more });

export interface DiscoveryCheckSpec {
  id: string;
  title: string;
  /** Which spec check this is (C1–C11 of mcp-authorization.md). */
  ref: string;
  /** What must have been observed for the check to run; otherwise the check is skipped, saying why. */
  needs?: (s: Surface) => Outcome | undefined;
  /** The verdict on the surface (only called when `needs` is met). */
  evaluate(s: Surface): Outcome;
}

// Preconditions shared by several checks: undefined when the check can run.
const after401 = (s: Surface): Outcome | undefined => (s.status !== 401 ? skip(`not reached: the MCP URL answered ${s.status}, not 401`) : undefined);
const withBearer = (s: Surface): Outcome | undefined => after401(s) ?? (!s.bearer ? skip('not reached: no Bearer challenge') : undefined);
const withPrm = (s: Surface): Outcome | undefined => (!s.d.prm ? skip('not reached: no protected resource metadata') : undefined);
const withMeta = (s: Surface): Outcome | undefined =>
  s.meta ? undefined : skip(!s.d.prm ? 'not reached: no protected resource metadata' : !s.issuer ? 'not reached: no authorization server' : 'not reached: no authorization server metadata');

/** 2025-06-18: the challenge header is mandatory. 2025-11-25+: header OR a well-known PRM URL. */
function challengeMissing(s: Surface): { status: Outcome['status']; note: string } {
  if (!since1125(s.spec)) return { status: 'fail', note: 'mandatory in 2025-06-18' };
  return s.viaWellKnown ? { status: 'warn', note: `${s.spec}: acceptable because a well-known PRM URL works, but clients must guess` } : { status: 'fail', note: `${s.spec}: and no well-known PRM URL works either` };
}

/** Every check, in the order it is shown (the C-number says which section of the spec it comes from). */
export const DISCOVERY_CHECKS: readonly DiscoveryCheckSpec[] = [
  {
    id: 'mcp-401',
    title: 'Unauthenticated initialize answers 401',
    ref: 'C1',
    evaluate(s) {
      const init = s.init!;
      if (init.error) {
        if (init.error.kind === 'tls') return judged('fail', `POST ${init.url}: ${init.error.message}`, 'DISCOVERY_TLS_INVALID');
        return judged('fail', `POST ${init.url}: ${init.error.message}`, 'DISCOVERY_SERVER_UNREACHABLE', { severity: 'warning' });
      }
      const status = s.status;
      const evidence = s.ev1;
      if (status === 401) return pass(`POST ${init.url} → 401`, { evidence });
      if (status >= 300 && status < 400) {
        const loc = init.headers.location;
        let target = loc ?? '(no Location)';
        try {
          if (loc) target = new URL(loc, init.url).toString();
        } catch {
          // keep the raw Location
        }
        const slash = loc ? classifyUrlDifference(init.url, target).every((k) => k === 'trailing-slash') : false;
        return judged('fail', `POST ${init.url} → ${status}, Location: ${target}${slash ? ' (the /mcp ↔ /mcp/ redirect: configure clients with the exact URL the server serves)' : ''}`, 'DISCOVERY_MCP_REDIRECT', {
          evidence: { ...evidence, location: loc ?? null },
        });
      }
      if (status >= 200 && status < 300) return judged('fail', `POST ${init.url} without credentials → ${status}: the endpoint is not protected`, 'DISCOVERY_NOT_PROTECTED', { evidence });
      if (status >= 500) return judged('fail', `POST ${init.url} → ${status}`, 'DISCOVERY_SERVER_ERROR', { evidence });
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
      return judged('fail', `POST ${init.url} → ${status} (${why})`, 'DISCOVERY_WRONG_STATUS', { evidence });
    },
  },
  {
    id: 'challenge',
    title: 'WWW-Authenticate: Bearer with resource_metadata',
    ref: 'C1',
    needs: after401,
    evaluate(s) {
      const missing = challengeMissing(s);
      const evidence = s.ev1;
      if (!s.bearer) {
        const other = (s.d.challenges ?? []).map((c) => c.scheme);
        const detail = other.length ? `the 401 has WWW-Authenticate ${other.join(', ')} but no Bearer challenge (${missing.note})` : `the 401 has no WWW-Authenticate header (${missing.note}); a proxy may strip it`;
        return judged(missing.status, detail, 'DISCOVERY_CHALLENGE_MISSING', { evidence });
      }
      const rm = s.bearer.params.resource_metadata;
      if (rm === undefined) return judged(missing.status, `Bearer challenge without resource_metadata (${missing.note})`, 'DISCOVERY_CHALLENGE_NO_RESOURCE_METADATA', { evidence });
      return pass(`Bearer resource_metadata="${rm}"`, { evidence });
    },
  },
  {
    id: 'challenge-scope',
    title: 'Challenge names the scope',
    ref: 'C1',
    needs: withBearer,
    evaluate(s) {
      const scope = s.bearer!.params.scope;
      if (scope !== undefined) return pass(`scope="${scope}"`);
      if (since1125(s.spec)) return judged('warn', `no scope parameter (a SHOULD since 2025-11-25; clients then request every scope in scopes_supported)`, 'DISCOVERY_CHALLENGE_NO_SCOPE');
      return pass('no scope parameter (not asked for by 2025-06-18)');
    },
  },
  {
    id: 'challenge-error',
    title: 'No error code for a request without credentials',
    ref: 'C1 (RFC 6750 §3.1)',
    needs: withBearer,
    evaluate(s) {
      const err = s.bearer!.params.error;
      if (err !== undefined) return judged('info', `error="${err}" on a request that carried no credentials (RFC 6750 §3.1: SHOULD NOT); reported, not failed`, 'DISCOVERY_CHALLENGE_ERROR_PARAM');
      return pass('no error parameter');
    },
  },
  {
    id: 'prm',
    title: 'Protected resource metadata (RFC 9728)',
    ref: 'C2',
    evaluate(s) {
      const tries = s.prmTries;
      if (!tries.length) return skip('not reached: no URL to try');
      const evidence = { tried: tries.map(line) };
      const found = s.prmFound;
      if (!found) return judged('fail', `no URL served the metadata: ${tries.map(line).join('; ')}`, failureCode(tries, 'DISCOVERY_PRM_INVALID', 'DISCOVERY_PRM_NOT_FOUND'), { evidence });
      const header = tries.find((x) => x.form === 'header');
      if (header && header !== found) {
        return judged('fail', `the challenge's resource_metadata URL fails (${line(header)}), while ${found.url} (${found.form}) works`, 'DISCOVERY_PRM_HEADER_URL_BROKEN', { evidence });
      }
      const ct = found.headers['content-type'];
      const ctNote = ct && !/json/i.test(ct) ? ` (served as ${ct.split(';')[0]}, not application/json)` : '';
      return pass(`${found.url} → 200 (${found.form === 'header' ? 'URL from the challenge' : found.form})${ctNote}`, { evidence });
    },
  },
  {
    id: 'prm-resource',
    title: 'PRM resource equals the configured URL',
    ref: 'C3',
    needs: withPrm,
    evaluate(s) {
      const { d } = s;
      const resource = d.prm!.resource;
      if (typeof resource !== 'string') return judged('fail', `the metadata at ${d.prmUrl} has no resource string`, 'DISCOVERY_PRM_INVALID');
      if (resource === d.serverUrl) return pass(`"${resource}"`);
      const kinds = classifyUrlDifference(d.serverUrl, resource);
      return judged('fail', `resource is "${resource}" but clients are configured with "${d.serverUrl}": ${describeDifference(kinds)}`, 'DISCOVERY_PRM_RESOURCE_MISMATCH', {
        evidence: { configured: d.serverUrl, resource, differences: kinds },
      });
    },
  },
  {
    id: 'prm-authorization-servers',
    title: 'PRM names an authorization server',
    ref: 'C2',
    needs: withPrm,
    evaluate(s) {
      const as = s.d.prm!.authorization_servers;
      const list = strings(as);
      if (!list || list.length === 0) return judged('fail', `authorization_servers is ${JSON.stringify(as ?? null)}`, 'DISCOVERY_PRM_NO_AUTHORIZATION_SERVERS');
      return pass(list.length === 1 ? `"${list[0]}"` : `${list.map((x) => `"${x}"`).join(', ')} (the first is checked)`);
    },
  },
  {
    id: 'as-metadata',
    title: 'Authorization server metadata (RFC 8414 / OIDC)',
    ref: 'C4',
    evaluate(s) {
      const { d, issuer, asTries, meta } = s;
      if (!issuer) return skip('not reached: no authorization server named in the resource metadata');
      if (!absoluteHttpUrl(issuer)) return judged('fail', `authorization_servers[0] "${issuer}" is not an absolute http(s) URL`, 'DISCOVERY_ENDPOINT_NOT_ABSOLUTE');
      if (!meta) {
        const code = failureCode(asTries, 'DISCOVERY_AS_METADATA_INVALID', 'DISCOVERY_AS_METADATA_NOT_FOUND');
        return judged('fail', `no URL served the metadata of ${issuer}: ${asTries.map(line).join('; ')}`, code, { evidence: { tried: asTries.map(line) } });
      }
      const form = d.asMetadataForm ?? 'rfc8414';
      const earlier = asTries.filter((x) => x !== asTries.find(metadataOk)).map(line);
      const note = earlier.length ? ` after ${earlier.join('; ')}` : '';
      if (!form.startsWith('rfc8414') && !since1125(s.spec)) return judged('warn', `only OpenID discovery works (${d.asMetadataUrl})${note}; 2025-06-18 clients try RFC 8414 only`, 'DISCOVERY_AS_METADATA_OIDC_ONLY');
      return pass(`${d.asMetadataUrl} → 200 (${formWords(form)})${note}`);
    },
  },
  {
    id: 'as-issuer',
    title: 'issuer identical to the PRM entry',
    ref: 'C5',
    needs: withMeta,
    evaluate(s) {
      const { d, issuer } = s;
      const mIssuer = s.meta!.issuer;
      if (typeof mIssuer !== 'string') return judged('fail', `the metadata at ${d.asMetadataUrl} has no issuer (expected "${issuer}")`, 'DISCOVERY_AS_ISSUER_MISMATCH');
      if (mIssuer === issuer) return pass(`"${mIssuer}"`);
      const kinds = classifyUrlDifference(issuer ?? '', mIssuer);
      return judged('fail', `metadata issuer "${mIssuer}" ≠ authorization_servers[0] "${issuer}": ${describeDifference(kinds)}`, 'DISCOVERY_AS_ISSUER_MISMATCH', {
        evidence: { expected: issuer, issuer: mIssuer, differences: kinds },
      });
    },
  },
  {
    id: 'as-endpoints',
    title: 'Endpoints present and absolute',
    ref: 'C6',
    needs: withMeta,
    evaluate(s) {
      const meta = s.meta!;
      const bad: string[] = [];
      for (const k of ['authorization_endpoint', 'token_endpoint'] as const) {
        if (meta[k] === undefined) bad.push(`${k} missing`);
        else if (!absoluteHttpUrl(meta[k])) bad.push(`${k} ${JSON.stringify(meta[k])} is not an absolute http(s) URL`);
      }
      if (meta.registration_endpoint !== undefined && !absoluteHttpUrl(meta.registration_endpoint)) bad.push(`registration_endpoint ${JSON.stringify(meta.registration_endpoint)} is not an absolute http(s) URL`);
      if (bad.length) return judged('fail', bad.join('; '), 'DISCOVERY_ENDPOINT_NOT_ABSOLUTE');
      return pass(
        ['authorization_endpoint', 'token_endpoint', 'registration_endpoint']
          .filter((k) => meta[k] !== undefined)
          .map((k) => `${k.replace('_endpoint', '')} ${String(meta[k])}`)
          .join(', '),
      );
    },
  },
  {
    id: 'https',
    title: 'HTTPS everywhere except loopback',
    ref: 'C6',
    evaluate(s) {
      const { d, meta } = s;
      const urls: [string, unknown][] = [
        ['MCP URL', d.serverUrl],
        ['resource_metadata', s.bearer?.params.resource_metadata],
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
      if (insecure.length) return judged('fail', `http:// on a non-loopback host: ${[...new Set(insecure)].join(', ')}`, 'DISCOVERY_INSECURE_ENDPOINT');
      return pass(loopbackHttp ? 'http:// on loopback only (allowed)' : 'all https');
    },
  },
  {
    id: 'pkce',
    title: 'PKCE S256 advertised',
    ref: 'C7',
    needs: withMeta,
    evaluate(s) {
      const methods = s.meta!.code_challenge_methods_supported;
      const mlist = strings(methods);
      if (mlist?.includes('S256')) return pass(`code_challenge_methods_supported ${JSON.stringify(mlist)}`);
      const what = methods === undefined ? 'code_challenge_methods_supported is absent' : `code_challenge_methods_supported is ${JSON.stringify(methods)}`;
      if (since1125(s.spec)) return judged('fail', `${what}: ${s.spec} clients refuse to proceed`, 'DISCOVERY_PKCE_S256_MISSING');
      return judged('warn', `${what} (2025-06-18: clients must use PKCE anyway; from 2025-11-25 they refuse)`, 'DISCOVERY_PKCE_S256_MISSING');
    },
  },
  {
    id: 'registration',
    title: 'Client registration advertised (CIMD / DCR)',
    ref: 'C8',
    needs: withMeta,
    evaluate(s) {
      const dcr = typeof s.meta!.registration_endpoint === 'string';
      const cimd = s.meta!.client_id_metadata_document_supported === true;
      if (!dcr && !cimd) return judged('warn', 'no registration_endpoint and no client_id_metadata_document_supported: clients need a pre-registered client id', 'DISCOVERY_NO_REGISTRATION_METHOD');
      if (cimd) return pass(dcr ? 'CIMD and DCR' : 'CIMD');
      if (since1125(s.spec)) return judged('info', `DCR only, no CIMD (${s.spec === '2026-07-28' ? 'DCR is deprecated in 2026-07-28, kept for compatibility' : 'clients prefer CIMD since 2025-11-25'})`, 'DISCOVERY_NO_CIMD');
      return pass('DCR');
    },
  },
  {
    id: 'public-clients',
    title: 'Public clients (auth method none) advertised',
    ref: 'C8',
    needs: withMeta,
    evaluate(s) {
      const auth = s.meta!.token_endpoint_auth_methods_supported;
      const alist = strings(auth);
      if (alist?.includes('none')) return pass(`token_endpoint_auth_methods_supported ${JSON.stringify(alist)}`);
      return judged(
        'info',
        auth === undefined ? 'token_endpoint_auth_methods_supported absent (RFC 8414 default: client_secret_basic)' : `token_endpoint_auth_methods_supported ${JSON.stringify(auth)} has no "none"`,
        'DISCOVERY_PUBLIC_CLIENTS_NOT_ADVERTISED',
      );
    },
  },
  {
    id: 'refresh-grant',
    title: 'refresh_token grant advertised',
    ref: 'C6',
    needs: withMeta,
    evaluate(s) {
      const grants = s.meta!.grant_types_supported;
      const glist = strings(grants);
      if (glist?.includes('refresh_token')) return pass(`grant_types_supported ${JSON.stringify(glist)}`);
      return judged(
        'warn',
        grants === undefined ? 'grant_types_supported absent (RFC 8414 default: authorization_code, implicit)' : `grant_types_supported ${JSON.stringify(grants)} has no refresh_token`,
        'DISCOVERY_NO_REFRESH_GRANT',
      );
    },
  },
  {
    id: 'iss-parameter',
    title: 'RFC 9207 iss advertised',
    ref: 'C11',
    needs: withMeta,
    evaluate(s) {
      if (s.meta!.authorization_response_iss_parameter_supported === true) return pass('authorization_response_iss_parameter_supported: true');
      if (s.spec === '2026-07-28') return judged('info', 'not advertised (a SHOULD in 2026-07-28; informational)', 'DISCOVERY_ISS_NOT_ADVERTISED');
      return { status: 'info', detail: `not advertised (not part of ${s.spec})` };
    },
  },
  {
    id: 'dcr-probe',
    title: 'Dynamic client registration works',
    ref: 'C8',
    needs: withMeta,
    evaluate(s) {
      const reg = s.d.exchanges?.find((x) => x.step === 'registration');
      if (!s.d.probeRegistration) return skip('not requested (--probe-registration registers a client)');
      if (typeof s.meta!.registration_endpoint !== 'string') return skip('not reached: no registration_endpoint advertised');
      if (!reg) return skip('not reached: registration_endpoint is not an absolute URL');
      return registrationCheck(reg, s.spec);
    },
  },
  {
    id: 'token-endpoint',
    title: 'Token endpoint answers a bogus code with a JSON error',
    ref: 'C9',
    needs: withMeta,
    evaluate(s) {
      const tok = s.d.exchanges?.find((x) => x.step === 'token');
      if (tok) return tokenCheck(tok);
      const endpoint = s.meta!.token_endpoint;
      return skip(endpoint === undefined ? 'not reached: no token_endpoint advertised' : !absoluteHttpUrl(endpoint) ? 'not reached: token_endpoint is not an absolute URL' : 'not probed');
    },
  },
  {
    id: 'forged-token',
    title: 'A forged bearer token gets 401 invalid_token',
    ref: 'C10',
    evaluate(s) {
      if (s.status !== 401) return skip(`not probed: the MCP URL answered ${s.status} without credentials, not 401`);
      if (!s.forged) return skip('not probed');
      return forgedTokenCheck(s.forged, bearerOf(s.d.forgedTokenChallenges));
    },
  },
];

/** Check ids, in the order they are evaluated and shown. */
export const CHECK_IDS: readonly string[] = DISCOVERY_CHECKS.map((c) => c.id);

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
function failureCode(tries: DiscoveryExchange[], invalid: FindingCode, absent: FindingCode): FindingCode {
  if (tries.some((x) => x.status !== undefined && x.status >= 500)) return 'DISCOVERY_SERVER_ERROR';
  if (tries.some((x) => x.status === 200)) return invalid;
  if (tries.some((x) => x.error?.kind === 'tls')) return 'DISCOVERY_TLS_INVALID';
  if (tries.length && tries.every((x) => x.error)) return 'DISCOVERY_ENDPOINT_UNREACHABLE';
  return absent;
}

/** C10: an HS256-shaped JWT with a made-up signature, sent as a bearer to the MCP URL. */
function forgedTokenCheck(x: DiscoveryExchange, ch: WwwAuthChallenge | undefined): Outcome {
  if (x.error) return skip(`no answer: ${x.error.message}`);
  const st = x.status!;
  const evidence = { status: st, wwwAuthenticate: x.headers['www-authenticate'] ?? null };
  if (st >= 200 && st < 300) return judged('fail', `POST ${x.url} initialize with a forged bearer token (random signature) → ${st}: the server does not verify the tokens it is given`, 'DISCOVERY_FORGED_TOKEN_ACCEPTED', { evidence });
  if (st !== 401) return judged('warn', `POST ${x.url} with a forged bearer token → ${st}, not 401: clients read only 401 as "authenticate again"`, 'DISCOVERY_FORGED_TOKEN_WRONG_STATUS', { evidence });
  if (ch?.params.error !== 'invalid_token') {
    const got = ch ? (ch.params.error !== undefined ? `error="${ch.params.error}"` : 'no error parameter') : 'no Bearer challenge';
    return judged('warn', `POST ${x.url} with a forged bearer token → 401 with ${got} (RFC 6750 §3.1: invalid_token)`, 'DISCOVERY_FORGED_TOKEN_NO_INVALID_TOKEN', { evidence });
  }
  return pass(`forged token → 401 error="invalid_token"`);
}

function registrationCheck(x: DiscoveryExchange, spec: Spec): Outcome {
  if (x.error) return judged('fail', line(x), 'DISCOVERY_REGISTRATION_FAILED');
  const j = isObject(x.json) ? x.json : undefined;
  const clientId = str(j?.client_id);
  if ((x.status === 201 || x.status === 200) && clientId) {
    const notes: string[] = [];
    if (x.status === 200) notes.push('200 instead of 201 Created');
    if (spec === '2026-07-28' && j?.application_type !== undefined && j.application_type !== 'native') notes.push(`application_type answered as ${JSON.stringify(j.application_type)}`);
    if (j?.token_endpoint_auth_method !== undefined) notes.push(`token_endpoint_auth_method ${JSON.stringify(j.token_endpoint_auth_method)}`);
    return pass(`POST ${x.url} → ${x.status}, client_id ${clientId}${notes.length ? ` (${notes.join('; ')})` : ''}`, { evidence: { status: x.status, clientId } });
  }
  const err = str(j?.error);
  const desc = str(j?.error_description);
  const why = err ? `${err}${desc ? `: ${desc}` : ''}` : x.body ? `body ${x.body.slice(0, 120)}` : 'empty body';
  return judged('fail', `POST ${x.url} → ${x.status} (${why})`, 'DISCOVERY_REGISTRATION_FAILED', { evidence: { status: x.status, error: err ?? null } });
}

const OAUTH_TOKEN_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target']);

function tokenCheck(x: DiscoveryExchange): Outcome {
  if (x.error) return judged('fail', line(x), x.error.kind === 'tls' ? 'DISCOVERY_TLS_INVALID' : 'DISCOVERY_ENDPOINT_UNREACHABLE');
  const s = x.status!;
  const ct = x.headers['content-type'];
  const j = isObject(x.json) ? x.json : undefined;
  const err = str(j?.error);
  const desc = str(j?.error_description);
  const evidence = { status: s, contentType: ct ?? null, error: err ?? null, body: j ? null : (x.body ?? '').slice(0, 120) };
  const what = `POST ${x.url} (bogus code) → ${s}${ct ? ` ${ct.split(';')[0]}` : ''}`;
  if (s >= 500) return judged('fail', `${what}${err ? ` ${err}` : ''}`, 'DISCOVERY_TOKEN_ENDPOINT_SERVER_ERROR', { evidence });
  if (s >= 200 && s < 300) return judged('fail', `${what}${err ? ` with error ${err} in the body` : ''}: a made-up code was not refused with 4xx`, 'DISCOVERY_TOKEN_ENDPOINT_ACCEPTED_BOGUS_CODE', { evidence });
  if (s >= 300 && s < 400) return judged('fail', `${what}, Location: ${x.headers.location ?? '(none)'}`, 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', { evidence });
  if (s >= 400 && s < 500) {
    if (!err) return judged('fail', `${what}: ${j ? 'JSON without an error member' : `not JSON (${(x.body ?? '').slice(0, 80).replace(/\s+/g, ' ') || 'empty body'})`}`, 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', { evidence });
    const known = OAUTH_TOKEN_ERRORS.has(err) ? '' : ' (not a standard RFC 6749 code)';
    const detail = `${what} {"error":"${err}"${desc ? `,"error_description":"${desc}"` : ''}}${known}`;
    if (!/json/i.test(ct ?? '')) return judged('warn', `${detail}, but Content-Type is ${ct ?? 'absent'}`, 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', { evidence });
    return pass(detail, { evidence });
  }
  return judged('fail', what, 'DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', { evidence });
}

// ---------------------------------------------------------------------------------------------

/** Judge the observed discovery surface, check by check, under `d.spec`. */
export function assessDiscovery(d: DiscoveryEvidence): DiscoveryCheck[] {
  const s = surfaceOf(d);
  const init = s.init;
  // Nothing answered at the MCP URL: every check but the first is "not reached".
  const unreached = !init
    ? 'not reached: the MCP URL was not requested'
    : init.error
      ? `not reached: ${init.error.kind === 'tls' ? 'no trusted TLS connection to the MCP server' : 'the MCP server could not be reached'} (${init.error.message})`
      : undefined;
  return DISCOVERY_CHECKS.map((spec) => {
    const o = unreached !== undefined && (spec.id !== 'mcp-401' || !init) ? skip(unreached) : (spec.needs?.(s) ?? spec.evaluate(s));
    const c: DiscoveryCheck = { id: spec.id, title: spec.title, status: o.status, detail: o.detail, ref: spec.ref };
    if (o.evidence) c.evidence = o.evidence;
    if (o.severity) c.severity = o.severity;
    if (o.code) c.code = o.code;
    return c;
  });
}

/** The judged checks and the first failing one (what the report shows). */
export function assessSurface(d: DiscoveryEvidence): DiscoveryAssessment {
  const checks = assessDiscovery(d);
  const first = firstFailure(checks);
  return first ? { checks, firstFailure: first.id } : { checks };
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
    for (const c of assessDiscovery(d)) {
      const severity = severityOf(c);
      if (!c.code || !severity) continue;
      const extra: Parameters<typeof finding>[2] = { severity, stage: 'discovery', data: { check: c.id, ...(c.ref ? { ref: c.ref } : {}), spec: d.spec, ...(c.evidence ?? {}) } };
      out.push(finding(c.code, c.detail, extra));
    }
  }
  out.push(...canaryFindings(ev));
  out.push(...replicaFindings(ev));
  return out;
}
