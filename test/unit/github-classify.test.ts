import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { classifyClientId, classifyToken, hashedToken, normaliseHashedToken } from '../../src/github/classify.js';
import { classifyAnswer, outcomeOf, probeHeaders } from '../../src/github/http.js';
import { effectiveScopes } from '../../src/github/probe.js';

describe('token prefixes (github.md §1.1)', () => {
  it.each([
    ['gho_abc', 'gho_', 'oauth-app', false],
    ['ghu_abc', 'ghu_', 'github-app-user', true],
    ['ghr_abc', 'ghr_', 'github-app-refresh', true],
    ['ghp_abc', 'ghp_', 'pat-classic', null],
    ['github_pat_11ABC', 'github_pat_', 'pat-fine-grained', true],
    ['ghs_abc', 'ghs_', 'github-app-installation', true],
    ['ghs_12345_eyJhbGciOi.stateless', 'ghs_', 'github-app-installation', true],
    ['0123456789abcdef0123456789abcdef01234567', 'legacy', 'legacy', null],
    ['not-a-github-token', 'unknown', 'unknown', null],
  ] as const)('%s → %s', (token, prefix, family, expires) => {
    const k = classifyToken(token);
    expect(k.prefix).toBe(prefix);
    expect(k.family).toBe(family);
    expect(k.expires).toBe(expires);
  });
});

describe('client id hints (github.md §1.2)', () => {
  it.each([
    ['Ov23li20jlCBobnJjusT', 'oauth-app'],
    ['178c6fc778ccc68e1d6a', 'legacy-oauth-app'],
    ['Iv1.8a61f9b3a7aba766', 'github-app'],
    ['Iv23f8doAlphaNumer1c', 'github-app'],
    ['something-else', 'unknown'],
    [undefined, 'unknown'],
  ] as const)('%s → %s', (id, kind) => {
    expect(classifyClientId(id)).toBe(kind);
  });
});

describe('hashed_token (github.md §5.4)', () => {
  it('is base64 of SHA-256, compared without padding', () => {
    expect(hashedToken('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
    expect(normaliseHashedToken('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=')).toBe(hashedToken('abc'));
  });

  it('matches the documented openssl recipe', () => {
    let viaOpenssl: string;
    try {
      viaOpenssl = execFileSync('sh', ['-c', 'printf %s "$T" | openssl dgst -sha256 -binary | base64'], { env: { ...process.env, T: 'gho_example' } }).toString().trim();
    } catch {
      return; // no openssl on this machine: the fixed vector above still holds
    }
    expect(normaliseHashedToken(viaOpenssl)).toBe(hashedToken('gho_example'));
  });

  it('converts the check-token API hex form', () => {
    const hex = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(normaliseHashedToken(hex)).toBe(hashedToken('abc'));
  });
});

describe('answer classification (github.md §4, §6)', () => {
  const h = (x: Record<string, string>) => probeHeaders(x);
  it.each([
    [200, undefined, {}, 'ok'],
    [401, 'Bad credentials', {}, 'bad-credentials'],
    [401, 'Requires authentication', {}, 'unexpected'],
    [403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0' }, 'rate-limited'],
    [403, 'You have exceeded a secondary rate limit', { 'x-ratelimit-remaining': '4000' }, 'secondary-rate-limit'],
    [403, 'whatever', { 'retry-after': '30' }, 'secondary-rate-limit'],
    [429, 'Too many', {}, 'secondary-rate-limit'],
    [403, 'Resource protected by organization SAML enforcement.', { 'x-github-sso': 'required; url=https://github.com/orgs/o/sso?authorization_request=x' }, 'sso-required'],
    [403, 'Maximum number of login attempts exceeded. Please try again later.', {}, 'locked-out'],
    [403, 'Resource not accessible by integration', {}, 'forbidden'],
    [404, 'Not Found', {}, 'not-found'],
    [500, undefined, {}, 'server-error'],
    [503, undefined, {}, 'server-error'],
    [302, undefined, {}, 'unexpected'],
  ] as const)('%i %s → %s', (status, message, headers, outcome) => {
    expect(outcomeOf(status, message, h(headers))).toBe(outcome);
  });

  it('an SSO header with partial-results on a 200 is not a failure', () => {
    expect(outcomeOf(200, undefined, h({ 'x-github-sso': 'partial-results; organizations=1,2' }))).toBe('ok');
  });

  it('keeps only the first 200 body characters and never a 200 body', () => {
    const long = `{"message":"Bad credentials","pad":"${'x'.repeat(500)}"}`;
    const p = classifyAnswer({ url: 'u', status: 401, headers: {}, body: long, ms: 1 });
    expect(p.body).toHaveLength(200);
    expect(p.message).toBe('Bad credentials');
    expect(classifyAnswer({ url: 'u', status: 200, headers: {}, body: '{"login":"a"}', ms: 1 }).body).toBeUndefined();
  });

  it('reads X-OAuth-Scopes as absent vs empty, rate-limit figures and retry-after', () => {
    expect(h({}).oauthScopes).toBeNull();
    expect(h({ 'x-oauth-scopes': '' }).oauthScopes).toBe('');
    expect(h({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': '1800000000', 'x-ratelimit-resource': 'core' }).rateLimit).toEqual({ limit: 5000, remaining: 0, used: 5000, reset: 1800000000, resource: 'core' });
    expect(h({ 'retry-after': '60' }).retryAfter).toBe(60);
  });

  it('FastMCP scopes: header split on commas, ["user"] when empty or absent', () => {
    expect(effectiveScopes('gist, read:org, repo')).toEqual(['gist', 'read:org', 'repo']);
    expect(effectiveScopes('')).toEqual(['user']);
    expect(effectiveScopes(null)).toEqual(['user']);
  });
});

describe('a request that never reached GitHub is not an outage', () => {
  it('DNS failure, connection refused and no route are "unreachable"; a timeout and a reset stay outages', async () => {
    const { classifyNetError } = await import('../../src/http/edge.js');
    const { notReached, isUnavailable } = await import('../../src/github/http.js');
    const how = { interrupted: false, timedOut: false, timeoutMs: 1000 };
    const kind = (code: string) => classifyNetError(Object.assign(new Error(code), { code }), how).kind;
    for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']) expect(notReached(kind(code)), code).toBe(true);
    expect(kind('EHOSTUNREACH')).toBe('no-route');
    expect(notReached(kind('ECONNRESET'))).toBe(false);
    expect(notReached(classifyNetError(new Error('x'), { ...how, timedOut: true }).kind)).toBe(false);
    const raw = { url: 'https://api.github.com/user', headers: {}, ms: 3 };
    expect(classifyAnswer({ ...raw, error: { kind: 'unreachable', message: 'host name not found (ENOTFOUND)' } }).outcome).toBe('unreachable');
    expect(isUnavailable('unreachable')).toBe(false);
    expect(classifyAnswer({ ...raw, error: { kind: 'timeout', message: 'no answer within 1 s' } }).outcome).toBe('timeout');
    expect(isUnavailable('timeout')).toBe(true);
  });
});
