import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FernetError, fernetDecrypt, fernetEncrypt, parseFernetKey } from '../../src/crypto/fernet.js';

const load = <T = any>(name: string): T[] => JSON.parse(readFileSync(new URL(`../../fixtures/fernet-spec/${name}`, import.meta.url), 'utf8'));
const unix = (iso: string) => Date.parse(iso) / 1000;

describe('Fernet against the spec vectors', () => {
  it.each(load<{ token: string; now: string; iv: number[]; src: string; secret: string }>('generate.json'))('generates the spec token for "$src"', (v: { token: string; now: string; iv: number[]; src: string; secret: string }) => {
    expect(fernetEncrypt(v.src, v.secret, { iv: Uint8Array.from(v.iv), timestamp: unix(v.now) })).toBe(v.token);
  });

  it.each(load<{ token: string; now: string; ttl_sec: number; src: string; secret: string }>('verify.json'))('verifies the spec token', (v: { token: string; now: string; ttl_sec: number; src: string; secret: string }) => {
    const out = fernetDecrypt(v.token, v.secret, { ttlSeconds: v.ttl_sec, now: unix(v.now) });
    expect(out.plaintext.toString('utf8')).toBe(v.src);
    expect(out.timestamp).toBe(Math.floor(unix('1985-10-26T01:20:00-07:00')));
  });

  it.each(load<{ desc: string; token: string; now: string; ttl_sec: number; secret: string }>('invalid.json'))('rejects: $desc', (v: { token: string; now: string; ttl_sec: number; secret: string }) => {
    expect(() => fernetDecrypt(v.token, v.secret, { ttlSeconds: v.ttl_sec, now: unix(v.now) })).toThrow(FernetError);
  });

  it('without a TTL (as FastMCP decrypts) only the clock cases pass', () => {
    const passing = (load('invalid.json') as { desc: string; token: string; secret: string }[]).filter((v) => {
      try {
        fernetDecrypt(v.token, v.secret);
        return true;
      } catch {
        return false;
      }
    });
    expect(passing.map((v) => v.desc).sort()).toEqual(['expired TTL', 'far-future TS (unacceptable clock skew)']);
  });

  it('names the reason for a wrong key', () => {
    const token = fernetEncrypt('x', 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=');
    try {
      fernetDecrypt(token, 'dybOIICoFVhKK74JrkAzN2mvap20HmmdqJHmpMF350g=');
      expect.unreachable();
    } catch (e) {
      expect((e as FernetError).reason).toBe('bad-mac');
    }
  });

  it('rejects keys that are not 32 URL-safe base64 bytes', () => {
    expect(() => parseFernetKey('too-short')).toThrow(FernetError);
    expect(() => parseFernetKey('cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=')).toThrow(FernetError);
  });
});
