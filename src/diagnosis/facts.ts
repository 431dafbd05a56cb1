/**
 * Small pure helpers over evidence, shared by the rules (kept out of engine.ts so that rule
 * modules never import the engine).
 */
import { serverAtLeast } from '../fastmcp/version.js';
import type { ChainEvidence, Evidence, SettingsEvidence, TokenEvidence, UpstreamSetValue, UpstreamToken } from '../model/index.js';

/** The collected token, if any. */
export function tokenOf(ev: Evidence): TokenEvidence | undefined {
  return ev.token?.status === 'collected' ? ev.token.value : undefined;
}

/** A token FastMCP could not even decode (not a JWT) or would never verify (not HS256): bad input. */
export function unusableToken(t: TokenEvidence): boolean {
  return t.malformed !== undefined || t.rejectedAlg !== undefined;
}

/** Which FastMCP path the token goes through: bearer at /mcp ('access') or refresh grant at /token. */
export function pathOf(ev: Evidence): 'access' | 'refresh' {
  if (ev.settings.presentedAs) return ev.settings.presentedAs;
  return tokenOf(ev)?.kind === 'refresh' ? 'refresh' : 'access';
}

/** Is the server FastMCP ≥ v? From --fastmcp-version, else the inferred range; undefined = cannot tell. */
export function versionAtLeast(settings: SettingsEvidence, v: string): boolean | undefined {
  return serverAtLeast(settings.fastmcpVersion, settings.fastmcpVersionRange, v);
}

/** The version in words for finding details: "3.4.7", "3.4+ (inferred: …)", or "unknown". */
export function versionText(settings: SettingsEvidence): string {
  if (settings.fastmcpVersion) return settings.fastmcpVersion;
  const r = settings.fastmcpVersionRange;
  if (!r || (!r.min && !r.below)) return 'unknown';
  const span = r.min && r.below ? `${r.min}–<${r.below}` : r.min ? `${r.min}+` : `<${r.below}`;
  return `${span} (inferred from ${r.hints.join(', ')})`;
}

/** The text with its first letter upper-cased (a finding detail that starts a sentence). */
export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The upstream GitHub token a token's chain through the store leads to (mcp-jti-mappings →
 * mcp-upstream-tokens; an undecryptable set that opens with a candidate key counts), or where the
 * chain stops, in words.
 */
export function upstreamTargetOf(chain: ChainEvidence): { target: UpstreamToken } | { stop: string } {
  const set = chain.upstreamSet;
  let value: UpstreamSetValue | undefined;
  if (set?.state === 'present' || set?.state === 'expired') value = set.value;
  else if (set?.state === 'undecryptable') value = set.decryptsWithValue;
  if (!value) {
    const m = chain.mapping;
    return { stop: !m ? 'the token has no JTI mapping to follow' : m.state !== 'present' ? `the chain stops at the JTI mapping (${m.state})` : `the chain stops at the upstream token set (${set?.state ?? 'not looked up'})` };
  }
  return { target: { token: value.accessToken, source: `upstream token set ${value.upstreamTokenId.slice(0, 8)}…`, storedExpiresAt: value.expiresAt, hasRefreshToken: value.refreshToken !== null } };
}
