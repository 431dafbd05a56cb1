import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, TIERS } from '../../src/model/index.js';
import { renderFindingsDoc } from '../../src/render/findings-doc.js';

describe('the finding catalogue', () => {
  it('has unique, well-formed codes with every field filled', () => {
    const codes = CATALOGUE.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of CATALOGUE) {
      expect(e.code).toMatch(/^(CLIENT|CONFIG|JWT|STORE|REFRESH|UPSTREAM|IDP|DISCOVERY)_[A-Z0-9_]+$/);
      expect(e.code.split('_')[0]!.toLowerCase().replace('store', 'storage')).toBe(e.tier === 'discovery' ? 'discovery' : e.tier);
      expect(TIERS).toContain(e.tier);
      for (const field of ['title', 'meaning', 'fix', 'seenIn'] as const) expect(e[field].length, `${e.code}.${field}`).toBeGreaterThan(10);
    }
  });

  it('contains every code the issues require', () => {
    const required = ['JWT_SIGNATURE_INVALID', 'JWT_EXPIRED', 'JWT_ISSUER_MISMATCH', 'JWT_AUDIENCE_MISMATCH', 'JWT_WRONG_TOKEN_USE', 'JWT_MALFORMED', 'STORE_EMPTY', 'STORE_JTI_MAPPING_MISSING', 'STORE_UPSTREAM_TOKEN_MISSING', 'STORE_DECRYPT_FAILED', 'STORE_PLAINTEXT_TOKENS', 'STORE_ORPHANED_DIRECTORY', 'REFRESH_TOKEN_NOT_FOUND', 'UPSTREAM_TOKEN_REJECTED', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_RATE_LIMITED', 'UPSTREAM_SSO_REQUIRED', 'UPSTREAM_SCOPES_MISSING', 'IDP_TOKEN_EVICTED_MAX_FOR_APP', 'IDP_TOKEN_CAP_AT_RISK', 'CONFIG_OAUTH_APP_TOKEN_CAP'];
    const codes = new Set<string>(CATALOGUE.map((e) => e.code));
    expect(required.filter((c) => !codes.has(c))).toEqual([]);
  });

  it('docs/findings.md is the rendering of the catalogue (run `npm run docs:findings` after editing it)', () => {
    const doc = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderFindingsDoc(CATALOGUE));
    for (const e of CATALOGUE) expect(doc.match(new RegExp(`^### ${e.code}$`, 'gm'))).toHaveLength(1);
  });
});
