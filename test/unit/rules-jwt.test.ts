/**
 * The JWT tier's rules (src/diagnosis/rules/jwt.ts) over tokens collected as verify-token does:
 * every real bundle at captured_at, and the claims checks FastMCP makes per version.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/diagnosis/engine.js';
import { collected, type Evidence, type SettingsEvidence } from '../../src/model/index.js';
import { collectToken } from '../../src/fastmcp/jwt.js';
import { deriveKeys, type KeyInput } from '../../src/fastmcp/keys.js';
import { Secret } from '../../src/secrets.js';
import { resourceUrl, pydanticUrl } from '../../src/commands/resolve/settings.js';
import { listBundles, type Bundle, type ServerSettings } from '../support/bundles.js';

function keyInputs(s: ServerSettings, role: 'current' | 'candidate'): KeyInput {
  const signing = s['jwt_signing_key (as passed to GitHubProvider)'];
  return signing
    ? { kind: 'jwt-signing-key', secret: new Secret(signing, 'k'), label: `${role} jwt_signing_key`, role }
    : { kind: 'client-secret', secret: new Secret(s['upstream_client_secret (GitHub app client_secret)'], 'k'), label: `${role} client secret`, role };
}

function settingsFor(b: Bundle): SettingsEvidence {
  return { baseUrl: pydanticUrl(b.current.base_url), mcpPath: '/mcp', expectedIssuer: pydanticUrl(b.current.base_url), expectedAudience: resourceUrl(b.current.base_url, '/mcp'), requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'http://127.0.0.1:1', fastmcpVersion: b.version };
}

async function judge(b: Bundle, token: string, withCandidate = false) {
  const inputs = [keyInputs(b.current, 'current')];
  if (withCandidate) inputs.push(keyInputs(b.issuing, 'candidate'));
  const keys = await deriveKeys(inputs);
  const t = await collectToken(token, keys, 'test');
  const ev: Evidence = { command: 'verify-token', now: b.scenario.captured_at, settings: settingsFor(b), token: collected(t) };
  return buildReport(ev, { version: 'test', interrupted: false, plan: { tiers: ['jwt'], deciding: ['jwt'] } });
}

const bundles = listBundles();

describe('JWT tier on every real bundle, at captured_at, with the current settings', () => {
  it.each(bundles.map((b) => [b.id, b] as const))('%s access token', async (_id, b) => {
    const r = await judge(b, b.accessToken);
    const codes = r.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    if (b.scenario.expect_tier === 'jwt' && b.scenario.expect_reason === 'signature') expect(codes).toEqual(['JWT_SIGNATURE_INVALID']);
    else if (b.scenario.expect_tier === 'jwt' && b.scenario.expect_reason === 'expired') expect(codes).toEqual(['JWT_EXPIRED']);
    else expect(codes).toEqual([]);
    expect(r.verdict).toBe(codes.length ? 'failing' : 'healthy');
  });

  it.each(bundles.map((b) => [b.id, b] as const))('%s refresh token', async (_id, b) => {
    const r = await judge(b, b.refreshToken);
    const codes = r.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    expect(codes).toEqual(b.scenario.expect_reason === 'signature' ? ['JWT_SIGNATURE_INVALID'] : []);
  });

  it('names the previous key when it is given as a candidate (rotated-key bundles)', async () => {
    for (const b of bundles.filter((x) => x.scenario.expect_reason === 'signature')) {
      const r = await judge(b, b.accessToken, true);
      const sig = r.findings.find((f) => f.code === 'JWT_SIGNATURE_INVALID')!;
      expect(sig.detail).toContain('candidate jwt_signing_key');
      expect(r.findings.map((f) => f.code)).toContain('JWT_SIGNED_BY_CANDIDATE');
      expect(r.failingTier).toBe('jwt');
    }
  });

  it('reports expiry with how long ago and the clock-skew judgement (e-access-jwt-expired)', async () => {
    const b = bundles.find((x) => x.id === '3.4.7/e-access-jwt-expired/default-filetree')!;
    const r = await judge(b, b.accessToken);
    const f = r.findings.find((x) => x.code === 'JWT_EXPIRED')!;
    expect(f.detail).toMatch(/is 4 s before/);
    expect(f.detail).toMatch(/clock difference/);
    expect(f.logLine).toContain(': Token has expired'); // joserfc wording on 3.4+
    expect(r.stages?.find((s) => s.id === 'jwt.exp')?.status).toBe('fail');
  });
});

describe('claims checks', () => {
  const b = bundles.find((x) => x.id === '3.4.7/a-healthy/default-filetree')!;

  it('rejects a wrong issuer and explains the trailing slash', async () => {
    const keys = await deriveKeys([keyInputs(b.current, 'current')]);
    const t = await collectToken(b.accessToken, keys, 't');
    const s = { ...settingsFor(b), expectedIssuer: 'http://127.0.0.1:50463/x' };
    const r = buildReport({ command: 'verify-token', now: b.scenario.captured_at, settings: s, token: collected(t) }, { version: 't', interrupted: false, plan: { tiers: ['jwt'], deciding: ['jwt'] } });
    expect(r.findings.map((f) => f.code)).toEqual(['JWT_ISSUER_MISMATCH']);
  });

  it('explains GHSA-5h2m-4q8j-pqpj when a pre-2.14.2 token meets a server mounted elsewhere', async () => {
    const keys = await deriveKeys([keyInputs(b.current, 'current')]);
    const t = await collectToken(b.accessToken, keys, 't');
    const s = { ...settingsFor(b), mcpPath: '/api/mcp', expectedAudience: resourceUrl(b.current.base_url, '/api/mcp') };
    const r = buildReport({ command: 'verify-token', now: b.scenario.captured_at, settings: s, token: collected(t) }, { version: 't', interrupted: false, plan: { tiers: ['jwt'], deciding: ['jwt'] } });
    const f = r.findings.find((x) => x.code === 'JWT_AUDIENCE_MISMATCH')!;
    expect(f.detail).toContain('GHSA-5h2m-4q8j-pqpj');
    expect(f.detail).toContain('http://127.0.0.1:50463/api/mcp');
  });

  it('a refresh token used as a bearer: error on 3.2+, warning on 2.x', async () => {
    const keys = await deriveKeys([keyInputs(b.current, 'current')]);
    const t = await collectToken(b.refreshToken, keys, 't');
    const run = (v: string) => buildReport({ command: 'verify-token', now: b.scenario.captured_at, settings: { ...settingsFor(b), fastmcpVersion: v, presentedAs: 'access' }, token: collected(t) }, { version: 't', interrupted: false, plan: { tiers: ['jwt'], deciding: ['jwt'] } });
    const modern = run('3.4.7').findings.find((f) => f.code === 'JWT_WRONG_TOKEN_USE')!;
    expect(modern.severity).toBe('error');
    expect(modern.logLine).toContain('Token type mismatch');
    expect(run('2.14.7').findings.find((f) => f.code === 'JWT_WRONG_TOKEN_USE')!.severity).toBe('warning');
    expect(run('2.14.7').verdict).toBe('healthy');
  });

  it('never calls a token healthy when the signature was not checked', async () => {
    const t = await collectToken(b.accessToken, [], 't');
    const r = buildReport({ command: 'verify-token', now: b.scenario.captured_at, settings: settingsFor(b), token: collected(t, 'signature not checked (no key material)') }, { version: 't', interrupted: false, plan: { tiers: ['jwt'], deciding: ['jwt'] } });
    expect(r.verdict).toBe('inconclusive');
    expect(r.findings.map((f) => f.code)).toEqual(['JWT_NO_KEY_MATERIAL']);
  });
});

describe('nbf (FastMCP 4.2.1+ rejects a token that is not valid yet)', () => {
  const NOW = 1_800_000_000;
  const ev = (nbf: number, version?: string): Evidence => ({
    command: 'verify-token',
    now: NOW,
    settings: { mcpPath: '/mcp', requiredScopes: ['user'], candidateCount: 0, githubApiUrl: 'https://api.github.com', ...(version ? { fastmcpVersion: version, fastmcpVersionSource: 'flag' as const } : {}) },
    token: collected({ token: new Secret('eyJ.x.y', 't'), kind: 'access', claims: { jti: 'j', exp: NOW + 3600, nbf }, signature: { checked: true, validWithCurrent: true, validWith: 'current', tried: ['current'] } }),
  });
  const judge = (e: Evidence) => buildReport(e, { version: 't', interrupted: false, plan: { tiers: ['jwt'], deciding: ['jwt'] } });

  it('4.2.1+: an error at the exp stage, saying how far ahead and that a few seconds of clock skew explain it', () => {
    const r = judge(ev(NOW + 30, '4.2.1'));
    const f = r.findings.find((x) => x.code === 'JWT_NOT_YET_VALID');
    expect(f?.severity).toBe('error');
    expect(f?.stage).toBe('jwt.exp');
    expect(f?.detail).toMatch(/30 s after the evaluation time/);
    expect(f?.detail).toMatch(/clock difference of that size/);
    expect(r.failingStage).toEqual({ stage: 'jwt.exp', tier: 'jwt', code: 'JWT_NOT_YET_VALID' });
  });

  it('a day ahead: clock skew cannot explain it', () => {
    expect(judge(ev(NOW + 86400, '4.2.1')).findings[0]?.detail).toMatch(/Clock skew cannot explain/);
  });

  it('before 4.2.1 nbf is not read: a warning (breaks on upgrade); unknown version: an error with a note; past nbf: nothing', () => {
    expect(judge(ev(NOW + 30, '4.1.0')).findings.map((f) => `${f.severity}:${f.code}`)).toEqual(['warning:JWT_NOT_YET_VALID']);
    const unknown = judge(ev(NOW + 30)).findings.find((f) => f.code === 'JWT_NOT_YET_VALID');
    expect(unknown?.severity).toBe('error');
    expect(unknown?.detail).toMatch(/give --fastmcp-version/);
    expect(judge(ev(NOW - 30, '4.2.1')).findings.map((f) => f.code)).not.toContain('JWT_NOT_YET_VALID');
  });
});
