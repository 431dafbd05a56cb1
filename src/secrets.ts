/**
 * Secret hygiene. A secret is held in a `Secret`, which renders as a fingerprint
 * everywhere (template strings, JSON, util.inspect) unless the entry point turned on
 * `--show-secrets`. Fingerprint = recognisable prefix + first 8 hex of SHA-256.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';

let revealAll = false;

/** Only the entry point calls this (for `--show-secrets`). */
export function setRevealSecrets(on: boolean): void {
  revealAll = on;
}

export function revealingSecrets(): boolean {
  return revealAll;
}

const KNOWN_PREFIXES = ['github_pat_', 'gho_', 'ghu_', 'ghr_', 'ghp_', 'ghs_', 'v1.'];

/** The part of a value that is safe to show: a token-kind prefix, never secret material. */
export function safePrefix(value: string): string {
  for (const p of KNOWN_PREFIXES) if (value.startsWith(p)) return p;
  if (/^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\./.test(value)) return 'jwt:';
  if (value.startsWith('gAAAAA')) return 'fernet:';
  return '';
}

export function sha256Hex(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}

/** `ghu_…sha256:1a2b3c4d`: identifies a value without revealing it. */
export function fingerprint(value: string | Uint8Array): string {
  const prefix = typeof value === 'string' ? safePrefix(value) : '';
  return `${prefix}…sha256:${sha256Hex(value).slice(0, 8)}`;
}

export class Secret {
  readonly #value: string;
  readonly fingerprint: string;

  constructor(
    value: string,
    /** Where it came from, e.g. "env FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET". Never the value. */
    readonly source: string,
  ) {
    this.#value = value;
    this.fingerprint = fingerprint(value);
    registerSecret(value, this.fingerprint);
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  equals(other: Secret | string): boolean {
    return this.#value === (typeof other === 'string' ? other : other.reveal());
  }

  toString(): string {
    return revealAll ? this.#value : this.fingerprint;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return `Secret(${this.toString()})`;
  }
}

/** Show a value that is a secret but not wrapped (e.g. read from a store): fingerprint unless revealing. */
export function show(value: string | null | undefined): string {
  if (value === null || value === undefined) return String(value);
  return revealAll ? value : fingerprint(value);
}

/** Redis or HTTP URL with the password (and username's secret part) removed, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(k)) u.searchParams.set(k, '***');
    }
    return u.toString();
  } catch {
    // Not a URL: hide everything between the user name and the LAST '@' (a password may hold '/', '?', '#', '@').
    return url.replace(/\/\/([^:@/]*):.*@/, '//$1:***@');
  }
}

/**
 * Every secret value this run holds (given by the operator), for `scrubSecrets`, with what scrubbing
 * needs of it, worked out once: the value as it appears inside a JSON string, and its fingerprint.
 * Short values are not kept: they would match ordinary words.
 */
const known = new Map<string, { quoted: string; fingerprint: string }>();
const MIN_SCRUB_LENGTH = 8;

/** Remember a secret value so that text from outside (GitHub, servers, stores, exports) that echoes it is scrubbed. */
export function registerSecret(value: string, fp?: string): void {
  if (value.length < MIN_SCRUB_LENGTH || known.size >= 1000 || known.has(value)) return;
  known.set(value, { quoted: JSON.stringify(value).slice(1, -1), fingerprint: fp ?? fingerprint(value) });
}

/** GitHub token formats, JWTs and Fernet tokens: scrubbed wherever they appear, known or not. */
const TOKEN_PATTERN = /(?:gh[opusr]_[A-Za-z0-9_]{20,}|github_pat_[A-Za-z0-9_]{20,}|eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*|gAAAAA[A-Za-z0-9_-]{40,}={0,2})/g;

/**
 * Text with every known secret value (also as it appears inside a JSON string) and anything shaped like a
 * GitHub token, JWT or Fernet token replaced by its fingerprint. With --show-secrets, unchanged.
 */
export function scrubSecrets(text: string): string {
  if (revealAll) return text;
  let out = text;
  for (const [v, { quoted, fingerprint: fp }] of known) {
    if (out.includes(v)) out = out.split(v).join(fp);
    if (quoted !== v && out.includes(quoted)) out = out.split(quoted).join(fp);
  }
  return out.replace(TOKEN_PATTERN, (m) => fingerprint(m));
}

/**
 * Whether a value given where a path is expected looks like a token or secret rather than a path: a
 * known token shape, line breaks, or a long run of key characters without the shape of a path.
 */
export function looksLikeSecret(value: string): boolean {
  const v = value.trim();
  if (safePrefix(v) || /[\r\n]/.test(v) || known.has(v)) return true;
  if (new RegExp(TOKEN_PATTERN.source).test(v)) return true;
  if (v.length < 20) return false;
  // no separator, no extension: a key, a client secret, a password
  if (/^[A-Za-z0-9_+=-]+$/.test(v) && /[0-9]/.test(v) && /[A-Za-z]/.test(v)) return true;
  // base64 holding '/': not starting like a path, mixed case and digits, no dot
  return /^[A-Za-z0-9+][A-Za-z0-9+/]{23,}={0,2}$/.test(v) && /[0-9]/.test(v) && /[a-z]/.test(v) && /[A-Z]/.test(v) && !/\/\//.test(v);
}

/** A path for a message: as given, unless it looks like a secret (then its fingerprint, never the value). */
export function showPath(path: string): string {
  return looksLikeSecret(path) && !revealAll ? `(this looks like a token or secret, not a path — not shown; ${fingerprint(path.trim())})` : path;
}
