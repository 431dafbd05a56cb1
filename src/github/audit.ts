/**
 * From security-log / audit-log records to `IdpEvidence`: the app's token lifecycle, every destroy
 * with its explanation, the events about the upstream tokens in play (matched by `hashed_token`),
 * and an estimate of live tokens per user/app over time (the 10-token cap, github.md §2.1).
 *
 * Records arrive one at a time (streamed); only token-lifecycle events are kept, up to a bound.
 */
import type { IdpEvent, IdpEvidence, TimelinePoint } from '../model/index.js';
import type { Secret } from '../secrets.js';
import { classifyToken, hashedToken, tokenLastEight } from './classify.js';
import { isTokenAction, lifecycleOf, matchesApp, toEvent, type RawRecord } from './events.js';

/** Token-lifecycle events kept in memory at most (the rest are counted, not kept). */
export const MAX_KEPT_EVENTS = 200_000;

export interface KnownToken {
  /**
   * How findings name it: a noun phrase, e.g. "the upstream token behind this session (ghu_…sha256:1a2b3c4d)"
   * or "the upstream token gho_…sha256:… of upstream set 1a2b3c4d…". Fingerprints only, never the token.
   */
  label: string;
  hashedToken: string;
  prefix: string;
  /** Internal only (never rendered): for events that carry token_last_eight but no hash. */
  lastEight?: string;
  hasRefreshToken?: boolean;
  expiresAt?: number | null;
  clientId?: string;
}

export function knownToken(token: Secret, label: string, extra: Partial<Pick<KnownToken, 'hasRefreshToken' | 'expiresAt' | 'clientId'>> = {}): KnownToken {
  const t = token.reveal();
  return { label, hashedToken: hashedToken(t), prefix: classifyToken(t).prefix, lastEight: tokenLastEight(t), ...extra };
}

export interface CollectorOptions {
  /** --app: name, application id or client id. */
  app?: string;
  /** Ignore events before this time (unix seconds). */
  since?: number;
  tokens: KnownToken[];
  maxKept?: number;
}

export interface SourceInfo {
  kind: 'security-log-export' | 'audit-log-api' | 'store-estimate';
  file?: string;
  format?: 'json-array' | 'json-lines' | 'csv';
  gzip?: boolean;
  events: number;
}

export class IdpCollector {
  eventsRead = 0;
  readonly #kept: IdpEvent[] = [];
  readonly #seen = new Set<string>();
  readonly #appsSeen = new Map<string, number>();
  readonly #byHash = new Map<string, KnownToken>();
  readonly #byLast8 = new Map<string, KnownToken>();
  readonly #matches: { token: KnownToken; event: IdpEvent }[] = [];
  readonly #max: number;
  #dropped = 0;

  constructor(readonly opts: CollectorOptions) {
    this.#max = opts.maxKept ?? MAX_KEPT_EVENTS;
    for (const t of opts.tokens) {
      this.#byHash.set(t.hashedToken, t);
      if (t.lastEight) this.#byLast8.set(t.lastEight, t);
    }
  }

  /** One raw record (any action). */
  add(rec: RawRecord, origin?: string): void {
    this.eventsRead += 1;
    const action = typeof rec.action === 'string' ? rec.action : undefined;
    if (!action || !isTokenAction(action)) return;
    const ev = toEvent(rec, origin);
    if (ev) this.addEvent(ev);
  }

