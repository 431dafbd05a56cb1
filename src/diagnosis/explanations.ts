/**
 * Root cause over symptom: which finding explains which, as data.
 *
 * FastMCP stops at the first check that fails (the first error finding in its order of checks); the
 * evidence often proves *why* that check failed — a finding further down FastMCP's path, or in a tier
 * FastMCP never looks at (the security log). Each row below says: finding `cause` explains finding
 * `symptom` when `when` holds on the evidence (the same upstream token, the same store entries, …).
 * The verdict names the deepest cause reachable from FastMCP's stopping point; the stopping point stays
 * in the report (`failingStage`). Every finding a row explains gets `explainedBy`.
 *
 * Pure. Other tiers add rows here (one row per pair; a test per row in test/unit/explanations.test.ts;
 * the table in docs/architecture.md lists them, and the pairs decided against).
 */
import type { ChainEvidence, Evidence, Finding, FindingCode, Lookup, StoreEvidence, UpstreamEvidence } from '../model/index.js';
import { valueOf } from '../model/index.js';

export interface ExplanationContext {
  ev: Evidence;
  cause: Finding;
  symptom: Finding;
}

export interface Explanation {
  cause: FindingCode;
  symptoms: readonly FindingCode[];
  /** The condition on the evidence, in words (docs). */
  condition: string;
  when: (c: ExplanationContext) => boolean;
}

const chainOf = (ev: Evidence): ChainEvidence | undefined => (ev.chain?.status === 'collected' ? ev.chain.value : undefined);
const storeOf = (ev: Evidence): StoreEvidence | undefined => valueOf(ev.store);

/** "ghu_…sha256:1a2b3c4d" → "1a2b3c4d" (a Secret, or its JSON form after a round trip). */
function fingerprintHex(secret: unknown): string | undefined {
  const text = typeof secret === 'string' ? secret : secret && typeof secret === 'object' && 'fingerprint' in secret ? String((secret as { fingerprint: unknown }).fingerprint) : undefined;
  const m = text ? /sha256:([0-9a-f]{8})$/.exec(text) : null;
  return m?.[1];
}

/** GitHub's hashed_token (base64 SHA-256) → its first 8 hex digits, as in a fingerprint. */
function hashedTokenHex(hashed: string): string | undefined {
  const bytes = Buffer.from(hashed, 'base64');
  return bytes.length >= 4 ? bytes.subarray(0, 4).toString('hex') : undefined;
}

/** The idp finding is about the very upstream token GitHub was asked about (matched by hashed_token). */
function sameUpstreamToken({ ev, cause }: ExplanationContext): boolean {
  const up: UpstreamEvidence | undefined = valueOf(ev.upstream);
  const label = typeof cause.data?.token === 'string' ? cause.data.token : undefined;
  const known = valueOf(ev.idp)?.tokens?.find((t) => t.label === label);
  if (!up || !known) return false;
  const a = fingerprintHex(up.token);
  return a !== undefined && a === hashedTokenHex(known.hashedToken);
}

/** The eviction/revocation happened before the upstream set's own expiry: it, not the expiry, killed the token. */
function destroyedBeforeExpiry(c: ExplanationContext): boolean {
  const up = valueOf(c.ev.upstream);
  const at = typeof c.cause.data?.at === 'number' ? c.cause.data.at : undefined;
  return sameUpstreamToken(c) && at !== undefined && typeof up?.storedExpiresAt === 'number' && at < up.storedExpiresAt;
}

/** The symptom's own lookup (by its stage) in the token's chain. */
function lookupFor(ev: Evidence, symptom: Finding): Lookup<unknown> | undefined {
  const chain = chainOf(ev);
  if (!chain) return undefined;
  switch (symptom.stage) {
    case 'storage.jti_mapping':
      return chain.mapping;
    case 'storage.upstream_set':
      return chain.upstreamSet;
    case 'storage.client':
      return chain.client;
    case 'refresh.hash':
      return chain.refreshMeta;
    default:
      return undefined;
  }
}

