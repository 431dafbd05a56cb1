/**
 * diagnose on scenarios beyond the captured bundles (issue: "your own further scenarios"), through
 * the built CLI: a GitHub OAuth App deployment whose session was evicted by max_for_app (store with
 * more than 10 upstream sets for one user + a security log), an expired refresh chain, a refresh token
 * used as an access token, and an audience from before FastMCP 2.14.2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/model/index.js';
import { loadBundle, type Bundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { hashTree } from '../support/hash.js';
import { OAUTH_APP, writeOauthAppDeployment, type SyntheticDeployment } from '../support/synthetic-deployment.js';

const EXPORT = fileURLToPath(new URL('../../fixtures/security-log/export-mona-example.json', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mad-scenarios-'));

function file(name: string, text: string): string {
  const p = join(mkdtempSync(join(work, 'f-')), name);
  writeFileSync(p, `${text}\n`);
  return p;
}

async function diagnose(args: string[]): Promise<{ code: number | null; report: Report; stdout: string; stderr: string; byCode: (c: string) => Finding | undefined }> {
  const r = await runCli(['diagnose', ...args, '--json']);
  const report = JSON.parse(r.stdout) as Report;
  return { ...r, report, byCode: (c) => report.findings.find((f) => f.code === c) };
}

describe('a GitHub OAuth App deployment: twelve authorisations, the session evicted by max_for_app', () => {
  let d: SyntheticDeployment;
  let github: FakeGithub;
  let base: string[];

  beforeAll(async () => {
    d = writeOauthAppDeployment();
    const tokens: Record<string, Parameters<FakeGithub['setToken']>[1]> = {};
    for (const [label, token] of Object.entries(d.upstream)) {
      tokens[token] = label === 'proxy-1' || label === 'proxy-2' ? { kind: 'bad-credentials' } : { kind: 'ok', login: 'mona-example', id: 7, scopes: 'user', clientId: OAUTH_APP.clientId };
    }
    github = await startFakeGithub({ tokens, now: d.now, apps: { [OAUTH_APP.clientId]: { secret: OAUTH_APP.clientSecret, name: 'Example MCP Proxy' } } });
    base = ['--store', d.home, '--upstream-client-secret-file', d.clientSecretFile, '--upstream-client-id', OAUTH_APP.clientId, '--base-url', OAUTH_APP.baseUrl, '--at', String(d.now), '--github-api-url', github.apiUrl];
  });
  afterAll(async () => {
    await github?.close();
  });

  it('names the proven cause — evicted when the 11th token was created — with FastMCP stopping at the upstream check', async () => {
    const before = hashTree(d.home);
    const r = await diagnose([...base, '--token-file', file('jwt', d.evictedSessionToken), '--security-log', EXPORT, '--app', 'Example MCP Proxy']);
    expect(r.code).toBe(1);
    expect(r.report.failingTier).toBe('idp');
    expect(r.report.failingStage).toEqual({ stage: 'upstream.verify', tier: 'upstream', code: 'UPSTREAM_TOKEN_REJECTED' });
    expect(r.report.summary).toMatch(/\(IDP_TOKEN_EVICTED_MAX_FOR_APP\)\.$/);
    expect(r.report.fix).toMatch(/GitHub App/);
    expect(r.report.fix).not.toMatch(/security log/i);
    expect(r.report.findings.find((f) => f.severity === 'error')?.code).toBe('UPSTREAM_TOKEN_REJECTED');
    expect(r.byCode('UPSTREAM_TOKEN_REJECTED')?.explainedBy).toBe('IDP_TOKEN_EVICTED_MAX_FOR_APP');
    expect(r.byCode('UPSTREAM_TOKEN_REJECTED')?.title).not.toMatch(/401/);
    const evicted = r.byCode('IDP_TOKEN_EVICTED_MAX_FOR_APP')!;
    expect(evicted.severity).toBe('error');
    expect(evicted.detail).toContain('2026-11-21T14:02:00');
    expect(evicted.detail).toMatch(/11th/);
    expect(r.byCode('CONFIG_OAUTH_APP_TOKEN_CAP')?.severity).toBe('warning');
    expect(r.byCode('IDP_TOKEN_CAP_AT_RISK')).toBeDefined();
    // With the app's credentials GitHub is asked once, through check-token (404), and /user is never called.
    const asked = github.requestsFor(d.upstream['proxy-1']!);
    expect(asked.map((q) => `${q.method} ${q.path} ${q.auth}`)).toEqual([`POST /applications/${OAUTH_APP.clientId}/token basic`]);
    expect(hashTree(d.home)).toEqual(before);
    for (const t of Object.values(d.upstream)) expect(r.stdout).not.toContain(t);
  });

  it('offline, the security log alone names the idp tier', async () => {
    const r = await diagnose([...base, '--token-file', file('jwt', d.evictedSessionToken), '--security-log', EXPORT, '--app', 'Example MCP Proxy', '--offline']);
    expect(r.code).toBe(1);
    expect(r.report.failingTier).toBe('idp');
    expect(r.report.findings.find((f) => f.severity === 'error')?.code).toBe('IDP_TOKEN_EVICTED_MAX_FOR_APP');
  });

  it('--upstream-token-file probes the given GitHub token instead of the one the chain leads to', async () => {
    const r = await diagnose([...base, '--token-file', file('jwt', d.liveSessionToken), '--upstream-token-file', file('gh', d.upstream['proxy-2']!)]);
    expect(r.report.failingTier).toBe('upstream');
    expect(github.requestsFor(d.upstream['proxy-2']!)).toHaveLength(1);
    expect(r.stdout).not.toContain(d.upstream['proxy-2']);
  });

  it('a session whose token survived is healthy, with the cap hazard as warnings', async () => {
    const r = await diagnose([...base, '--token-file', file('jwt', d.liveSessionToken), '--security-log', EXPORT, '--app', 'Example MCP Proxy']);
    expect(r.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.report.verdict).toBe('healthy');
    expect(r.code).toBe(0);
    expect(r.byCode('CONFIG_OAUTH_APP_TOKEN_CAP')?.severity).toBe('warning');
    expect(r.byCode('IDP_MAX_FOR_APP_SEEN')).toBeDefined();
  });
});

describe('scenarios on the real bundles', () => {
  const secretArgs = (b: Bundle) => {
    const signing = b.current['jwt_signing_key (as passed to GitHubProvider)'];
    return signing ? ['--jwt-signing-key-file', file('key', signing)] : ['--upstream-client-secret-file', file('secret', b.current['upstream_client_secret (GitHub app client_secret)'])];
  };

  it('an expired refresh chain (2.14.7, 31 days later): the refresh hash is gone first — REFRESH_TOKEN_NOT_FOUND', async () => {
    const b = loadBundle('2.14.7/a-healthy/default-diskcache');
    const later = b.scenario.captured_at + 31 * 86400;
    const r = await diagnose(['--store', b.storePath, ...secretArgs(b), '--token-file', file('rt', b.refreshToken), '--base-url', b.current.base_url, '--at', String(later), '--offline']);
    expect(r.report.failingTier).toBe('refresh');
    expect(r.report.findings.find((f) => f.severity === 'error')?.code).toBe('REFRESH_TOKEN_NOT_FOUND');
    expect(r.byCode('JWT_EXPIRED')).toBeDefined();
  });

  it('a refresh token used as an access token: rejected on 3.4.7 (inferred from the header), only a warning on 2.14.7', async () => {
    const modern = loadBundle('3.4.7/a-healthy/default-filetree');
    const r = await diagnose(['--store', modern.storePath, ...secretArgs(modern), '--token-file', file('rt', modern.refreshToken), '--presented-as', 'access', '--base-url', modern.current.base_url, '--at', String(modern.scenario.captured_at), '--offline']);
    expect(r.report.failingTier).toBe('jwt');
    expect(r.report.findings.find((f) => f.severity === 'error')?.code).toBe('JWT_WRONG_TOKEN_USE');

    const old = loadBundle('2.14.7/a-healthy/default-diskcache');
    const r2 = await diagnose(['--store', old.storePath, ...secretArgs(old), '--token-file', file('rt', old.refreshToken), '--presented-as', 'access', '--base-url', old.current.base_url, '--at', String(old.scenario.captured_at), '--offline']);
    expect(r2.byCode('JWT_WRONG_TOKEN_USE')?.severity).toBe('warning');
    expect(r2.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('an audience from before 2.14.2: the server now mounted at /api/mcp rejects the hard-coded base_url + /mcp', async () => {
    const b = loadBundle('2.14.7/a-healthy/default-diskcache');
    const r = await diagnose(['--store', b.storePath, ...secretArgs(b), '--token-file', file('at', b.accessToken), '--base-url', b.current.base_url, '--mcp-path', '/api/mcp', '--at', String(b.scenario.captured_at), '--offline']);
    expect(r.report.failingTier).toBe('jwt');
    const aud = r.byCode('JWT_AUDIENCE_MISMATCH')!;
    expect(aud.detail).toContain('GHSA-5h2m-4q8j-pqpj');
    expect(aud.logLine).toContain('Token has invalid audience');
  });
});
