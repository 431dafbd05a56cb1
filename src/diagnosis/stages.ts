/**
 * FastMCP's verification path for one token, stage by stage, as pass / fail / skipped.
 * Pure: derived from the evidence and the findings.
 */
import { isoTime } from '../time.js';
import type { Evidence, Finding, Lookup, StageId, StageResult, TierStatus } from '../model/index.js';

const ACCESS_STAGES: StageId[] = ['jwt.decode', 'jwt.signature', 'jwt.token_use', 'jwt.exp', 'jwt.iss', 'jwt.aud', 'jwt.jti', 'storage.jti_mapping', 'storage.upstream_set', 'upstream.verify', 'upstream.scopes'];
const REFRESH_STAGES: StageId[] = ['jwt.decode', 'storage.client', 'refresh.hash', 'jwt.signature', 'jwt.token_use', 'jwt.exp', 'jwt.iss', 'jwt.aud', 'jwt.jti', 'storage.jti_mapping', 'storage.upstream_set', 'upstream.verify', 'upstream.scopes'];

export const STAGE_TITLES: Record<StageId, string> = {
  'client.cache': "the client's token cache",
  config: 'configuration',
  discovery: 'discovery',
  'jwt.decode': 'decode JWT (three segments, JSON, HS256)',
  'jwt.signature': 'HS256 signature',
  'jwt.token_use': 'token_use (access vs refresh)',
  'jwt.exp': 'exp (no leeway)',
  'jwt.iss': 'iss',
  'jwt.aud': 'aud',
  'jwt.jti': 'jti present',
  'storage.client': 'client registration (mcp-oauth-proxy-clients)',
  'refresh.hash': 'refresh hash (mcp-refresh-tokens)',
  'storage.jti_mapping': 'JTI mapping (mcp-jti-mappings)',
  'storage.upstream_set': 'upstream token set (mcp-upstream-tokens)',
  'storage.inventory': 'store inventory',
  'upstream.verify': 'GitHub GET /user',
  'upstream.scopes': 'required scopes (X-OAuth-Scopes)',
  'idp.events': 'security log',
  'idp.cap': '10-token cap',
  canary: 'canary request (initialize with the token)',
};

export function stagesFor(ev: Evidence, findings: Finding[]): StageResult[] {
  const token = ev.token?.status === 'collected' ? ev.token.value : undefined;
  const refresh = token?.kind === 'refresh';
  const list = refresh ? REFRESH_STAGES : ACCESS_STAGES;
  const out: StageResult[] = [];
  for (const id of list) {
    if (token?.kind === 'id-jag' && (id.startsWith('storage.') || id === 'refresh.hash')) {
      out.push({ id, title: STAGE_TITLES[id], status: 'skipped', detail: 'ID-JAG tokens skip storage' });
      continue;
    }
    const errs = findings.filter((f) => f.stage === id && f.severity === 'error');
    if (errs.length) {
      const first = errs[0]!;
      const r: StageResult = { id, title: STAGE_TITLES[id], status: 'fail', detail: first.detail };
      if (first.logLine) r.logLine = first.logLine;
      out.push(r);
      continue;
    }
    const [status, detail] = describe(id, ev);
    // A token FastMCP rejects for its alg decodes, but its step never reads "✔ … HS256".
    const title = id === 'jwt.decode' && token?.rejectedAlg !== undefined ? 'decode JWT (three segments, JSON)' : STAGE_TITLES[id];
    out.push({ id, title, status, detail: id === 'jwt.decode' && token?.rejectedAlg !== undefined ? `${detail}; alg ${JSON.stringify(token.rejectedAlg)}, not HS256` : detail });
  }
  return out;
}

