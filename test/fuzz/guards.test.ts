/**
 * The output and input guards of issue 14 as properties: control characters escaped and values capped
 * (safeText, sanitizeReport), secrets scrubbed, a secret given as a path never echoed, JSON nesting
 * measured without recursion, the per-entry size cap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan, parseJson } from '../../src/server/http.js';
import { MAX_ECHO_CHARS, safeText, sanitizeReport } from '../../src/render/sanitize.js';
import { looksLikeSecret, registerSecret, scrubSecrets, showPath } from '../../src/secrets.js';
import { MAX_ENTRY_BYTES, refusedSize } from '../../src/stores/limits.js';
import type { Report } from '../../src/model/index.js';
import { RUNS } from './arbitraries.js';

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const withControls = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\n', '\r', '\u001b]0;x\u0007', '\u001b[2J', '\u009b', '\u2028', '\u202e', '::error title=X::y')), { maxLength: 20 }).map((a) => a.join(''));
const ghToken = fc.tuple(fc.constantFrom('ghu_', 'gho_', 'ghp_', 'ghs_', 'ghr_', 'github_pat_'), fc.stringMatching(/^[A-Za-z0-9]{30,40}$/)).map(([p, r]) => p + r);

describe('safeText', () => {
  it('no control character survives, in any text', () => {
    fc.assert(
      fc.property(withControls, (s) => {
        const out = safeText(s);
        expect(out).not.toMatch(CONTROL);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('a value is capped at MAX_ECHO_CHARS (plus a note and escapes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.constantFrom('a', '\u001b', 'é'), (n, c) => {
        const out = safeText(c.repeat(n));
        const visible = out.replace(/… \(\d+ more characters not shown\)$/, '');
        expect(visible.length).toBeLessThanOrEqual(MAX_ECHO_CHARS * 4);
        if (n > MAX_ECHO_CHARS) expect(out).toMatch(new RegExp(`… \\(${n - MAX_ECHO_CHARS} more characters not shown\\)$`));
        else expect(out.replace(/\\x1b/g, '\u001b')).toBe(c.repeat(n));
      }),
      { numRuns: RUNS },
    );
  });

  it('a GitHub token or a registered secret anywhere in the text is never echoed', () => {
    fc.assert(
      fc.property(fc.string(), ghToken, fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{12,30}$/), (a, token, b, secret) => {
        registerSecret(secret);
        const out = safeText(`${a}${token}${b} and "${secret}"`);
        expect(out).not.toContain(token);
        expect(out).not.toContain(secret);
        expect(scrubSecrets(JSON.stringify({ m: `${secret}` }))).not.toContain(secret);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('sanitizeReport', () => {
  it('walks any depth without recursion and escapes every string and key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), withControls, (depth, evil) => {
        let nested: unknown = { [evil]: evil };
        for (let i = 0; i < depth; i++) nested = i % 2 ? [nested] : { k: nested };
        const report = { findings: [{ detail: evil }], evidence: nested } as unknown as Report;
        const out = sanitizeReport(report);
        const stack: unknown[] = [out];
        while (stack.length) {
          const v = stack.pop();
          if (typeof v === 'string') expect(v).not.toMatch(CONTROL);
          else if (v && typeof v === 'object') {
            for (const [k, x] of Object.entries(v)) {
              expect(k).not.toMatch(CONTROL);
              stack.push(x);
            }
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('a secret given as a path', () => {
  it('a token-shaped value is recognised and never shown', () => {
    fc.assert(
      fc.property(fc.oneof(ghToken, fc.stringMatching(/^eyJ[A-Za-z0-9_-]{10,40}\.eyJ[A-Za-z0-9_-]{10,40}\.[A-Za-z0-9_-]{10,43}$/), fc.stringMatching(/^[A-Za-z0-9_-]{24,64}$/).filter((s) => /\d/.test(s) && /[A-Za-z]/.test(s))), (v) => {
        expect(looksLikeSecret(v)).toBe(true);
        expect(showPath(v)).not.toContain(v);
      }),
      { numRuns: RUNS },
    );
  });

  it('ordinary paths are shown as given', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z][a-z_-]{0,12}$/), { minLength: 1, maxLength: 5 }), fc.constantFrom('.txt', '.key', '.pem', '.json', '.env', ''), (parts, ext) => {
        const p = `/${parts.join('/')}${ext}`;
        expect(showPath(p)).toBe(p);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('JSON nesting', () => {
  it('nestsDeeperThan agrees with the real depth of any JSON value', () => {
    const depthOf = (v: unknown): number => {
      let max = 0;
      const stack: Array<[unknown, number]> = [[v, 0]];
      while (stack.length) {
        const [x, d] = stack.pop()!;
        if (x && typeof x === 'object') {
          max = Math.max(max, d + 1);
          for (const y of Object.values(x)) stack.push([y, d + 1]);
        }
      }
      return max;
    };
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (v, max) => {
        const text = JSON.stringify(v);
        expect(nestsDeeperThan(text, max)).toBe(depthOf(v) > max);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('JSON deeper than the cap is refused unparsed, at any depth', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_JSON_DEPTH + 1, max: 500_000 }), fc.constantFrom('[', '{"a":'), (depth, open) => {
        const close = open === '[' ? ']' : '}';
        expect(parseJson(`${open.repeat(depth)}1${close.repeat(depth)}`)).toBeUndefined();
      }),
      { numRuns: 20 },
    );
  });
});

describe('the per-entry size cap', () => {
  it('names the size and the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_ENTRY_BYTES + 1, max: 2 ** 42 }), (n) => {
        expect(refusedSize(n)).toMatch(/above the 8 MiB cap for one entry: refused without reading it$/);
      }),
      { numRuns: RUNS },
    );
  });
});
