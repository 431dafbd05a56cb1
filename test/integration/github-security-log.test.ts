/** The export reader on the synthetic fixtures: every format yields the same events; damage is an InputError. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IdpCollector, knownToken } from '../../src/github/audit.js';
import { toEvent, type RawRecord } from '../../src/github/events.js';
import { readSecurityLog } from '../../src/github/security-log.js';
import { InputError } from '../../src/errors.js';
import { Secret } from '../../src/secrets.js';

const DIR = fileURLToPath(new URL('../../fixtures/security-log', import.meta.url));
const f = (n: string) => join(DIR, n);
const TOKENS = JSON.parse(readFileSync(f('tokens.json'), 'utf8')) as { tokens: { label: string; token: string; hashed_token: string }[] };
const tok = (label: string) => TOKENS.tokens.find((t) => t.label === label)!.token;

async function read(name: string) {
  const recs: RawRecord[] = [];
  const r = await readSecurityLog(f(name), (rec) => recs.push(rec));
  return { r, recs };
}

describe('security-log export reader', () => {
  it.each([
    ['export-mona-example.json', 'json-array', false],
    ['export-mona-example.jsonl', 'json-lines', false],
    ['export-mona-example.csv', 'csv', false],
    ['export-mona-example.json.gz', 'json-array', true],
    ['export-mona-example.csv.gz', 'csv', true],
  ] as const)('%s → %s (gzip %s), same 22 events', async (name, format, gzip) => {
    const { r, recs } = await read(name);
    expect(r).toMatchObject({ format, gzip, records: 22 });
    const events = recs.map((x) => toEvent(x)).filter(Boolean);
    expect(events).toHaveLength(22);
    const reference = (await read('export-mona-example.json')).recs.map((x) => toEvent(x)!);
    const key = (e: NonNullable<ReturnType<typeof toEvent>>) => [e.action, e.at, e.appName ?? '', e.hashedToken ?? '', e.explanation ?? '', e.user ?? '', e.requestId ?? ''].join('|');
    expect(events.map((e) => key(e!))).toEqual(reference.map(key));
  });

  it.each(['truncated.json', 'truncated.jsonl', 'truncated.csv', 'truncated.json.gz'])('%s → InputError "ended mid-record after N events"', async (name) => {
    const err = await readSecurityLog(f(name), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(new RegExp(`^security-log export ${name.replace(/\./g, '\\.')} ended mid-record after \\d+ events`));
    expect((err as InputError).line().split('\n')).toHaveLength(1);
  });

  it('empty and missing files', async () => {
    await expect(readSecurityLog(f('empty.json'), () => {})).rejects.toThrow(/is empty/);
    await expect(readSecurityLog(f('nope.json'), () => {})).rejects.toThrow(/does not exist/);
    await expect(readSecurityLog(DIR, () => {})).rejects.toBeInstanceOf(InputError);
  });

  it('correlates a stored token with its max_for_app destroy, in every format', async () => {
    for (const name of ['export-mona-example.json', 'export-mona-example.jsonl', 'export-mona-example.csv.gz']) {
      const c = new IdpCollector({ app: 'Example MCP Proxy', tokens: [knownToken(new Secret(tok('proxy-1'), 't'), 'proxy-1'), knownToken(new Secret(tok('unrelated'), 't'), 'unrelated')] });
      const r = await readSecurityLog(f(name), (rec, n) => c.add(rec, `${name}#${n}`));
      const { evidence } = c.result([{ kind: 'security-log-export', file: name, format: r.format, events: r.records }]);
      expect(evidence.eventsRead).toBe(22);
      expect(evidence.eventsForApp).toBe(15);
      expect(evidence.destroysByExplanation).toEqual({ max_for_app: 2 });
      const destroy = evidence.matches.find((m) => m.event.action === 'oauth_access.destroy')!;
      expect(destroy.token).toBe('proxy-1');
      expect(destroy.event.explanation).toBe('max_for_app');
      expect(destroy.event.at).toBe(Date.parse('2026-11-21T14:02:00.350Z') / 1000);
      expect(destroy.event.trigger).toMatchObject({ at: Date.parse('2026-11-21T14:02:00.120Z') / 1000, liveAfter: 11 });
      expect(evidence.matches.every((m) => m.token !== 'unrelated')).toBe(true);
      const [t] = evidence.timelines;
      expect(t).toMatchObject({ user: 'mona-example', app: 'Example MCP Proxy', peak: 11, current: 10 });
    }
  });

  it('reads a large export with flat memory (streamed, not buffered)', async () => {
    // ~60 MB of JSON array on disk; the heap must not grow by anything like the file size.
    const { mkdtempSync, createWriteStream } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'seclog-big-')), 'big.json');
    const out = createWriteStream(path);
    const N = 200_000;
    const pad = 'x'.repeat(200);
    out.write('[');
    for (let i = 0; i < N; i++) {
      const rec = { action: i % 2 ? 'repo.create' : 'oauth_access.create', created_at: 1795000000000 + i, user: 'u', oauth_application_name: 'App', note: pad };
      if (!out.write(`${i ? ',' : ''}${JSON.stringify(rec)}`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    out.end(']');
    await new Promise<void>((r) => out.once('finish', () => r()));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let n = 0;
    const r = await readSecurityLog(path, () => {
      n += 1;
      if (n % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    });
    expect(r.records).toBe(N);
    expect(peak - before).toBeLessThan(40 * 1024 * 1024);
  });
});
