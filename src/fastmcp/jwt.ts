/**
 * FastMCP JWTs: decode strictly, verify HS256 over the raw segments (jose), and collect the
 * evidence the jwt rules judge. Claim checks themselves are rules (pure), not here.
 */
// jose's entry points for what is used (not its index, which loads its whole surface: ~46 modules).
import { JOSEError } from 'jose/errors';
import { compactVerify } from 'jose/jws/compact/verify';
import { decodeUrlsafeBase64Strict } from '../crypto/fernet.js';
import type { TokenEvidence } from '../model/index.js';
import { Secret, sha256Hex } from '../secrets.js';
import type { DerivedKey } from './keys.js';

export interface DecodedJwt {
  text: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  headerFamily: 'authlib' | 'joserfc' | 'other';
}

export type DecodeResult = { ok: true; jwt: DecodedJwt } | { ok: false; reason: string; header?: Record<string, unknown> };

/** base64url without padding, as JWS uses it (RFC 7515 §2). */
function b64urlJson(segment: string, what: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return { ok: false, reason: `the ${what} segment contains characters outside base64url` };
  const padded = segment + '='.repeat((4 - (segment.length % 4)) % 4);
  const bytes = segment.length % 4 === 1 ? undefined : decodeUrlsafeBase64Strict(padded);
  if (!bytes) return { ok: false, reason: `the ${what} segment is not valid base64url` };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, reason: `the ${what} segment is not JSON` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: `the ${what} is not a JSON object` };
  return { ok: true, value: value as Record<string, unknown> };
}

/** Strip what people paste around a token: whitespace, quotes, "Bearer ". */
export function cleanTokenText(text: string): string {
  let t = text.trim();
  t = t.replace(/^authorization:\s*/i, '').replace(/^bearer\s+/i, '').trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) t = t.slice(1, -1).trim();
  return t;
}

export function decodeJwt(text: string): DecodeResult {
  const segments = text.split('.');
  if (segments.length === 5) return { ok: false, reason: 'it has 5 segments (an encrypted JWE); FastMCP issues signed 3-segment JWTs' };
  if (segments.length !== 3) return { ok: false, reason: `it has ${segments.length} segment${segments.length === 1 ? '' : 's'}; a JWT has 3 (header.payload.signature)` };
  const [h, p, s] = segments as [string, string, string];
  const header = b64urlJson(h, 'header');
  if (!header.ok) return { ok: false, reason: header.reason };
  const claims = b64urlJson(p, 'payload');
  if (!claims.ok) return { ok: false, reason: claims.reason, header: header.value };
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return { ok: false, reason: 'the signature segment contains characters outside base64url', header: header.value };
  const keys = Object.keys(header.value);
  const headerFamily = keys[0] === 'alg' && keys[1] === 'typ' && keys.length === 2 ? 'authlib' : keys[0] === 'typ' && keys[1] === 'alg' && keys.length === 2 ? 'joserfc' : 'other';
  return { ok: true, jwt: { text, header: header.value, claims: claims.value, headerFamily } };
}

/** HS256 over the raw `header.payload` bytes with the given key bytes. Never re-serialises. */
export async function verifiesWith(token: string, key: Uint8Array): Promise<boolean> {
  try {
    await compactVerify(token, key, { algorithms: ['HS256'] });
    return true;
  } catch (e) {
    if (e instanceof JOSEError) return false;
    throw e;
  }
}

export function tokenKind(claims: Record<string, unknown>): 'access' | 'refresh' | 'id-jag' {
  if (claims.fastmcp_grant === 'id_jag') return 'id-jag';
  return claims.token_use === 'refresh' ? 'refresh' : 'access';
}

/**
 * Decode the token and try every key: the current one first, then candidates.
 * `keys` may be empty (no key material): the signature is then not checked.
 */
export async function collectToken(text: string, keys: DerivedKey[], source: string): Promise<TokenEvidence> {
  const token = new Secret(text, source);
  const decoded = decodeJwt(text);
  const ev: TokenEvidence = { token, signature: { checked: false, tried: [] } };
  if (!decoded.ok) {
    ev.malformed = decoded.reason;
    if (decoded.header) ev.header = decoded.header;
    return ev;
  }
  const { jwt } = decoded;
  ev.header = jwt.header;
  ev.headerFamily = jwt.headerFamily;
  ev.claims = jwt.claims;
  ev.kind = tokenKind(jwt.claims);
  ev.sha256 = sha256Hex(text);
  if (jwt.header.alg !== 'HS256') {
    ev.rejectedAlg = typeof jwt.header.alg === 'string' ? jwt.header.alg : JSON.stringify(jwt.header.alg ?? null);
    return ev;
  }
  if (!keys.length) return ev;
  const current = keys.find((k) => k.role === 'current');
  ev.signature.checked = current !== undefined;
  const ordered = [...keys.filter((k) => k.role === 'current'), ...keys.filter((k) => k.role !== 'current')];
  for (const k of ordered) {
    ev.signature.tried.push(k.label);
    if (await verifiesWith(text, k.hs256Key)) {
      ev.signature.validWith = k.label;
      ev.signature.validWithRole = k.role;
      break;
    }
  }
  ev.signature.validWithCurrent = current !== undefined && ev.signature.validWith === current.label && ev.signature.validWithRole === 'current';
  if (current && !ev.signature.validWithCurrent && current.hs256KeyText) {
    const decodedBytes = Buffer.from(current.hs256KeyText.reveal(), 'base64url');
    ev.signature.decodedBytesVerify = await verifiesWith(text, decodedBytes);
  }
  return ev;
}
