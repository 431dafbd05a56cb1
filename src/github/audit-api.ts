/**
 * The organization / enterprise audit-log API (github.md §5.5): `GET /orgs/{org}/audit-log` or
 * `GET /enterprises/{enterprise}/audit-log` with `phrase=action:oauth_access`, cursor pagination through
 * the `Link` header (Octokit's paginate follows rel="next"), a token with `read:audit_log`.
 * Stops (partial) when the rate limit reaches 0; never sleeps or retries.
 */
import { Octokit } from '@octokit/rest';
import { CollectError } from '../errors.js';
import type { RawRecord } from './events.js';
import { GithubHttp, transportError } from './http.js';

export interface AuditApiOptions {
  kind: 'org' | 'enterprise';
  name: string;
  token: string;
  apiUrl: string;
  timeoutMs: number;
  userAgent: string;
  /** Search phrase; default `action:oauth_access`. */
  phrase?: string;
  /** Only events at or after (unix seconds): becomes a `created:>=` qualifier. */
  since?: number;
  perPage?: number;
  signal?: AbortSignal;
}

export interface AuditApiResult {
  records: number;
  pages: number;
  /** Why reading stopped before the last page, if it did. */
  stopped?: string;
  url: string;
}

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

export function auditPhrase(opts: Pick<AuditApiOptions, 'phrase' | 'since'>): string {
  const parts = [opts.phrase ?? 'action:oauth_access'];
  if (opts.since !== undefined) parts.push(`created:>=${new Date(opts.since * 1000).toISOString().slice(0, 10)}`);
  return parts.join(' ');
}

export async function readAuditLog(opts: AuditApiOptions, onRecord: (rec: RawRecord) => void): Promise<AuditApiResult> {
  const http = new GithubHttp({ apiUrl: opts.apiUrl, timeoutMs: opts.timeoutMs, userAgent: opts.userAgent, signal: opts.signal });
  const octokit = new Octokit({ auth: opts.token, baseUrl: opts.apiUrl, userAgent: opts.userAgent, log: silentLog, request: { fetch: http.fetch } });
  const route = opts.kind === 'org' ? 'GET /orgs/{org}/audit-log' : 'GET /enterprises/{enterprise}/audit-log';
  const params: Record<string, unknown> = { phrase: auditPhrase(opts), per_page: opts.perPage ?? 100, include: 'web' };
  if (opts.kind === 'org') params.org = opts.name;
  else params.enterprise = opts.name;
  const path = opts.kind === 'org' ? `/orgs/${opts.name}/audit-log` : `/enterprises/${opts.name}/audit-log`;
  const result: AuditApiResult = { records: 0, pages: 0, url: `${opts.apiUrl}${path}` };
  try {
    for await (const page of octokit.paginate.iterator(route, params)) {
      result.pages += 1;
      for (const rec of page.data as unknown as RawRecord[]) {
        if (rec && typeof rec === 'object') {
          result.records += 1;
          onRecord(rec);
        }
      }
      if (opts.signal?.aborted) {
        result.stopped = 'interrupted';
        break;
      }
      const remaining = (page.headers as Record<string, unknown>)['x-ratelimit-remaining'];
      if (remaining !== undefined && Number(remaining) === 0 && (page.headers as Record<string, unknown>).link?.toString().includes('rel="next"')) {
        const reset = Number((page.headers as Record<string, unknown>)['x-ratelimit-reset']);
        result.stopped = `the audit-log API rate limit reached 0 after ${result.pages} page${result.pages > 1 ? 's' : ''}${Number.isFinite(reset) ? ` (resets at ${new Date(reset * 1000).toISOString()})` : ''}`;
        break;
      }
    }
  } catch (e) {
    if (opts.signal?.aborted) {
      result.stopped = 'interrupted';
      return result;
    }
    throw auditError(e, opts, path);
  } finally {
    await http.close();
  }
  return result;
}

function auditError(e: unknown, opts: AuditApiOptions, path: string): CollectError {
  const status = (e as { status?: number }).status;
  const response = (e as { response?: { data?: unknown } }).response;
  const where = `${opts.kind === 'org' ? '--org' : '--enterprise'} ${opts.name}`;
  if (!response) {
    const err = transportError((e as { cause?: unknown }).cause ?? e, false, { timeoutMs: opts.timeoutMs, signal: opts.signal });
    return new CollectError(`the audit-log API (${opts.apiUrl}${path}) did not answer: ${err.message}`, 'check --github-api-url and the network, then retry');
  }
  const data = response.data;
  const message = data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string' ? (data as { message: string }).message : undefined;
  const said = `${status}${message ? ` "${message}"` : ''}`;
  const plan = opts.kind === 'org' ? 'an organization owner, on GitHub Enterprise Cloud' : 'an enterprise owner (site admin on GHES)';
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
