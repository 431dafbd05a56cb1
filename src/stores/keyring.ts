/**
 * The Fernet keys a store is read with, in the order they are tried: the explicit storage key
 * (user stores), then the current key's derived default-store key, then every candidate's. The
 * first one is the key FastMCP itself would use ("primary"); an entry that opens only with a later
 * one is "present but not decryptable with the key in use — decrypts with <label>".
 *
 * Decryption follows the Fernet spec exactly (HMAC-SHA256 verified before anything is decrypted,
 * PKCS7 checked), but is organised for throughput: keys are parsed once, and each key keeps one
 * AES-128-ECB decipher that is reused for every entry (CBC is undone block by block in JS), because
 * creating a cipher object per entry dominated the cost of reading a million-entry store.
 * The unit tests check it against src/crypto/fernet.ts and the spec vectors.
 */
import { createDecipheriv, createHmac, timingSafeEqual, type Decipher } from 'node:crypto';
import { FernetError, parseFernetKey, type FernetKey } from '../crypto/fernet.js';
import { InputError } from '../errors.js';
import type { DerivedKey } from '../fastmcp/keys.js';
import { storeFingerprint } from '../fastmcp/keys.js';
import type { Secret } from '../secrets.js';

export interface KeyringEntry {
  /** Where the key came from, e.g. "storage encryption key (env STORAGE_ENCRYPTION_KEY)". Never the key. */
  label: string;
  /** explicit = --storage-encryption-key-file / env; current/candidate = derived from the JWT key inputs. */
  role: 'explicit' | 'current' | 'candidate';
  /** The 3.x+ default-store directory this key selects: sha256(key text)[:12]. Not secret. */
  fingerprint: string;
  key: FernetKey;
}

export type OpenResult =
  | { ok: true; plaintext: Buffer; entry: KeyringEntry; /** index in `entries`; 0 = primary when there is one */ index: number }
  | {
      ok: false;
      reason: 'not-base64' | 'not-fernet' | 'no-key';
      /**
       * A key whose HMAC (signing half) verifies but whose encryption half does not decrypt the token
       * (bad PKCS7 padding, or not a JSON object inside): a key that shares the signing half with the
       * writer's. For FastMCP (cryptography's Fernet raises InvalidToken for both) this is "does not
       * decrypt with this key", never a corrupt entry.
       */
      macVerifiedBy?: KeyringEntry;
    };

export interface Keyring {
  readonly entries: readonly KeyringEntry[];
  /** The key FastMCP would read with (explicit storage key, else the current derived key); undefined when none was given. */
  readonly primary?: KeyringEntry;
  /**
   * Open an envelope's `__encrypted_data__` (standard base64 of a Fernet token) with the first key
   * whose HMAC verifies and that decrypts it (valid padding, a JSON object inside).
   */
  open(encryptedData: string, opts?: OpenOptions): OpenResult;
}

export interface OpenOptions {
  /**
   * Verify the HMAC (default true). The inventory turns it off for throughput: it then accepts a key
   * when AES-CBC decryption yields valid PKCS7 padding and a JSON object (the caller parses it, and
   * re-opens with verification when parsing fails). A wrong key passes that test with a probability
   * of about 2^-16 before JSON parsing, i.e. never in practice; what it cannot see is a damaged MAC
   * over an intact ciphertext. Point lookups (a token's chain) always verify.
   */
  verifyMac?: boolean;
  /**
   * The plaintext must be a JSON object (py-key-value's envelopes): a verified key whose decryption
   * does not start with "{" is passed over for the next key, as one with bad padding is.
   */
  jsonObject?: boolean;
}

interface Prepared {
  entry: KeyringEntry;
  ecb: Decipher;
}

const MIN_LEN = 1 + 8 + 16 + 16 + 32;

class FernetKeyring implements Keyring {
  readonly entries: readonly KeyringEntry[];
  readonly primary?: KeyringEntry;
  readonly #prepared: Prepared[];

