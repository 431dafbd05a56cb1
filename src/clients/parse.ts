/**
 * Small, total helpers for reading untrusted JSON from client caches: every accessor returns a
 * value or null and records a problem naming the FIELD (never the value, which may be a secret).
 */
import { decodeJwt } from '../fastmcp/jwt.js';
import { Secret } from '../secrets.js';
import type { EntryProblem, ExpiresAtSource, TokenPeek } from './types.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function parseJson(text: string): { ok: true; value: Json } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch {
    return { ok: false, message: text.trim() === '' ? 'empty file' : 'not valid JSON' };
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own property only (no prototype lookups: a key named `__proto__` or `constructor` is just a key). */
export function field(obj: JsonObject, key: string): Json | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Collects problems for one entry, each prefixed with where the entry is. */
export class Fields {
  constructor(
    readonly problems: EntryProblem[],
    private readonly where: string,
    private readonly path: string,
  ) {}

  private add(kind: EntryProblem['kind'], message: string): void {
    this.problems.push({ kind, message: `${this.where}: ${message}`, path: this.path });
  }

  /** A string field; '' counts as present. */
  str(obj: JsonObject, key: string, required = false): string | null {
    const v = field(obj, key);
    if (v === undefined || v === null) {
      if (required) this.add('missing-field', `no "${key}"`);
      return null;
    }
    if (typeof v !== 'string') {
      this.add('wrong-type', `"${key}" is ${jsonType(v)}, expected a string`);
      return null;
    }
    return v;
  }

  /** A finite number field (numeric strings accepted: mcp-remote coerces `expires_at`). */
  num(obj: JsonObject, key: string, required = false): number | null {
    const v = field(obj, key);
    if (v === undefined || v === null) {
      if (required) this.add('missing-field', `no "${key}"`);
      return null;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      this.add('wrong-type', `"${key}" is ${jsonType(v)}, expected a number`);
      return null;
    }
    return n;
  }

  obj(obj: JsonObject, key: string, required = false): JsonObject | null {
    const v = field(obj, key);
    if (v === undefined || v === null) {
      if (required) this.add('missing-field', `no "${key}"`);
      return null;
    }
    if (!isObject(v)) {
      this.add('wrong-type', `"${key}" is ${jsonType(v)}, expected an object`);
      return null;
    }
    return v;
  }

  /** A token field: a non-empty string becomes a Secret; '' is "no token" (Claude Code writes '' after clearing). */
  secret(obj: JsonObject, key: string, source: string, required = false): Secret | null {
    const s = this.str(obj, key, required);
    return s ? new Secret(s, source) : null;
  }

  note(kind: EntryProblem['kind'], message: string): void {
    this.add(kind, message);
  }
}

export function jsonType(v: Json | undefined): string {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** Claims of a JWT-shaped token without verifying it; `opaque` for anything else. */
export function peekToken(token: Secret | null): TokenPeek | null {
  if (!token) return null;
  const d = decodeJwt(token.reveal());
  if (!d.ok) return { kind: 'opaque' };
  const c = d.jwt.claims;
  const peek: TokenPeek = { kind: 'jwt' };
  const s = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : undefined);
  const n = (k: string) => (typeof c[k] === 'number' && Number.isFinite(c[k]) ? (c[k] as number) : undefined);
  const aud = c.aud;
  if (typeof aud === 'string') peek.aud = aud;
  else if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) peek.aud = aud as string[];
  const set = <K extends keyof TokenPeek>(k: K, v: TokenPeek[K] | undefined) => {
    if (v !== undefined) peek[k] = v;
  };
  set('iss', s('iss'));
  set('sub', s('sub'));
  set('jti', s('jti'));
  set('clientId', s('client_id'));
  set('tokenUse', s('token_use'));
  set('exp', n('exp'));
  set('iat', n('iat'));
  return peek;
}

/** Milliseconds read as such; 'auto' reads values above 1e11 (year 5138 in seconds) as milliseconds. */
export function epochSeconds(value: number | null, unit: 'ms' | 's' | 'auto'): { at: number; source: ExpiresAtSource } | null {
  if (value === null || !Number.isFinite(value) || value <= 0) return null;
  if (unit === 'ms') return { at: value / 1000, source: 'ms' };
  if (unit === 's') return { at: value, source: 's' };
  return { at: value > 1e11 ? value / 1000 : value, source: 'auto' };
}

/** Audience values of a peeked token, as a list. */
export function audiences(peek: TokenPeek | null): string[] {
  if (!peek?.aud) return [];
  return Array.isArray(peek.aud) ? peek.aud : [peek.aud];
}
