import { CLIENT_ID_KIND_TEXT, type GithubHttpProbe, type Report, type UpstreamEvidence } from '../../model/index.js';
import { isoTime, relative } from '../../time.js';
import type { Style } from '../style.js';

/** probe-github / diagnose: what GitHub answered. (Owned by the GitHub tier.) */
export function upstreamSection(report: Report, s: Style): string {
  const ev = report.evidence;
  const c = ev?.upstream;
  if (!c || c.status === 'skipped' || !c.value) return '';
  const up = c.value;
  const now = report.now;
  const rows: [string, string][] = [];
  rows.push(['token', `${String(up.token)}  ${up.tokenKind.kind}`]);
  rows.push(['from', up.tokenSource]);
  if (typeof up.storedExpiresAt === 'number') rows.push(['stored expiry', `${isoTime(up.storedExpiresAt)} (${relative(up.storedExpiresAt, now)})${up.hasRefreshToken ? ', upstream refresh token present' : up.hasRefreshToken === false ? ', no upstream refresh token' : ''}`]);
  const clientId = ev?.settings.upstreamClientId;
  if (clientId) rows.push(['app', `${clientId} — ${CLIENT_ID_KIND_TEXT[up.clientIdKind ?? 'unknown']} (hint from the id's shape)`]);
  rows.push(['check-token', checkTokenText(up, s)]);
  if (up.user) rows.push(['GET /user', probeText(up.user, s, up.user.login ? `as ${up.user.login}${up.user.id !== undefined ? ` (id ${up.user.id})` : ''}` : '')]);
  if (up.repos) {
    const h = up.repos.headers.oauthScopes;
    rows.push(['GET /user/repos', probeText(up.repos, s, `X-OAuth-Scopes ${h === null || h === undefined ? 'absent' : JSON.stringify(h)}`)]);
  }
  if (up.effectiveScopes) {
    const missing = up.requiredScopes.filter((x) => !up.effectiveScopes!.includes(x));
    const text = `FastMCP sees ${up.effectiveScopes.join(', ')}; needs ${up.requiredScopes.join(', ') || '(none)'}`;
    rows.push(['scopes', missing.length ? s.red(`${text} — missing ${missing.join(', ')}`) : text]);
  }
  const last = up.repos ?? up.user ?? up.checkTokenHttp;
  const rl = last?.headers.rateLimit;
  if (rl) {
    rows.push([up.probedAt !== undefined ? 'rate limit (live)' : 'rate limit', `${rl.resource ?? 'core'}: ${rl.used ?? '?'} of ${rl.limit ?? '?'} used, ${rl.remaining ?? '?'} remaining${rl.reset !== undefined ? `, resets ${isoTime(rl.reset)} (${relative(rl.reset, up.probedAt ?? now)}${up.probedAt !== undefined ? ', live' : ''})` : ''}`]);
  }
  const minted = up.user?.headers.oauthClientId;
  if (minted) rows.push(['minted by', `${minted} (X-OAuth-Client-Id)`]);
  const exp = up.user?.headers.tokenExpiration;
  if (exp) rows.push(['token expiry', `${exp} (GitHub-Authentication-Token-Expiration)`]);
  if (up.user?.headers.githubEnterpriseVersion) rows.push(['GHES', up.user.headers.githubEnterpriseVersion]);
  for (const n of up.notes ?? []) rows.push(['note', s.dim(n)]);
  if (c.status === 'error') rows.push(['not checked', s.yellow(c.reason)]);

  const width = Math.max(...rows.map(([k]) => k.length));
  return [s.bold(`GitHub (${up.apiUrl})`), ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

function probeText(p: GithubHttpProbe, s: Style, extra: string): string {
  const status = p.status !== undefined ? String(p.status) : p.outcome;
  const color = p.outcome === 'ok' ? s.green : p.outcome === 'server-error' || p.outcome === 'timeout' || p.outcome === 'network-error' ? s.yellow : s.red;
  const parts = [color(`${status} ${label(p)}`)];
  if (p.message && p.outcome !== 'ok' && p.message !== label(p)) parts.push(JSON.stringify(p.message));
  if (extra) parts.push(extra);
  parts.push(s.dim(`${p.ms} ms${p.headers.requestId ? `, request id ${p.headers.requestId}` : ''}`));
  return parts.join('  ');
}

function label(p: GithubHttpProbe): string {
  switch (p.outcome) {
    case 'ok':
      return 'OK';
    case 'bad-credentials':
      return 'Bad credentials';
    case 'rate-limited':
      return 'rate limit exhausted';
    case 'secondary-rate-limit':
      return `secondary rate limit${p.headers.retryAfter !== undefined ? ` (retry after ${p.headers.retryAfter} s)` : ''}`;
    case 'sso-required':
      return 'SAML SSO authorization required';
    case 'locked-out':
      return 'locked out after failed logins';
    case 'forbidden':
      return 'forbidden';
    case 'not-found':
      return 'not found';
    case 'server-error':
      return 'GitHub server error';
    case 'timeout':
      return '';
    case 'network-error':
      return '';
    case 'unreachable':
      return 'could not be reached from here';
    case 'unexpected':
      return 'unexpected answer';
  }
}

function checkTokenText(up: UpstreamEvidence, s: Style): string {
  const ct = up.checkToken;
  if (!ct) return s.dim('not used');
  switch (ct.outcome) {
    case 'skipped':
      return s.dim(`skipped: ${ct.message ?? ''}`);
    case 'valid': {
      const parts = [s.green(`${ct.status ?? 200} valid`)];
      if (ct.appName) parts.push(`app "${ct.appName}"`);
      if (ct.userLogin) parts.push(`user ${ct.userLogin}`);
      if (ct.scopes) parts.push(`scopes ${ct.scopes.length ? ct.scopes.join(', ') : '(none)'}`);
      parts.push(ct.expiresAt ? `expires ${ct.expiresAt}` : 'no expiry');
      return parts.join(', ');
    }
    case 'invalid':
      return s.red(`${ct.status ?? 404}: GitHub no longer knows the token (revoked, expired or evicted)`);
    case 'app-credentials-rejected':
      return s.yellow(`${ct.status ?? '?'}: the app client id/secret were rejected`);
    case 'error': {
      const h = up.checkTokenHttp;
      return s.yellow(h ? `${h.status ?? h.outcome} ${h.message ?? ''}`.trim() : `error ${ct.message ?? ''}`);
    }
  }
}
