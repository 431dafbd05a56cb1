import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fernetDecrypt, fernetEncrypt, toUrlsafeBase64Padded } from '../../src/crypto/fernet.js';
import { InputError } from '../../src/errors.js';
import { deriveKeys, storeFingerprint } from '../../src/fastmcp/keys.js';
import { Secret } from '../../src/secrets.js';
import { buildKeyring, keyringFromTexts } from '../../src/stores/keyring.js';

const load = <T>(name: string): T[] => JSON.parse(readFileSync(new URL(`../../fixtures/fernet-spec/${name}`, import.meta.url), 'utf8')) as T[];
/** The envelope's `__encrypted_data__`: standard base64 of the Fernet token text. */
const envelope = (token: string) => Buffer.from(token, 'ascii').toString('base64');
const KEY_A = toUrlsafeBase64Padded(Buffer.alloc(32, 1));
const KEY_B = toUrlsafeBase64Padded(Buffer.alloc(32, 2));

describe('keyring decryption agrees with the Fernet implementation', () => {
  it.each(load<{ token: string; src: string; secret: string }>('verify.json'))('opens the spec token', (v) => {
    const kr = keyringFromTexts([{ text: v.secret, label: 'spec', role: 'current' }]);
    const r = kr.open(envelope(v.token));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.plaintext.toString('utf8')).toBe(v.src);
    // The unverified fast path accepts only what FastMCP stores: a JSON object ("hello" is not).
    expect(kr.open(envelope(v.token), { verifyMac: false }).ok).toBe(false);
  });

  it.each(load<{ desc: string; token: string; secret: string }>('invalid.json'))('verified open matches fernetDecrypt on "$desc"', (v) => {
    const kr = keyringFromTexts([{ text: v.secret, label: 'spec', role: 'current' }]);
    let expected: string | undefined;
    try {
      expected = fernetDecrypt(v.token, v.secret).plaintext.toString('utf8');
    } catch {
      expected = undefined;
    }
    const r = kr.open(envelope(v.token), { verifyMac: true });
    expect(r.ok ? r.plaintext.toString('utf8') : undefined).toBe(expected);
  });

  it('round-trips many random values in both modes, and tells keys apart', () => {
    const kr = keyringFromTexts([
      { text: KEY_A, label: 'A', role: 'current' },
      { text: KEY_B, label: 'B', role: 'candidate' },
    ]);
    for (let i = 0; i < 300; i++) {
      const plain = JSON.stringify({ i, pad: 'x'.repeat(i % 37) });
      const key = i % 3 === 0 ? KEY_B : KEY_A;
      const data = envelope(fernetEncrypt(plain, key));
      for (const verifyMac of [true, false]) {
        const r = kr.open(data, { verifyMac });
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.plaintext.toString('utf8')).toBe(plain);
          expect(r.entry.label).toBe(key === KEY_A ? 'A' : 'B');
          expect(r.index).toBe(key === KEY_A ? 0 : 1);
        }
      }
    }
  });

  it('reports no key, and a tampered MAC only in verified mode', () => {
    const kr = keyringFromTexts([{ text: KEY_A, label: 'A', role: 'current' }]);
    const token = fernetEncrypt('{"a":1}', KEY_B);
    expect(kr.open(envelope(token))).toEqual({ ok: false, reason: 'no-key' });
    expect(kr.open(envelope(token), { verifyMac: false })).toEqual({ ok: false, reason: 'no-key' });
    const good = Buffer.from(fernetEncrypt('{"a":1}', KEY_A), 'base64url');
    good[good.length - 1]! ^= 1;
    const tampered = toUrlsafeBase64Padded(good);
    expect(kr.open(envelope(tampered))).toEqual({ ok: false, reason: 'no-key' });
    expect(kr.open(envelope(tampered), { verifyMac: false }).ok).toBe(true);
    expect(kr.open(envelope('not a token'))).toMatchObject({ ok: false });
  });

  it('an empty keyring opens nothing and has no primary', () => {
    const kr = buildKeyring([]);
    expect(kr.primary).toBeUndefined();
    expect(kr.open(envelope(fernetEncrypt('{}', KEY_A)))).toEqual({ ok: false, reason: 'no-key' });
  });
});

describe('buildKeyring', () => {
  it('tries the explicit key, then the current derived key, then candidates; drops duplicates', async () => {
    const keys = await deriveKeys([
      { kind: 'client-secret', secret: new Secret('candidate-secret', 'x'), label: 'cand', role: 'candidate' },
      { kind: 'client-secret', secret: new Secret('current-secret', 'x'), label: 'cur', role: 'current' },
      { kind: 'client-secret', secret: new Secret('current-secret', 'x'), label: 'dup', role: 'candidate' },
    ]);
    const kr = buildKeyring(keys, new Secret(KEY_A, 'explicit (test)'));
    expect(kr.entries.map((e) => [e.label, e.role])).toEqual([
      ['explicit (test)', 'explicit'],
      ['cur', 'current'],
      ['cand', 'candidate'],
    ]);
    expect(kr.primary?.label).toBe('explicit (test)');
    expect(kr.entries[0]!.fingerprint).toBe(storeFingerprint(KEY_A));
    const cur = keys.find((k) => k.label === 'cur')!;
    expect(kr.entries[1]!.fingerprint).toBe(cur.fingerprint);
  });

  it('only candidates: no primary, so nothing counts as decryptable with the key in use', async () => {
    const keys = await deriveKeys([{ kind: 'client-secret', secret: new Secret('s', 'x'), label: 'cand', role: 'candidate' }]);
    expect(buildKeyring(keys).primary).toBeUndefined();
  });

  it('rejects an explicit key that is not a Fernet key, without echoing it', () => {
    let err: unknown;
    try {
      buildKeyring([], new Secret('definitely-not-a-key', 'storage encryption key (file k)'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect(String((err as Error).message)).not.toContain('definitely-not-a-key');
  });
});
