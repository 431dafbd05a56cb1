/**
 * Property tests: GitHub security-log exports and audit-log records. Any record → an event or nothing
 * (never an exception, never a time that cannot be shown); any small export file — JSON array, JSON
 * lines, CSV, gzip, truncated anywhere, or plain garbage — → records or exactly one InputError line.
 * The events then go through the collector, the timelines and the terminal picture.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { buildTimelines, IdpCollector } from '../../src/github/audit.js';
import { timeOf, toEvent, type RawRecord } from '../../src/github/events.js';
import { MAX_RECORD_BYTES, readSecurityLog } from '../../src/github/security-log.js';
import { renderTimelines } from '../../src/render/timeline.js';
import { isoTime } from '../../src/time.js';
import { anyJsonText, anyJsonValue, anyText, anyTime, oneLine, RUNS } from './arbitraries.js';

const dir = mkdtempSync(join(tmpdir(), 'mad-fuzz-seclog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const ACTIONS = ['oauth_access.create', 'oauth_access.destroy', 'oauth_access.revoke', 'oauth_authorization.create', 'oauth_authorization.destroy', 'oauth_access.regenerate', 'user.login', ''];
const timeValue = fc.oneof(anyTime, anyTime.map(String), fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'not a date' : d.toISOString())), anyText, fc.constantFrom('2026-11-21 14:02:00 UTC', '1e400', '99999999999999999999', ''));
const recordArb: fc.Arbitrary<RawRecord> = fc
  .record({
    action: fc.oneof(fc.constantFrom(...ACTIONS), anyJsonValue),
    created_at: fc.option(timeValue, { nil: undefined }),
    '@timestamp': fc.option(timeValue, { nil: undefined }),
    explanation: fc.option(fc.oneof(fc.constantFrom('max_for_app', 'expired'), anyJsonValue), { nil: undefined }),
    hashed_token: fc.option(fc.oneof(fc.base64String({ minLength: 44, maxLength: 44 }), anyJsonValue), { nil: undefined }),
    oauth_application_name: fc.option(fc.oneof(fc.constantFrom('Example MCP Proxy', 'Other'), anyJsonValue), { nil: undefined }),
    user: fc.option(fc.oneof(fc.constantFrom('mona', 'hubot'), anyJsonValue), { nil: undefined }),
    request_id: fc.option(fc.oneof(fc.constantFrom('R1', 'R2'), anyJsonValue), { nil: undefined }),
    data: fc.option(anyJsonValue, { nil: undefined }),
    'data.hashed_token': fc.option(anyJsonValue, { nil: undefined }),
    extra: fc.dictionary(fc.string({ maxLength: 6 }), anyJsonValue, { maxKeys: 3 }),
  })
  .map(({ extra, ...r }) => {
    const rec: RawRecord = { ...extra };
    for (const [k, v] of Object.entries(r)) if (v !== undefined) rec[k] = v;
    return rec;
  });

/** Time values the renderer must be able to show. */
function showable(at: number): boolean {
  return Number.isFinite(at) && !isoTime(at).includes('Invalid') && !Number.isNaN(new Date(at * 1000).getTime());
}

