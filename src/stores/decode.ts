/**
 * One raw entry → its state as FastMCP would see it at `now`: live, expired, present but not
 * decryptable with the key in use, or corrupt. Shared by the inventory, the chain lookups and
 * readUpstreamSets, so all three classify the same way.
 *
 * Expiry: the earliest of the document's `expires_at` and the store's own expiry (diskcache
 * `expire_time`, Redis read time + PTTL). For the captured bundles the document's value is the one
 * that counts (their Redis TTLs restart when a dump is loaded), and a live store's own expiry is never
 * later than the document's by more than rounding.
 */
import { envelopeOf, parseDocument, parseIsoTime, type DocumentFormat } from '../fastmcp/documents.js';
import type { Keyring, KeyringEntry } from './keyring.js';
import type { RawEntry } from './types.js';

export type EntryState = 'live' | 'expired' | 'undecryptable' | 'corrupt';

export interface Decoded {
  state: EntryState;
  format?: DocumentFormat;
  /** The value is a Fernet envelope (false: plaintext store). */
  encrypted?: boolean;
  createdAt?: number;
  expiresAt: number | null;
  /**
   * The model dict: live entries; expired ones when `decryptExpired`; undecryptable ones when a
   * candidate key opened them (then see `openedWith`).
   */
  value?: Record<string, unknown>;
  /** For undecryptable entries: the (non-primary) key that does open it. */
  openedWith?: KeyringEntry;
  reason?: string;
}

export interface DecodeOptions {
  /** Also decrypt expired entries (chain lookups, --show-entries). */
  decryptExpired?: boolean;
  /** Parse `created_at` (default true). */
  createdAt?: boolean;
  /** Verify each Fernet HMAC (default true; see Keyring.open). */
  verifyMac?: boolean;
}

const MARK = '"value": {"__encrypted_data__": "';
const TAIL = '", "__encryption_version__": 1}, "version": 1}';

/**
 * The common case, cheaply: a format B document (py-key-value 0.3: sorted keys, so `value` then
 * `version` end it) holding a Fernet envelope. The envelope's data is sliced out instead of parsed;
 * the rest of the document is still parsed (so a malformed document is never taken for a good one,
 * and created_at / expires_at are read from it). The entry is only decided here when it is expired
 * (and not wanted decrypted) or opens with the key in use; everything else goes the full way, so the
 * outcome is always the full way's.
 */
function fastDecode(raw: RawEntry & { text: string }, keyring: Keyring, now: number, opts: DecodeOptions): Decoded | undefined {
  const text = raw.text;
  if (!text.endsWith(TAIL)) return undefined;
  const at = text.indexOf(MARK);
  if (at <= 0) return undefined;
  const dataStart = at + MARK.length;
  const dataEnd = text.length - TAIL.length;
  // The data must be one plain JSON string: no quote before the tail's and no backslash (Fernet's
  // base64 has neither). Then `text` is exactly prefix + envelope + tail, and the prefix parsed below
  // decides whether the whole document is valid JSON.
  if (dataEnd < dataStart || text.indexOf('"', dataStart) !== dataEnd || text.indexOf('\\', dataStart) !== -1) return undefined;
  let rest: Record<string, unknown>;
  try {
    const r = JSON.parse(`${text.slice(0, at)}"value": 0, "version": 1}`) as unknown;
    if (!r || typeof r !== 'object' || Array.isArray(r)) return undefined;
    rest = r as Record<string, unknown>;
  } catch {
    return undefined;
  }
  let expiresAt: number | null;
  const se = raw.storeExpiresAt;
  if (raw.storeExpiryAuthoritative) expiresAt = se ?? null;
  else {
    let own: number | null = null;
    if (rest.expires_at !== undefined && rest.expires_at !== null) {
      const exp = parseIsoTime(rest.expires_at);
      if (exp === undefined) return undefined;
      own = exp;
    }
    expiresAt = se !== undefined && se !== null ? (own === null ? se : Math.min(own, se)) : own;
  }
  const out: Decoded = { state: 'live', format: 'B', expiresAt, encrypted: true };
  if (opts.createdAt !== false) {
    const created = parseIsoTime(rest.created_at);
    if (created !== undefined) out.createdAt = created;
  }
  if (expiresAt !== null && expiresAt <= now) {
    if (opts.decryptExpired) return undefined;
    out.state = 'expired';
    return out;
  }
  const opened = keyring.open(text.slice(dataStart, dataEnd), { verifyMac: opts.verifyMac !== false });
  if (!opened.ok || opened.index !== 0 || keyring.primary === undefined) return undefined;
  const value = parseObject(opened.plaintext);
  if (value === undefined) return undefined;
  out.value = value;
  return out;
}