function lookupStage(l: Lookup<unknown> | undefined, missingWhy: string): [TierStatus, string] {
  if (!l) return ['skipped', missingWhy];
  switch (l.state) {
    case 'present':
      return ['pass', `present in ${l.where}`];
    case 'expired':
      return ['fail', `expired in ${l.where}`];
    case 'missing':
      return ['fail', `absent from ${l.where}`];
    case 'undecryptable':
      return ['fail', `present in ${l.where} but not decryptable with the key in use`];
    case 'corrupt':
      return ['fail', `unreadable in ${l.where}: ${l.reason}`];
  }
}

function describe(id: StageId, ev: Evidence): [TierStatus, string] {
  const tokenC = ev.token;
  if (!tokenC || tokenC.status !== 'collected') return ['skipped', 'no token'];
  const t = tokenC.value;
  const chain = ev.chain?.status === 'collected' ? ev.chain.value : undefined;
  const noStore = ev.chain ? (ev.chain.status === 'collected' ? '' : ev.chain.reason) : 'no store given';
  const up = ev.upstream;
  switch (id) {
    case 'jwt.decode':
      return t.malformed ? ['fail', t.malformed] : ['pass', `${t.kind ?? 'access'} token, header ${t.headerFamily === 'joserfc' ? '{typ, alg} (FastMCP 3.4+)' : t.headerFamily === 'authlib' ? '{alg, typ} (FastMCP 2.13–3.3)' : 'in another order'}`];
    case 'jwt.signature':
      if (!t.signature.checked) return ['skipped', 'no key material given'];
      return t.signature.validWithCurrent ? ['pass', `verifies with ${t.signature.validWith}`] : ['fail', 'does not verify with the current key'];
    case 'jwt.token_use':
      return ['pass', t.kind === 'refresh' ? 'refresh token at the token endpoint' : 'access token'];
    case 'jwt.exp': {
      const exp = t.claims?.exp;
      return typeof exp === 'number' ? ['pass', `expires ${isoTime(exp)}`] : ['pass', 'no exp claim (FastMCP skips the check)'];
    }
    case 'jwt.iss':
      return ev.settings.expectedIssuer ? ['pass', `matches ${ev.settings.expectedIssuer}`] : ['skipped', 'no expected issuer (give --base-url or --issuer)'];
    case 'jwt.aud':
      return ev.settings.expectedAudience ? ['pass', `matches ${ev.settings.expectedAudience}`] : ['skipped', 'no expected audience (give --base-url)'];
    case 'jwt.jti':
      return typeof t.claims?.jti === 'string' ? ['pass', 'present'] : ['fail', t.claims?.jti === undefined ? 'missing' : `not a string (a JSON ${t.claims.jti === null ? 'null' : typeof t.claims.jti})`];
    case 'storage.client':
      return chain ? lookupStage(chain.client, 'not looked up') : ['skipped', noStore];
    case 'refresh.hash':
      return chain ? lookupStage(chain.refreshMeta, 'not looked up') : ['skipped', noStore];
    case 'storage.jti_mapping':
      return chain ? lookupStage(chain.mapping, 'not looked up') : ['skipped', noStore];
    case 'storage.upstream_set':
      return chain ? lookupStage(chain.upstreamSet, 'no mapping to follow') : ['skipped', noStore];
    case 'upstream.verify':
      if (!up) return ['skipped', 'GitHub not probed'];
      if (up.status !== 'collected') return [up.status === 'skipped' ? 'skipped' : 'error', up.reason];
      return up.value.user?.outcome === 'ok' ? ['pass', `200 for ${up.value.user.login ?? 'the user'}`] : ['pass', up.value.user ? `${up.value.user.status ?? ''} ${up.value.user.outcome}` : 'not called'];
    case 'upstream.scopes':
      if (!up || up.status !== 'collected') return ['skipped', 'GitHub not probed'];
      if (up.value.user?.outcome !== 'ok' || !up.value.effectiveScopes) return ['skipped', 'not reached: GitHub did not accept the token'];
      return ['pass', `has ${up.value.effectiveScopes.join(', ') || '(none)'}; needs ${up.value.requiredScopes.join(', ') || '(none)'}`];
    default:
      return ['skipped', ''];
  }
}
