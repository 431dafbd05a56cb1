import { describe, expect, it } from 'vitest';
import { collectionDirName, keyFileNames, matchesTruncated, sanitizeName } from '../../src/fastmcp/collections.js';
import { envelopeOf, parseDocument, parseIsoTime, summarizeValue, tokenPrefix } from '../../src/fastmcp/documents.js';
import { Secret } from '../../src/secrets.js';
import { docA, docB, iso, pyJson } from '../../fixtures/stores/writer.js';

describe('FileTree name sanitisation (spec §5.4, observed names)', () => {
  it.each([
    ['mcp-jti-mappings', 'S_mcp_jti_mappings-a0131f3f'],
    ['mcp-upstream-tokens', 'S_mcp_upstream_tokens-064b3cac'],
    ['mcp-oauth-proxy-clients', 'S_mcp_oauth_proxy_clients-4db71f6a'],
    ['mcp-oauth-transactions', 'S_mcp_oauth_transactions-6f3deda7'],
    ['mcp-authorization-codes', 'S_mcp_authorization_codes-62ca573a'],
    ['mcp-refresh-tokens', 'S_mcp_refresh_tokens-9a3839fb'],
    ['mcp-consent-csrf-tokens', 'S_mcp_consent_csrf_tokens-beffb1d7'],
  ])('collection %s → %s', (c, dir) => {
    expect(collectionDirName(c)).toBe(dir);
  });

  it.each([
    ['vS1cqANh-4tlzZkgkRb-wiUMJLEENbNstc9PfOoPAa8', 'S_vS1cqANh_4tlzZkgkRb_wiUMJLEENbNstc9PfOoPAa8-c1d1bdc5'],
    ['eVbOe6mlutrXFBH497KPk9gsrv3RDZYoDIbmLSaAun8', 'eVbOe6mlutrXFBH497KPk9gsrv3RDZYoDIbmLSaAun8'],
    ['bfdfed96-80b5-4d0e-9a6a-b3fd260d2029', 'S_bfdfed96_80b5_4d0e_9a6a_b3fd260d2029-8100f5d7'],
    ['078d1bab0dd55d9e9afd445b87a6540541fc49e4b742add06a60a49c2fddd928', '078d1bab0dd55d9e9afd445b87a6540541fc49e4b742add06a60a49c2fddd928'],
  ])('key %s → %s', (k, name) => {
    expect(sanitizeName(k)).toBe(name);
  });

  it('collapses runs of other characters into one underscore and hashes the original', () => {
    expect(sanitizeName('https://a.example/x')).toMatch(/^S_https_a_example_x-[0-9a-f]{8}$/);
    expect(sanitizeName('---')).toMatch(/^S_-[0-9a-f]{8}$/);
  });

  it('truncates long names and still finds them by prefix and hash', () => {
    const key = `https://client.example/${'x'.repeat(300)}`;
    const full = sanitizeName(key);
    const truncated = sanitizeName(key, 120);
    expect(truncated.length).toBe(120);
    expect(truncated.endsWith(full.slice(-9))).toBe(true);
    expect(matchesTruncated(truncated, key)).toBe(true);
    expect(matchesTruncated(truncated, `${key}y`)).toBe(false);
  });

  it('offers both the sanitised and the raw file name for a key that needs sanitising', () => {
    expect(keyFileNames('a-b')).toEqual([sanitizeName('a-b'), 'a-b']);
    expect(keyFileNames('ab_9')).toEqual(['ab_9']);
  });
});

