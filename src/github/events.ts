/**
 * Security-log / audit-log records → `IdpEvent`, parsed defensively (github.md §5.3): `created_at` or
 * `@timestamp` in epoch milliseconds (ISO strings and seconds accepted too); fields at the top level,
 * under `data`, or flattened as `data.<name>` (CSV exports); `oauth_application_name` or
 * `application_name`; `hashed_token` with or without '=' padding.
 */
import type { IdpEvent } from '../model/index.js';
import { normaliseHashedToken } from './classify.js';

export type RawRecord = Record<string, unknown>;

/** Token lifecycle actions this tool reads. */
export function isTokenAction(action: string): boolean {
  return action.startsWith('oauth_access.') || action.startsWith('oauth_authorization.');
}

export type Lifecycle = 'create' | 'destroy' | 'other';

/** How an action moves the live-token estimate: oauth_access.create +1, oauth_access.destroy/revoke −1. */
export function lifecycleOf(action: string): Lifecycle {
  if (action === 'oauth_access.create') return 'create';
  if (action === 'oauth_access.destroy' || action === 'oauth_access.revoke') return 'destroy';
  return 'other';
}

/** A field from the top level, `data.<name>` (flattened) or `data: {name}` (nested). Empty strings count as absent. */
export function field(rec: RawRecord, name: string): unknown {
  const direct = rec[name];
  if (present(direct)) return direct;
  const flat = rec[`data.${name}`];
  if (present(flat)) return flat;
  const data = rec.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const nested = (data as RawRecord)[name];
    if (present(nested)) return nested;
  }
  return undefined;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

function str(v: unknown): string | undefined {
  if (!present(v)) return undefined;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(String).join(', ');
  return undefined;
}

function firstStr(rec: RawRecord, names: string[]): string | undefined {
  for (const n of names) {
    const v = str(field(rec, n));
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Unix seconds from epoch ms (GitHub's form), epoch seconds, or an ISO 8601 string. */
export function timeOf(v: unknown): number | undefined {
  if (!present(v)) return undefined;
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const t = v.trim();
    if (/^\d+(\.\d+)?$/.test(t)) n = Number(t);
    else {
      const ms = Date.parse(t.replace(/ UTC$/, 'Z').replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T'));
      return Number.isNaN(ms) ? undefined : ms / 1000;
    }
  }
  if (n === undefined || !Number.isFinite(n)) return undefined;
  const seconds = n > 1e11 ? n / 1000 : n;
  // A time no Date can hold (|t| > 8.64e12 s) is not a usable time: it could not even be shown.
  return Math.abs(seconds) <= MAX_DATE_SECONDS ? seconds : undefined;
}

/** The largest |unix seconds| a JavaScript Date represents (ECMA-262 §21.4.1.22). */
const MAX_DATE_SECONDS = 8.64e12;

/** Normalise one record; undefined when it has no action or no usable time. */
export function toEvent(rec: RawRecord, origin?: string): IdpEvent | undefined {
  const action = str(rec.action);
  if (!action) return undefined;
  const at = timeOf(rec.created_at) ?? timeOf(rec['@timestamp']) ?? timeOf(field(rec, 'created_at')) ?? timeOf(field(rec, '@timestamp'));
  if (at === undefined) return undefined;
  const ev: IdpEvent = { action, at };
  const explanation = firstStr(rec, ['explanation']);
  if (explanation) ev.explanation = explanation;
  const hashed = firstStr(rec, ['hashed_token']);
  if (hashed) ev.hashedToken = normaliseHashedToken(hashed);
  const last8 = firstStr(rec, ['token_last_eight']);
  if (last8) ev.tokenLastEight = last8;
  const appName = firstStr(rec, ['oauth_application_name', 'application_name', 'oauth_application', 'application']);
  if (appName) ev.appName = appName;
  const appId = firstStr(rec, ['oauth_application_id', 'application_id']);
  if (appId && appId !== '0') ev.appId = appId;
  const clientId = firstStr(rec, ['oauth_application_client_id', 'application_client_id', 'client_id']);
  if (clientId) ev.appClientId = clientId;
  const user = firstStr(rec, ['user', 'actor']);
  if (user) ev.user = user;
  const requestId = firstStr(rec, ['request_id']);
  if (requestId) ev.requestId = requestId;
  const scopes = firstStr(rec, ['token_scopes', 'scopes']);
  if (scopes !== undefined) ev.scopes = scopes;
  if (origin) ev.origin = origin;
  return ev;
}

/** Does the event belong to the app given as a name (case-insensitive), an application id, or a client id? */
export function matchesApp(ev: IdpEvent, app: string | undefined): boolean {
  if (!app) return true;
  const a = app.trim();
  if (ev.appName && ev.appName.toLowerCase() === a.toLowerCase()) return true;
  if (ev.appId && ev.appId === a) return true;
  if (ev.appClientId && ev.appClientId === a) return true;
  return false;
}
