/**
 * Fernet (https://github.com/fernet/spec) on node:crypto.
 *
 * Token = 0x80 | 8-byte big-endian timestamp | 16-byte IV | AES-128-CBC ciphertext (PKCS7) | HMAC-SHA256,
 * URL-safe base64 with padding. Key = 32 bytes, URL-safe base64: bytes 0–15 sign, 16–31 encrypt.
 * Strict on purpose: any deviation (alphabet, padding, length, version, MAC, padding bytes) is an error,
 * never a best-effort plaintext.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type FernetFailure =
  | 'bad-key'
  | 'not-base64'
  | 'too-short'
  | 'bad-version'
  | 'bad-length'
  | 'bad-mac'
  | 'bad-padding'
  | 'expired'
  | 'from-the-future';

export class FernetError extends Error {
  constructor(readonly reason: FernetFailure) {
    super(`Fernet token rejected: ${reason}`);
    this.name = 'FernetError';
  }
}

const URLSAFE_B64 = /^[A-Za-z0-9_-]*={0,2}$/;
const MAX_CLOCK_SKEW = 60;

/** Strict URL-safe base64 decode (padding required, as Python's urlsafe_b64decode). */
export function decodeUrlsafeBase64Strict(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !URLSAFE_B64.test(text)) return undefined;
  const buf = Buffer.from(text, 'base64url');
  // Round-trip check rejects non-canonical trailing bits.
  const canonical = buf.toString('base64url');
  const unpadded = text.replace(/=+$/, '');
  return canonical === unpadded ? buf : undefined;
}

export interface FernetKey {
  signing: Buffer;
  encryption: Buffer;
}

export function parseFernetKey(keyText: string): FernetKey {
  const raw = decodeUrlsafeBase64Strict(keyText.trim());
  if (!raw || raw.length !== 32) throw new FernetError('bad-key');
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16, 32) };
}

export interface DecryptOptions {
  /** Enforce the token age (seconds); FastMCP/py-key-value never do. */
  ttlSeconds?: number;
  /** Current unix time in seconds, for the TTL check. */
  now?: number;
}

export interface FernetPlain {
  plaintext: Buffer;
  /** Token timestamp (unix seconds): when the value was encrypted. */
  timestamp: number;
}

export function fernetDecrypt(token: string, key: FernetKey | string, opts: DecryptOptions = {}): FernetPlain {
  const k = typeof key === 'string' ? parseFernetKey(key) : key;
  const data = decodeUrlsafeBase64Strict(token);
  if (!data) throw new FernetError('not-base64');
  if (data.length < 1 + 8 + 16 + 16 + 32) throw new FernetError('too-short');
  if (data[0] !== 0x80) throw new FernetError('bad-version');
  if ((data.length - 57) % 16 !== 0) throw new FernetError('bad-length');
  const timestamp = Number(data.readBigUInt64BE(1));
  const macStart = data.length - 32;
  const mac = createHmac('sha256', k.signing).update(data.subarray(0, macStart)).digest();
  if (!timingSafeEqual(mac, data.subarray(macStart))) throw new FernetError('bad-mac');
  if (opts.ttlSeconds !== undefined) {
    const now = opts.now ?? Date.now() / 1000;
    if (timestamp + opts.ttlSeconds < now) throw new FernetError('expired');
    if (now + MAX_CLOCK_SKEW < timestamp) throw new FernetError('from-the-future');
  }
  const iv = data.subarray(9, 25);
  const ciphertext = data.subarray(25, macStart);
  try {
    const d = createDecipheriv('aes-128-cbc', k.encryption, iv);
    const plaintext = Buffer.concat([d.update(ciphertext), d.final()]);
    return { plaintext, timestamp };
  } catch {
    throw new FernetError('bad-padding');
  }
}

export interface EncryptOptions {
  iv?: Uint8Array;
  /** unix seconds */
  timestamp?: number;
}

/** For tests, fixtures and the store generator: produce a token exactly as Python's Fernet would. */
export function fernetEncrypt(plaintext: Uint8Array | string, key: FernetKey | string, opts: EncryptOptions = {}): string {
  const k = typeof key === 'string' ? parseFernetKey(key) : key;
  const iv = Buffer.from(opts.iv ?? randomBytes(16));
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(Math.floor(opts.timestamp ?? Date.now() / 1000)));
  const c = createCipheriv('aes-128-cbc', k.encryption, iv);
  const body = Buffer.concat([Buffer.from([0x80]), ts, iv, c.update(plaintext), c.final()]);
  const mac = createHmac('sha256', k.signing).update(body).digest();
  return toUrlsafeBase64Padded(Buffer.concat([body, mac]));
}

/** URL-safe base64 with `=` padding, as Python's urlsafe_b64encode (Node's base64url drops it). */
export function toUrlsafeBase64Padded(bytes: Uint8Array): string {
  const rem = bytes.length % 3;
  return Buffer.from(bytes).toString('base64url') + (rem === 0 ? '' : '='.repeat(3 - rem));
}