describe('py-key-value documents', () => {
  const e = { collection: 'mcp-jti-mappings', key: 'k-1', value: { jti: 'k-1', upstream_token_id: 'u', created_at: 1795299503.5 }, createdAt: 1795299503.933635, expiresAt: 1795328303.933635 };

  it('reads format B (0.3.0+) with collection, key and expiry', () => {
    const d = parseDocument(docB(e));
    expect(d).toMatchObject({ format: 'B', collection: 'mcp-jti-mappings', key: 'k-1', value: e.value });
    if (typeof d === 'string') throw new Error(d);
    expect(d.createdAt).toBeCloseTo(e.createdAt, 5);
    expect(d.expiresAt).toBeCloseTo(e.expiresAt, 5);
  });

  it('reads format A (0.2.8): value and created_at only, no expiry', () => {
    const text = docA(e);
    expect(text.startsWith('{"value": ')).toBe(true);
    const d = parseDocument(text);
    expect(d).toMatchObject({ format: 'A', value: e.value, expiresAt: null });
  });

  it('reads a FileTree entry (format B without collection/key)', () => {
    const d = parseDocument(docB(e, undefined, false));
    expect(d).toMatchObject({ format: 'B', value: e.value });
    expect(typeof d !== 'string' && d.key).toBeFalsy();
  });

  it('rejects what is not a document, with a reason', () => {
    expect(parseDocument('not json')).toBe('not JSON');
    expect(parseDocument('[1]')).toBe('not a JSON object');
    expect(parseDocument('{"a": 1}')).toMatch(/no "value"/);
    expect(parseDocument('{"value": {}, "version": 2}')).toMatch(/unsupported document version/);
    expect(parseDocument('{"value": {}, "expires_at": "tomorrow"}')).toMatch(/unreadable expires_at/);
  });

  it('parses Python isoformat times to the microsecond, with offsets', () => {
    expect(parseIsoTime('2026-11-21T22:18:23.935557+00:00')).toBeCloseTo(1795299503.935557, 6);
    expect(parseIsoTime('2026-11-21T22:18:23+00:00')).toBe(1795299503);
    expect(parseIsoTime('2026-11-21T23:18:23+01:00')).toBe(1795299503);
    expect(parseIsoTime('2026-11-21T22:18:23Z')).toBe(1795299503);
    expect(parseIsoTime('2026-11-21 22:18:23')).toBe(1795299503);
    expect(parseIsoTime('yesterday')).toBeUndefined();
    expect(iso(1795299503.935557)).toBe('2026-11-21T22:18:23.935557+00:00');
  });

  it('tells the envelope from a plain value, and rejects a bad one', () => {
    expect(envelopeOf({ __encrypted_data__: 'Z0FB', __encryption_version__: 1 })).toEqual({ data: 'Z0FB', version: 1 });
    expect(envelopeOf({ jti: 'x' })).toBeUndefined();
    expect(envelopeOf({ __encrypted_data__: 5, __encryption_version__: 1 })).toMatch(/not a string/);
    expect(envelopeOf({ __encrypted_data__: 'x', __encryption_version__: 2 })).toMatch(/unsupported/);
  });

  it('writes JSON the way py-key-value does (sorted keys, spaced separators, ASCII)', () => {
    expect(pyJson({ b: 1, a: ['x', null], c: 'é' })).toBe('{"a": ["x", null], "b": 1, "c": "\\u00e9"}');
  });
});

describe('--show-entries summaries', () => {
  it('shows ids and times, and every token or secret only as a Secret', () => {
    const s = summarizeValue('mcp-upstream-tokens', {
      upstream_token_id: 'id1',
      access_token: 'ghu_abcdef',
      refresh_token: 'ghr_abcdef',
      expires_at: 1,
      client_id: 'c',
      raw_token_data: { access_token: 'ghu_abcdef' },
      something_new: 'a secret maybe',
      nothing: null,
    });
    expect(s.upstream_token_id).toBe('id1');
    expect(s.access_token).toBeInstanceOf(Secret);
    expect(String(s.access_token)).toMatch(/^ghu_…sha256:[0-9a-f]{8}$/);
    expect(s['raw_token_data.access_token']).toBeInstanceOf(Secret);
    expect(s.something_new).toBe('(present)');
    expect('nothing' in s).toBe(false);
    expect(JSON.stringify(s)).not.toContain('abcdef');
  });

  it('fingerprints PKCE verifiers, CSRF and consent tokens of transactions and codes', () => {
    const s = summarizeValue('mcp-oauth-transactions', { txn_id: 't', proxy_code_verifier: 'v', csrf_token: 'c', consent_token: 'k', code_challenge: 'h', client_state: 's' });
    for (const k of ['proxy_code_verifier', 'csrf_token', 'consent_token', 'code_challenge', 'client_state']) expect(s[k]).toBeInstanceOf(Secret);
    const c = summarizeValue('mcp-authorization-codes', { code: 'abc', idp_tokens: { access_token: 'gho_x' } });
    expect(c.code).toBeInstanceOf(Secret);
    expect(c['idp_tokens.access_token']).toBeInstanceOf(Secret);
  });

  it('classifies upstream token kinds by prefix', () => {
    expect(tokenPrefix('gho_x')).toBe('gho_');
    expect(tokenPrefix('ghu_x')).toBe('ghu_');
    expect(tokenPrefix('github_pat_x')).toBe('github_pat_');
    expect(tokenPrefix('abc')).toBe('other');
  });
});
