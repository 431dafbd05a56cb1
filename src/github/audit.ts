/**
 * From security-log / audit-log records to `IdpEvidence`: the app's token lifecycle, every destroy
 * with its explanation, the events about the upstream tokens in play (matched by `hashed_token`),
 * and an estimate of live tokens per user/app over time (the 10-token cap, github.md §2.1).
 *
 * Records arrive one at a time (streamed) and memory stays flat whatever the log's size: counts (per app,
 * per explanation) are kept as counters, each user/app timeline as packed numbers (time, create/destroy,
 * explanation, request-id hash: 17 bytes an event, up to MAX_KEPT_EVENTS), and whole events only for
 * what a finding cites (matches of the known tokens, the latest authorization events), each list capped
 * with a count of the rest.
 */
import type { IdpEvent, IdpEvidence, TimelinePoint } from '../model/index.js';
import type { Secret } from '../secrets.js';
import { classifyToken, hashedToken, tokenLastEight } from './classify.js';
import { isTokenAction, lifecycleOf, matchesApp, toEvent, type RawRecord } from './events.js';

/** Create/destroy events kept (packed) for the timelines at most; the rest are counted, not drawn. */
export const MAX_KEPT_EVENTS = 1_000_000;
/** Events about the known tokens kept whole at most (plus each token's latest create and destroy). */
export const MAX_MATCHES = 1_000;
/** oauth_authorization.* events kept whole (the latest). */
export const MAX_AUTHORIZATIONS = 1_000;
/** Points in one timeline of the report at most (busiest timelines); beyond, consecutive events are merged. */
export const MAX_POINTS = 1_000;
/** User/app timelines at most; apps counted separately at most (the rest under "(other apps)"). */
export const MAX_GROUPS = 20_000;
export const MAX_APPS = 10_000;
/** Events remembered for de-duplication across exports (as 53-bit hashes). */
export const MAX_DEDUP = 1 << 20;

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


/** A 53-bit hash of a string (two FNV-style passes), never 0: request ids and de-duplication keys, packed. */
export function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  const h = (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
  return h === 0 ? 1 : h;
}

/** Open-addressing set of 53-bit hashes in one Float64Array; holds at most `max` (then only looks up). */
class HashSet {
  #slots = new Float64Array(1 << 12);
  #size = 0;
  constructor(readonly max: number) {}

