import { describe, expect, it } from 'vitest';
import { IdpCollector, MAX_MATCHES, MAX_POINTS, buildTimelines, knownToken } from '../../src/github/audit.js';
import { hashedToken } from '../../src/github/classify.js';
import { matchesApp, timeOf, toEvent } from '../../src/github/events.js';
import { renderTimeline } from '../../src/render/timeline.js';
import { Secret } from '../../src/secrets.js';
import type { IdpEvent } from '../../src/model/index.js';

describe('defensive parsing of log records (github.md §5.3)', () => {
  it('created_at in epoch ms, top-level fields, padded hash', () => {
    const e = toEvent({ action: 'oauth_access.destroy', created_at: 1795270920350, user: 'u1', oauth_application_name: 'App', explanation: 'max_for_app', hashed_token: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=', token_last_eight: 'abcdefgh', request_id: 'R1', application_id: 5 })!;
    expect(e).toMatchObject({ action: 'oauth_access.destroy', at: 1795270920.35, user: 'u1', appName: 'App', appId: '5', explanation: 'max_for_app', hashedToken: hashedToken('abc'), tokenLastEight: 'abcdefgh', requestId: 'R1' });
  });

  it('@timestamp only, details nested under data, application_name, unpadded hash', () => {
    const e = toEvent({ action: 'oauth_access.destroy', '@timestamp': 1795270920350, actor: 'u2', data: { application_name: 'App', explanation: 'expired', hashed_token: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0', scopes: ['repo', 'user'] } })!;
    expect(e).toMatchObject({ at: 1795270920.35, user: 'u2', appName: 'App', explanation: 'expired', hashedToken: hashedToken('abc'), scopes: 'repo, user' });
  });

  it('flattened data.* columns (CSV) with strings, empty cells absent', () => {
    const e = toEvent({ action: 'oauth_access.create', created_at: '1795270920120', 'data.oauth_application_name': 'App', 'data.explanation': '', 'data.hashed_token': 'x=' })!;
    expect(e.appName).toBe('App');
    expect(e.explanation).toBeUndefined();
    expect(e.hashedToken).toBe('x');
  });

  it('times: ms, seconds, ISO', () => {
    expect(timeOf(1795270920350)).toBe(1795270920.35);
    expect(timeOf(1795270920)).toBe(1795270920);
    expect(timeOf('2026-11-21T14:02:00Z')).toBe(Date.parse('2026-11-21T14:02:00Z') / 1000);
    expect(timeOf('2026-11-21 14:02:00 UTC')).toBe(Date.parse('2026-11-21T14:02:00Z') / 1000);
    expect(timeOf('')).toBeUndefined();
    expect(toEvent({ action: 'oauth_access.create' })).toBeUndefined();
  });

  it('app by name (any case), application id or client id', () => {
    const e: IdpEvent = { action: 'oauth_access.create', at: 1, appName: 'Example MCP Proxy', appId: '900001', appClientId: 'Ov23liX' };
    expect(matchesApp(e, 'example mcp proxy')).toBe(true);
    expect(matchesApp(e, '900001')).toBe(true);
    expect(matchesApp(e, 'Ov23liX')).toBe(true);
    expect(matchesApp(e, 'Other')).toBe(false);
  });
});

const at = (iso: string) => Date.parse(iso) / 1000;
function ev(action: string, iso: string, extra: Partial<IdpEvent> = {}): IdpEvent {
  return { action, at: at(iso), user: 'u', appName: 'App', ...extra };
}

describe('live-token estimate and max_for_app triggers', () => {
  it('counts creates and destroys; the 11th create triggers the eviction (paired by request id)', () => {
    const events: IdpEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(ev('oauth_access.create', `2026-11-20T0${i}:00:00Z`));
    // destroy listed before its create at the same instant: the create still counts first
    const destroy = ev('oauth_access.destroy', '2026-11-21T14:02:00Z', { explanation: 'max_for_app', requestId: 'R11' });
    events.push(destroy, ev('oauth_access.create', '2026-11-21T14:02:00Z', { requestId: 'R11' }));
    const [t] = buildTimelines(events);
    expect(t!.peak).toBe(11);
    expect(t!.current).toBe(10);
    expect(t!.baseline).toBeUndefined();
    expect(destroy.trigger).toEqual({ at: at('2026-11-21T14:02:00Z'), requestId: 'R11', liveAfter: 11 });
  });

  it('destroys of tokens older than the log raise the baseline (lower bound)', () => {
    const [t] = buildTimelines([ev('oauth_access.destroy', '2026-11-20T01:00:00Z', { explanation: 'expired' }), ev('oauth_access.destroy', '2026-11-20T02:00:00Z'), ev('oauth_access.create', '2026-11-20T03:00:00Z')]);
    expect(t!.baseline).toBe(2);
    expect(t!.points.map((p) => p.live)).toEqual([1, 0, 1]);
  });

  it('without a request id, the trigger is the last create within two minutes before', () => {
    const d = ev('oauth_access.destroy', '2026-11-21T14:03:00Z', { explanation: 'max_for_app' });
    buildTimelines([ev('oauth_access.create', '2026-11-21T14:02:30Z'), d]);
    expect(d.trigger?.at).toBe(at('2026-11-21T14:02:30Z'));
    const far = ev('oauth_access.destroy', '2026-11-21T15:00:00Z', { explanation: 'max_for_app' });
    buildTimelines([ev('oauth_access.create', '2026-11-21T14:00:00Z'), far]);
    expect(far.trigger).toBeUndefined();
  });

  it('one timeline per user and app; authorization events do not move the count', () => {
    const ts = buildTimelines([ev('oauth_access.create', '2026-11-20T01:00:00Z'), ev('oauth_access.create', '2026-11-20T01:00:00Z', { user: 'v' }), ev('oauth_authorization.destroy', '2026-11-20T02:00:00Z')]);
    expect(ts).toHaveLength(2);
    expect(ts.every((t) => t.points.length === 1)).toBe(true);
  });
});

describe('IdpCollector', () => {
  const token = new Secret('gho_knownknownknownknownknownknownknownkn', 'test');
  const rec = (action: string, ms: number, extra: Record<string, unknown> = {}) => ({ action, created_at: ms, user: 'u', oauth_application_name: 'App', ...extra });

  it('matches hashed_token with or without padding, dedups the same event from two exports, ignores other actions', () => {
    const c = new IdpCollector({ app: 'App', tokens: [knownToken(token, 'the token')] });
    const padded = `${hashedToken(token.reveal())}=`;
    c.add(rec('oauth_access.create', 1000, { hashed_token: padded, request_id: 'A' }));
    c.add(rec('oauth_access.create', 1000, { hashed_token: padded, request_id: 'A' }));
    c.add(rec('oauth_access.destroy', 2000, { hashed_token: hashedToken(token.reveal()), explanation: 'max_for_app', request_id: 'B' }));
    c.add({ action: 'repo.create', created_at: 3000 });
    const { evidence } = c.result([{ kind: 'security-log-export', file: 'x.json', format: 'json-array', events: 4 }]);
    expect(evidence.eventsRead).toBe(4);
    expect(evidence.eventsForApp).toBe(2);
    expect(evidence.matches.map((m) => m.event.action)).toEqual(['oauth_access.create', 'oauth_access.destroy']);
    expect(evidence.destroysByExplanation).toEqual({ max_for_app: 1 });
    expect(JSON.stringify(evidence)).not.toContain(token.reveal());
  });

  it('falls back to token_last_eight when an event has no hash', () => {
    const c = new IdpCollector({ tokens: [knownToken(token, 't')] });
    c.add(rec('oauth_access.destroy', 1000, { token_last_eight: token.reveal().slice(-8) }));
    expect(c.result([]).evidence.matches).toHaveLength(1);
  });

  it('an --app that names nothing: appNotFound, with the apps seen; the matched tokens pick the app instead', () => {
    const c = new IdpCollector({ app: 'Ov23liNOTINLOG', tokens: [] });
    c.add(rec('oauth_access.create', 1000));
    const r = c.result([]);
    expect(r.appNotFound).toBe('Ov23liNOTINLOG');
    expect(r.evidence.appsSeen).toEqual({ App: 1 });

    const c2 = new IdpCollector({ app: 'Ov23liNOTINLOG', tokens: [knownToken(token, 't')] });
    c2.add(rec('oauth_access.create', 1000, { hashed_token: hashedToken(token.reveal()) }));
    const r2 = c2.result([]);
    expect(r2.appNotFound).toBeUndefined();
    expect(r2.evidence.app).toMatch(/^App \(the app of the matched tokens/);
  });

  it('keeps at most maxKept events for the timeline and says so; the counts stay exact', () => {
    const c = new IdpCollector({ tokens: [], maxKept: 3 });
    for (let i = 0; i < 5; i++) c.add(rec('oauth_access.create', 1000 + i));
    c.add(rec('oauth_access.destroy', 2000, { explanation: 'max_for_app' }));
    const { evidence } = c.result([]);
    expect(evidence.eventsForApp).toBe(6);
    expect(evidence.destroysByExplanation).toEqual({ max_for_app: 1 });
    expect(evidence.timelines[0]!.points).toHaveLength(3);
    expect(evidence.limited).toMatch(/first 3 create\/destroy events \(3 more were counted but not drawn\)/);
  });

  // Issue 14 item 8: without --app, a large export keeps only what the report shows — exact counts,
  // timelines cut to MAX_POINTS merged points, whole events only for the known tokens (capped, counted).
  it('a large export without --app: exact totals, bounded points and matches, the findings\' events kept', () => {
    const c = new IdpCollector({ tokens: [knownToken(token, 'the token')] });
    const h = hashedToken(token.reveal());
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const destroy = i % 2 === 1;
      c.add(rec(destroy ? 'oauth_access.destroy' : 'oauth_access.create', 1_795_200_000_000 + i * 1000, { user: `u${i % 3}`, request_id: `R${i}`, hashed_token: i % 20 < 2 ? h : `other${i}`, ...(destroy ? { explanation: 'max_for_app' } : {}) }));
    }
    c.add(rec('oauth_access.destroy', 1_795_300_000_000, { hashed_token: h, explanation: 'expired', user: 'u9' }));
    const { evidence } = c.result([]);
    expect(evidence.eventsForApp).toBe(n + 1);
    expect(evidence.destroysByExplanation).toEqual({ max_for_app: n / 2, expired: 1 });
    expect(evidence.maxForAppSpan).toEqual({ first: 1_795_200_001, last: 1_795_200_000 + n - 1 });
    // Whole events: the latest 1,000 matches plus the token's latest create/destroy; the rest counted.
    expect(evidence.matches.length).toBeLessThanOrEqual(MAX_MATCHES + 2);
    expect(evidence.matches.length + (evidence.matchesOmitted ?? 0)).toBe(n / 10 + 1);
    expect(evidence.matches.at(-1)!.event.explanation).toBe('expired');
    // Every timeline: at most MAX_POINTS points, the events behind them counted, figures exact.
    const busiest = evidence.timelines.find((t) => t.user === 'u0')!;
    expect(busiest.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(busiest.events).toBe(n / 3);
    expect(busiest.points.reduce((s, p) => s + (p.merged?.events ?? 1), 0)).toBe(n / 3);
    expect(busiest.points.reduce((s, p) => s + (p.merged?.creates ?? (p.event === 'create' ? 1 : 0)), 0)).toBe(n / 6);
    expect(evidence.limited).toBeUndefined();
  });

  // Issue 14 item 8: a large export of other apps' events neither fills memory nor crowds out --app's.
  it('--app without known tokens keeps only that app\'s events (others are counted, not kept)', () => {
    const c = new IdpCollector({ tokens: [], maxKept: 3, app: 'Mine' });
    for (let i = 0; i < 10; i++) c.add(rec('oauth_access.create', 1000 + i, { oauth_application_name: 'Other' }));
    c.add(rec('oauth_access.create', 2000, { oauth_application_name: 'Mine' }));
    c.add(rec('oauth_access.destroy', 2001, { oauth_application_name: 'Mine' }));
    const { evidence, appNotFound } = c.result([]);
    expect(appNotFound).toBeUndefined();
    expect(evidence.eventsForApp).toBe(2);
    expect(evidence.limited).toBeUndefined();
  });

  it('--since drops older events', () => {
    const c = new IdpCollector({ tokens: [], since: 1500 });
    c.add(rec('oauth_access.create', 1000));
    c.add(rec('oauth_access.create', 2000));
    expect(c.result([]).evidence.eventsForApp).toBe(1);
  });
});

describe('timeline picture', () => {
  it('draws the count, the 10-token line and the events in plain characters', () => {
    const events: IdpEvent[] = [];
    for (let i = 0; i < 11; i++) events.push(ev('oauth_access.create', `2026-11-20T${String(i).padStart(2, '0')}:00:00Z`));
    events.push(ev('oauth_access.destroy', '2026-11-20T10:00:00Z', { explanation: 'max_for_app' }));
    events.push(ev('oauth_access.destroy', '2026-11-20T12:00:00Z', { explanation: 'expired' }));
    const [t] = buildTimelines(events);
    const lines = renderTimeline(t!, { width: 40 });
    const text = lines.join('\n');
    expect(text).not.toMatch(/\u001b\[/);
    expect(lines.find((l) => l.includes('10-token cap'))).toMatch(/^ +10 ┤/);
    expect(lines.find((l) => /^ +11 │/.test(l))).toContain('█');
    const destroyed = lines.find((l) => l.trimStart().startsWith('destroyed'))!;
    expect(destroyed).toContain('M');
    expect(destroyed.trimEnd().endsWith('E')).toBe(true);
    // every chart row and the event rows share one gutter
    const starts = lines.filter((l) => /[│┤└]/.test(l)).map((l) => l.search(/[│┤└]/));
    expect(new Set(starts).size).toBe(1);
    expect(lines.find((l) => l.trimStart().startsWith('created'))!.indexOf('1')).toBe(starts[0]! + 1);
  });

  it('a busy timeline is cut to MAX_POINTS merged points and draws the same picture', () => {
    // 3,000 events over 60 minutes: 50 creates a minute, every 5th event a max_for_app destroy.
    const events = Array.from({ length: 3000 }, (_, i) => ev(i % 5 === 4 ? 'oauth_access.destroy' : 'oauth_access.create', new Date(Date.UTC(2026, 10, 20, 0, 0, 0, i * 1200)).toISOString(), i % 5 === 4 ? { explanation: 'max_for_app' } : {}));
    const [t] = buildTimelines(events);
    expect(t!.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(t!.events).toBe(3000);
    expect(t!.peak).toBe(1801);
    expect(t!.points.every((p) => p.merged)).toBe(true);
    expect(t!.points.reduce((n, p) => n + p.merged!.maxForApp, 0)).toBe(600);
    expect(t!.points.filter((p) => p.explanation === 'max_for_app')).toHaveLength(t!.points.filter((p) => p.merged!.maxForApp > 0).length);
    const lines = renderTimeline(t!, { width: 30 });
    const row = (name: string) => lines.find((l) => l.trimStart().startsWith(name))!.slice(lines.find((l) => l.includes('└'))!.indexOf('└') + 1);
    // (a merged point is drawn at its last event: the last column also gets the few before the end)
    expect(row('created')).toMatch(/^\+{29}\d$/);
    expect(row('destroyed')).toMatch(/^M{30}$/);
  });

  it('scales tall counts', () => {
    const events = Array.from({ length: 44 }, (_, i) => ev('oauth_access.create', new Date(Date.UTC(2026, 10, 20, 0, i)).toISOString()));
    const [t] = buildTimelines(events);
    const lines = renderTimeline(t!, { maxRows: 14 });
    expect(lines.filter((l) => /[│┤]/.test(l)).length).toBeLessThanOrEqual(15);
    expect(lines.some((l) => l.includes('-token cap'))).toBe(true);
  });
});
