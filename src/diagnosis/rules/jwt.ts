/**
 * The FastMCP JWT tier, in FastMCP's own order (JWTIssuer.verify_token): signature, token_use
 * (3.2+), exp (no leeway), iss, aud; then the jti the swap needs. Pure.
 */
import { logLineFor, type LogContext } from '../../fastmcp/loglines.js';
import { humanDuration, isoTime } from '../../time.js';
import type { Evidence, Finding, TokenEvidence } from '../../model/index.js';
import { pathOf, tokenOf, versionAtLeast, versionText } from '../facts.js';
import { finding } from '../finding.js';

/** Differences between two URLs, in words: "trailing slash", "port 8000 vs 8001", … */
export function urlDifference(actual: string, expected: string): string {
  if (actual.replace(/\/+$/, '') === expected.replace(/\/+$/, '')) return 'only the trailing slash differs';
  let a: URL;
  let b: URL;
  try {
    a = new URL(actual);
    b = new URL(expected);
  } catch {
    return 'they differ';
  }
  const diffs: string[] = [];
  if (a.protocol !== b.protocol) diffs.push(`scheme ${a.protocol.replace(':', '')} vs ${b.protocol.replace(':', '')}${a.protocol === 'http:' && b.protocol === 'https:' ? ' (a TLS-terminating proxy in front of a server configured with http?)' : ''}`);
  if (a.hostname !== b.hostname) diffs.push(`host ${a.hostname} vs ${b.hostname}`);
  if (a.port !== b.port) diffs.push(`port ${a.port || '(default)'} vs ${b.port || '(default)'}`);
  if (a.pathname.replace(/\/+$/, '') !== b.pathname.replace(/\/+$/, '')) diffs.push(`path ${a.pathname} vs ${b.pathname}`);
  if (a.search !== b.search) diffs.push(`query "${a.search}" vs "${b.search}"`);
  return diffs.join(', ') || 'they differ';
}

function logCtx(ev: Evidence, t: TokenEvidence): LogContext {
  const ctx: LogContext = { path: pathOf(ev) };
  if (ev.settings.fastmcpVersion) ctx.version = ev.settings.fastmcpVersion;
  if (t.headerFamily) ctx.headerFamily = t.headerFamily;
  return ctx;
}