/** The store-wide decryption failure covers the token's own entry: it is one of the undecryptable entries. */
function sameUndecryptableEntry({ ev, cause, symptom }: ExplanationContext): boolean {
  if (cause.stage !== 'storage.inventory' || cause.data?.noKey === true) return false;
  return lookupFor(ev, symptom)?.state === 'undecryptable';
}

/** The token's chain was found in another fingerprint directory / under another key than FastMCP reads. */
function chainElsewhere({ ev, symptom }: ExplanationContext): boolean {
  const l = lookupFor(ev, symptom);
  return Boolean(chainOf(ev)?.foundElsewhere) && l !== undefined && l.state !== 'present';
}

/** An orphaned directory selected by a candidate key: a key change is proven, and it emptied the directory in use. */
function orphanSelectedByCandidate({ ev }: ExplanationContext): boolean {
  const s = storeOf(ev);
  const fp = s?.fingerprints;
  if (!s || !fp?.selected) return false;
  const candidates = new Set((s.keysTried ?? []).filter((k) => k.role === 'candidate').map((k) => k.label));
  return fp.dirs.some((d) => d.name !== fp.selected && d.entries > 0 && d.selectedBy !== undefined && candidates.has(d.selectedBy));
}

/** The token's signature verifies with a candidate key (the key changed), and the store's chain is not where FastMCP reads. */
function keyChangedChainElsewhere(c: ExplanationContext): boolean {
  const sig = valueOf(c.ev.token)?.signature;
  if (!sig?.checked || sig.validWithCurrent !== false || !sig.validWith) return false;
  if (c.symptom.code === 'STORE_EMPTY' || c.symptom.code === 'STORE_ORPHANED_DIRECTORY') return orphanSelectedByCandidate(c) || Boolean(chainOf(c.ev)?.foundElsewhere);
  return chainElsewhere(c);
}

/** The current key's directory does not exist, so nothing the token needs can be in it. */
function directoryMissing({ ev, symptom }: ExplanationContext): boolean {
  const fp = storeOf(ev)?.fingerprints;
  const l = lookupFor(ev, symptom);
  return Boolean(fp?.expected && !fp.selected) && l !== undefined && l.state === 'missing';
}