  /** One normalised token-lifecycle event. */
  addEvent(ev: IdpEvent): void {
    if (this.opts.since !== undefined && ev.at < this.opts.since) return;
    // --app without any known token: only that app's events can be reported, so only they are kept
    // (memory stays flat on a large export; the others are counted per app, for "--app matched nothing").
    const app = this.opts.app?.trim();
    if (app && this.opts.tokens.length === 0 && !matchesApp(ev, app)) {
      const other = ev.appName ?? ev.appId ?? ev.appClientId ?? '(unnamed app)';
      this.#appsSeen.set(other, (this.#appsSeen.get(other) ?? 0) + 1);
      return;
    }
    // The same event from two exports (e.g. the JSON and the CSV of one log) counts once.
    const key = `${ev.action}|${ev.at}|${ev.hashedToken ?? ''}|${ev.requestId ?? ''}|${ev.appName ?? ''}`;
    if (this.#seen.has(key)) return;
    if (this.#seen.size < this.#max * 2) this.#seen.add(key);
    const name = ev.appName ?? ev.appId ?? ev.appClientId ?? '(unnamed app)';
    this.#appsSeen.set(name, (this.#appsSeen.get(name) ?? 0) + 1);
    const known = (ev.hashedToken && this.#byHash.get(ev.hashedToken)) || (!ev.hashedToken && ev.tokenLastEight ? this.#byLast8.get(ev.tokenLastEight) : undefined);
    if (known) this.#matches.push({ token: known, event: ev });
    if (this.#kept.length < this.#max) this.#kept.push(ev);
    else this.#dropped += 1;
  }

  /** The evidence, after every source was read. `appNotFound` is set when --app matched nothing. */
  result(sources: SourceInfo[]): { evidence: IdpEvidence; appNotFound?: string } {
    const app = this.opts.app?.trim() || undefined;
    let selected: IdpEvent[];
    let appLabel: string | undefined = app;
    let appNotFound: string | undefined;
    const byArg = app ? this.#kept.filter((e) => matchesApp(e, app)) : [];
    if (app && byArg.length) {
      selected = byArg;
      const names = [...new Set(byArg.map((e) => e.appName).filter((n): n is string => Boolean(n)))];
      if (names.length && !names.some((n) => n.toLowerCase() === app.toLowerCase())) appLabel = `${app} (${names.join(', ')})`;
    } else {
      const matchedApps = new Set(this.#matches.map((m) => m.event.appName).filter((n): n is string => Boolean(n)));
      if (matchedApps.size) {
        selected = this.#kept.filter((e) => e.appName !== undefined && matchedApps.has(e.appName));
        appLabel = `${[...matchedApps].join(', ')} (the app${matchedApps.size > 1 ? 's' : ''} of the matched tokens${app ? `; no event names ${app}` : ''})`;
      } else if (!app) {
        selected = this.#kept;
      } else {
        selected = [];
        appNotFound = app;
      }
    }

    const destroysByExplanation: Record<string, number> = {};
    for (const e of selected) {
      if (lifecycleOf(e.action) !== 'destroy') continue;
      const k = e.explanation ?? '(none)';
      destroysByExplanation[k] = (destroysByExplanation[k] ?? 0) + 1;
    }

    const timelines = buildTimelines(selected);
    const authorizations = selected.filter((e) => e.action.startsWith('oauth_authorization.')).sort((a, b) => a.at - b.at);

    const first = sources[0];
    const evidence: IdpEvidence = {
      source: first?.kind ?? 'security-log-export',
      eventsRead: this.eventsRead,
      eventsForApp: selected.length,
      matches: this.#matches.sort((a, b) => a.event.at - b.event.at).map((m) => ({ token: m.token.label, event: m.event })),
      destroysByExplanation,
      timelines,
      sources,
      appsSeen: topN(this.#appsSeen, 20),
      tokens: this.opts.tokens.map((t) => {
        const o: NonNullable<IdpEvidence['tokens']>[number] = { label: t.label, hashedToken: t.hashedToken, prefix: t.prefix };
        if (t.hasRefreshToken !== undefined) o.hasRefreshToken = t.hasRefreshToken;
        if (t.expiresAt !== undefined) o.expiresAt = t.expiresAt;
        if (t.clientId !== undefined) o.clientId = t.clientId;
        return o;
      }),
    };
    if (authorizations.length) evidence.authorizations = authorizations.slice(-1000);
    if (appLabel) evidence.app = appLabel;
    const files = sources.filter((s) => s.file).map((s) => s.file!);
    if (files.length) evidence.file = files.join(', ');
    if (first?.format) evidence.format = first.format;
    if (this.#dropped) evidence.limited = `only the first ${this.#max.toLocaleString('en-US')} token events were kept for the timeline (${this.#dropped.toLocaleString('en-US')} more were counted but not kept)`;
    return appNotFound ? { evidence, appNotFound } : { evidence };
  }
}

function topN(m: Map<string, number>, n: number): Record<string, number> {
  return Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n));
}

/**
 * Live tokens per user/app over time: +1 per create, −1 per destroy/revoke. Tokens created before the
 * log's window are unknown, so the count starts at the smallest baseline that never goes below zero
 * (a lower bound). Each max_for_app destroy gets its trigger: the create with the same request id, else
 * the last create of the same user/app within two minutes before it.
 */
export function buildTimelines(events: IdpEvent[]): IdpEvidence['timelines'] {
  const groups = new Map<string, IdpEvent[]>();
  for (const e of events) {
    if (lifecycleOf(e.action) === 'other') continue;
    const key = `${e.user ?? '(unknown user)'}\u0000${e.appName ?? e.appId ?? e.appClientId ?? '(unnamed app)'}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(e);
  }
  const out: IdpEvidence['timelines'] = [];
  for (const [key, g] of groups) {
    const [user, app] = key.split('\u0000') as [string, string];
    g.sort((a, b) => a.at - b.at || order(a) - order(b));
    let run = 0;
    let min = 0;
    const runs: number[] = [];
    for (const e of g) {
      run += lifecycleOf(e.action) === 'create' ? 1 : -1;
      min = Math.min(min, run);
      runs.push(run);
    }
    const baseline = -min;
    const points: TimelinePoint[] = g.map((e, i) => {
      const p: TimelinePoint = { at: e.at, live: baseline + runs[i]!, event: lifecycleOf(e.action) as 'create' | 'destroy' };
      if (e.explanation) p.explanation = e.explanation;
      return p;
    });
    // Triggers of max_for_app evictions.
    const createsByRequest = new Map<string, number>();
    g.forEach((e, i) => {
      if (lifecycleOf(e.action) === 'create' && e.requestId) createsByRequest.set(e.requestId, i);
    });
    g.forEach((e, i) => {
      if (lifecycleOf(e.action) !== 'destroy' || e.explanation !== 'max_for_app') return;
      let j = e.requestId ? createsByRequest.get(e.requestId) : undefined;
      if (j === undefined) {
        for (let k = i - 1; k >= 0; k--) {
          if (g[k]!.at < e.at - 120) break;
          if (lifecycleOf(g[k]!.action) === 'create') {
            j = k;
            break;
          }
        }
      }
      if (j === undefined) return;
      const c = g[j]!;
      e.trigger = { at: c.at, liveAfter: points[j]!.live };
      if (c.requestId) e.trigger.requestId = c.requestId;
    });
    const peak = points.reduce((m, p) => Math.max(m, p.live), baseline);
    const t: IdpEvidence['timelines'][number] = { user, app, points, peak, current: points.length ? points[points.length - 1]!.live : baseline };
    if (baseline) t.baseline = baseline;
    out.push(t);
  }
  return out.sort((a, b) => b.peak - a.peak || a.app.localeCompare(b.app));
}

/** At the same instant, a create comes before the destroy it triggers. */
function order(e: IdpEvent): number {
  return lifecycleOf(e.action) === 'create' ? 0 : 1;
}

/** Live upstream sets per MCP client and OAuth-App tokens, against the cap (no log needed). */
export function storeCapEstimate(sets: { clientId?: string; prefix: string }[]): NonNullable<IdpEvidence['storeEstimate']> {
  const perClient: Record<string, number> = {};
  let oauthAppTokens = 0;
  for (const s of sets) {
    const k = s.clientId ?? '(unknown client)';
    perClient[k] = (perClient[k] ?? 0) + 1;
    if (s.prefix === 'gho_') oauthAppTokens += 1;
  }
  return { liveUpstreamSets: sets.length, oauthAppTokens, perClient };
}
