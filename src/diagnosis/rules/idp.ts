import { isoTime } from '../../time.js';
import { type Evidence, type Finding, type IdpEvent, valueOf } from '../../model/index.js';
import { capital } from '../facts.js';
import { finding } from '../finding.js';

/** GitHub's documented cap per user / OAuth App / scope set (github.md §2.1). */
const CAP = 10;
/** "Near" the cap: this many live tokens or more. */
const NEAR = CAP - 2;

const DESTROY = new Set(['oauth_access.destroy', 'oauth_access.revoke']);

/** Rules of the idp tier. Pure: evidence in, findings out. */
export function idpRules(ev: Evidence): Finding[] {
  const idp = valueOf(ev.idp);
  if (!idp) return [];
  const out: Finding[] = [];

  // --- the upstream tokens in play: what the log says happened to them ---------------------------
  const lastDestroy = new Map<string, IdpEvent>();
  for (const m of idp.matches) if (DESTROY.has(m.event.action)) lastDestroy.set(m.token, m.event);
  let evicted = 0;
  for (const [label, e] of lastDestroy) {
    const info = idp.tokens?.find((t) => t.label === label);
    const hash = e.hashedToken ? ` (hashed_token ${e.hashedToken.slice(0, 12)}…)` : e.tokenLastEight ? ' (matched by token_last_eight)' : '';
    const who = [e.user, e.appName].filter(Boolean).join(' / ');
    const data = { token: label, action: e.action, at: e.at, explanation: e.explanation ?? null, requestId: e.requestId ?? null, trigger: e.trigger ?? null, origin: e.origin ?? null };
    if (e.explanation === 'max_for_app') {
      evicted += 1;
      const n = e.trigger?.liveAfter;
      const when = e.trigger
        ? n !== undefined && n > CAP
          ? `, when the ${ordinal(n)} token${who ? ` for ${who}` : ''} was created (${isoTime(e.trigger.at)}${e.trigger.requestId ? `, same request id ${e.trigger.requestId}` : ''})`
          : `, when another token${who ? ` for ${who}` : ''} was created (${isoTime(e.trigger.at)}; the log shows ${n ?? '?'} live, tokens older than the log are not counted)`
        : '';
      out.push(
        finding('IDP_TOKEN_EVICTED_MAX_FOR_APP', `${capital(label)}${hash} was evicted by max_for_app at ${isoTime(e.at)}${when}. GitHub now answers 401 Bad credentials for it.`, {
          stage: 'idp.events',
          data,
        }),
      );
      continue;
    }
    const expired = e.explanation === 'expired';
    const recoverable = expired && info?.hasRefreshToken === true;
    const why = e.explanation ? `explanation "${e.explanation}"` : 'no explanation (a user or owner revoked it, or the app authorization was removed)';
    const note = expired
      ? recoverable
        ? ' The upstream set holds a refresh token: FastMCP renews the GitHub token on the refresh grant (and at /mcp transparently from 3.2).'
        : ' It expired at GitHub; without a live upstream refresh token FastMCP cannot renew it.'
      : '';
    out.push(
      finding('IDP_TOKEN_REVOKED', `The security log shows ${e.action} for ${label}${hash} at ${isoTime(e.at)}${who ? ` (${who})` : ''}, ${why}.${note}`, {
        stage: 'idp.events',
        severity: recoverable ? 'warning' : 'error',
        data,
      }),
    );
  }

  // A token whose create is in the log but no destroy: an authorization removal after it kills it too.
  const created = new Map<string, IdpEvent>();
  for (const m of idp.matches) if (m.event.action === 'oauth_access.create') created.set(m.token, m.event);
  for (const [label, c] of created) {
    if (lastDestroy.has(label)) continue;
    const removal = (idp.authorizations ?? []).find((a) => a.action === 'oauth_authorization.destroy' && a.at >= c.at && sameOwner(a, c));
    if (!removal) continue;
    out.push(
      finding(
        'IDP_TOKEN_REVOKED',
        `${capital(label)} was created at ${isoTime(c.at)}${c.appName ? ` for ${c.appName}` : ''}, and the log shows oauth_authorization.destroy${removal.user ? ` for ${removal.user}` : ''} at ${isoTime(removal.at)}: the app's authorization was removed (user revocation, owner action or app deletion), which revokes every token of the app for that user.`,
        { stage: 'idp.events', data: { token: label, created: c.at, authorizationDestroyed: removal.at } },
      ),
    );
  }

  // --- the app as a whole ---------------------------------------------------------------------------
  const maxForApp = idp.destroysByExplanation.max_for_app ?? 0;
  if (maxForApp > 0 && evicted === 0) {
    const times = idp.maxForAppSpan ? [idp.maxForAppSpan.first, idp.maxForAppSpan.last] : idp.timelines.flatMap((t) => t.points.filter((p) => p.explanation === 'max_for_app').map((p) => p.at)).sort((a, b) => a - b);
    const span = times.length ? ` between ${isoTime(times[0]!)} and ${isoTime(times[times.length - 1]!)}` : '';
    out.push(
      finding('IDP_MAX_FOR_APP_SEEN', `${maxForApp} oauth_access.destroy event${maxForApp > 1 ? 's' : ''} with explanation max_for_app for ${idp.app ?? 'the app'}${span}: each new login evicted an older token of the same user.`, {
        stage: 'idp.events',
        data: { count: maxForApp, app: idp.app ?? null },
      }),
    );
  }

  for (const t of idp.timelines) {
    const now = t.current ?? 0;
    if (now >= NEAR) {
      out.push(
        finding(
          'IDP_TOKEN_CAP_AT_RISK',
          `${t.user} / ${t.app}: an estimated ${now} live token${now > 1 ? 's' : ''} after the last event (peak ${t.peak}${t.baseline ? `, a lower bound` : ''}); GitHub keeps at most ${CAP} per user, OAuth App and scope set${now >= CAP ? ', so the next login evicts one' : ''}.`,
          { stage: 'idp.cap', data: { user: t.user, app: t.app, current: now, peak: t.peak } },
        ),
      );
    }
  }

  const se = idp.storeEstimate;
  if (se && se.oauthAppTokens >= NEAR && !idp.timelines.some((t) => (t.current ?? 0) >= NEAR)) {
    const clients = Object.keys(se.perClient).length;
    out.push(
      finding(
        'IDP_TOKEN_CAP_AT_RISK',
        `The store holds ${se.oauthAppTokens} live OAuth App upstream tokens (gho_) across ${clients} MCP client${clients === 1 ? '' : 's'}. FastMCP does not record the GitHub user, but where more than ${CAP} belong to one user, GitHub has already evicted the least recently used ones.`,
        { stage: 'idp.cap', data: { ...se } },
      ),
    );
  }
  return out;
}

/** Same user and app, where both events say. */
function sameOwner(a: IdpEvent, b: IdpEvent): boolean {
  if (a.user && b.user && a.user !== b.user) return false;
  if (a.appName && b.appName && a.appName.toLowerCase() !== b.appName.toLowerCase()) return false;
  return true;
}


function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}