export function jwtRules(ev: Evidence): Finding[] {
  const t = tokenOf(ev);
  if (!t) return [];
  const out: Finding[] = [];
  const lc = logCtx(ev, t);

  if (t.malformed) {
    out.push(finding('JWT_MALFORMED', `The token cannot be decoded: ${t.malformed}.`, { stage: 'jwt.decode', logLine: logLineFor('jwt.signature', lc) }));
    return out;
  }
  if (t.rejectedAlg !== undefined) {
    out.push(
      finding('JWT_ALGORITHM_REJECTED', `The header says alg ${JSON.stringify(t.rejectedAlg)}; FastMCP verifies HS256 only${t.rejectedAlg.toLowerCase() === 'none' ? ' — an unsigned token is never accepted' : ''}.`, {
        stage: 'jwt.signature',
        logLine: logLineFor('jwt.signature', lc),
      }),
    );
    return out;
  }
  const claims = t.claims ?? {};
  const kind = t.kind ?? 'access';
  const path = pathOf(ev);

  if (kind === 'id-jag') {
    out.push(finding('JWT_ID_JAG_TOKEN', 'The token carries fastmcp_grant "id_jag" (FastMCP 4.x SEP-990): it is checked without the JTI mapping and the upstream token.', { stage: 'jwt.signature' }));
  }

  // 1. signature
  const sig = t.signature;
  if (!sig.checked) {
    const only = sig.validWith ? ` (it does verify with ${sig.validWith}, but with no current key given that says nothing about the deployment)` : '';
    const why = sig.notCheckedBecause ? `The HS256 signature was not checked: ${sig.notCheckedBecause}` : `No current key was given, so the HS256 signature was not checked${only}`;
    out.push(finding('JWT_NO_KEY_MATERIAL', `${why}; claims were checked without it.`, { stage: 'jwt.signature' }));
  } else if (!sig.validWithCurrent) {
    const tried = sig.tried.length;
    let detail = `The HS256 signature does not verify with the current key (${sig.tried[0] ?? 'none'}).`;
    if (sig.validWith) detail += ` It verifies with ${sig.validWith}: the token was issued under that secret, so the deployment's key changed since.`;
    else if (tried > 1) detail += ` None of the ${tried - 1} candidate key${tried > 2 ? 's' : ''} verify it either: it was signed by a key this deployment no longer has (rotation, reinstall, another replica with a different secret), or it was not issued by this server.`;
    else detail += ' Give previous client secrets or signing keys with --candidate-secret-file to find out which key signed it.';
    if (sig.decodedBytesVerify) detail += ' (It verifies with the 32 decoded key bytes instead of the 44-character key text — the issuer was not FastMCP\'s own JWTIssuer.)';
    const data: Record<string, unknown> = { triedKeys: sig.tried };
    if (sig.validWith) data.signedWith = sig.validWith;
    const fixNote = sig.validWith
      ? `Here: this token was signed with ${sig.validWith}. Putting that value back makes every token issued before the change valid again (and, for the default store, selects the old store directory again).`
      : undefined;
    out.push(finding('JWT_SIGNATURE_INVALID', detail, { stage: 'jwt.signature', logLine: logLineFor('jwt.signature', lc), data, ...(fixNote ? { fixNote } : {}) }));
    if (sig.validWith) {
      out.push(finding('JWT_SIGNED_BY_CANDIDATE', `Signed with ${sig.validWith}.`, { stage: 'jwt.signature', data: { signedWith: sig.validWith } }));
    }
  }

  // 2. token_use (3.2+): a refresh JWT presented as a bearer at /mcp
  if (kind === 'refresh' && path === 'access') {
    const enforced = versionAtLeast(ev.settings, '3.2.0');
    const v = versionText(ev.settings);
    if (enforced === false) {
      out.push(
        finding('JWT_WRONG_TOKEN_USE', `A refresh JWT (token_use "refresh") is presented as the bearer at /mcp. FastMCP ${v} does not check token_use and accepts it, but 3.2+ rejects it: this client breaks on upgrade.`, {
          stage: 'jwt.token_use',
          severity: 'warning',
        }),
      );
    } else {
      out.push(
        finding('JWT_WRONG_TOKEN_USE', `A refresh JWT (token_use "refresh") is presented as the bearer at /mcp; FastMCP ${v === 'unknown' ? '3.2+' : v} rejects it${enforced === undefined ? ' (2.x and ≤3.1 accepted it; give --fastmcp-version if the server is older)' : ''}.`, {
          stage: 'jwt.token_use',
          logLine: logLineFor('jwt.token_use', lc),
        }),
      );
    }
  }

  // 3. exp, zero leeway, FastMCP: rejected when exp < now
  const exp = claims.exp;
  if (typeof exp === 'number' && exp < ev.now) {
    const ago = ev.now - exp;
    const iat = typeof claims.iat === 'number' ? claims.iat : undefined;
    let detail = `exp ${isoTime(exp)} is ${humanDuration(ago)} before the evaluation time ${isoTime(ev.now)}.`;
    if (iat !== undefined) detail += ` Lifetime (exp − iat): ${humanDuration(exp - iat)}.`;
    if (ago < 300) detail += ` It expired only ${humanDuration(ago)} ago: a client refreshing just too late, or a clock difference of that size between client and server, could explain it (FastMCP allows no leeway).`;
    else detail += ' Clock skew cannot explain a gap this large: the client kept using an expired token instead of refreshing.';
    if (kind === 'refresh') detail += ' A refresh token this old cannot be used; the user must re-authenticate.';
    out.push(finding('JWT_EXPIRED', detail, { stage: 'jwt.exp', logLine: logLineFor('jwt.exp', lc), data: { exp, secondsAgo: Math.round(ago) } }));
  } else if (exp !== undefined && typeof exp !== 'number') {
    out.push(finding('JWT_MALFORMED', `exp is ${JSON.stringify(exp)}, not a number.`, { stage: 'jwt.exp', logLine: logLineFor('jwt.exp', lc) }));
  }

  // 3b. nbf (FastMCP 4.2.1+): rejected when it lies in the future, at the same stage as exp
  const nbf = claims.nbf;
  if (typeof nbf === 'number' && nbf > ev.now) {
    const ahead = nbf - ev.now;
    const enforced = versionAtLeast(ev.settings, '4.2.1');
    const v = versionText(ev.settings);
    let detail = `nbf ${isoTime(nbf)} is ${humanDuration(ahead)} after the evaluation time ${isoTime(ev.now)}.`;
    detail +=
      ahead < 300
        ? ` Only ${humanDuration(ahead)} ahead: a clock difference of that size between the host that issued the token and the server explains it (FastMCP allows no leeway).`
        : ' Clock skew cannot explain a gap this large: the token was minted with a future nbf.';
    if (enforced === false) {
      detail += ` FastMCP ${v} does not read nbf and accepts the token; 4.2.1+ rejects it.`;
      out.push(finding('JWT_NOT_YET_VALID', detail, { stage: 'jwt.exp', severity: 'warning', data: { nbf, secondsAhead: Math.round(ahead) } }));
    } else {
      if (enforced === undefined) detail += ' FastMCP 4.2.1+ rejects it (earlier versions do not read nbf; give --fastmcp-version if the server is older).';
      out.push(finding('JWT_NOT_YET_VALID', detail, { stage: 'jwt.exp', data: { nbf, secondsAhead: Math.round(ahead) } }));
    }
  }

  // 4. iss, exact string compare
  const expectedIss = ev.settings.expectedIssuer;
  if (expectedIss !== undefined && claims.iss !== expectedIss) {
    const iss = typeof claims.iss === 'string' ? claims.iss : JSON.stringify(claims.iss ?? null);
    const why = typeof claims.iss === 'string' ? urlDifference(claims.iss, expectedIss) : 'the token has no string iss';
    const v4 = versionAtLeast(ev.settings, '4.0.0');
    const note = v4 === false ? '' : ' (FastMCP 4.x uses issuer_url here; pass --issuer when it differs from base_url.)';
    out.push(finding('JWT_ISSUER_MISMATCH', `iss is ${iss}; this deployment expects ${expectedIss}: ${why}.${note}`, { stage: 'jwt.iss', logLine: logLineFor('jwt.iss', lc), data: { iss: claims.iss ?? null, expected: expectedIss } }));
  }

  // 5. aud, exact string compare; the GHSA-5h2m-4q8j-pqpj boundary at 2.14.2
  out.push(...audience(ev, claims, lc));

  // 6. jti: FastMCP reads payload["jti"] for the swap
  if (kind !== 'id-jag' && (typeof claims.jti !== 'string' || claims.jti === '')) {
    const jti = claims.jti;
    const detail =
      jti === undefined
        ? 'The payload has no jti; FastMCP\'s token swap fails on it (KeyError) and answers invalid_token.'
        : `The payload's jti is ${jti === '' ? 'empty' : `not a string but a JSON ${jti === null ? 'null' : typeof jti} (${JSON.stringify(jti)?.slice(0, 40)})`}; FastMCP's token swap finds no JTI mapping under it and answers invalid_token.`;
    out.push(finding('JWT_MISSING_JTI', detail, { stage: 'jwt.jti', logLine: logLineFor('jwt.jti', lc) }));
  }
  return out;
}

