/**
 * Property tests: FileTree name sanitisation (py-key-value "FileTreeV1", fastmcp-oauth-proxy.md §5.4)
 * for any collection or key: the output alphabet, the fixed points, truncation, and the spec's
 * observed examples.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectionDirName, isSanitisedCollectionDir, keyFileNames, matchesTruncated, sanitizeName } from '../../src/fastmcp/collections.js';
import { anyText, RUNS } from './arbitraries.js';

const ALLOWED = /^[A-Za-z0-9_]*$/;
const SANITISED = /^S_[A-Za-z0-9_]*-[0-9a-f]{8}$/;
const TRUNCATED = /^S_[A-Za-z0-9_]*$/;
const cps = (s: string) => Array.from(s).length;
const h8 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 8);

const allowedName = fc.string({ unit: fc.constantFrom(...'abcXYZ019_'), maxLength: 60 });
const anyName = fc.oneof(anyText, allowedName, fc.uuid(), fc.base64String(), fc.string({ unit: fc.constantFrom(...'aZ0_-.:/ é😀'), maxLength: 300 }));
const maxLen = fc.option(fc.integer({ min: 16, max: 300 }), { nil: undefined });

describe('sanitizeName: any name', () => {
  it('output is only [A-Za-z0-9_-] (file names add ".json"), and within the length limit', () => {
    fc.assert(
      fc.property(anyName, maxLen, (name, max) => {
        const out = sanitizeName(name, max);
        expect(`${out}.json`).toMatch(/^[A-Za-z0-9_.-]*$/);
        expect(ALLOWED.test(out) || SANITISED.test(out) || TRUNCATED.test(out)).toBe(true);
        if (max !== undefined) expect(cps(out)).toBeLessThanOrEqual(max);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('a name of allowed characters within the limit is its own file name (fixed point)', () => {
    fc.assert(
      fc.property(allowedName, (name) => {
        expect(sanitizeName(name)).toBe(name);
        expect(keyFileNames(name)).toEqual([name]);
      }),
      { numRuns: RUNS },
    );
  });

  it('a changed name is S_<runs of other characters as one "_">-<sha256(name)[:8]>, and sanitising its middle part changes nothing', () => {
    fc.assert(
      fc.property(anyName.filter((n) => !ALLOWED.test(n)), (name) => {
        const out = sanitizeName(name);
        const m = SANITISED.exec(out) ? /^S_(.*)-([0-9a-f]{8})$/.exec(out) : null;
        expect(m).not.toBeNull();
        expect(m![2]).toBe(h8(name));
        const runs = name.replace(/[^A-Za-z0-9_]+/g, '_');
        expect(m![1]).toBe(runs === '_' ? '' : runs);
        expect(sanitizeName(m![1]!)).toBe(m![1]);
        // Deterministic, and both forms are tried when looking a key up.
        expect(sanitizeName(name)).toBe(out);
        expect(keyFileNames(name)).toEqual([out, name]);
      }),
      { numRuns: RUNS },
    );
  });

  it('a truncated file name still matches its key; another key\'s file name does not (when the hash differs)', () => {
    fc.assert(
      fc.property(anyName, anyName, fc.integer({ min: 16, max: 120 }), (key, other, max) => {
        const stem = sanitizeName(key, max);
        expect(matchesTruncated(stem, key)).toBe(true);
        const otherStem = sanitizeName(other, max);
        if (SANITISED.test(otherStem) && SANITISED.test(stem) && h8(key) !== h8(other)) expect(matchesTruncated(otherStem, key)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('collection directories are recognised as sanitised only in the S_…-h8 form', () => {
    fc.assert(
      fc.property(anyName, (c) => {
        const dir = collectionDirName(c);
        expect(isSanitisedCollectionDir(dir)).toBe(SANITISED.test(dir));
      }),
      { numRuns: RUNS },
    );
  });

  it('the spec\'s observed examples', () => {
    expect(`${sanitizeName('vS1cqANh-4tlzZkgkRb-wiUMJLEENbNstc9PfOoPAa8')}.json`).toBe('S_vS1cqANh_4tlzZkgkRb_wiUMJLEENbNstc9PfOoPAa8-c1d1bdc5.json');
    expect(`${sanitizeName('eVbOe6mlutrXFBH497KPk9gsrv3RDZYoDIbmLSaAun8')}.json`).toBe('eVbOe6mlutrXFBH497KPk9gsrv3RDZYoDIbmLSaAun8.json');
    expect(`${sanitizeName('bfdfed96-80b5-4d0e-9a6a-b3fd260d2029')}.json`).toBe('S_bfdfed96_80b5_4d0e_9a6a_b3fd260d2029-8100f5d7.json');
    const hex = '078d1bab0dd55d9e9afd445b87a6540541fc49e4b742add06a60a49c2fddd928';
    expect(sanitizeName(hex)).toBe(hex);
    expect(
      Object.fromEntries(['mcp-jti-mappings', 'mcp-upstream-tokens', 'mcp-oauth-proxy-clients', 'mcp-oauth-transactions', 'mcp-authorization-codes', 'mcp-refresh-tokens', 'mcp-consent-csrf-tokens'].map((c) => [c, collectionDirName(c)])),
    ).toEqual({
      'mcp-jti-mappings': 'S_mcp_jti_mappings-a0131f3f',
      'mcp-upstream-tokens': 'S_mcp_upstream_tokens-064b3cac',
      'mcp-oauth-proxy-clients': 'S_mcp_oauth_proxy_clients-4db71f6a',
      'mcp-oauth-transactions': 'S_mcp_oauth_transactions-6f3deda7',
      'mcp-authorization-codes': 'S_mcp_authorization_codes-62ca573a',
      'mcp-refresh-tokens': 'S_mcp_refresh_tokens-9a3839fb',
      'mcp-consent-csrf-tokens': 'S_mcp_consent_csrf_tokens-beffb1d7',
    });
  });
});
