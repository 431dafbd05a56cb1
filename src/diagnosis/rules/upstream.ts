import { logLineFor, type LogContext } from '../../fastmcp/loglines.js';
import { isoTime, relative } from '../../time.js';
import { type Evidence, type Finding, type GithubHttpProbe, type UpstreamEvidence, valueOf } from '../../model/index.js';
import { capital, pathOf, tokenOf, versionAtLeast } from '../facts.js';
import { finding } from '../finding.js';

/** GitHub's body for a dead token (github.md §4), used when FastMCP's own call was not made. */
const BAD_CREDENTIALS_BODY = '{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}';

const UNAVAILABLE = new Set(['server-error', 'timeout', 'network-error']);

/** Rules of the upstream tier. Pure: evidence in, findings out. */
export function upstreamRules(ev: Evidence): Finding[] {
  const up = valueOf(ev.upstream);
  if (!up) return [];
  const out: Finding[] = [];
  const path = pathOf(ev);
  const logCtx: LogContext = { path };
  if (ev.settings.fastmcpVersion) logCtx.version = ev.settings.fastmcpVersion;
  const family = tokenOf(ev)?.headerFamily;
  if (family) logCtx.headerFamily = family;
  const user = up.user;
  const ct = up.checkToken;
  const token = `${up.token} (from ${up.tokenSource})`;

  // --- the token is dead: 401 at /user, or check-token 404 ------------------------------------
  const rejectedByUser = user !== undefined && user.status === 401;
  const rejectedByCheck = ct?.outcome === 'invalid';
  if (rejectedByUser || rejectedByCheck) {
    const said = rejectedByUser
      ? `GitHub answered ${user.status} ${JSON.stringify(user.message ?? '')} to GET /user${user.headers.requestId ? ` (request id ${user.headers.requestId})` : ''}`
      : `the check-token API answered 404 for app ${ev.settings.upstreamClientId ?? '?'}, i.e. GitHub no longer knows the token (GET /user was not called, to avoid a failed login)`;
    const logLine = logLineFor('upstream.verify', { ...logCtx, githubStatus: rejectedByUser ? user.status : 401, githubBody: rejectedByUser ? user.body ?? BAD_CREDENTIALS_BODY : BAD_CREDENTIALS_BODY });
    const data = { status: rejectedByUser ? user.status : undefined, checkToken: ct?.outcome, requestId: user?.headers.requestId, storedExpiresAt: up.storedExpiresAt ?? null, hasRefreshToken: up.hasRefreshToken ?? null };
    const expired = typeof up.storedExpiresAt === 'number' && up.storedExpiresAt <= ev.now;
    if (expired) {
      const when = `${isoTime(up.storedExpiresAt!)} (${relative(up.storedExpiresAt!, ev.now)})`;
      const detail = `The upstream token ${token} expired at ${when} per its stored expires_at, and ${said}.`;
      if (path === 'refresh' && up.hasRefreshToken) {
        out.push(
          finding('UPSTREAM_TOKEN_EXPIRED', `${detail} On the refresh grant this is expected: FastMCP does not call GET /user there, it refreshes the upstream token with the stored upstream refresh token.`, {
            severity: 'info',
            stage: 'upstream.verify',
            data,
          }),
        );
      } else {
        const v32 = versionAtLeast(ev.settings, '3.2.0');
        if (up.hasRefreshToken && v32 === true) {
          out.push(
            finding('UPSTREAM_TOKEN_EXPIRED', `${detail} FastMCP ${ev.settings.fastmcpVersion ?? '3.2+'} refreshes it transparently with the stored upstream refresh token; the session recovers unless that refresh token is dead too.`, {
              severity: 'warning',
              stage: 'upstream.verify',
              data,
            }),
          );
        } else {
          const why = !up.hasRefreshToken
            ? 'The upstream set holds no refresh token, so FastMCP cannot renew it.'
            : v32 === false
              ? `FastMCP ${ev.settings.fastmcpVersion ?? 'before 3.2'} does not refresh upstream tokens transparently at /mcp.`
              : 'The FastMCP version is unknown: 3.2+ would refresh it transparently (give --fastmcp-version).';
          out.push(finding('UPSTREAM_TOKEN_EXPIRED', `${detail} ${why}`, { stage: 'upstream.verify', logLine, data }));
        }
      }
    } else {
      const refreshNote =
        path === 'refresh'
          ? ' On the refresh grant FastMCP uses the upstream refresh token instead of GET /user; when the access token was revoked (user revoked the app, owner deleted the grant) the refresh token is dead too, and the grant fails with "Upstream refresh failed: bad_refresh_token".'
          : '';
      const kindNote = up.tokenKind.prefix === 'gho_' ? ' OAuth App tokens do not expire: revocation, the 10-token cap (max_for_app) or a year unused are the usual causes.' : '';
      const fixNote =
        logRead(ev)
          ? 'The security log given shows no destroy event for this token (it may predate the export, or the export is filtered to another app): check the app authorization for the user.'
          : 'GitHub does not say which; its security log does: export it and give it with --security-log (oauth_access.destroy with explanation max_for_app or expired), and check the app authorization.';
      out.push(finding('UPSTREAM_TOKEN_REJECTED', `${capital(said)}: the upstream token ${token} is revoked, expired or evicted.${kindNote}${refreshNote}`, { stage: 'upstream.verify', logLine, data, fixNote, ...(rejectedByUser ? {} : { title: 'GitHub no longer knows the upstream token (check-token answered 404)' }) }));
    }
  }

  // --- GitHub did not answer properly -----------------------------------------------------------
  if (user && !rejectedByUser) {
    if (UNAVAILABLE.has(user.outcome)) out.push(unavailable(user, 'GET /user', logCtx));
    else if (user.status === 200 && user.bodyProblem) {
      out.push(
        finding('UPSTREAM_UNAVAILABLE', `GET ${user.url} answered 200 with ${user.bodyProblem}. FastMCP's GitHub verifier fails on such a body and answers invalid_token; GitHub's API gives a JSON user object here, so something between this machine and ${up.apiUrl} (a proxy, a captive portal, a wrong --github-api-url) answered instead. The token itself was not judged.`, {
          stage: 'upstream.verify',
          title: `GET /user answered 200 with a body that is not a GitHub user (${user.bodyProblem})`,
          data: { ...probeData(user), bodyProblem: user.bodyProblem },
        }),
      );
    } else if (user.outcome === 'not-found' || user.outcome === 'unexpected') {
      out.push(
        finding(
          'UPSTREAM_UNAVAILABLE',
          `GET ${user.url} answered ${user.status ?? '?'}${user.message ? ` ${JSON.stringify(user.message)}` : ''}, which is not an answer GitHub gives for a token: check that ${up.apiUrl} is the REST API base (GitHub Enterprise Server: https://HOST/api/v3). FastMCP would reject the token all the same.`,
          { stage: 'upstream.verify', logLine: logLineFor('upstream.verify', { ...logCtx, githubStatus: user.status, githubBody: user.body ?? '' }), data: probeData(user), title: `GET /user answered ${user.status ?? '?'}, which is not an answer GitHub gives about a token (wrong API URL?)` },
        ),
      );
    } else if (user.outcome === 'rate-limited' || user.outcome === 'secondary-rate-limit') {
      const rl = user.headers.rateLimit;
      const reset = rl?.reset !== undefined ? ` The limit resets at ${isoTime(rl.reset)} (${relative(rl.reset, up.probedAt ?? ev.now)}${up.probedAt !== undefined ? ' when GitHub was asked' : ''}).` : '';
      const retry = user.headers.retryAfter !== undefined ? ` GitHub asks to wait ${user.headers.retryAfter} s (retry-after).` : '';
      const figures = rl ? ` (${rl.resource ?? 'core'}: ${rl.used ?? '?'} of ${rl.limit ?? '?'} used, ${rl.remaining ?? '?'} remaining)` : '';
      const what = user.outcome === 'rate-limited' ? `the primary rate limit is exhausted${figures}` : `a secondary rate limit applies${figures}`;
      out.push(
        finding('UPSTREAM_RATE_LIMITED', `GET /user answered ${user.status}: ${what}.${reset}${retry} The token itself may be fine; FastMCP rejects it while the limit lasts.`, {
          stage: 'upstream.verify',
          logLine: logLineFor('upstream.verify', { ...logCtx, githubStatus: user.status, githubBody: user.body ?? '' }),
          data: probeData(user),
        }),
      );
    } else if (user.outcome === 'sso-required') {
      out.push(
        finding('UPSTREAM_SSO_REQUIRED', `GET /user answered 403 with X-GitHub-SSO "required"${ssoOrg(user.headers.sso)}: the token is alive but not authorized for the organization's SAML single sign-on.`, {
          stage: 'upstream.verify',
          logLine: logLineFor('upstream.verify', { ...logCtx, githubStatus: user.status, githubBody: user.body ?? '' }),
          data: probeData(user),
        }),
      );
    } else if (user.outcome === 'locked-out' || user.outcome === 'forbidden') {
      const lock = user.outcome === 'locked-out' ? ' GitHub says too many failed logins: it now refuses every authentication for this user for a while, even with valid tokens (often after clients kept retrying a dead token).' : '';
      out.push(
        finding('UPSTREAM_FORBIDDEN', `GET /user answered 403 ${JSON.stringify(user.message ?? '')} without rate-limit or SSO headers.${lock}`, {
          stage: 'upstream.verify',
          logLine: logLineFor('upstream.verify', { ...logCtx, githubStatus: user.status, githubBody: user.body ?? '' }),
          data: probeData(user),
        }),
      );
    }
  } else if (!user && ct?.outcome === 'error' && up.checkTokenHttp && UNAVAILABLE.has(up.checkTokenHttp.outcome)) {
    out.push(unavailable(up.checkTokenHttp, 'the check-token API', logCtx, ' GET /user was not called.'));
  }

  // --- scopes -------------------------------------------------------------------------------------
  if (user?.outcome === 'ok' && up.effectiveScopes) {
    const missing = up.requiredScopes.filter((s) => !up.effectiveScopes!.includes(s));
    if (missing.length) {
      const header = up.repos?.headers.oauthScopes;
      out.push(
        finding(
          'UPSTREAM_SCOPES_MISSING',
          `FastMCP needs ${list(up.requiredScopes)}; the token has ${list(up.effectiveScopes)} (X-OAuth-Scopes ${header === undefined ? 'not read' : header === null ? 'absent' : JSON.stringify(header)}${header === '' || header === null ? ', which FastMCP reads as ["user"]' : ''}). Missing: ${list(missing)}.`,
          {
            stage: 'upstream.scopes',
            logLine: logLineFor('upstream.scopes', { ...logCtx, scopesHave: up.effectiveScopes.length, scopesNeed: up.requiredScopes.length }),
            data: { required: up.requiredScopes, effective: up.effectiveScopes, missing },
          },
        ),
      );
    }
  }

  // --- which app minted it --------------------------------------------------------------------------
  const minted = user?.headers.oauthClientId;
  const configured = ev.settings.upstreamClientId;
  if (minted && configured && minted !== configured) {
    out.push(
      finding('UPSTREAM_TOKEN_FROM_OTHER_APP', `X-OAuth-Client-Id on GET /user is ${minted}, but the deployment's GitHub client id is ${configured}.`, {
        stage: 'upstream.verify',
        data: { minted, configured },
      }),
    );
  }

  if (ct?.outcome === 'app-credentials-rejected') {
    out.push(
      finding(
        'UPSTREAM_APP_CREDENTIALS_REJECTED',
        `POST /applications/${configured ?? '?'}/token answered ${ct.status ?? '?'}${ct.message ? ` ${JSON.stringify(ct.message)}` : ''} to HTTP Basic with the given client id and secret.${user ? '' : ' The token was therefore not checked (GET /user is not called after a rejected check, to avoid counting a failed login).'}`,
        { stage: 'upstream.verify', data: { status: ct.status ?? null } },
      ),
    );
  }
  return out;
}

