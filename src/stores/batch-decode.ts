/**
 * `decodeEntry` for a whole batch of entries at once, for the inventory's full reads. The outcome of
 * every entry is exactly `decodeEntry`'s (a property test holds the two together); only the work is
 * shared:
 *
 * - The common document — py-key-value's format B as `json.dumps` writes it, holding a Fernet
 *   envelope — is recognised by one regular expression over its head (every member a JSON string
 *   without escapes, so the head is valid JSON by construction) instead of a JSON parse; anything
 *   else goes through `decodeEntry`.
 * - The envelope's two base64 layers are decoded into reused buffers, and the decoded lengths are
 *   checked against the text lengths: a character either decoder would skip sends the entry the full
 *   way, which decides about it as FastMCP would.
 * - AES-128-CBC runs once per batch, not once per entry: the ciphertexts of the batch are laid end to
 *   end and fed to one long-lived CBC decipher of the key in use. CBC decryption of a block only
 *   depends on the block before it, so every block comes out right except each entry's first, which
 *   was chained to the previous ciphertext's last block instead of the entry's IV — XOR-ing that block
 *   with (previous block ⊕ IV) corrects it. Node's cipher calls cost ~1 µs each; a batch pays once.
 *
 * Only entries that the key in use opens (valid PKCS7 padding, a JSON object inside — the inventory's
 * unverified-MAC test, see Keyring.open) or that are expired are decided here; everything else —
 * other keys, candidates, corrupt envelopes — goes the full way.
 */
import { createDecipheriv, type Decipher } from 'node:crypto';
import { parseIsoTime } from '../fastmcp/documents.js';
import { decodeEntry, type DecodeOptions, type Decoded } from './decode.js';
import type { Keyring, KeyringEntry } from './keyring.js';
import type { RawEntry } from './types.js';

