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
