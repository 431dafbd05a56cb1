/**
 * A storage key changed but kept its first 16 bytes (the Fernet signing half): every entry's HMAC
 * verifies under the key in use, and decryption then fails (bad padding, or no JSON object inside).
 * cryptography's Fernet raises InvalidToken for both, so for FastMCP these entries do not decrypt
 * with this key — they are undecryptable (counted with STORE_DECRYPT_FAILED), never corrupt; a
 * candidate key that opens them is named. Both the one-by-one path (decodeEntry) and the inventory's
 * batch path (decodeBatch) decide the same.
 */
import { describe, expect, it } from 'vitest';
import { fernetEncrypt, toUrlsafeBase64Padded } from '../../src/crypto/fernet.js';
import { decodeBatch } from '../../src/stores/batch-decode.js';
import { decodeEntry, type Decoded } from '../../src/stores/decode.js';
import { keyringFromTexts } from '../../src/stores/keyring.js';
import type { RawEntry } from '../../src/stores/types.js';
import { docB } from '../../fixtures/stores/writer.js';

const half = (a: number, b: number) => toUrlsafeBase64Padded(Buffer.concat([Buffer.alloc(16, a), Buffer.alloc(16, b)]));
const OLD = half(0x11, 0x22);
const NEW = half(0x11, 0x33);
const NOW = 1_795_300_000;

const entries: RawEntry[] = Array.from({ length: 300 }, (_, i) => ({
  collection: 'mcp-jti-mappings',
  key: `j${i}`,
  keyExact: true,
  storeExpiresAt: null,
  text: docB({ collection: 'mcp-jti-mappings', key: `j${i}`, value: { jti: `j${i}`, upstream_token_id: `u${i}`, created_at: NOW }, createdAt: NOW - 60, expiresAt: NOW + 3600 }, OLD),
}));

describe('keys that share the signing half', () => {
  it('the HMAC verifies under the new key, the encryption half does not decrypt: the keyring passes over it', () => {
    const kr = keyringFromTexts([{ text: NEW, label: 'storage key (new)', role: 'explicit' }]);
    const data = JSON.parse(entries[0]!.text!).value.__encrypted_data__ as string;
    const r = kr.open(data, { verifyMac: true, jsonObject: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.macVerifiedBy?.label).toBe('storage key (new)');
    // A plaintext that is not an object (an old value format) is still Fernet-correct without jsonObject.
    const hello = Buffer.from(fernetEncrypt('hello', NEW), 'ascii').toString('base64');
    expect(kr.open(hello, { verifyMac: true }).ok).toBe(true);
  });

  it.each([
    ['decodeEntry', (raws: RawEntry[], kr: ReturnType<typeof keyringFromTexts>, verifyMac: boolean) => raws.map((r) => decodeEntry(r, kr, NOW, { verifyMac }))],
    ['decodeBatch', (raws: RawEntry[], kr: ReturnType<typeof keyringFromTexts>, verifyMac: boolean) => {
      const out: Decoded[] = [];
      decodeBatch(raws, kr, NOW, { verifyMac }, out);
      return out;
    }],
  ] as const)('%s: undecryptable under the key in use (never corrupt), and opened by the old key as a candidate', (_name, decode) => {
    for (const verifyMac of [true, false]) {
      const alone = decode(entries, keyringFromTexts([{ text: NEW, label: 'storage key (new)', role: 'explicit' }]), verifyMac);
      expect(new Set(alone.map((d) => d.state))).toEqual(new Set(['undecryptable']));
      expect(alone[0]?.reason).toMatch(/HMAC verifies with storage key \(new\)/);
      const withOld = decode(entries, keyringFromTexts([{ text: NEW, label: 'storage key (new)', role: 'explicit' }, { text: OLD, label: 'previous storage key', role: 'candidate' }]), verifyMac);
      expect(new Set(withOld.map((d) => d.state))).toEqual(new Set(['undecryptable']));
      expect(new Set(withOld.map((d) => d.openedWith?.label))).toEqual(new Set(['previous storage key']));
    }
  });
});
