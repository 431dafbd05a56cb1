import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../../src/server/www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it('parses FastMCP 3.4.7: one Bearer challenge with resource_metadata only', () => {
    const c = parseWwwAuthenticate('Bearer resource_metadata="http://127.0.0.1:50463/.well-known/oauth-protected-resource/mcp"');
    expect(c).toEqual([{ scheme: 'Bearer', params: { resource_metadata: 'http://127.0.0.1:50463/.well-known/oauth-protected-resource/mcp' } }]);
  });

  it('parses FastMCP 2.14.7: commas and periods inside a quoted error_description', () => {
    const h =
      'Bearer error="invalid_token", error_description="Authentication failed. The provided bearer token is invalid, expired, or no longer recognized by the server. To resolve: clear authentication tokens in your MCP client and reconnect. Your client should automatically re-register and obtain new tokens.", resource_metadata="http://127.0.0.1:45895/.well-known/oauth-protected-resource/mcp"';
    const [c, ...rest] = parseWwwAuthenticate(h);
    expect(rest).toEqual([]);
    expect(c!.params.error).toBe('invalid_token');
    expect(c!.params.error_description).toContain('invalid, expired, or no longer recognized');
    expect(c!.params.resource_metadata).toBe('http://127.0.0.1:45895/.well-known/oauth-protected-resource/mcp');
  });

  it('parses FastMCP 4.0.10: scope before resource_metadata', () => {
    const [c] = parseWwwAuthenticate('Bearer scope="user", resource_metadata="http://127.0.0.1:28431/.well-known/oauth-protected-resource/mcp"');
    expect(c!.params).toEqual({ scope: 'user', resource_metadata: 'http://127.0.0.1:28431/.well-known/oauth-protected-resource/mcp' });
  });

  it('separates several challenges in one field and across fields', () => {
    const c = parseWwwAuthenticate(['Basic realm="a, b", charset="UTF-8", Bearer realm=api, scope="x y"', 'DPoP algs="ES256 PS256"']);
    expect(c.map((x) => x.scheme)).toEqual(['Basic', 'Bearer', 'DPoP']);
    expect(c[0]!.params).toEqual({ realm: 'a, b', charset: 'UTF-8' });
    expect(c[1]!.params).toEqual({ realm: 'api', scope: 'x y' });
    expect(c[2]!.params).toEqual({ algs: 'ES256 PS256' });
  });

  it('handles escaped quotes, spaces around "=", upper-case names and token68', () => {
    const c = parseWwwAuthenticate('Negotiate YIIabc+/==, Bearer  Error = "say \\"hi\\"" ,  Realm=x');
    expect(c[0]).toEqual({ scheme: 'Negotiate', params: {}, token68: 'YIIabc+/==' });
    expect(c[1]!.params).toEqual({ error: 'say "hi"', realm: 'x' });
  });

  it('accepts a bare scheme and junk without throwing', () => {
    expect(parseWwwAuthenticate('Bearer')).toEqual([{ scheme: 'Bearer', params: {} }]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(() => parseWwwAuthenticate('Bearer ="x", ,,, "unterminated')).not.toThrow();
  });
});
