import { describe, expect, it } from 'vitest';
import { deriveKeys, hkdfKeyText, pbkdf2KeyText, JWT_KEY_SALT, KDF_ITERATIONS, KDF_ITERATIONS_TEST, storageKeyText, storeFingerprint, parseRawKey } from '../../src/fastmcp/keys.js';
import { Secret } from '../../src/secrets.js';

// Worked examples from spec/fastmcp-oauth-proxy.md §2.4 (verified against FastMCP 4.0.10 / the real bundles).
const HKDF_CASES = [
  { secret: 'supersecret-github-client-secret', jwt: 'x66wKramE3T2Gc4xZUwP051XUo8mUwIIupZk9PL92jI=', store: 'trjn6qR07yo_ahvjKLzMIrKw9qPjyj7tc-qKpfZpR-o=', fp: '6871c3608335' },
  { secret: 'fake_gh_client_secret_0001_DO_NOT_USE_aaaaaaaaaaaa', jwt: 'GbcrS5cEpQ2SN-BTfvWf6ap_5FKmcSWKNTEByxnV9Q4=', store: 'dybOIICoFVhKK74JrkAzN2mvap20HmmdqJHmpMF350g=', fp: 'c714d6d70505' },
];
const PBKDF2_CASES = [
  { key: 'my-long-jwt-signing-secret', jwt: 'LQd5_Usiw7Lp6idjdbHCjQZ0CS3IfkMAa1369ZM0XQU=', store: 'inumLHcbSRYbdONcRZyMmtUhrKixtc6DAWVnhNKExfc=', fp: 'a4fa89fbd4f5' },
  { key: 'fake-jwt-signing-key-ONE-for-tests-only-0001', jwt: 'JGL8TgytcmT_-U2iB8K8kyJo3dpRlDFKRQeMRdnbpmc=', store: 'B1_q8b8OKM6YGlOAO0BewrY1uizxgoSpa0eupH55iWg=', fp: '8e2094e892ed' },
  { key: 'fake-jwt-signing-key-TWO-for-tests-only-0002', jwt: 'NPOE_diTxNj-3L_MvPnKfW0AZekBqbuGcQVUOKqamoY=', store: 'CwU8dCaSvlOCrDeFTFJtwnbIEFPodcWWbTh1Nxoxd3k=', fp: 'd1505f751a45' },
];

describe('FastMCP key derivation (spec §2.4 worked examples)', () => {
  it.each(HKDF_CASES)('HKDF of a client secret → $fp', (c) => {
    const jwt = hkdfKeyText(c.secret, JWT_KEY_SALT);
    expect(jwt).toBe(c.jwt);
    expect(jwt).toHaveLength(44);
    expect(storageKeyText(jwt)).toBe(c.store);
    expect(storeFingerprint(c.store)).toBe(c.fp);
  });

  it.each(PBKDF2_CASES)('PBKDF2 (1,000,000) of a signing key → $fp', async (c) => {
    const jwt = await pbkdf2KeyText(c.key, JWT_KEY_SALT, KDF_ITERATIONS);
    expect(jwt).toBe(c.jwt);
    expect(storageKeyText(jwt)).toBe(c.store);
    expect(storeFingerprint(c.store)).toBe(c.fp);
  });

  it('PBKDF2 in FastMCP test mode (10 iterations)', async () => {
    expect(await pbkdf2KeyText('my-long-jwt-signing-secret', JWT_KEY_SALT, KDF_ITERATIONS_TEST)).toBe('ubmT60ewnnkk_P3ys0rKK69Fb_r7_FdexLOiyCWrC6Y=');
  });

  it('derives each distinct secret once and tries an unknown candidate both ways', async () => {
    const same = new Secret('my-long-jwt-signing-secret', 'test');
    const keys = await deriveKeys([
      { kind: 'jwt-signing-key', secret: same, label: 'current', role: 'current' },
      { kind: 'unknown', secret: same, label: 'candidate', role: 'candidate' },
    ]);
    expect(keys.map((k) => [k.label, k.derivation])).toEqual([
      ['current', 'pbkdf2'],
      ['candidate as a client secret', 'hkdf'],
      ['candidate as a jwt_signing_key string', 'pbkdf2'],
    ]);
    // The second PBKDF2 of the same material came from this run's cache.
    expect(keys[2]!.ms).toBe(0);
    expect(keys[0]!.fingerprint).toBe('a4fa89fbd4f5');
    expect(String(keys[0]!.hs256KeyText)).not.toContain('LQd5');
  });

  it('uses raw key bytes as-is and derives the store key from their UTF-8 text', async () => {
    const [k] = await deriveKeys([{ kind: 'raw-key', raw: Buffer.from('raw-bytes-key'), label: 'raw', role: 'current' }]);
    expect(Buffer.from(k!.hs256Key).toString()).toBe('raw-bytes-key');
    expect(k!.storageKey?.reveal()).toBe(storageKeyText('raw-bytes-key'));
  });

  it('parses raw key files as hex or base64', () => {
    expect(Buffer.from(parseRawKey('0x6869')).toString()).toBe('hi');
    expect(Buffer.from(parseRawKey('aGk=\n')).toString()).toBe('hi');
  });
});