export const EXPLANATIONS: readonly Explanation[] = [
  {
    cause: 'IDP_TOKEN_EVICTED_MAX_FOR_APP',
    symptoms: ['UPSTREAM_TOKEN_REJECTED'],
    condition: 'the destroy event is for the upstream token GitHub rejected (hashed_token = SHA-256 of that token)',
    when: sameUpstreamToken,
  },
  {
    cause: 'IDP_TOKEN_REVOKED',
    symptoms: ['UPSTREAM_TOKEN_REJECTED'],
    condition: 'the destroy/revoke event (or the authorization removal) is for the upstream token GitHub rejected, and is not an expiry FastMCP recovers from (a stored refresh token)',
    when: (c) => c.cause.severity === 'error' && sameUpstreamToken(c),
  },
  {
    cause: 'IDP_TOKEN_EVICTED_MAX_FOR_APP',
    symptoms: ['UPSTREAM_TOKEN_EXPIRED'],
    condition: 'same upstream token, evicted before its stored expires_at',
    when: destroyedBeforeExpiry,
  },
  {
    cause: 'IDP_TOKEN_REVOKED',
    symptoms: ['UPSTREAM_TOKEN_EXPIRED'],
    condition: 'same upstream token, destroyed (not as a recoverable expiry) before its stored expires_at',
    when: (c) => c.cause.severity === 'error' && destroyedBeforeExpiry(c),
  },
  {
    cause: 'STORE_DECRYPT_FAILED',
    symptoms: ['STORE_JTI_MAPPING_MISSING', 'STORE_UPSTREAM_TOKEN_MISSING', 'STORE_CLIENT_NOT_FOUND', 'REFRESH_TOKEN_NOT_FOUND'],
    condition: "the store-wide decryption failure (key in use named) covers the token's own entry: its lookup is undecryptable, which the 3.x+ default store reads as missing",
    when: sameUndecryptableEntry,
  },
  {
    cause: 'STORE_ORPHANED_DIRECTORY',
    symptoms: ['STORE_JTI_MAPPING_MISSING', 'STORE_UPSTREAM_TOKEN_MISSING', 'STORE_CLIENT_NOT_FOUND', 'REFRESH_TOKEN_NOT_FOUND'],
    condition: "the token's chain was found in another fingerprint directory (foundElsewhere) and is not where FastMCP reads",
    when: chainElsewhere,
  },
  {
    cause: 'STORE_ORPHANED_DIRECTORY',
    symptoms: ['STORE_EMPTY'],
    condition: 'an orphaned directory with entries is selected by a candidate key: the key changed and FastMCP reads a new, empty directory',
    when: orphanSelectedByCandidate,
  },
  {
    cause: 'STORE_FINGERPRINT_DIR_MISSING',
    symptoms: ['STORE_JTI_MAPPING_MISSING', 'STORE_CLIENT_NOT_FOUND', 'REFRESH_TOKEN_NOT_FOUND'],
    condition: "the current key's fingerprint directory does not exist, and the lookup found nothing (missing)",
    when: directoryMissing,
  },
  {
    cause: 'JWT_SIGNED_BY_CANDIDATE',
    symptoms: ['STORE_JTI_MAPPING_MISSING', 'STORE_UPSTREAM_TOKEN_MISSING', 'STORE_CLIENT_NOT_FOUND', 'REFRESH_TOKEN_NOT_FOUND', 'STORE_EMPTY', 'STORE_ORPHANED_DIRECTORY'],
    condition: "the token verifies with a candidate key (the key changed) and the chain is elsewhere, or an orphaned directory is selected by a candidate key",
    when: keyChangedChainElsewhere,
  },
  {
    cause: 'REFRESH_METADATA_IN_MEMORY',
    symptoms: ['REFRESH_TOKEN_NOT_FOUND'],
    condition: 'the FastMCP version was given and is 2.13.0–2.13.1 (an inferred version is not proof)',
    when: ({ cause }) => cause.data?.evidence === 'yes',
  },
  {
    cause: 'REFRESH_TOKEN_SUPERSEDED',
    symptoms: ['REFRESH_TOKEN_NOT_FOUND'],
    condition: "a live mcp-refresh-tokens entry for the same client_id was created after the token's iat (chain.refreshSuccessors): rotated, and the successor went elsewhere",
    when: ({ ev }) => (chainOf(ev)?.refreshSuccessors?.length ?? 0) > 0,
  },
  {
    cause: 'JWT_EXPIRED',
    symptoms: ['STORE_JTI_MAPPING_MISSING'],
    condition: "the mapping expired (its TTL follows the token's lifetime): the token's expiry removed it",
    when: ({ ev, symptom }) => lookupFor(ev, symptom)?.state === 'expired',
  },
];

/** The rows that could explain a symptom code. */
function rowsFor(code: FindingCode): Explanation[] {
  return EXPLANATIONS.filter((r) => r.symptoms.includes(code));
}

/** The finding (other than the symptom) that explains it, if the evidence proves one. */
export function explain(ev: Evidence, symptom: Finding, findings: readonly Finding[]): Finding | undefined {
  for (const row of rowsFor(symptom.code)) {
    for (const cause of findings) {
      if (cause === symptom || cause.code !== row.cause) continue;
      if (row.when({ ev, cause, symptom })) return cause;
    }
  }
  return undefined;
}

/** Follow the explanations from FastMCP's stopping point to the deepest cause the evidence proves. */
export function rootCause(ev: Evidence, stop: Finding, findings: readonly Finding[]): Finding {
  let current = stop;
  const seen = new Set<Finding>([stop]);
  for (;;) {
    const next = explain(ev, current, findings);
    if (!next || seen.has(next)) return current;
    seen.add(next);
    current = next;
  }
}