  constructor(entries: KeyringEntry[]) {
    this.entries = entries;
    const first = entries[0];
    if (first && first.role !== 'candidate') this.primary = first;
    this.#prepared = entries.map((entry) => {
      const ecb = createDecipheriv('aes-128-ecb', entry.key.encryption, null);
      ecb.setAutoPadding(false);
      return { entry, ecb };
    });
  }

  open(encryptedData: string, opts: OpenOptions = {}): OpenResult {
    // py-key-value: base64.b64decode(data) → the Fernet token text; Fernet: urlsafe_b64decode(token).
    // Both decodes go through reused scratch buffers (no per-entry allocation but the result).
    const maxOuter = Math.ceil((encryptedData.length * 3) / 4);
    if (scratchA.length < maxOuter) scratchA = Buffer.allocUnsafe(maxOuter * 2);
    const n1 = scratchA.write(encryptedData, 'base64');
    const tokenText = scratchA.toString('latin1', 0, n1);
    const verify = opts.verifyMac !== false;
    if (tokenText.length % 4 !== 0 || (verify && !URLSAFE.test(tokenText))) return { ok: false, reason: 'not-base64' };
    if (scratchB.length < n1) scratchB = Buffer.allocUnsafe(n1 * 2);
    const len = scratchB.write(tokenText, 'base64url');
    const data = scratchB.subarray(0, len);
    if (len < MIN_LEN || data[0] !== 0x80 || (len - 57) % 16 !== 0) return { ok: false, reason: 'not-fernet' };
    const macStart = len - 32;
    const iv = data.subarray(9, 25);
    const ciphertext = data.subarray(25, macStart);
    let macVerifiedBy: KeyringEntry | undefined;
    for (let i = 0; i < this.#prepared.length; i++) {
      const p = this.#prepared[i]!;
      if (verify) {
        const expected = createHmac('sha256', p.entry.key.signing).update(data.subarray(0, macStart)).digest();
        if (!timingSafeEqual(expected, data.subarray(macStart))) continue;
        const plaintext = cbcDecrypt(p.ecb, iv, ciphertext);
        // The signing half matches, the encryption half does not: try the other keys.
        if (!plaintext || (opts.jsonObject === true && plaintext[0] !== 0x7b)) {
          macVerifiedBy ??= p.entry;
          continue;
        }
        return { ok: true, plaintext, entry: p.entry, index: i };
      }
      const plaintext = cbcDecrypt(p.ecb, iv, ciphertext);
      if (plaintext && plaintext[0] === 0x7b) return { ok: true, plaintext, entry: p.entry, index: i };
    }
    return macVerifiedBy ? { ok: false, reason: 'no-key', macVerifiedBy } : { ok: false, reason: 'no-key' };
  }
}

const URLSAFE = /^[A-Za-z0-9_-]+={0,2}$/;
let scratchA = Buffer.allocUnsafe(4096);
let scratchB = Buffer.allocUnsafe(4096);

/** AES-128-CBC decryption with a reused ECB decipher; undefined on bad PKCS7 padding. */
function cbcDecrypt(ecb: Decipher, iv: Buffer, ciphertext: Buffer): Buffer | undefined {
  const out = ecb.update(ciphertext);
  if (out.length !== ciphertext.length) return undefined;
  for (let i = out.length - 1; i >= 16; i--) out[i]! ^= ciphertext[i - 16]!;
  for (let i = 0; i < 16; i++) out[i]! ^= iv[i]!;
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 16) return undefined;
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) return undefined;
  return out.subarray(0, out.length - pad);
}

function entryFor(text: string, label: string, role: KeyringEntry['role']): KeyringEntry {
  return { label, role, fingerprint: storeFingerprint(text), key: parseFernetKey(text) };
}

/**
 * The Fernet keys to try, in order: the explicit storage key first, then the current key's derived
 * default-store key, then the candidates' derived keys. Duplicates (same key text) are tried once,
 * under the first label. Throws InputError when the explicit key is not a Fernet key.
 */
export function buildKeyring(keys: DerivedKey[], explicitStorageKey?: Secret): Keyring {
  const entries: KeyringEntry[] = [];
  const seen = new Set<string>();
  if (explicitStorageKey) {
    const text = explicitStorageKey.reveal().trim();
    try {
      entries.push(entryFor(text, explicitStorageKey.source, 'explicit'));
    } catch (e) {
      if (e instanceof FernetError) {
        throw new InputError(`the ${explicitStorageKey.source} is not a Fernet key`, 'give the 44-character URL-safe base64 key the store was encrypted with (as STORAGE_ENCRYPTION_KEY holds it)');
      }
      throw e;
    }
    seen.add(text);
  }
  const ordered = [...keys.filter((k) => k.role === 'current'), ...keys.filter((k) => k.role === 'candidate')];
  for (const k of ordered) {
    if (!k.storageKey) continue;
    const text = k.storageKey.reveal();
    if (seen.has(text)) continue;
    seen.add(text);
    entries.push(entryFor(text, k.label, k.role));
  }
  return new FernetKeyring(entries);
}

/** A keyring from Fernet key texts directly (tests, the store generator). */
export function keyringFromTexts(keys: { text: string; label: string; role: KeyringEntry['role'] }[]): Keyring {
  return new FernetKeyring(keys.map((k) => entryFor(k.text, k.label, k.role)));
}

/**
 * A keyring from entries another keyring holds (a worker thread receives them structured-cloned:
 * the key bytes arrive as Uint8Arrays).
 */
export function keyringFromEntries(entries: readonly KeyringEntry[]): Keyring {
  return new FernetKeyring(entries.map((e) => ({ ...e, key: { signing: Buffer.from(e.key.signing), encryption: Buffer.from(e.key.encryption) } })));
}
