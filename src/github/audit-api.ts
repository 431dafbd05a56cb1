/**
 * The organization / enterprise audit-log API (github.md §5.5): `GET /orgs/{org}/audit-log` or
 * `GET /enterprises/{enterprise}/audit-log`, one query per action category — `phrase=action:oauth_access`
 * (tokens created / destroyed), then `phrase=action:oauth_authorization` (the app's authorization
 * granted / removed): the search language has no documented OR — cursor pagination through the `Link` header (Octokit's paginate follows rel="next"), a token with `read:audit_log`.
 * Stops (partial) when the rate limit reaches 0; never sleeps or retries.
 */
import { CollectError } from '../errors.js';
import { classifyNetError, createHttpEdge, oneLineText } from '../http/edge.js';
import type { Io } from '../model/index.js';
import { isoTime } from '../time.js';
import type { RawRecord } from './events.js';
import type { AuditLogTarget } from './target.js';

export interface AuditApiOptions extends AuditLogTarget {
  /** Search phrase; default: both AUDIT_PHRASES, one query each. */
  phrase?: string;
  /** Only events at or after (unix seconds): becomes a `created:>=` qualifier. */
  since?: number;
  perPage?: number;
  /** Stop after this many pages (default MAX_AUDIT_PAGES). */
  maxPages?: number;
}

export interface AuditApiResult {
  records: number;
  pages: number;
  /** Why reading stopped before the last page, if it did. */
  stopped?: string;
  url: string;
}

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

/** The action categories read from an org/enterprise audit log, one query each. */
export const AUDIT_PHRASES = ['action:oauth_access', 'action:oauth_authorization'] as const;

export function auditPhrase(opts: Pick<AuditApiOptions, 'phrase' | 'since'>): string {
  const parts = [opts.phrase ?? AUDIT_PHRASES[0]];
  if (opts.since !== undefined) parts.push(`created:>=${new Date(opts.since * 1000).toISOString().slice(0, 10)}`);
  return parts.join(' ');
}

/** Pages read at most from one audit log (100 events each): a server that never stops cannot keep us. */
export const MAX_AUDIT_PAGES = 10_000;