describe('security-log records: any record', () => {
  it('timeOf gives undefined or a time that can be shown as a date', () => {
    fc.assert(
      fc.property(fc.oneof(timeValue, anyJsonValue), (v) => {
        const t = timeOf(v);
        if (t !== undefined) expect(showable(t)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('toEvent gives undefined or an event with an action and a showable time, never throws', () => {
    fc.assert(
      fc.property(recordArb, fc.option(anyText, { nil: undefined }), (rec, origin) => {
        const ev = toEvent(rec, origin);
        if (ev) {
          expect(ev.action.length).toBeGreaterThan(0);
          expect(showable(ev.at)).toBe(true);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('collector, timelines and the terminal picture take any records without throwing', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 40 }), fc.option(fc.constantFrom('Example MCP Proxy', 'nobody', ''), { nil: undefined }), fc.option(anyTime, { nil: undefined }), (recs, app, since) => {
        const c = new IdpCollector({ tokens: [], ...(app !== undefined ? { app } : {}), ...(since !== undefined ? { since } : {}) });
        recs.forEach((r, i) => c.add(r, `fuzz#${i}`));
        const { evidence } = c.result([{ kind: 'security-log-export', events: recs.length }]);
        const lines = renderTimelines(evidence.timelines);
        for (const l of lines) expect(typeof l).toBe('string');
        buildTimelines([]);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Export files

function csvCell(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const jsonArrayFile = fc.array(fc.oneof(recordArb, anyJsonValue), { maxLength: 12 }).map((items) => JSON.stringify(items, null, items.length % 2 ? 2 : 0));
// Any lines, and optionally arbitrary text as the last line (a truncated export).
const jsonLinesFile = fc
  .tuple(fc.array(fc.oneof(recordArb.map((r) => JSON.stringify(r)), anyJsonText, fc.constant('')), { maxLength: 12 }), fc.option(anyText, { nil: undefined }))
  .map(([lines, last]) => [...lines, ...(last !== undefined ? [last] : [])].join('\n'));
const csvFile = fc
  .tuple(fc.uniqueArray(fc.oneof(fc.constantFrom('action', 'created_at', '@timestamp', 'data.hashed_token', 'oauth_application_name', 'user', 'data.explanation'), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 7 }), fc.array(fc.array(fc.oneof(anyText, anyJsonValue), { maxLength: 8 }), { maxLength: 10 }), fc.constantFrom('\n', '\r\n'))
  .map(([header, rows, eol]) => [header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join(eol));

const content: fc.Arbitrary<Buffer> = fc
  .record({
    body: fc.oneof(jsonArrayFile, jsonLinesFile, csvFile, anyText),
    prefix: fc.constantFrom('', '\uFEFF', '  \n', '\uFEFF\n\t'),
    cut: fc.option(fc.nat(), { nil: undefined }),
    gzip: fc.boolean(),
    gzipCut: fc.option(fc.nat(), { nil: undefined }),
    bytes: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }),
  })
  .map(({ body, prefix, cut, gzip, gzipCut, bytes }) => {
    let buf = bytes ? Buffer.from(bytes) : Buffer.from(prefix + body, 'utf8');
    if (cut !== undefined && buf.length) buf = buf.subarray(0, cut % (buf.length + 1));
    if (gzip) {
      buf = gzipSync(buf);
      if (gzipCut !== undefined) buf = buf.subarray(0, gzipCut % (buf.length + 1));
    }
    return buf;
  });

describe('security-log export files: any small file', () => {
  it('records (all objects) or one InputError line; never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(content, async (buf) => {
        const path = join(dir, `export-${(n += 1)}.log`);
        writeFileSync(path, buf);
        const records: RawRecord[] = [];
        try {
          const r = await readSecurityLog(path, (rec) => records.push(rec));
          expect(['json-array', 'json-lines', 'csv']).toContain(r.format);
          expect(r.records).toBe(records.length);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect(oneLine((e as InputError).line())).toBe(true);
        }
        for (const rec of records) {
          expect(rec && typeof rec === 'object' && !Array.isArray(rec)).toBe(true);
          toEvent(rec);
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  // Once a bug: the InputError was thrown while the replay stream still read the file, and destroying
  // the file under it surfaced later as an uncaught ERR_STREAM_PREMATURE_CLOSE.
  it('a JSON-lines export with a bad line in the middle: one InputError, and nothing uncaught afterwards', async () => {
    const path = join(dir, 'mid-bad.jsonl');
    writeFileSync(path, '{"action":"oauth_access.create","created_at":1}\nxx\n{"b":2}\n');
    const uncaught: unknown[] = [];
    const onError = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onError);
    try {
      await expect(readSecurityLog(path, () => {})).rejects.toBeInstanceOf(InputError);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(uncaught).toEqual([]);
  });

  it('an aborted signal stops the read with what was read so far (no exception)', async () => {
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, Array.from({ length: 5000 }, (_, i) => JSON.stringify({ action: 'oauth_access.create', created_at: 1_795_000_000_000 + i })).join('\n'));
    const ac = new AbortController();
    let seen = 0;
    const r = await readSecurityLog(
      path,
      () => {
        seen += 1;
        if (seen === 10) ac.abort();
      },
      { signal: ac.signal },
    );
    expect(r.stopped).toBe('interrupted');
    expect(r.records).toBe(10);
  });
});

describe('records larger than any security-log record are refused, not buffered', () => {
  const big = 'x'.repeat(MAX_RECORD_BYTES + 10);
  it.each([
    ['JSON lines', `{"action":"oauth_access.create","created_at":1}\n{"action":"${big}"}\n`, /line 2 is longer than 1 MiB/],
    ['a JSON array', `[{"action":"oauth_access.create","created_at":1},{"action":"${big}"}]`, /element 2 is larger than 1 MiB/],
    ['CSV', `action,created_at\noauth_access.create,1\n"${big}",2\n`, /CSV/],
  ])('%s: one InputError after the records before it', async (_kind, text, why) => {
    const path = join(dir, `big-record-${(n += 1)}`);
    writeFileSync(path, text);
    const seen: RawRecord[] = [];
    const err = await readSecurityLog(path, (r) => seen.push(r)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line()).toMatch(why);
    expect(seen).toHaveLength(1);
  });
});
