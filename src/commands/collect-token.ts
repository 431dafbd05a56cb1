/**
 * Collecting the JWT tier's evidence (shared by verify-token, diagnose and check).
 */
import { collected, type Collected, type SettingsEvidence, type StoreKind, type TokenEvidence } from '../model/index.js';
import { collectToken } from '../fastmcp/jwt.js';
import type { DerivedKey } from '../fastmcp/keys.js';
import { inferVersionRange } from '../fastmcp/version.js';
import type { TokenInput } from './token-input.js';

/** What the JWT tier could not check, in words (makes a clean result inconclusive, never healthy). */
export function tokenGaps(t: TokenEvidence, settings: SettingsEvidence): string | undefined {
  if (t.malformed || t.rejectedAlg !== undefined) return undefined;
  const gaps: string[] = [];
  if (!t.signature.checked) gaps.push(`signature not checked (${t.signature.notCheckedBecause ?? 'no key material'})`);
  if (!settings.expectedIssuer || !settings.expectedAudience) gaps.push('iss/aud not checked (give --base-url)');
  return gaps.length ? gaps.join('; ') : undefined;
}

export async function collectTokenEvidence(input: TokenInput, keys: DerivedKey[], settings: SettingsEvidence, signal?: AbortSignal): Promise<Collected<TokenEvidence>> {
  const t = await collectToken(input.text, keys, input.source);
  // deriveWithProgress hands back no keys when interrupted: say so rather than "no key material".
  if (!t.signature.checked && signal?.aborted) t.signature.notCheckedBecause = 'interrupted before the keys were derived';
  return collected(t, tokenGaps(t, settings));
}

/** Fill settings.fastmcpVersionRange from the artifacts when --fastmcp-version was not given. */
export function inferVersion(settings: SettingsEvidence, token: TokenEvidence | undefined, storeKind?: StoreKind, storeHints: { hasRefreshTokenCollection?: boolean; hasConsentCsrfCollection?: boolean } = {}): void {
  if (settings.fastmcpVersion) return;
  const claims = token?.claims;
  const refreshLifetime = token?.kind === 'refresh' && typeof claims?.exp === 'number' && typeof claims?.iat === 'number' ? claims.exp - claims.iat : undefined;
  const range = inferVersionRange({
    headerFamily: token?.headerFamily,
    storeKind,
    refreshLifetime,
    ...storeHints,
  });
  if (range.hints.length) {
    settings.fastmcpVersionRange = range;
    settings.fastmcpVersionSource = 'inferred';
  }
}
