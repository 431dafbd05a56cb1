/**
 * The shared spec's tier table (failure-catalogue.md, "Tiers": T1–T9 with the bundles' `expect_tier`)
 * is matched by the finding catalogue: every failure class maps to catalogue codes, each code exists
 * with the tier the table expects, and T7 ("the verdict names the proven cause; FastMCP stops at T6")
 * is an explanation row. The table is frozen here so the test runs anywhere; where the shared spec is
 * present, the frozen copy must equal it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPLANATIONS } from '../../src/diagnosis/explanations.js';
import { entry, isFindingCode, type FindingCode, type TierName } from '../../src/model/index.js';

const SPEC = '/work/shared/spec/failure-catalogue.md';

/** The spec's rows: tier id, name, and the bundle `expect_tier` (null for "–"). */
const SPEC_TIERS: { id: string; name: string; expectTier: TierName | null }[] = [
  { id: 'T1', name: 'discovery metadata', expectTier: null },
  { id: 'T2', name: 'client registration', expectTier: null },
  { id: 'T3', name: 'authorization + token exchange', expectTier: null },
  { id: 'T4', name: 'MCP-server token (the FastMCP JWT)', expectTier: 'jwt' },
  { id: 'T5', name: 'server-side storage and mappings', expectTier: 'storage' },
  { id: 'T6', name: 'upstream IdP token', expectTier: 'upstream' },
  { id: 'T7', name: 'IdP-side revocation', expectTier: 'idp' },
  { id: 'T8', name: 'client-side token handling', expectTier: 'refresh' },
  { id: 'T9', name: 'infrastructure / time', expectTier: null },
];

/** Each failure class → the catalogue codes that report it, with the tier the doctor reports them in. */
const CLASS_CODES: Record<string, [FindingCode, TierName][]> = {
  T1: [['DISCOVERY_CHALLENGE_MISSING', 'discovery'], ['DISCOVERY_PRM_NOT_FOUND', 'discovery'], ['DISCOVERY_AS_METADATA_NOT_FOUND', 'discovery'], ['DISCOVERY_PKCE_S256_MISSING', 'discovery']],
  T2: [['DISCOVERY_REGISTRATION_FAILED', 'discovery'], ['STORE_CLIENT_NOT_FOUND', 'storage']],
  T3: [['DISCOVERY_TOKEN_ENDPOINT_NOT_JSON', 'discovery'], ['DISCOVERY_TOKEN_ENDPOINT_SERVER_ERROR', 'discovery'], ['DISCOVERY_TOKEN_ENDPOINT_ACCEPTED_BOGUS_CODE', 'discovery']],
  T4: [['JWT_SIGNATURE_INVALID', 'jwt'], ['JWT_ISSUER_MISMATCH', 'jwt'], ['JWT_AUDIENCE_MISMATCH', 'jwt'], ['JWT_EXPIRED', 'jwt'], ['JWT_WRONG_TOKEN_USE', 'jwt']],
  T5: [['STORE_JTI_MAPPING_MISSING', 'storage'], ['STORE_UPSTREAM_TOKEN_MISSING', 'storage'], ['STORE_DECRYPT_FAILED', 'storage'], ['STORE_ORPHANED_DIRECTORY', 'storage'], ['CONFIG_PER_INSTANCE_STORE', 'config'], ['REFRESH_METADATA_IN_MEMORY', 'refresh']],
  T6: [['UPSTREAM_TOKEN_REJECTED', 'upstream'], ['UPSTREAM_TOKEN_EXPIRED', 'upstream'], ['UPSTREAM_UNAVAILABLE', 'upstream'], ['UPSTREAM_SCOPES_MISSING', 'upstream'], ['UPSTREAM_RATE_LIMITED', 'upstream']],
  T7: [['IDP_TOKEN_EVICTED_MAX_FOR_APP', 'idp'], ['IDP_TOKEN_REVOKED', 'idp'], ['IDP_MAX_FOR_APP_SEEN', 'idp']],
  T8: [['REFRESH_TOKEN_NOT_FOUND', 'refresh']],
  T9: [['JWT_EXPIRED', 'jwt'], ['JWT_NOT_YET_VALID', 'jwt']],
};

describe('the shared spec\'s tier table is matched by the catalogue', () => {
  it.runIf(existsSync(SPEC))('the frozen table equals the shared spec (failure-catalogue.md, "Tiers")', () => {
    const text = readFileSync(SPEC, 'utf8');
    const section = text.slice(text.indexOf('## Tiers'), text.indexOf('## Cases'));
    const rows = section
      .split('\n')
      .filter((l) => /^\| T\d /.test(l))
      .map((l) => l.split('|').map((c) => c.trim()))
      .map((c) => ({ id: c[1]!, name: c[2]!, expectTier: (/`(\w+)`/.exec(c[c.length - 2] ?? '')?.[1] ?? null) as TierName | null }));
    expect(rows).toEqual(SPEC_TIERS);
  });

  it.each(SPEC_TIERS)('$id $name → catalogue codes in the expected tier', ({ id, expectTier }) => {
    const codes = CLASS_CODES[id];
    expect(codes?.length, `${id} has catalogue codes`).toBeGreaterThan(0);
    for (const [code, tier] of codes!) {
      expect(isFindingCode(code), `${code} is catalogued`).toBe(true);
      expect(entry(code).tier, `${code}'s tier`).toBe(tier);
    }
    if (expectTier) expect(codes!.some(([, tier]) => tier === expectTier), `${id} reported in the ${expectTier} tier`).toBe(true);
  });

  it('T7 → T6: GitHub-side evidence that proves the revocation is the verdict, FastMCP stops at the upstream check', () => {
    for (const cause of ['IDP_TOKEN_EVICTED_MAX_FOR_APP', 'IDP_TOKEN_REVOKED'] as const) {
      expect(EXPLANATIONS.some((r) => r.cause === cause && r.symptoms.includes('UPSTREAM_TOKEN_REJECTED'))).toBe(true);
    }
  });
});