  /** True when `h` was not in the set. */
  add(h: number): boolean {
    if (this.#size >= this.max) return !this.#find(h);
    if (this.#size * 2 >= this.#slots.length) this.#grow();
    const mask = this.#slots.length - 1;
    for (let i = h % this.#slots.length; ; i = (i + 1) & mask) {
      const v = this.#slots[i]!;
      if (v === h) return false;
      if (v === 0) {
        this.#slots[i] = h;
        this.#size += 1;
        return true;
      }
    }
  }

  #find(h: number): boolean {
    const mask = this.#slots.length - 1;
    for (let i = h % this.#slots.length; ; i = (i + 1) & mask) {
      const v = this.#slots[i]!;
      if (v === h) return true;
      if (v === 0) return false;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Float64Array(old.length * 2);
    const mask = this.#slots.length - 1;
    for (const h of old) {
      if (h === 0) continue;
      let i = h % this.#slots.length;
      while (this.#slots[i] !== 0) i = (i + 1) & mask;
      this.#slots[i] = h;
    }
  }
}

/** One user/app's create/destroy events, packed: time, kind + explanation id, request-id hash. */
class Series {
  n = 0;
  at = new Float64Array(8);
  /** bit 0: destroy; bits 1–7: explanation id (0 = none). */
  code = new Uint8Array(8);
  req = new Float64Array(8);

  push(at: number, code: number, req: number): void {
    if (this.n === this.at.length) {
      const size = this.n * 2;
      const a = new Float64Array(size);
      a.set(this.at);
      this.at = a;
      const c = new Uint8Array(size);
      c.set(this.code);
      this.code = c;
      const r = new Float64Array(size);
      r.set(this.req);
      this.req = r;
    }
    this.at[this.n] = at;
    this.code[this.n] = code;
    this.req[this.n] = req;
    this.n += 1;
  }
}

interface Group {
  user: string;
  app: string;
  series: Series;
}

/** What the report needs of one app's events (or of --app's): counters, packed timelines, a few whole events. */
class Slice {
  events = 0;
  notKept = 0;
  readonly destroys = new Map<string, number>();
  readonly groups = new Map<string, Group>();
  readonly names = new Set<string>();
  authorizations: IdpEvent[] = [];
  maxForApp?: { first: number; last: number };

  addAuthorization(ev: IdpEvent): void {
    this.authorizations.push(ev);
    if (this.authorizations.length >= MAX_AUTHORIZATIONS * 2) this.authorizations = latest(this.authorizations, MAX_AUTHORIZATIONS);
  }
}

/** The `n` latest events, oldest first. */
function latest(events: IdpEvent[], n: number): IdpEvent[] {
  return events.sort((a, b) => a.at - b.at).slice(-n);
}

const appLabelOf = (ev: IdpEvent): string => ev.appName ?? ev.appId ?? ev.appClientId ?? '(unnamed app)';
const groupKey = (ev: IdpEvent): string => `${ev.appName !== undefined ? 'n' : 'u'}\u0000${ev.user ?? '(unknown user)'}\u0000${appLabelOf(ev)}`;
const OTHER_APPS = '(other apps)';

export class IdpCollector {
  eventsRead = 0;
  readonly #dedup = new HashSet(MAX_DEDUP);
  readonly #appsSeen = new Map<string, number>();
  readonly #byHash = new Map<string, KnownToken>();
  readonly #byLast8 = new Map<string, KnownToken>();
  #matches: { token: KnownToken; event: IdpEvent }[] = [];
  #matchesDropped = 0;
  readonly #matchedApps = new Set<string>();
  /** --app's events. */
  readonly #arg?: Slice;
  /** Per app (name, else id/client id): every app's events, when the selection is only known at the end. */
  readonly #byApp?: Map<string, Slice>;
  readonly #explanations = new Map<string, number>();
  readonly #explanationNames: string[] = [''];
  readonly #max: number;
  #kept = 0;
  #groups = 0;

  constructor(readonly opts: CollectorOptions) {
    this.#max = opts.maxKept ?? MAX_KEPT_EVENTS;
    for (const t of opts.tokens) {
      this.#byHash.set(t.hashedToken, t);
      if (t.lastEight) this.#byLast8.set(t.lastEight, t);
    }
    const app = opts.app?.trim();
    if (app) this.#arg = new Slice();
    // Without --app every app's events may be reported; with --app, other apps' only when a known token
    // points at them (--app matched nothing).
    if (!app || opts.tokens.length) this.#byApp = new Map();
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
    const app = this.opts.app?.trim();
    const forArg = app ? matchesApp(ev, app) : false;
    // --app without any known token: only that app's events can be reported (the others are counted
    // per app, for "--app matched nothing").
    if (app && !this.#byApp && !forArg) {
      this.#countApp(appLabelOf(ev));
      return;
    }
    // The same event from two exports (e.g. the JSON and the CSV of one log) counts once.
    if (!this.#dedup.add(hash53(`${ev.action}|${ev.at}|${ev.hashedToken ?? ''}|${ev.requestId ?? ''}|${ev.appName ?? ''}`))) return;
    this.#countApp(appLabelOf(ev));
    const known = (ev.hashedToken && this.#byHash.get(ev.hashedToken)) || (!ev.hashedToken && ev.tokenLastEight ? this.#byLast8.get(ev.tokenLastEight) : undefined);
    if (known) this.#addMatch(known, ev);
    if (forArg && this.#arg) this.#addTo(this.#arg, ev);
    if (this.#byApp) {
      const key = `${ev.appName !== undefined ? 'n' : 'u'}\u0000${appLabelOf(ev)}`;
      let s = this.#byApp.get(key);
      if (!s) {
        const other = this.#byApp.size >= MAX_APPS ? this.#byApp.get(OTHER_APPS) : undefined;
        s = other ?? new Slice();
        this.#byApp.set(this.#byApp.size >= MAX_APPS ? OTHER_APPS : key, s);
      }
      this.#addTo(s, ev);
    }
  }

  #countApp(name: string): void {
    const k = this.#appsSeen.has(name) || this.#appsSeen.size < MAX_APPS ? name : OTHER_APPS;
    this.#appsSeen.set(k, (this.#appsSeen.get(k) ?? 0) + 1);
  }

  #addMatch(token: KnownToken, event: IdpEvent): void {
    this.#matches.push({ token, event });
    if (event.appName && this.#matchedApps.size < MAX_APPS) this.#matchedApps.add(event.appName);
    if (this.#matches.length < MAX_MATCHES * 2) return;
    // Keep the latest MAX_MATCHES, and each token's latest create and destroy (what the findings cite).
    const sorted = this.#matches.sort((a, b) => a.event.at - b.event.at);
    const keep = new Set<number>();
    const last = new Map<string, number>();
    sorted.forEach((m, i) => {
      const lc = lifecycleOf(m.event.action);
      if (lc !== 'other') last.set(`${lc}\u0000${m.token.label}`, i);
    });
    for (const i of last.values()) keep.add(i);
    for (let i = Math.max(0, sorted.length - MAX_MATCHES); i < sorted.length; i++) keep.add(i);
    this.#matches = sorted.filter((_, i) => keep.has(i));
    this.#matchesDropped += sorted.length - this.#matches.length;
  }

  #explanationId(e: string | undefined): number {
    if (!e) return 0;
    let id = this.#explanations.get(e);
    if (id === undefined && this.#explanationNames.length < 127) {
      id = this.#explanationNames.length;
      this.#explanations.set(e, id);
      this.#explanationNames.push(e);
    }
    return id ?? 127;
  }

  #addTo(s: Slice, ev: IdpEvent): void {
    s.events += 1;
    if (ev.appName && s.names.size < 20) s.names.add(ev.appName);
    if (ev.action.startsWith('oauth_authorization.')) s.addAuthorization(ev);
    const lc = lifecycleOf(ev.action);
    if (lc === 'other') return;
    if (lc === 'destroy') {
      const k = s.destroys.has(ev.explanation ?? '(none)') || s.destroys.size < 1000 ? (ev.explanation ?? '(none)') : '(other)';
      s.destroys.set(k, (s.destroys.get(k) ?? 0) + 1);
      if (ev.explanation === 'max_for_app') s.maxForApp = s.maxForApp ? { first: Math.min(s.maxForApp.first, ev.at), last: Math.max(s.maxForApp.last, ev.at) } : { first: ev.at, last: ev.at };
    }
    const key = groupKey(ev);
    let g = s.groups.get(key);
    if (!g && this.#groups < MAX_GROUPS) {
      this.#groups += 1;
      g = { user: ev.user ?? '(unknown user)', app: appLabelOf(ev), series: new Series() };
      s.groups.set(key, g);
    }
    if (!g || this.#kept >= this.#max) {
      s.notKept += 1;
      return;
    }
    this.#kept += 1;
    g.series.push(ev.at, (lc === 'destroy' ? 1 : 0) | (this.#explanationId(ev.explanation) << 1), ev.requestId ? hash53(ev.requestId) : 0);
  }

  /** The evidence, after every source was read. `appNotFound` is set when --app matched nothing. */
  result(sources: SourceInfo[]): { evidence: IdpEvidence; appNotFound?: string } {
    const app = this.opts.app?.trim() || undefined;
    let selected: Slice[] = [];
    let appLabel: string | undefined = app;
    let appNotFound: string | undefined;
    if (app && this.#arg && this.#arg.events > 0) {
      selected = [this.#arg];
      const names = [...this.#arg.names];
      if (names.length && !names.some((n) => n.toLowerCase() === app.toLowerCase())) appLabel = `${app} (${names.join(', ')})`;
    } else if (this.#matchedApps.size) {
      const matchedApps = this.#matchedApps;
      selected = [...matchedApps].map((n) => this.#byApp?.get(`n\u0000${n}`)).filter((s): s is Slice => Boolean(s));
      appLabel = `${[...matchedApps].join(', ')} (the app${matchedApps.size > 1 ? 's' : ''} of the matched tokens${app ? `; no event names ${app}` : ''})`;
    } else if (!app) {
      selected = [...(this.#byApp?.values() ?? [])];
    } else {
      appNotFound = app;
    }

    const destroysByExplanation: Record<string, number> = {};
    let eventsForApp = 0;
    let notKept = 0;
    let span: { first: number; last: number } | undefined;
    let authorizations: IdpEvent[] = [];
    const groups: Group[] = [];
    for (const s of selected) {
      eventsForApp += s.events;
      notKept += s.notKept;
      for (const [k, n] of s.destroys) destroysByExplanation[k] = (destroysByExplanation[k] ?? 0) + n;
      if (s.maxForApp) span = span ? { first: Math.min(span.first, s.maxForApp.first), last: Math.max(span.last, s.maxForApp.last) } : { ...s.maxForApp };
      authorizations = authorizations.concat(s.authorizations);
      groups.push(...s.groups.values());
    }
    authorizations = latest(authorizations, MAX_AUTHORIZATIONS);

    // Triggers are worked out for the max_for_app destroys a finding cites (the matched ones).
    const wanted = new Map<string, IdpEvent[]>();
    for (const m of this.#matches) {
      if (lifecycleOf(m.event.action) !== 'destroy' || m.event.explanation !== 'max_for_app') continue;
      const k = `${m.event.user ?? '(unknown user)'}\u0000${appLabelOf(m.event)}`;
      wanted.set(k, [...(wanted.get(k) ?? []), m.event]);
    }
    const timelines = timelinesOf(groups, (g) => wanted.get(`${g.user}\u0000${g.app}`) ?? [], this.#explanationNames);

    const first = sources[0];
    const evidence: IdpEvidence = {
      source: first?.kind ?? 'security-log-export',
      eventsRead: this.eventsRead,
      eventsForApp,
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
    if (this.#matchesDropped) evidence.matchesOmitted = this.#matchesDropped;
    if (span) evidence.maxForAppSpan = span;
    if (authorizations.length) evidence.authorizations = authorizations;
    if (appLabel) evidence.app = appLabel;
    const files = sources.filter((s) => s.file).map((s) => s.file!);
    if (files.length) evidence.file = files.join(', ');
    if (first?.format) evidence.format = first.format;
    if (notKept)
      evidence.limited = `the timelines hold only the first ${Math.min(this.#kept, this.#max).toLocaleString('en-US')} create/destroy events (${notKept.toLocaleString('en-US')} more were counted but not drawn); the counts are complete`;
    return appNotFound ? { evidence, appNotFound } : { evidence };
  }
}

function topN(m: Map<string, number>, n: number): Record<string, number> {
  return Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n));
}

type Timeline = IdpEvidence['timelines'][number];

/**
 * Live tokens per user/app over time: +1 per create, −1 per destroy/revoke. Tokens created before the
 * log's window are unknown, so the count starts at the smallest baseline that never goes below zero
 * (a lower bound). Each max_for_app destroy gets its trigger: the create with the same request id, else
 * the last create of the same user/app within two minutes before it. (Whole events: tests and small inputs.)
 */
export function buildTimelines(events: IdpEvent[]): IdpEvidence['timelines'] {
  const groups = new Map<string, Group>();
  const wanted = new Map<Group, IdpEvent[]>();
  const names = [''];
  const ids = new Map<string, number>();
  for (const e of events) {
    const lc = lifecycleOf(e.action);
    if (lc === 'other') continue;
    const key = groupKey(e);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { user: e.user ?? '(unknown user)', app: appLabelOf(e), series: new Series() }));
    let id = 0;
    if (e.explanation) {
      id = ids.get(e.explanation) ?? names.length;
      if (id === names.length && id < 127) {
        ids.set(e.explanation, id);
        names.push(e.explanation);
      }
      id = Math.min(id, 127);
    }
    g.series.push(e.at, (lc === 'destroy' ? 1 : 0) | (id << 1), e.requestId ? hash53(e.requestId) : 0);
    if (lc === 'destroy' && e.explanation === 'max_for_app') wanted.set(g, [...(wanted.get(g) ?? []), e]);
  }
  return timelinesOf([...groups.values()], (g) => wanted.get(g) ?? [], names);
}

/** Timelines, busiest first; the busiest get up to MAX_POINTS points, the next few a sketch, the rest none. */
function timelinesOf(groups: Group[], wanted: (g: Group) => IdpEvent[], explanations: string[]): IdpEvidence['timelines'] {
  const built = groups.map((g) => timelineOf(g, wanted(g), explanations));
  built.sort((a, b) => b.t.peak - a.t.peak || a.t.app.localeCompare(b.t.app));
  return built.map(({ t, points }, i) => {
    const max = i < 20 ? MAX_POINTS : i < 500 ? 20 : 0;
    const n = points.n;
    t.points = n <= max ? points.all() : points.merged(max);
    if (t.points.length < n) t.events = n;
    return t;
  });
}

/** At the same instant, a create comes before the destroy it triggers; otherwise file order. */
function timelineOf(g: Group, wanted: IdpEvent[], explanations: string[]): { t: Timeline; points: PointSource } {
  const { n, at, code, req } = g.series;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((x, y) => at[x]! - at[y]! || (code[x]! & 1) - (code[y]! & 1) || x - y);
  const live = new Int32Array(n);
  let run = 0;
  let min = 0;
  for (let i = 0; i < n; i++) {
    run += code[order[i]!]! & 1 ? -1 : 1;
    min = Math.min(min, run);
    live[i] = run;
  }
  const baseline = -min;
  let peak = baseline;
  for (let i = 0; i < n; i++) {
    live[i] = live[i]! + baseline;
    peak = Math.max(peak, live[i]!);
  }
  const atOf = (i: number) => at[order[i]!]!;
  const isCreate = (i: number) => (code[order[i]!]! & 1) === 0;
  const explanationOf = (i: number): string | undefined => {
    const id = code[order[i]!]! >> 1;
    return id ? explanations[id] : undefined;
  };

  // Triggers of the max_for_app evictions asked for.
  if (wanted.length) {
    const byRequest = new Map<number, number>();
    for (const e of wanted) if (e.requestId) byRequest.set(hash53(e.requestId), -1);
    if (byRequest.size) for (let i = 0; i < n; i++) if (isCreate(i) && byRequest.has(req[order[i]!]!)) byRequest.set(req[order[i]!]!, i);
    for (const e of wanted) {
      let j = e.requestId ? byRequest.get(hash53(e.requestId)) : undefined;
      if (j === undefined || j < 0) {
        j = undefined;
        // The destroy's place: after every event before its instant, and after the creates at it.
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (atOf(mid) < e.at || (atOf(mid) === e.at && isCreate(mid))) lo = mid + 1;
          else hi = mid;
        }
        for (let k = lo - 1; k >= 0; k--) {
          if (atOf(k) < e.at - 120) break;
          if (isCreate(k)) {
            j = k;
            break;
          }
        }
      }
      if (j === undefined) continue;
      e.trigger = { at: atOf(j), liveAfter: live[j]! };
      // The create's own request id is not kept; when paired by request id it is the destroy's.
      if (e.requestId && byRequest.get(hash53(e.requestId)) === j) e.trigger.requestId = e.requestId;
    }
  }

  const point = (i: number): TimelinePoint => {
    const p: TimelinePoint = { at: atOf(i), live: live[i]!, event: isCreate(i) ? 'create' : 'destroy' };
    const x = explanationOf(i);
    if (x) p.explanation = x;
    return p;
  };
  const points: PointSource = {
    n,
    all: () => Array.from({ length: n }, (_, i) => point(i)),
    merged: (max) => {
      if (max <= 0) return [];
      const size = Math.ceil(n / max);
      const out: TimelinePoint[] = [];
      for (let from = 0; from < n; from += size) {
        const to = Math.min(n, from + size);
        const p = point(to - 1);
        const m = { events: to - from, creates: 0, destroys: 0, maxForApp: 0, expired: 0, peak: 0, from: atOf(from) };
        for (let i = from; i < to; i++) {
          m.peak = Math.max(m.peak, live[i]!);
          if (isCreate(i)) m.creates += 1;
          else {
            m.destroys += 1;
            const x = explanationOf(i);
            if (x === 'max_for_app') m.maxForApp += 1;
            else if (x === 'expired') m.expired += 1;
          }
        }
        if (m.maxForApp) p.explanation = 'max_for_app';
        else if (m.expired) p.explanation = 'expired';
        if (m.events > 1) p.merged = m;
        out.push(p);
      }
      return out;
    },
  };
  const t: Timeline = { user: g.user, app: g.app, points: [], peak, current: n ? live[n - 1]! : baseline };
  if (baseline) t.baseline = baseline;
  return { t, points };
}

interface PointSource {
  n: number;
  all(): TimelinePoint[];
  merged(max: number): TimelinePoint[];
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