/** A security-log export or the audit-log API was read (not only the store's estimate). */
function logRead(ev: Evidence): boolean {
  const idp = valueOf(ev.idp);
  if (!idp) return false;
  return idp.sources ? idp.sources.some((x) => x.kind !== 'store-estimate') : idp.source !== 'store-estimate';
}

function unavailable(p: GithubHttpProbe, what: string, logCtx: LogContext, extra = ''): Finding {
  const network = p.outcome === 'timeout' || p.outcome === 'network-error';
  const said = network ? `${what} got no answer: ${p.message ?? p.outcome}` : `${what} answered ${p.status}${p.message ? ` ${JSON.stringify(p.message)}` : p.body?.startsWith('<') ? ' with an HTML error page' : ''}`;
  return finding('UPSTREAM_UNAVAILABLE', `${capital(said)}.${extra} This says nothing about the token, but FastMCP's verifier turns it into 401 invalid_token (fastmcp#4854).`, {
    stage: 'upstream.verify',
    logLine: network ? logLineFor('upstream.verify', { ...logCtx, networkError: p.message ?? p.outcome }) : logLineFor('upstream.verify', { ...logCtx, githubStatus: p.status, githubBody: p.body ?? '' }),
    data: probeData(p),
  });
}

function probeData(p: GithubHttpProbe): Record<string, unknown> {
  const d: Record<string, unknown> = { url: p.url, outcome: p.outcome };
  if (p.status !== undefined) d.status = p.status;
  if (p.message) d.message = p.message;
  if (p.headers.requestId) d.requestId = p.headers.requestId;
  if (p.headers.rateLimit) d.rateLimit = p.headers.rateLimit;
  if (p.headers.retryAfter !== undefined) d.retryAfter = p.headers.retryAfter;
  return d;
}

/** The organization part of an X-GitHub-SSO header (the authorization_request query is left out). */
function ssoOrg(header: string | undefined): string {
  const m = /url=(\S+)/.exec(header ?? '');
  if (!m) return '';
  try {
    const u = new URL(m[1]!);
    return ` (authorize at ${u.origin}${u.pathname})`;
  } catch {
    return '';
  }
}

function list(xs: string[]): string {
  return xs.length ? xs.map((x) => `"${x}"`).join(', ') : '(none)';
}


/** For other tiers: is the upstream token known dead at GitHub? */
export function upstreamDead(up: UpstreamEvidence | undefined): boolean {
  return Boolean(up && (up.user?.status === 401 || up.checkToken?.outcome === 'invalid'));
}
