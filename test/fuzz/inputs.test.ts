/**
 * Property tests: operator inputs — `.env` files (--env-file), `--at`, secret files, and the URL
 * redaction every message with a Redis/HTTP URL goes through.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { cleanSecretText, parseEnvFile } from '../../src/inputs.js';
import { fingerprint, redactUrl, Secret, setRevealSecrets } from '../../src/secrets.js';
import { EARLIEST_EPOCH_SECONDS, isoTime, parseAt } from '../../src/time.js';
import { anyText, oneLine, RUNS } from './arbitraries.js';

const envName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,20}$/);
/** Unquoted values: no surrounding whitespace, no " #" comment, not wrapped in quotes. */
const plainValue = fc.string({ unit: fc.constantFrom(...'abcXYZ019_-./:=@+,;!$%&*()[]{}?~'), maxLength: 40 });
/** Values that need double quotes: spaces, '#', single quotes, newlines (written as \n), double quotes (\"). */
const quotedValue = fc.string({ unit: fc.constantFrom(...'ab ZY#\'"\n=01'), maxLength: 30 });

describe('.env files (--env-file)', () => {
  it('any text: a map of valid names, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.array(fc.oneof(anyText, envName.map((n) => `${n}=${n}`)), { maxLength: 10 }).map((l) => l.join('\n'))), (text) => {
        const out = parseEnvFile(text);
        for (const k of Object.keys(out)) expect(k).toMatch(/^[A-Za-z_][A-Za-z0-9_.]*$/);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('KEY=value, export, quotes, comments, CRLF: every written variable reads back (last one wins)', () => {
    const entry = fc.tuple(envName, fc.oneof(plainValue.map((v) => ({ v, form: 'plain' as const })), quotedValue.map((v) => ({ v, form: 'double' as const })), plainValue.map((v) => ({ v: v.replace(/'/g, ''), form: 'single' as const }))), fc.boolean(), fc.boolean());
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), (entries, eol) => {
        const lines: string[] = ['# written by a test', ''];
        const expected: Record<string, string> = {};
        for (const [name, { v, form }, exported, comment] of entries) {
          const text = form === 'plain' ? v : form === 'single' ? `'${v}'` : `"${v.replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
          lines.push(`${exported ? 'export ' : ''}${name}=${text}${comment && form !== 'plain' ? ' ' : ''}`);
          if (comment) lines.push(`   # ${name}=ignored`);
          expected[name] = v;
        }
        expect(parseEnvFile(lines.join(eol))).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('secret files: cleanSecretText drops a BOM and surrounding whitespace only', () => {
    fc.assert(
      fc.property(plainValue.filter((v) => v.length > 0), fc.constantFrom('', '\uFEFF'), fc.constantFrom('', '\n', '\r\n', '  \n\n'), (v, bom, tail) => {
        expect(cleanSecretText(`${bom}${v}${tail}`)).toBe(v);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('--at', () => {
  it('any text: a time a Date can show, or one UsageError line', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.stringMatching(/^\d{1,400}(\.\d{0,5})?$/), fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid' : d.toISOString()))), (text) => {
        try {
          const t = parseAt(text);
          expect(Number.isFinite(t)).toBe(true);
          expect(() => new Date(t * 1000).toISOString()).not.toThrow();
          expect(isoTime(t)).not.toMatch(/Invalid/);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          expect(oneLine((e as UsageError).line())).toBe(true);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('unix seconds, milliseconds (13 digits) and ISO 8601 give the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: EARLIEST_EPOCH_SECONDS, max: 4_102_444_800 }), (s) => {
        expect(parseAt(String(s))).toBe(s);
        expect(parseAt(` ${s * 1000} `)).toBe(s);
        expect(parseAt(new Date(s * 1000).toISOString())).toBe(s);
        expect(parseAt(isoTime(s))).toBe(s);
      }),
      { numRuns: RUNS },
    );
  });

  it('an ISO time without a zone is UTC, never local time; with an offset it is that offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: EARLIEST_EPOCH_SECONDS, max: 4_102_444_800 }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (s, offMin) => {
        const iso = new Date(s * 1000).toISOString();
        expect(parseAt(iso.replace(/Z$/, ''))).toBe(s);
        expect(parseAt(iso.replace(/\.000Z$/, '').replace('T', ' '))).toBe(s);
        const sign = offMin < 0 ? '-' : '+';
        const hh = String(Math.floor(Math.abs(offMin) / 60)).padStart(2, '0');
        const mm = String(Math.abs(offMin) % 60).padStart(2, '0');
        const local = new Date((s + offMin * 60) * 1000).toISOString().replace(/\.000Z$/, '');
        expect(parseAt(`${local}${sign}${hh}:${mm}`)).toBe(s);
      }),
      { numRuns: RUNS },
    );
  });

  it('negative and pre-2015 epoch values, empty text and other date formats are usage errors naming the flag', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: EARLIEST_EPOCH_SECONDS - 1 }).map(String),
          fc.integer({ min: -1e12, max: -1 }).map(String),
          fc.constantFrom('', '   ', 'Dec 25', '1/2/2026', 'tomorrow', '2026-13-45', '2026-02-30T00:00:00Z', '2026-01-01T25:00:00Z'),
        ),
        fc.constantFrom('--at', '--since'),
        (text, flag) => {
          expect(() => parseAt(text, flag)).toThrow(UsageError);
          try {
            parseAt(text, flag);
          } catch (e) {
            expect((e as UsageError).message.startsWith(`${flag} `)).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('isoTime takes any number without throwing', () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        expect(typeof isoTime(n)).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('secret rendering', () => {
  it('redactUrl never throws and never shows the password of a URL', () => {
    const password = fc.string({ unit: fc.constantFrom(...'abcXYZ0189-_.~!$&\'()*+,;=%:@/?#[] '), minLength: 12, maxLength: 30 }).map((p) => `pw${p}`);
    fc.assert(
      fc.property(fc.constantFrom('redis', 'rediss', 'http', 'https'), fc.option(fc.stringMatching(/^[a-z]{1,8}$/), { nil: undefined }), password, fc.constantFrom('127.0.0.1:6379/0', 'cache.internal', '[::1]:6380/2', 'h/?password=x'), (scheme, user, pw, rest) => {
        const raw = `${scheme}://${user ?? ''}:${pw}@${rest}`;
        const out = redactUrl(raw);
        expect(out).not.toContain(pw);
        expect(out).not.toContain(encodeURIComponent(pw));
        const enc = `${scheme}://${user ?? ''}:${encodeURIComponent(pw)}@${rest}`;
        expect(redactUrl(enc)).not.toContain(encodeURIComponent(pw));
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(anyText, (t) => {
        expect(typeof redactUrl(t)).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('a Secret renders as its fingerprint everywhere unless revealing', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, maxLength: 60 }), (v) => {
        const s = new Secret(v, 'fuzz');
        const shown = [String(s), `${s}`, JSON.stringify({ s }), JSON.stringify([s])];
        for (const x of shown) {
          expect(x).not.toContain(v);
          expect(x).toContain(fingerprint(v).slice(-8));
        }
        setRevealSecrets(true);
        try {
          expect(String(s)).toBe(v);
        } finally {
          setRevealSecrets(false);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
