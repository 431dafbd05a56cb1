/**
 * github-audit through the built CLI (run `npm run build` first): every export format, exit codes,
 * one-line errors, correlation (GITHUB_UPSTREAM_TOKEN and a real bundle's store), the audit-log API
 * against the stand-in GitHub, the timeline picture and its JSON.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashedToken } from '../../src/github/classify.js';
import { githubStateAtCapture, loadBundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { hashTree } from '../support/hash.js';

const DIR = fileURLToPath(new URL('../../fixtures/security-log', import.meta.url));
const f = (n: string) => join(DIR, n);
const TOKENS = JSON.parse(readFileSync(f('tokens.json'), 'utf8')) as { tokens: { label: string; token: string }[] };
const tok = (label: string) => TOKENS.tokens.find((t) => t.label === label)!.token;
const APP = 'Example MCP Proxy';

interface Rep {
  verdict: string;
  failingTier: string | null;
  findings: { code: string; severity: string; detail: string }[];
  tiers: Record<string, { status: string; reason: string }>;
  evidence: { idp: { status: string; reason?: string; value: { timelines: { user: string; app: string; peak: number; current: number; points: { at: number; live: number; event: string; explanation?: string }[] }[]; matches: { token: string; event: { action: string; explanation?: string } }[]; eventsForApp: number; appsSeen?: Record<string, number> } } };
}
const parse = (s: string) => JSON.parse(s) as Rep;

describe('github-audit (built CLI): exports', () => {
  it.each(['export-mona-example.json', 'export-mona-example.jsonl', 'export-mona-example.csv', 'export-mona-example.json.gz', 'export-mona-example.csv.gz'])(
    '%s with the evicted token in GITHUB_UPSTREAM_TOKEN → IDP_TOKEN_EVICTED_MAX_FOR_APP "at 14:02 … 11th token", exit 1',
    async (name) => {
      const r = await runCli(['github-audit', '--json', '--security-log', f(name), '--app', APP], { env: { GITHUB_UPSTREAM_TOKEN: tok('proxy-1') } });
      expect(r.code).toBe(1);
      const rep = parse(r.stdout);
      expect(rep.failingTier).toBe('idp');
      const first = rep.findings[0]!;
      expect(first.code).toBe('IDP_TOKEN_EVICTED_MAX_FOR_APP');
      expect(first.detail).toMatch(/evicted by max_for_app at 2026-11-21T14:02:00\.350Z, when the 11th token for mona-example \/ Example MCP Proxy was created/);
      expect(r.stdout + r.stderr).not.toContain(tok('proxy-1'));
      const [t] = rep.evidence.idp.value.timelines;
      expect(t).toMatchObject({ user: 'mona-example', app: APP, peak: 11, current: 10 });
      expect(t!.points.filter((p) => p.explanation === 'max_for_app')).toHaveLength(2);
    },
  );

  it('text output: the timeline picture with the 10-token line, plain characters under NO_COLOR', async () => {
    const r = await runCli(['github-audit', '--security-log', f('export-mona-example.json'), '--app', APP]);
    expect(r.code).toBe(0); // max_for_app seen and the cap reached are warnings: no token of ours is involved
    expect(r.stdout).toContain('10-token cap');
    expect(r.stdout).toMatch(/Example MCP Proxy · mona-example — estimated live tokens/);
    expect(r.stdout).toMatch(/destroyed +.*M/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('several exports (JSON and CSV of the same log) count each event once', async () => {
    const r = await runCli(['github-audit', '--json', '--security-log', f('export-mona-example.json'), '--security-log', f('export-mona-example.csv'), '--app', APP]);
    const rep = parse(r.stdout);
    expect(rep.evidence.idp.value.eventsForApp).toBe(15);
  });

  it('a token the log never mentions: no token finding, the app-level warnings remain', async () => {
    const r = await runCli(['github-audit', '--json', '--security-log', f('export-mona-example.json'), '--app', APP], { env: { GITHUB_UPSTREAM_TOKEN: tok('unrelated') } });
    const rep = parse(r.stdout);
    expect(rep.findings.map((x) => x.code).sort()).toEqual(['IDP_MAX_FOR_APP_SEEN', 'IDP_TOKEN_CAP_AT_RISK']);
    expect(r.code).toBe(0);
    expect(rep.verdict).toBe('healthy');
  });

  it('expired GitHub App token and a user revocation', async () => {
    const exp = parse((await runCli(['github-audit', '--json', '--security-log', f('export-mona-example.jsonl')], { env: { GITHUB_UPSTREAM_TOKEN: tok('ghapp-1') } })).stdout);
    expect(exp.findings[0]).toMatchObject({ code: 'IDP_TOKEN_REVOKED', severity: 'error' });
    expect(exp.findings[0]!.detail).toMatch(/explanation "expired"/);
    const rev = parse((await runCli(['github-audit', '--json', '--security-log', f('export-mona-example.csv')], { env: { GITHUB_UPSTREAM_TOKEN: tok('other-1') } })).stdout);
    expect(rev.findings[0]!.detail).toMatch(/no explanation/);
  });

  it('--app that the log does not name: inconclusive (exit 3), listing the apps seen', async () => {
    const r = await runCli(['github-audit', '--json', '--security-log', f('export-mona-example.json'), '--upstream-client-id', 'Ov23liNOTINTHELOG01']);
    expect(r.code).toBe(3);
    const rep = parse(r.stdout);
    expect(rep.verdict).toBe('inconclusive');
    expect(rep.evidence.idp.reason).toMatch(/no event in the log names the app "Ov23liNOTINTHELOG01" — apps seen: Example MCP Proxy \(15\)/);
  });

  it('--since drops older events', async () => {
    const rep = parse((await runCli(['github-audit', '--json', '--security-log', f('export-mona-example.json'), '--app', APP, '--since', '2026-11-21T14:00:00Z'])).stdout);
    expect(rep.evidence.idp.value.eventsForApp).toBe(4);
  });

  it.each(['truncated.json', 'truncated.jsonl', 'truncated.csv', 'truncated.json.gz'])('%s → exit 2, one line', async (name) => {
    const r = await runCli(['github-audit', '--security-log', f(name)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mcp-auth-doctor: security-log export .* ended mid-record after \d+ events/);
  });

  it('bad inputs: exit 2, one line', async () => {
    for (const args of [['github-audit'], ['github-audit', '--security-log', f('nope.json')], ['github-audit', '--security-log', f('empty.json')], ['github-audit', '--security-log', f('export-mona-example.json'), '--since', 'yesterday-ish']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--json error document on bad input', async () => {
    const r = await runCli(['github-audit', '--json', '--security-log', f('truncated.csv')]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.kind).toBe('InputError');
  });
});

describe('github-audit (built CLI): audit-log API', () => {
  const AUDIT = 'gho_auditauditauditauditauditauditaudit';
  let gh: FakeGithub;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'github-audit-e2e-'));
    const events = (JSON.parse(readFileSync(f('export-mona-example.json'), 'utf8')) as Record<string, unknown>[]).map((e) => ({ ...e }));
    gh = await startFakeGithub({ auditLog: { token: AUDIT, orgs: ['example-org'], events, maxPerPage: 4 } });
  });
  afterAll(async () => {
    await gh.close();
  });

  it('--org with GITHUB_TOKEN: pages through the log, same verdict as the export', async () => {
    const r = await runCli(['github-audit', '--json', '--org', 'example-org', '--app', APP, '--github-api-url', gh.apiUrl], { env: { GITHUB_TOKEN: AUDIT, GITHUB_UPSTREAM_TOKEN: tok('proxy-2') } });
    expect(r.code).toBe(1);
    const rep = parse(r.stdout);
    expect(rep.findings[0]!.code).toBe('IDP_TOKEN_EVICTED_MAX_FOR_APP');
    expect(rep.findings[0]!.detail).toMatch(/at 2026-11-21T14:40:10\.200Z, when the 11th token/);
    expect(gh.requests.filter((x) => x.path === '/orgs/example-org/audit-log').length).toBeGreaterThanOrEqual(3);
    expect(r.stdout + r.stderr).not.toContain(AUDIT);
  });

  it('--audit-token-file, wrong token → exit 3, one line naming read:audit_log', async () => {
    const file = join(dir, 'audit-token');
    writeFileSync(file, 'gho_wrongwrongwrongwrongwrongwrongwrong\n');
    const r = await runCli(['github-audit', '--org', 'example-org', '--audit-token-file', file, '--github-api-url', gh.apiUrl]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/answered 401 "Bad credentials" for --org example-org — give a valid token with the read:audit_log scope/);
  });

  it('--org without a token → exit 2', async () => {
    const r = await runCli(['github-audit', '--org', 'example-org', '--github-api-url', gh.apiUrl]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a token with read:audit_log/);
  });
});

describe('github-audit (built CLI): the store', () => {
  const b = loadBundle('3.4.7/b-upstream-revoked/default-filetree');
  const secret = b.current['upstream_client_secret (GitHub app client_secret)'];
  const env = { FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET: secret };

  it('store only: the cap estimate, inconclusive (no log read), store untouched', async () => {
    const before = hashTree(b.storePath);
    const r = await runCli(['github-audit', '--json', '--store', b.storePath, '--at', String(b.scenario.captured_at)], { env });
    expect(r.code).toBe(3);
    const rep = parse(r.stdout) as Rep & { evidence: { idp: { value: { storeEstimate: { liveUpstreamSets: number; oauthAppTokens: number } } } } };
    expect(rep.evidence.idp.value.storeEstimate).toMatchObject({ liveUpstreamSets: 1, oauthAppTokens: 0 });
    expect(rep.tiers.idp!.reason).toMatch(/only the store's estimate/);
    expect(hashTree(b.storePath)).toEqual(before);
  });

  it("correlates the store's upstream token with a security-log destroy of its hashed_token", async () => {
    // A security log for this bundle's story: the ghu_ token created at login, destroyed by the revocation.
    const state = githubStateAtCapture(b);
    const upstream = [...state.tokens.values()].find((t) => t.kind === 'access')!;
    const revokeTs = readFileSync(join(b.dir, 'logs', 'fake_github_events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; ts: number })
      .find((e) => e.event === 'admin_revoke')!.ts;
    const log = [
      { '@timestamp': Math.round(revokeTs * 1000), action: 'oauth_access.destroy', user: 'octo-fake', oauth_application_name: 'FastMCP stand-in app', hashed_token: `${hashedToken(upstream.token)}=` },
      { '@timestamp': Math.round(upstream.issuedAt * 1000), action: 'oauth_access.create', user: 'octo-fake', oauth_application_name: 'FastMCP stand-in app', hashed_token: `${hashedToken(upstream.token)}=` },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'github-audit-store-'));
    const file = join(dir, 'export-octo-fake.json');
    writeFileSync(file, JSON.stringify(log));
    const before = hashTree(b.storePath);
    const r = await runCli(['github-audit', '--json', '--store', b.storePath, '--security-log', file, '--at', String(b.scenario.captured_at), '--upstream-client-id', b.current['upstream_client_id (GitHub app client_id)']], { env });
    expect(r.code).toBe(1);
    const rep = parse(r.stdout);
    expect(rep.findings[0]!.code).toBe('IDP_TOKEN_REVOKED');
    expect(rep.findings[0]!.detail).toMatch(/for the upstream token ghu_…sha256:[0-9a-f]{8} of upstream set [A-Za-z0-9_-]{8}… \(MCP client 38465599-5e66-437d-8307-0ba5be39899f\)/);
    expect(rep.evidence.idp.value.matches).toHaveLength(2);
    expect(r.stdout).not.toContain(upstream.token);
    expect(hashTree(b.storePath)).toEqual(before);

    // The same story told only by the authorization removal (no per-token destroy in the log).
    writeFileSync(file, JSON.stringify([{ '@timestamp': Math.round(revokeTs * 1000), action: 'oauth_authorization.destroy', user: 'octo-fake', oauth_application_name: 'FastMCP stand-in app' }, log[1]]));
    const r2 = await runCli(['github-audit', '--json', '--store', b.storePath, '--security-log', file, '--at', String(b.scenario.captured_at)], { env });
    expect(r2.code).toBe(1);
    const f2 = parse(r2.stdout).findings[0]!;
    expect(f2.code).toBe('IDP_TOKEN_REVOKED');
    expect(f2.detail).toMatch(/oauth_authorization\.destroy for octo-fake at .*: the app's authorization was removed/);
  });
});
