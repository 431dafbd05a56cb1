/**
 * Property tests: the org/enterprise audit-log API against a stand-in on 127.0.0.1 that answers every
 * page at random — any status, content type, body (events, objects, garbage, truncated JSON, huge),
 * Link headers that loop, jump to another host or never end, rate-limit headers, pages that never come
 * or trickle in. Every run ends (bounded by the timeout and the page cap) with records or one
 * CollectError line, never another exception; the token never goes to another origin.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectError } from '../../src/errors.js';
import { readAuditLog } from '../../src/github/audit-api.js';
import { anyJsonValue, anyText, oneLine } from './arbitraries.js';
import { Secret } from '../../src/secrets.js';

interface PageSpec {
  status: number;
  contentType: string | null;
  body: 'events' | 'object' | 'text' | 'truncated' | 'empty' | 'huge' | 'hang' | 'trickle';
  events: unknown[];
  text: string;
  link: 'none' | 'next' | 'self' | 'other-host' | 'garbage' | 'relative' | 'first';
  remaining: string | null;
}

let server: Server;
let base = '';
let script: PageSpec[] = [];
let served = 0;
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();
const TOKEN = 'audit-token-for-the-fuzz-suite';
let foreignRequests = 0;
let foreign: Server;
let foreignBase = '';

function answer(req: IncomingMessage, res: ServerResponse): void {
  const spec = script[served % script.length]!;
  served += 1;
  const url = new URL(req.url ?? '/', base);
  const headers: Record<string, string> = {};
  if (spec.contentType) headers['content-type'] = spec.contentType;
  if (spec.remaining !== null) headers['x-ratelimit-remaining'] = spec.remaining;
  const nextUrl = new URL(url);
  nextUrl.searchParams.set('after', String(served));
  const links: Record<PageSpec['link'], string | undefined> = {
    none: undefined,
    next: `<${nextUrl.href}>; rel="next"`,
    self: `<${url.href}>; rel="next"`,
    'other-host': `<${foreignBase}${url.pathname}?after=x>; rel="next"`,
    garbage: `<::not a url::>; rel="next", junk`,
    relative: `<${url.pathname}?after=${served}>; rel="next"`,
    first: `<${base}${url.pathname}>; rel="first"`,
  };
  const link = links[spec.link];
  if (link) headers.link = link;
  if (spec.body === 'hang') return;
  res.writeHead(spec.status, headers);
  if (spec.status === 204 || spec.status === 304) return void res.end();
  switch (spec.body) {
    case 'events':
      return void res.end(JSON.stringify(spec.events));
    case 'object':
      return void res.end(JSON.stringify({ message: spec.text, events: spec.events }));
    case 'text':
      return void res.end(spec.text);
    case 'truncated': {
      const t = JSON.stringify(spec.events);
      return void res.end(t.slice(0, Math.max(1, t.length - 3)));
    }
    case 'empty':
      return void res.end();
    case 'huge': {
      // 12 MB of one JSON array, in 64 KB writes: more than the reader may buffer.
      const chunk = `${JSON.stringify({ action: 'oauth_access.create', pad: 'x'.repeat(65_000) })},`;
      res.write('[');
      let sent = 0;
      const pump = () => {
        while (sent < 190) {
          sent += 1;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('{}]');
      };
      return pump();
    }
    case 'trickle': {
      res.write('[');
      const t = setInterval(() => res.write(' '), 50);
      timers.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
  }
}

beforeAll(async () => {
  server = createServer(answer);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  foreign = createServer((_req, res) => {
    foreignRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[]');
  });
  await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
  foreignBase = `http://localhost:${(foreign.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => foreign.close(() => r()));
});

const pageSpec: fc.Arbitrary<PageSpec> = fc.record({
  status: fc.oneof({ weight: 6, arbitrary: fc.constant(200) }, { weight: 3, arbitrary: fc.constantFrom(201, 204, 301, 304, 400, 401, 403, 404, 422, 429, 500, 502, 503) }),
  contentType: fc.constantFrom('application/json; charset=utf-8', 'application/json', 'text/html; charset=utf-8', 'text/plain', 'application/octet-stream', null, 'application/json; charset=unknown'),
  body: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('events' as const, 'object' as const, 'text' as const, 'truncated' as const, 'empty' as const) }, { weight: 1, arbitrary: fc.constantFrom('huge' as const, 'hang' as const, 'trickle' as const) }),
  events: fc.array(fc.oneof(anyJsonValue, fc.record({ action: fc.constantFrom('oauth_access.create', 'oauth_access.destroy'), '@timestamp': fc.integer({ min: 0, max: 2 ** 45 }) })), { maxLength: 6 }),
  text: anyText,
  link: fc.constantFrom('none' as const, 'next' as const, 'next' as const, 'self' as const, 'other-host' as const, 'garbage' as const, 'relative' as const, 'first' as const),
  remaining: fc.constantFrom(null, null, '4999', '0', 'NaN', ''),
});

describe('audit-log API: any pages from the server', () => {
  it('ends with records or one CollectError line; never another exception, never a hang, never another origin', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pageSpec, { minLength: 1, maxLength: 6 }), fc.constantFrom('org' as const, 'enterprise' as const), async (pages, kind) => {
        script = pages;
        served = 0;
        const before = foreignRequests;
        const records: unknown[] = [];
        let guard: NodeJS.Timeout | undefined;
        const run = readAuditLog({ kind, name: 'example-org', token: new Secret(TOKEN, 'audit-log token'), apiUrl: base, http: { timeoutMs: 400, userAgent: 'fuzz' }, maxPages: 25 }, (r) => records.push(r));
        const outcome = await Promise.race([
          run.then(
            (r) => ({ ok: true as const, r }),
            (e: unknown) => ({ ok: false as const, e }),
          ),
          new Promise<'hung'>((resolve) => (guard = setTimeout(() => resolve('hung'), 20_000))),
        ]);
        clearTimeout(guard);
        expect(outcome).not.toBe('hung');
        if (outcome === 'hung') return;
        if (outcome.ok) {
          expect(outcome.r.records).toBe(records.length);
          expect(outcome.r.pages).toBeLessThanOrEqual(25);
          if (outcome.r.stopped !== undefined) expect(oneLine(outcome.r.stopped)).toBe(true);
          for (const r of records) expect(r && typeof r === 'object' && !Array.isArray(r)).toBe(true);
        } else {
          expect(outcome.e).toBeInstanceOf(CollectError);
          const line = (outcome.e as CollectError).line();
          expect(oneLine(line)).toBe(true);
          expect(line).not.toContain(TOKEN);
        }
        expect(foreignRequests).toBe(before);
      }),
      { numRuns: 120 },
    );
  }, 240_000);

  it('a next link that never ends stops at the page cap; one that loops stops at once', async () => {
    const page = (link: PageSpec['link']): PageSpec => ({ status: 200, contentType: 'application/json', body: 'events', events: [{ action: 'oauth_access.create', '@timestamp': 1 }], text: '', link, remaining: '4999' });
    script = [page('next')];
    served = 0;
    const endless = await readAuditLog({ kind: 'org', name: 'o', token: new Secret(TOKEN, 'audit-log token'), apiUrl: base, http: { timeoutMs: 1000, userAgent: 'fuzz' }, maxPages: 7 }, () => {});
    expect(endless).toMatchObject({ pages: 7, records: 7 });
    expect(endless.stopped).toMatch(/stopped after 7 pages/);
    script = [page('self')];
    served = 0;
    const loop = await readAuditLog({ kind: 'org', name: 'o', token: new Secret(TOKEN, 'audit-log token'), apiUrl: base, http: { timeoutMs: 1000, userAgent: 'fuzz' } }, () => {});
    expect(loop.pages).toBeLessThanOrEqual(2);
    expect(loop.stopped).toMatch(/already sent/);
    script = [page('other-host')];
    served = 0;
    const away = await readAuditLog({ kind: 'org', name: 'o', token: new Secret(TOKEN, 'audit-log token'), apiUrl: base, http: { timeoutMs: 1000, userAgent: 'fuzz' } }, () => {});
    expect(away.stopped).toMatch(/leaves/);
    expect(foreignRequests).toBe(0);
  });

  it('a page larger than the reader\'s cap is refused in one line, not buffered', async () => {
    script = [{ status: 200, contentType: 'application/json', body: 'huge', events: [], text: '', link: 'none', remaining: null }];
    served = 0;
    const err = await readAuditLog({ kind: 'org', name: 'o', token: new Secret(TOKEN, 'audit-log token'), apiUrl: base, http: { timeoutMs: 5000, userAgent: 'fuzz' } }, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectError);
    expect((err as CollectError).message).toMatch(/larger than 8 MB/);
  });
});