function audience(ev: Evidence, claims: Record<string, unknown>, lc: LogContext): Finding[] {
  const s = ev.settings;
  if (!s.baseUrl || !s.expectedAudience) return [];
  const modern = s.expectedAudience;
  const legacy = `${s.baseUrl.replace(/\/+$/, '')}/mcp`;
  const aud = claims.aud;
  const isModern = versionAtLeast(s, '2.14.2');
  const expected = isModern === false ? legacy : modern;
  if (aud === expected) return [];
  const shown = typeof aud === 'string' ? aud : JSON.stringify(aud ?? null);
  if (typeof aud !== 'string') {
    return [finding('JWT_AUDIENCE_MISMATCH', `aud is ${shown}; FastMCP requires a string equal to ${expected}.`, { stage: 'jwt.aud', logLine: logLineFor('jwt.aud', lc), data: { aud: aud ?? null, expected } })];
  }
  let detail = `aud is ${aud}; this server expects ${expected}: ${urlDifference(aud, expected)}.`;
  if (isModern !== false && aud === legacy && legacy !== modern) {
    detail += ` ${aud} is what FastMCP before 2.14.2 hard-coded (base_url + "/mcp" whatever the mount path); since 2.14.2 (GHSA-5h2m-4q8j-pqpj) aud is the real resource URL, so this token was minted before the upgrade and every such token now fails with "Token has invalid audience".`;
  } else if (isModern === undefined && legacy !== modern && aud === legacy) {
    detail += ' (If the server runs FastMCP older than 2.14.2 it expects exactly this legacy value; give --fastmcp-version.)';
  } else if (isModern === false && aud === modern && legacy !== modern) {
    detail += ' This token carries the resource URL that FastMCP 2.14.2+ issues, but this server is older and expects the hard-coded base_url + "/mcp": it was issued by a newer server.';
  }
  return [finding('JWT_AUDIENCE_MISMATCH', detail, { stage: 'jwt.aud', logLine: logLineFor('jwt.aud', lc), data: { aud, expected } })];
}