export function decodeEntry(raw: RawEntry, keyring: Keyring, now: number, opts: DecodeOptions = {}): Decoded {
  if (raw.valueSkipped) return { state: 'expired', expiresAt: raw.storeExpiresAt ?? null };
  if (raw.text === undefined) return { state: 'corrupt', expiresAt: raw.storeExpiresAt ?? null, reason: raw.error ?? 'unreadable' };
  return fastDecode(raw as RawEntry & { text: string }, keyring, now, opts) ?? decodeParsed(raw as RawEntry & { text: string }, keyring, now, opts);
}

/** The full way: the whole document parsed (exported for the test that holds the shortcut to it). */
export function decodeParsed(raw: RawEntry & { text: string }, keyring: Keyring, now: number, opts: DecodeOptions = {}): Decoded {
  const doc = parseDocument(raw.text, { createdAt: opts.createdAt !== false, expiresAt: !raw.storeExpiryAuthoritative });
  if (typeof doc === 'string') return { state: 'corrupt', expiresAt: raw.storeExpiresAt ?? null, reason: doc };
  let expiresAt = doc.expiresAt;
  const se = raw.storeExpiresAt;
  if (raw.storeExpiryAuthoritative) expiresAt = se ?? null;
  else if (se !== undefined && se !== null) expiresAt = expiresAt === null ? se : Math.min(expiresAt, se);
  const out: Decoded = { state: 'live', format: doc.format, expiresAt };
  if (doc.createdAt !== undefined) out.createdAt = doc.createdAt;
  const expired = expiresAt !== null && expiresAt <= now;

  const env = envelopeOf(doc.value);
  if (typeof env === 'string') return { ...out, state: 'corrupt', encrypted: true, reason: env };
  if (env === undefined) {
    out.encrypted = false;
    if (!doc.value || typeof doc.value !== 'object' || Array.isArray(doc.value)) return { ...out, state: 'corrupt', reason: 'value is not a JSON object' };
    out.value = doc.value as Record<string, unknown>;
    if (expired) out.state = 'expired';
    return out;
  }
  out.encrypted = true;
  if (expired) {
    out.state = 'expired';
    if (!opts.decryptExpired) return out;
  }
  let verify = opts.verifyMac !== false;
  let opened = keyring.open(env.data, { verifyMac: verify, jsonObject: true });
  let value = opened.ok ? parseObject(opened.plaintext) : undefined;
  if (!verify && (!opened.ok || value === undefined)) {
    // The fast test was inconclusive: decide with the verified path.
    verify = true;
    opened = keyring.open(env.data, { verifyMac: true, jsonObject: true });
    value = opened.ok ? parseObject(opened.plaintext) : undefined;
  }
  if (!opened.ok) {
    if (expired) return out;
    if (opened.reason === 'no-key') {
      const half = opened.macVerifiedBy ? ` (its HMAC verifies with ${opened.macVerifiedBy.label}, but that key's encryption half does not decrypt it: the keys share the signing half only)` : '';
      return { ...out, state: 'undecryptable', reason: keyring.entries.length ? `does not decrypt with any given key${half}` : 'no storage key given' };
    }
    return { ...out, state: 'corrupt', reason: `__encrypted_data__ is not a Fernet token (${opened.reason})` };
  }
  // Verified and decrypted, but not a JSON object: Fernet under the wrong encryption half (FastMCP's
  // decryption fails the same way), not a damaged py-key-value document.
  if (value === undefined) return expired ? out : { ...out, state: 'undecryptable', reason: `does not decrypt with ${opened.entry.label} to a JSON document` };
  out.value = value;
  const primary = keyring.primary !== undefined && opened.index === 0;
  if (!primary) {
    out.openedWith = opened.entry;
    if (!expired) {
      out.state = 'undecryptable';
      out.reason = `does not decrypt with ${keyring.primary ? 'the key in use' : 'a key in use (none given)'}; decrypts with ${opened.entry.label}`;
    }
  }
  return out;
}

function parseObject(plaintext: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(plaintext.toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
