/** probeCanary against a real HTTP server on 127.0.0.1: accepted (session closed), rejected, error, unreachable. */
import { buildReport } from '../../src/diagnosis/engine.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { CanaryEvidence, Collected, TokenEvidence } from '../../src/model/index.js';
import { discoveryRules } from '../../src/diagnosis/rules/discovery.js';
import { Secret } from '../../src/secrets.js';
import { probeCanary, rpcAnswer } from '../../src/server/canary.js';
import { closedPort, startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';
import { serverTarget } from '../support/targets.js';

// A made-up token for these tests only (not a JWT of any real deployment).
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJjYW5hcnkiOnRydWV9.c2lnbmF0dXJlLW9mLXRoZS1jYW5hcnk';

let server: FakeMcpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const settings = { mcpPath: '/mcp', requiredScopes: [], candidateCount: 0, githubApiUrl: '' };

describe('probeCanary', () => {
  it('accepted: 200, reads the initialize result from SSE, then DELETEs the session and sends nothing else', async () => {
    server = await startFakeMcpServer({ preset: 'fastmcp-3.4.7', acceptedTokens: [TOKEN] });
    const c = await probeCanary(serverTarget(server.url, { timeoutMs: 5000 }), new Secret(TOKEN, 'test'));
    expect(c.status).toBe('collected');
    const v = (c as { value: CanaryEvidence }).value;
    expect(v).toMatchObject({ outcome: 'accepted', status: 200, protocolVersion: '2025-11-25', serverInfo: { version: '3.4.7' }, sessionClosed: { status: 200 } });
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'DELETE']);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.requests[1]!.headers['mcp-session-id']).toBeTruthy();
    expect(server.requests[1]!.headers['mcp-protocol-version']).toBe('2025-11-25');
    expect(server.openSessions.size).toBe(0);
    expect(discoveryRules({ command: 'check', now: 0, settings, canary: c })).toEqual([]);
    // The token is never part of the evidence.
    expect(JSON.stringify(c)).not.toContain(TOKEN);
  });

  it('rejected: 401 with the invalid_token challenge kept and parsed', async () => {
    server = await startFakeMcpServer({ preset: 'fastmcp-2.14.7' });
    const c = await probeCanary(serverTarget(server.url, { timeoutMs: 5000 }), new Secret(TOKEN, 'test'));
    const v = (c as { value: CanaryEvidence }).value;
    expect(v.outcome).toBe('rejected');
    expect(v.wwwAuthenticate).toMatch(/^Bearer error="invalid_token"/);
    expect(v.challenges![0]!.params.resource_metadata).toBe(`${server.origin}/.well-known/oauth-protected-resource/mcp`);
    expect(server.requests).toHaveLength(1);
    const f = discoveryRules({ command: 'check', now: 0, settings, canary: c });
    expect(f.map((x) => `${x.severity}:${x.code}`)).toEqual(['error:DISCOVERY_CANARY_REJECTED']);
    expect(f[0]!.detail).toContain('invalid_token');
    expect(JSON.stringify(f)).not.toContain(TOKEN);
  });

  it('a rejection stays an error at the canary stage, ordered after the token\'s own stages, so an explaining tier wins the verdict', async () => {
    server = await startFakeMcpServer();
    const c = await probeCanary(serverTarget(server.url, { timeoutMs: 5000 }), new Secret(TOKEN, 'test'));
    const token: Collected<TokenEvidence> = { status: 'collected', value: { token: new Secret(TOKEN, 'test'), claims: { jti: 'x', exp: 1 }, kind: 'access', signature: { checked: false, tried: [] } } };
    const f = discoveryRules({ command: 'check', now: 0, settings, canary: c, token });
    expect(f.map((x) => `${x.severity}:${x.code}:${x.stage}`)).toEqual(['error:DISCOVERY_CANARY_REJECTED:canary']);
    // With the token expired (exp 1 < now 10), the JWT tier explains the rejection and is named.
    const report = buildReport({ command: 'check', now: 10, settings, canary: c, token }, { version: 't', interrupted: false, plan: { tiers: ['discovery', 'jwt'], deciding: ['discovery'] } });
    expect(report.failingTier).toBe('jwt');
    expect(report.findings.filter((x) => x.severity === 'error').map((x) => x.code)).toEqual(['JWT_EXPIRED', 'DISCOVERY_CANARY_REJECTED']);
  });

  it('another status is an error outcome', async () => {
    server = await startFakeMcpServer({ authedStatus: 500 });
    const c = await probeCanary(serverTarget(server.url, { timeoutMs: 5000 }), new Secret(TOKEN, 'test'));
    expect((c as { value: CanaryEvidence }).value).toMatchObject({ outcome: 'error', status: 500, message: 'server_error' });
    expect(discoveryRules({ command: 'check', now: 0, settings, canary: c }).map((x) => x.code)).toEqual(['DISCOVERY_CANARY_ERROR']);
  });

  it('unreachable: evidence error without the token in the reason', async () => {
    const port = await closedPort();
    const c = await probeCanary(serverTarget(`http://127.0.0.1:${port}/mcp`, { timeoutMs: 2000 }), new Secret(TOKEN, 'test'));
    expect(c.status).toBe('error');
    if (c.status === 'error') {
      expect(c.reason).toContain('connection refused');
      expect(c.reason).not.toContain(TOKEN);
    }
  });
});

describe('rpcAnswer', () => {
  it('reads JSON bodies, SSE with CRLF and multi-line data, and ignores incomplete events', () => {
    expect(rpcAnswer('{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"x"}}')?.result?.protocolVersion).toBe('x');
    expect(rpcAnswer('event: message\r\ndata: {"jsonrpc":"2.0","id":1,\r\ndata: "result":{}}\r\n\r\n')?.id).toBe(1);
    expect(rpcAnswer('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}')).toBeUndefined();
    expect(rpcAnswer('data: {"jsonrpc":"2.0","method":"notifications/message"}\n\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n')?.id).toBe(1);
  });
});