/** The `rel="next"` URL of a Link header, if any. */
export function nextLink(link: unknown): string | undefined {
  if (typeof link !== 'string') return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export async function readAuditLog(opts: AuditApiOptions, onRecord: (rec: RawRecord) => void, io: Io = {}): Promise<AuditApiResult> {
  if (opts.phrase !== undefined) return readOnePhrase(opts, onRecord, io);
  let total: AuditApiResult | undefined;
  for (const phrase of AUDIT_PHRASES) {
    const r = await readOnePhrase({ ...opts, phrase }, onRecord, io);
    if (total) {
      total.records += r.records;
      total.pages += r.pages;
    } else total = { ...r };
    // A stop (rate limit, interrupt, page cap) ends the read: what was read is the partial answer.
    if (r.stopped) {
      const rest = AUDIT_PHRASES.slice(AUDIT_PHRASES.indexOf(phrase) + 1);
      total.stopped = r.stopped === 'interrupted' ? r.stopped : `${r.stopped}${rest.length ? ` (${rest.join(', ')} events not read)` : ''}`;
      break;
    }
  }
  return total!;
}

async function readOnePhrase(opts: AuditApiOptions, onRecord: (rec: RawRecord) => void, io: Io): Promise<AuditApiResult> {
  const http = createHttpEdge(opts.http, io);
  // Loaded here, not with the module: only a run that reads an audit-log API needs it.
  const { Octokit } = await import('@octokit/rest');
  const octokit = new Octokit({ auth: opts.token.reveal(), baseUrl: opts.apiUrl, userAgent: opts.http.userAgent, log: silentLog, request: { fetch: http.fetch } });
  const route = opts.kind === 'org' ? 'GET /orgs/{org}/audit-log' : 'GET /enterprises/{enterprise}/audit-log';
  const params: Record<string, unknown> = { phrase: auditPhrase(opts), per_page: opts.perPage ?? 100, include: 'web' };
  if (opts.kind === 'org') params.org = opts.name;
  else params.enterprise = opts.name;
  const path = opts.kind === 'org' ? `/orgs/${opts.name}/audit-log` : `/enterprises/${opts.name}/audit-log`;
  const where = `${opts.kind === 'org' ? '--org' : '--enterprise'} ${opts.name}`;
  const result: AuditApiResult = { records: 0, pages: 0, url: `${opts.apiUrl}${path}` };
  const maxPages = opts.maxPages ?? MAX_AUDIT_PAGES;
  const origin = new URL(opts.apiUrl).origin;
  const seen = new Set<string>();
  try {
    // Cursor pagination by the Link header, as Octokit's paginate does, with three guards: every page
    // must be a list, a next page is never fetched twice, and it must be on the API's own origin (the
    // token goes with it).
    let page = await octokit.request(route, params);
    for (;;) {
      result.pages += 1;
      const data: unknown = page.data;
      if (!Array.isArray(data)) {
        throw new CollectError(`the audit-log API answered ${page.status} for ${where} with ${data === '' || data === undefined ? 'an empty body' : typeof data === 'object' ? 'a JSON object' : 'text'} instead of a list of events (page ${result.pages})`, 'check --github-api-url: it must be the REST API base (https://api.github.com, or https://HOST/api/v3 on GHES)');
      }
      for (const rec of data as unknown[]) {
        if (rec && typeof rec === 'object' && !Array.isArray(rec)) {
          result.records += 1;
          onRecord(rec as RawRecord);
        }
      }
      if (io.signal?.aborted) {
        result.stopped = 'interrupted';
        break;
      }
      const headers = page.headers as Record<string, unknown>;
      const next = nextLink(headers.link);
      if (!next) break;
      const remaining = headers['x-ratelimit-remaining'];
      if (remaining !== undefined && Number(remaining) === 0) {
        const reset = Number(headers['x-ratelimit-reset']);
        result.stopped = `the audit-log API rate limit reached 0 after ${result.pages} page${result.pages > 1 ? 's' : ''}${Number.isFinite(reset) ? ` (resets at ${isoTime(reset)})` : ''}`;
        break;
      }
      let nextUrl: URL | undefined;
      try {
        nextUrl = new URL(next, opts.apiUrl);
      } catch {
        nextUrl = undefined;
      }
      if (!nextUrl || nextUrl.origin !== origin) {
        result.stopped = `the audit-log API's next-page link leaves ${origin}; not followed after ${result.pages} page${result.pages > 1 ? 's' : ''} (the token would go with it)`;
        break;
      }
      if (seen.has(nextUrl.href)) {
        result.stopped = `the audit-log API pointed back to a page it had already sent; stopped after ${result.pages} pages`;
        break;
      }
      if (result.pages >= maxPages) {
        result.stopped = `stopped after ${maxPages.toLocaleString('en-US')} pages (${result.records.toLocaleString('en-US')} events); narrow the time range (--since)`;
        break;
      }
      seen.add(nextUrl.href);
      page = await octokit.request({ method: 'GET', url: nextUrl.href });
    }
  } catch (e) {
    if (io.signal?.aborted) {
      result.stopped = 'interrupted';
      return result;
    }
    if (e instanceof CollectError) throw e;
    throw auditError(e, opts, path, io);
  } finally {
    await http.close();
  }
  return result;
}

function auditError(e: unknown, opts: AuditApiOptions, path: string, io: Io): CollectError {
  const status = (e as { status?: number }).status;
  const response = (e as { response?: { data?: unknown; headers?: Record<string, unknown> } }).response;
  const where = `${opts.kind === 'org' ? '--org' : '--enterprise'} ${opts.name}`;
  if (!response) {
    const err = classifyNetError((e as { cause?: unknown }).cause ?? e, { interrupted: io.signal?.aborted === true, timedOut: false, timeoutMs: opts.http.timeoutMs });
    return new CollectError(`the audit-log API (${opts.apiUrl}${path}) did not answer: ${err.message}`, 'check --github-api-url and the network, then retry');
  }
  const data = response.data;
  const message = data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string' ? oneLineText((data as { message: string }).message) : undefined;
  const said = `${status}${message ? ` "${message}"` : ''}`;
  const plan = opts.kind === 'org' ? 'an organization owner, on GitHub Enterprise Cloud' : 'an enterprise owner (site admin on GHES)';
  // A 403/429 with the rate limit at 0 (or a secondary limit) is a rate limit, not a missing scope.
  const rh = response.headers ?? {};
  const retryAfter = rh['retry-after'];
  if ((status === 403 || status === 429) && (String(rh['x-ratelimit-remaining']) === '0' || retryAfter !== undefined || /rate limit/i.test(message ?? ''))) {
    const reset = Number(rh['x-ratelimit-reset']);
    const when = retryAfter !== undefined ? `GitHub asks to wait ${String(retryAfter)} s` : Number.isFinite(reset) && String(rh['x-ratelimit-reset']).trim() !== '' ? `it resets at ${isoTime(reset)}` : 'wait for it to reset';
    return new CollectError(`the audit-log API answered ${said} for ${where}: the token's rate limit is exhausted`, `${when}, then re-run; the token and its scopes may be fine`);
  }
  switch (status) {
    case 401:
      return new CollectError(`the audit-log API answered ${said} for ${where}`, 'give a valid token with the read:audit_log scope via --audit-token-file or GITHUB_TOKEN');
    case 403:
      return new CollectError(`the audit-log API answered ${said} for ${where}`, `the token needs read:audit_log and its user must be ${plan}`);
    case 404:
      return new CollectError(`the audit-log API answered ${said} for ${where}`, `the ${opts.kind === 'org' ? 'organization' : 'enterprise'} must exist and have an audit-log API (${opts.kind === 'org' ? 'GitHub Enterprise Cloud' : 'GHEC or GHES'}); check the name and --github-api-url`);
    default:
      return new CollectError(`the audit-log API answered ${said} for ${where}`, 'retry later; personal events (oauth_access.destroy) are in the security-log export (--security-log)');
  }
}
