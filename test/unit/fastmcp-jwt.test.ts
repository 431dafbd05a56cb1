/** Decoding a FastMCP JWT (src/fastmcp/jwt.ts): what is not a JWS, header order, pasted text, alg none. */
import { describe, expect, it } from 'vitest';
import { cleanTokenText, collectToken, decodeJwt } from '../../src/fastmcp/jwt.js';
import { listBundles } from '../support/bundles.js';

const bundles = listBundles();

describe('decoding', () => {
  it.each([
    ['abc', /1 segment/],
    ['a.b', /2 segments/],
    ['a.b.c.d.e', /JWE/],
    ['!!!.e30.sig', /base64url/],
    ['bm90IGpzb24.e30.sig', /header segment is not JSON/],
    ['e30.WzFd.sig', /payload is not a JSON object/],
  ])('rejects %s', (text, why) => {
    const r = decodeJwt(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(why);
  });

  it('recognises the header order of both signing libraries', () => {
    const b = bundles.find((x) => x.version === '2.14.7')!;
    const c = bundles.find((x) => x.version === '3.4.7')!;
    expect(decodeJwt(b.accessToken).ok && (decodeJwt(b.accessToken) as { jwt: { headerFamily: string } }).jwt.headerFamily).toBe('authlib');
    expect((decodeJwt(c.accessToken) as { jwt: { headerFamily: string } }).jwt.headerFamily).toBe('joserfc');
  });

  it('strips what people paste around a token', () => {
    expect(cleanTokenText('  Authorization: Bearer abc.def.ghi\n')).toBe('abc.def.ghi');
    expect(cleanTokenText('"abc.def.ghi"')).toBe('abc.def.ghi');
  });

  it('flags alg none as a rejected algorithm, not a crash', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"jti":"x"}').toString('base64url')}.`;
    const t = await collectToken(none, [], 't');
    expect(t.rejectedAlg).toBe('none');
  });
});
