/**
 * Property tests: what servers send back — WWW-Authenticate challenges (RFC 9110 §11.6.1), GitHub's
 * answers (status, headers, body), the MCP canary's JSON/SSE body. Any answer is classified, never
 * an exception; well-formed challenges parse to exactly what was sent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAnswer, githubMessage, outcomeOf, probeHeaders, type RawAnswer } from '../../src/github/http.js';
import { effectiveScopes } from '../../src/github/probe.js';
import { rpcAnswer } from '../../src/server/canary.js';
import { exchangeOf, redactJson } from '../../src/server/http.js';
import { bearerChallenge, parseWwwAuthenticate } from '../../src/server/www-authenticate.js';
import { anyJsonText, anyJsonValue, anyText, RUNS } from './arbitraries.js';

const token = fc.oneof(fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'));
const quotable = fc.string({ unit: fc.constantFrom(...'ab Z,=;"\\/:.#'), maxLength: 20 });
const challenge = fc.record({
  scheme: token,
  params: fc.uniqueArray(fc.tuple(token, fc.oneof(token.map((v) => ({ v, quoted: false })), quotable.map((v) => ({ v, quoted: true })))), { selector: ([k]) => k.toLowerCase(), maxLength: 4 }),
});
const ows = fc.constantFrom('', ' ', '  ', '\t');

describe('WWW-Authenticate: any header', () => {
  it('any field value(s): a list of challenges with token schemes and lower-cased names, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(anyText.map((t) => t as string | string[]), fc.array(anyText, { maxLength: 4 })), (fields) => {
        const out = parseWwwAuthenticate(fields);
        for (const c of out) {
          expect(c.scheme).toMatch(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
          for (const k of Object.keys(c.params)) expect(k).toBe(k.toLowerCase());
        }
        bearerChallenge(out);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('long hostile headers (thousands of commas, quotes, "=") finish', () => {
    fc.assert(
      fc.property(fc.constantFrom(',', '"', '=', ' ', 'a', '\\', 'a=', ',a', '"a'), fc.integer({ min: 1000, max: 20000 }), (unit, n) => {
        parseWwwAuthenticate(`Bearer ${unit.repeat(n)}`);
        parseWwwAuthenticate(unit.repeat(n));
      }),
      { numRuns: 30 },
    );
  });

  it('well-formed challenges, in one field or several, parse to exactly what was sent', () => {
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 4 }), ows, ows, fc.boolean(), (chs, sp1, sp2, split) => {
        const texts = chs.map(({ scheme, params }) => {
          const ps = params.map(([k, { v, quoted }]) => `${k}${sp1}=${sp1}${quoted ? `"${v.replace(/(["\\])/g, '\\$1')}"` : v}`);
          return ps.length ? `${scheme} ${ps.join(`${sp2},${sp2}`)}` : scheme;
        });
        const parsed = parseWwwAuthenticate(split ? texts : texts.join(`${sp2},${sp2 || ' '}`));
        expect(parsed.map((c) => c.scheme)).toEqual(chs.map((c) => c.scheme));
        parsed.forEach((c, i) => {
          expect(c.params).toEqual(Object.fromEntries(chs[i]!.params.map(([k, { v }]) => [k.toLowerCase(), v])));
        });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('GitHub answers: any status, headers, body', () => {
  const headers = fc.dictionary(
    fc.oneof(fc.constantFrom('x-oauth-scopes', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-limit', 'x-ratelimit-used', 'retry-after', 'x-github-sso', 'github-authentication-token-expiration', 'x-oauth-client-id'), fc.string({ maxLength: 8 })),
    fc.oneof(anyText, fc.integer().map(String), fc.constantFrom('0', '-1', 'NaN', 'Infinity', '1e400', 'Wed, 21 Oct 2015 07:28:00 GMT', 'required; url=https://x')),
  );
  const raw: fc.Arbitrary<RawAnswer> = fc.record({
    url: fc.constant('http://127.0.0.1/user'),
    status: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
    headers,
    body: fc.option(fc.oneof(anyText, anyJsonText, anyJsonValue.map((v) => JSON.stringify({ message: v }))), { nil: undefined }),
    error: fc.option(fc.record({ kind: fc.constantFrom('timeout' as const, 'network' as const, 'aborted' as const), message: anyText }), { nil: undefined }),
    ms: fc.double({ min: 0, max: 1e6, noNaN: true }),
  }, { requiredKeys: ['url', 'headers', 'ms'] });

  it('classifyAnswer: one outcome for anything, never throws; the kept body is bounded', () => {
    fc.assert(
      fc.property(raw, (r) => {
        const a: RawAnswer = r.error || r.status !== undefined ? r : { ...r, status: 200 };
        const p = classifyAnswer(a);
        expect(['ok', 'bad-credentials', 'rate-limited', 'secondary-rate-limit', 'sso-required', 'locked-out', 'forbidden', 'not-found', 'server-error', 'timeout', 'network-error', 'unexpected']).toContain(p.outcome);
        if (p.body !== undefined) expect(p.body.length).toBeLessThanOrEqual(200);
        const h = probeHeaders(r.headers, 0);
        if (h.retryAfter !== undefined) expect(Number.isFinite(h.retryAfter)).toBe(true);
        for (const v of Object.values(h.rateLimit ?? {})) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
        outcomeOf(r.status ?? 0, githubMessage(r.body), h);
        effectiveScopes(r.headers['x-oauth-scopes']);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('MCP server answers (check): any body', () => {
  it('rpcAnswer takes any JSON or SSE text; exchangeOf keeps a bounded, redacted excerpt', () => {
    const sse = fc.array(fc.oneof(anyJsonText.map((j) => `data: ${j}`), anyText, fc.constantFrom('event: message', 'data:', '', 'id: 1', 'data: {"jsonrpc":"2.0","id":1,"result":{}}')), { maxLength: 8 }).map((ls) => `${ls.join('\n')}\n\n`);
    fc.assert(
      fc.property(fc.oneof(anyText, anyJsonText, sse), (text) => {
        rpcAnswer(text);
        const x = exchangeOf('fuzz', { method: 'POST', url: 'http://127.0.0.1/mcp' }, { status: 200, headers: { 'content-type': 'application/json' }, wwwAuthenticate: [], text, ms: 1 });
        if (x.body !== undefined) expect(x.body.length).toBeLessThanOrEqual(301);
      }),
      { numRuns: RUNS },
    );
  });

  it('secret members never survive redaction, at any depth', () => {
    const secret = fc.string({ minLength: 12, maxLength: 30 }).map((s) => `tok-${s}`);
    fc.assert(
      fc.property(anyJsonValue, secret, fc.constantFrom('client_secret', 'access_token', 'refresh_token', 'id_token', 'registration_access_token'), fc.nat({ max: 3 }), (base, s, member, depth) => {
        let v: unknown = { [member]: s, other: base };
        for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { nested: v };
        expect(JSON.stringify(redactJson(v))).not.toContain(JSON.stringify(s).slice(1, -1));
      }),
      { numRuns: RUNS },
    );
  });
});
