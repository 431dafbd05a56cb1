/**
 * Token and client-id classification (github.md §1.1, §1.2) and the token identifiers GitHub's logs
 * use (`hashed_token`, `token_last_eight`, §5.4). Hints only — GitHub documents no client-id format and
 * warns against strict token-length checks — never hard checks.
 */
import { createHash } from 'node:crypto';
import type { ClientIdKind } from '../model/index.js';

export interface TokenKind {
  /** The prefix as seen ('gho_', …, 'legacy', 'unknown'). Never secret material. */
  prefix: string;
  /** Human kind, e.g. "OAuth App user token". */
  kind: string;
  /** Does this kind of token expire on its own? null = depends / unknown. */
  expires: boolean | null;
  /** Machine id for rules: which family the token belongs to. */
  family: 'oauth-app' | 'github-app-user' | 'github-app-refresh' | 'github-app-installation' | 'pat-classic' | 'pat-fine-grained' | 'legacy' | 'unknown';
}

const PREFIXES: { prefix: string; kind: string; expires: boolean | null; family: TokenKind['family'] }[] = [
  { prefix: 'github_pat_', kind: 'fine-grained personal access token', expires: true, family: 'pat-fine-grained' },
  { prefix: 'gho_', kind: 'OAuth App token (no expiry; subject to the 10-token cap)', expires: false, family: 'oauth-app' },
  { prefix: 'ghu_', kind: 'GitHub App user token (8 h by default)', expires: true, family: 'github-app-user' },
  { prefix: 'ghr_', kind: 'GitHub App refresh token (not usable against the API)', expires: true, family: 'github-app-refresh' },
  { prefix: 'ghp_', kind: 'personal access token (classic)', expires: null, family: 'pat-classic' },
  { prefix: 'ghs_', kind: 'GitHub App installation token (1 h)', expires: true, family: 'github-app-installation' },
];

/** Classify a GitHub token by its prefix. */
export function classifyToken(token: string): TokenKind {
  for (const p of PREFIXES) if (token.startsWith(p.prefix)) return { prefix: p.prefix, kind: p.kind, expires: p.expires, family: p.family };
  if (/^[0-9a-f]{40}$/.test(token)) return { prefix: 'legacy', kind: 'legacy token (40 hex, pre-2021 format; kind unknown)', expires: null, family: 'legacy' };
  return { prefix: 'unknown', kind: 'unknown kind (no GitHub token prefix)', expires: null, family: 'unknown' };
}

/** Classify a GitHub app client id (hint): Ov23…/20-hex → OAuth App, Iv1./Iv23… → GitHub App. */
export function classifyClientId(clientId: string | undefined): ClientIdKind {
  if (!clientId) return 'unknown';
  const id = clientId.trim();
  if (/^Iv1\.[0-9a-f]{16}$/i.test(id) || /^Iv[0-9]{2}[A-Za-z0-9]+$/.test(id)) return 'github-app';
  if (/^Ov[0-9]{2}[A-Za-z0-9]+$/.test(id)) return 'oauth-app';
  if (/^[0-9a-f]{20}$/.test(id)) return 'legacy-oauth-app';
  return 'unknown';
}

/** True for client-id kinds that are OAuth Apps (where the documented 10-token cap applies). */
export function isOauthAppClient(kind: ClientIdKind | undefined): boolean {
  return kind === 'oauth-app' || kind === 'legacy-oauth-app';
}

/** GitHub's `hashed_token`: base64 of SHA-256 of the token, compared without '=' padding. */
export function hashedToken(token: string): string {
  return normaliseHashedToken(createHash('sha256').update(token, 'utf8').digest('base64'));
}

/**
 * Normalise a `hashed_token` for comparison: strip '=' padding and whitespace. A 64-hex value (the
 * check-token API's form) is converted to base64 first.
 */
export function normaliseHashedToken(value: string): string {
  const v = value.trim();
  if (/^[0-9a-f]{64}$/i.test(v)) return Buffer.from(v, 'hex').toString('base64').replace(/=+$/, '');
  return v.replace(/=+$/, '');
}

/** `token_last_eight`: the last eight characters (GitHub's own non-secret identifier). */
export function tokenLastEight(token: string): string {
  return token.slice(-8);
}
