import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyUrlDifference } from '../../src/diagnosis/rules/discovery.js';
import { isLoopbackHost } from '../../src/server/urls.js';
import { asMetadataUrls, prmWellKnownUrls } from '../../src/server/discovery.js';

describe('well-known URLs', () => {
  it('PRM: path-suffixed first, then root (2025-11-25 order); a server at the root has only the root form', () => {
    expect(prmWellKnownUrls('https://mcp.example.com/mcp')).toEqual([
      { form: 'path-suffixed', url: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp' },
      { form: 'root', url: 'https://mcp.example.com/.well-known/oauth-protected-resource' },
    ]);
    expect(prmWellKnownUrls('https://mcp.example.com/')).toEqual([{ form: 'root', url: 'https://mcp.example.com/.well-known/oauth-protected-resource' }]);
    expect(prmWellKnownUrls('https://mcp.example.com')).toEqual([{ form: 'root', url: 'https://mcp.example.com/.well-known/oauth-protected-resource' }]);
  });

  it("AS: FastMCP's issuer with its trailing slash has no path (no slash form requested)", () => {
    expect(asMetadataUrls('http://127.0.0.1:28431/')).toEqual([
      { form: 'rfc8414', url: 'http://127.0.0.1:28431/.well-known/oauth-authorization-server' },
      { form: 'oidc', url: 'http://127.0.0.1:28431/.well-known/openid-configuration' },
    ]);
  });

  it('AS: an issuer with a path: RFC 8414 insertion, OIDC insertion, OIDC appending (terminating slash removed)', () => {
    for (const issuer of ['https://auth.example.com/tenant1', 'https://auth.example.com/tenant1/']) {
      expect(asMetadataUrls(issuer).map((x) => x.url)).toEqual([
        'https://auth.example.com/.well-known/oauth-authorization-server/tenant1',
        'https://auth.example.com/.well-known/openid-configuration/tenant1',
        'https://auth.example.com/tenant1/.well-known/openid-configuration',
      ]);
    }
  });
});

describe('classifyUrlDifference', () => {
  const cases: [string, string, string[]][] = [
    ['https://h/mcp', 'https://h/mcp', []],
    ['https://h/mcp', 'https://h/mcp/', ['trailing-slash']],
    ['https://h', 'https://h/', ['trailing-slash']],
    ['https://h/mcp', 'https://h/mcp?utm_source=plugin', ['query']],
    ['https://h/mcp', 'https://h/', ['path']],
    ['https://h/mcp', 'http://h/mcp', ['scheme']],
    ['https://H.example.com/mcp', 'https://h.example.com/mcp', ['host-case']],
    ['https://h/mcp', 'https://h:8443/mcp', ['port']],
    ['https://h/mcp', 'https://h:443/mcp', ['port']],
    ['https://h/mcp', 'https://other/mcp', ['host']],
    ['https://h/mcp', '/mcp', ['not-a-url']],
  ];
  for (const [a, b, kinds] of cases) it(`${a} vs ${b}`, () => expect(classifyUrlDifference(a, b)).toEqual(kinds));

  it('property: a trailing slash added to any path is exactly a trailing-slash difference', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { minLength: 1, maxLength: 4 }), (segs) => {
        const u = `https://mcp.example.com/${segs.join('/')}`;
        expect(classifyUrlDifference(u, `${u}/`)).toEqual(['trailing-slash']);
        expect(classifyUrlDifference(u, u)).toEqual([]);
      }),
    );
  });
});

describe('isLoopbackHost', () => {
  it('accepts 127/8, ::1 and localhost; refuses the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '[::1]', '::1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['mcp.example.com', '10.0.0.1', '0.0.0.0', '128.0.0.1', 'localhost.example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