/** Format B (sorted keys, ", " and ": " separators) up to the envelope's data. */
const HEAD = /^\{(?:"collection": "[^"\\\u0000-\u001f]*", )?"created_at": "([^"\\\u0000-\u001f]*)", (?:"expires_at": (?:"([^"\\\u0000-\u001f]*)"|null), )?(?:"key": "[^"\\\u0000-\u001f]*", )?"value": \{"__encrypted_data__": "/;
const TAIL = '", "__encryption_version__": 1}, "version": 1}';
const MIN_TOKEN = 1 + 8 + 16 + 16 + 32;
/** Entries whose ciphertexts share one cipher call. */
const GROUP = 128;

/** One long-lived CBC decipher per key (see the header); `chain` is the last ciphertext block fed to it. */
interface Stream {
  decipher: Decipher;
  chain: Buffer;
}
const streams = new WeakMap<KeyringEntry, Stream>();
function streamFor(entry: KeyringEntry): Stream {
  let s = streams.get(entry);
  if (!s) {
    const chain = Buffer.alloc(16);
    const decipher = createDecipheriv('aes-128-cbc', entry.key.encryption, chain);
    decipher.setAutoPadding(false);
    s = { decipher, chain };
    streams.set(entry, s);
  }
  return s;
}

let outer = Buffer.allocUnsafe(1 << 16);
let cipherText = Buffer.allocUnsafe(1 << 18);
const ivs = Buffer.allocUnsafe(16 * GROUP);

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Days since 1970-01-01 of a proleptic Gregorian date (as JavaScript's Date counts them). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The decimal digits text[from, to) as a number, or -1 when one is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * parseIsoTime for the shape Python's isoformat() gives a UTC time — "2026-11-21T22:18:24+00:00",
 * with 1–9 digits of fraction — without a regular expression or a Date object, to the same result to
 * the last bit (the same whole milliseconds, the same arithmetic; a fraction of up to nine digits
 * divided by its power of ten is the double that parsing "0.<digits>" gives). Anything else goes to
 * parseIsoTime itself.
 */
export function isoTime(text: string): number | undefined {
  const n = text.length;
  // YYYY-MM-DDTHH:MM:SS, then .f{1,9} or nothing, then +00:00.
  const fracLen = n - 25 - 1;
  if (!(n === 25 || (fracLen >= 1 && fracLen <= 9 && text.charCodeAt(19) === 46)) || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || !text.endsWith('+00:00')) return parseIsoTime(text);
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  const h = digits(text, 11, 13);
  const mi = digits(text, 14, 16);
  const s = digits(text, 17, 19);
  const f = n === 25 ? 0 : digits(text, 20, 20 + fracLen);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || f < 0) return parseIsoTime(text);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : MONTH_DAYS[mo - 1]!) || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000;
  const frac = n === 25 ? 0 : f / POWERS_OF_TEN[fracLen]!;
  return ms / 1000 - 0 + frac;
}

function padding(s: string): number {
  return s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
}

/**
 * The Fernet token inside the envelope data (standard base64 of the URL-safe base64 token text),
 * decoded into `cipherText` at `at`; its length, or -1 when either layer is not exactly
 * canonical-length base64.
 */
function tokenBytes(text: string, from: number, to: number, at: number): number {
  const len = to - from;
  if (len % 4 !== 0 || len === 0) return -1;
  const data = text.slice(from, to);
  const want1 = (len / 4) * 3 - padding(data);
  if (outer.length < want1) outer = Buffer.allocUnsafe(want1 * 2);
  if (outer.write(data, 0, 'base64') !== want1) return -1;
  const token = outer.toString('latin1', 0, want1);
  if (want1 % 4 !== 0) return -1;
  const want2 = (want1 / 4) * 3 - padding(token);
  if (cipherText.length < at + want2) return want2 > cipherText.length / 2 ? -2 : -3;
  if (cipherText.write(token, at, 'base64url') !== want2) return -1;
  return want2;
}

interface Pending {
  index: number;
  start: number;
  end: number;
  out: Decoded;
}

/**
 * Decode `raws` (as `decodeEntry(raw, keyring, now, opts)` would, each) into `out[0..raws.length)`.
 */
export function decodeBatch(raws: readonly RawEntry[], keyring: Keyring, now: number, opts: DecodeOptions, out: Decoded[]): void {
  const primary = keyring.primary !== undefined && keyring.entries[0] === keyring.primary ? keyring.primary : undefined;
  // The shortcut is for the inventory's unverified reads; verified reads (point lookups) go one by one.
  const fast = primary !== undefined && opts.verifyMac === false;
  const pending: Pending[] = [];
  let used = 0;
  const flush = () => {
    if (pending.length) decryptGroup(primary!, pending, used, raws, keyring, now, opts, out);
    pending.length = 0;
    used = 0;
  };
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    const text = raw.text;
    if (!fast || text === undefined || raw.valueSkipped || !text.endsWith(TAIL)) {
      out[i] = decodeEntry(raw, keyring, now, opts);
      continue;
    }
    const m = HEAD.exec(text);
    const dataStart = m ? m[0].length : -1;
    const dataEnd = text.length - TAIL.length;
    // The data: one plain JSON string (no quote before the tail's, no backslash).
    if (!m || dataEnd < dataStart || text.indexOf('"', dataStart) !== dataEnd || text.indexOf('\\', dataStart) !== -1) {
      out[i] = decodeEntry(raw, keyring, now, opts);
      continue;
    }
    let expiresAt: number | null;
    const se = raw.storeExpiresAt;
    if (raw.storeExpiryAuthoritative) expiresAt = se ?? null;
    else {
      let own: number | null = null;
      if (m[2] !== undefined) {
        const exp = isoTime(m[2]);
        if (exp === undefined) {
          out[i] = decodeEntry(raw, keyring, now, opts);
          continue;
        }
        own = exp;
      }
      expiresAt = se !== undefined && se !== null ? (own === null ? se : Math.min(own, se)) : own;
    }
    const d: Decoded = { state: 'live', format: 'B', expiresAt, encrypted: true };
    if (opts.createdAt !== false) {
      const created = isoTime(m[1]!);
      if (created !== undefined) d.createdAt = created;
    }
    if (expiresAt !== null && expiresAt <= now) {
      if (opts.decryptExpired) out[i] = decodeEntry(raw, keyring, now, opts);
      else {
        d.state = 'expired';
        out[i] = d;
      }
      continue;
    }
    let len = tokenBytes(text, dataStart, dataEnd, used);
    if (len === -3) {
      // No room left in this group's buffer: decrypt the group, then decode at its start.
      flush();
      len = tokenBytes(text, dataStart, dataEnd, 0);
    }
    if (len === -2) {
      // A token larger than half the buffer (a document of many KB): a larger buffer first.
      flush();
      cipherText = Buffer.allocUnsafe(cipherText.length * 2 + (dataEnd - dataStart));
      len = tokenBytes(text, dataStart, dataEnd, 0);
    }
    const at = used;
    if (len < MIN_TOKEN || cipherText[at] !== 0x80 || (len - 57) % 16 !== 0) {
      out[i] = decodeEntry(raw, keyring, now, opts);
      continue;
    }
    // The token was decoded where its ciphertext belongs, after the group's other ciphertexts: keep
    // its IV aside, then move the ciphertext 25 bytes down over version, timestamp and IV.
    const ctLen = len - 57;
    const iv = pending.length * 16;
    for (let k = 0; k < 16; k++) ivs[iv + k] = cipherText[at + 9 + k]!;
    cipherText.copyWithin(at, at + 25, at + len - 32);
    pending.push({ index: i, start: at, end: at + ctLen, out: d });
    used += ctLen;
    if (pending.length === GROUP) flush();
  }
  flush();
}

function decryptGroup(primary: KeyringEntry, pending: Pending[], used: number, raws: readonly RawEntry[], keyring: Keyring, now: number, opts: DecodeOptions, out: Decoded[]): void {
  const stream = streamFor(primary);
  const input = cipherText.subarray(0, used);
  const plain = stream.decipher.update(input);
  const chain = stream.chain;
  for (let j = 0; j < pending.length; j++) {
    const p = pending[j]!;
    // The block this entry's first block was chained to: the previous entry's last one (or the last
    // one of the previous call), to be replaced by the entry's IV.
    const prevAt = p.start - 16;
    for (let k = 0; k < 16; k++) plain[p.start + k]! ^= (j === 0 ? chain[k]! : input[prevAt + k]!) ^ ivs[j * 16 + k]!;
  }
  input.copy(chain, 0, used - 16, used);
  for (const p of pending) {
    const pad = plain.length >= p.end ? plain[p.end - 1]! : 0;
    let ok = plain.length >= p.end && pad >= 1 && pad <= 16 && p.end - pad > p.start && plain[p.start] === 0x7b;
    for (let k = p.end - pad; ok && k < p.end; k++) if (plain[k] !== pad) ok = false;
    let value: unknown;
    if (ok) {
      try {
        value = JSON.parse(plain.toString('utf8', p.start, p.end - pad));
      } catch {
        ok = false;
      }
    }
    if (ok && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      p.out.value = value as Record<string, unknown>;
      out[p.index] = p.out;
    } else {
      out[p.index] = decodeEntry(raws[p.index]!, keyring, now, opts);
    }
  }
}
