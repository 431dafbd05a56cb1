/**
 * Secret hygiene, through the built CLI (`npm run build` first): every command over every real bundle
 * (with its deployment's secrets, a Redis password in the URL, a stand-in GitHub, a stand-in MCP
 * server), the synthetic security-log exports, the audit-log API, the demo, and the error paths (wrong
 * keys, refused and failed Redis logins, GitHub 401s, rejected canaries, --debug) — in text, --json and
 * --format github (with GITHUB_STEP_SUMMARY). No known secret may appear in stdout, stderr, the JSON
 * or the step summary: not whole, not as any 12-character piece. With --show-secrets they do appear,
 * which proves the check can fail.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session, writeDiskcache, writeFileTree, type EntrySpec } from '../../fixtures/stores/writer.js';
import { listBundles, type Bundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { fakeGithubFromBundle, startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { closedPort, startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';
import { loadRedisDump, startRedis, type RedisServer } from '../support/redis.js';
import { bundleSecrets, leaks, program, type KnownSecret } from './secrets-support.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
const SECLOG = join(FIXTURES, 'security-log');
const DEMO = join(FIXTURES, 'demo');
const work = mkdtempSync(join(tmpdir(), 'mad-secrets-'));
let seq = 0;
const file = (text: string) => {
  const p = join(work, `f${(seq += 1)}`);
  writeFileSync(p, text);
  return p;
};

// Secrets of the suite itself (besides the fixtures').
const REDIS_PASSWORD = 'rPw-7f3a9cQx2LmZ8vTq4NsY1kWd';
const AUDIT_TOKEN = 'ghp_Qm3xTz81LvKpA0ds7YhW2nRc9fBe4Jk6Ug5';
const WRONG_CLIENT_SECRET = 'wCs-9dK2mQ7xV4pL1zT8rN6bY3hF';
const WRONG_REDIS_PASSWORD = 'wRp-5tG8jW2qM9xC4vB7nK1sD6';
const NOT_A_FERNET_KEY = 'nFk-3hJ6wP9mX2cV5bN8qT1zR4';
const UNKNOWN_UPSTREAM = 'ghu_Vb8kP2xQ7mZ4tL9wR1nC6yD3fH5jS0aG';
const SUITE_SECRETS: KnownSecret[] = [
  { label: 'Redis password', value: REDIS_PASSWORD },
  { label: 'audit-log token', value: AUDIT_TOKEN },
  { label: 'wrong client secret', value: WRONG_CLIENT_SECRET },
  { label: 'wrong Redis password', value: WRONG_REDIS_PASSWORD },
  { label: 'garbage storage key', value: NOT_A_FERNET_KEY },
  { label: 'unknown upstream token', value: UNKNOWN_UPSTREAM },
];

/**
 * A synthetic store holding every kind of secret FastMCP keeps (fastmcp-oauth-proxy.md §4.2): a
 * confidential client's secret, a transaction's client state, PKCE verifier, CSRF and consent tokens,
 * an authorization code (also its key) with the IdP tokens, upstream access and refresh tokens.
 */
const NOW = 1_795_299_500;
const STORE_KEY = 'rXq0b2hKZ1dTa3pQbE1uOVhjVjdUeTR3UjJnRjhkQjE=';
const CODE = 'pAc-Kd93xLq7ZmT2vW8rN5bY1hF4jS6g';
const storeSecrets = {
  clientSecret: 'cSc-Hx47qLm2ZpT9vW3rN8bY6kF1',
  clientState: 'cSt-Nq28xVm5ZkT1pW7rL4bY9hD3',
  challenge: 'cCh-Tz61qLm8XpV3wR9nK2bY5hF7',
  verifier: 'pCv-Wq93xZm4LkT7pV1rN6bY2hD8',
  csrf: 'csr-Lm52qXz9TpV4wK8rN1bY7hF3',
  consent: 'cNt-Xz17qLm6VpT2wR5nK9bY4hD8',
  idpAccess: 'gho_Rt5yU8iO2pL4kJ7hG1fD9sA3zX6cV0bN',
  idpRefresh: 'ghr_Mn6bV9cX2zL5kJ8hG4fD1sA7pO3iU0yT',
  idToken: 'iDt-Qw84eRt2YuI7oP5aS1dF9gH3',
};
function syntheticEntries(): { entries: EntrySpec[]; secrets: string[] } {
  const s1 = session({ clientId: '5d5b1a4e-0000-4000-8000-000000000001', now: NOW });
  const client: EntrySpec = { ...s1.client, value: { ...s1.client.value, token_endpoint_auth_method: 'client_secret_post', client_secret: storeSecrets.clientSecret } };
  const txn: EntrySpec = {
    collection: 'mcp-oauth-transactions',
    key: 'txn-Jk29Lm4Nq7',
    createdAt: NOW,
    expiresAt: NOW + 900,
    value: { txn_id: 'txn-Jk29Lm4Nq7', client_id: s1.client.key, client_redirect_uri: 'http://127.0.0.1:33418/callback', client_state: storeSecrets.clientState, code_challenge: storeSecrets.challenge, code_challenge_method: 'S256', scopes: ['user'], created_at: NOW, resource: 'http://127.0.0.1:8000/mcp', proxy_code_verifier: storeSecrets.verifier, csrf_token: storeSecrets.csrf, csrf_expires_at: NOW + 900, consent_token: storeSecrets.consent },
  };
  const code: EntrySpec = {
    collection: 'mcp-authorization-codes',
    key: CODE,
    createdAt: NOW,
    expiresAt: NOW + 300,
    value: { code: CODE, client_id: s1.client.key, redirect_uri: 'http://127.0.0.1:33418/callback', code_challenge: storeSecrets.challenge, code_challenge_method: 'S256', scopes: ['user'], idp_tokens: { access_token: storeSecrets.idpAccess, refresh_token: storeSecrets.idpRefresh, id_token: storeSecrets.idToken, token_type: 'bearer' }, expires_at: NOW + 300, created_at: NOW },
  };
  const entries = [client, txn, code, s1.upstream, s1.accessMapping, s1.refreshMapping, s1.refreshMeta];
  return { entries, secrets: [...Object.values(storeSecrets), CODE, s1.accessToken, s1.refreshToken!] };
}
let synthetic: { fileTree: string; diskcache: string; plainFileTree: string };

const bundles = listBundles();
let secrets: KnownSecret[] = [];
let redis: RedisServer;
const github = new Map<string, FakeGithub>();
const mcp = new Map<string, FakeMcpServer>();
let auditGithub: FakeGithub;
const db = new Map<string, number>();

beforeAll(async () => {
  const all = new Map<string, KnownSecret>();
  for (const s of SUITE_SECRETS) all.set(s.value, s);
  for (const b of bundles) for (const s of await bundleSecrets(b)) if (!all.has(s.value)) all.set(s.value, { label: `${b.id}: ${s.label}`, value: s.value });
  const seclog = JSON.parse(readFileSync(join(SECLOG, 'tokens.json'), 'utf8')) as { tokens: { label: string; token: string }[] };
  for (const t of seclog.tokens) all.set(t.token, { label: `security-log ${t.label}`, value: t.token });
  for (const n of ['jwt-signing-key.txt', 'previous-jwt-signing-key.txt', 'access-token.jwt']) {
    const v = readFileSync(join(DEMO, n), 'utf8').trim();
    if (!all.has(v)) all.set(v, { label: `demo ${n}`, value: v });
  }
  const syn = syntheticEntries();
  for (const v of [...syn.secrets, STORE_KEY]) all.set(v, { label: 'synthetic store secret', value: v });
  secrets = [...all.values()];
  synthetic = { fileTree: join(work, 'filetree'), diskcache: join(work, 'diskcache'), plainFileTree: join(work, 'plain-filetree') };
  writeFileTree(synthetic.fileTree, syn.entries, { fernetKey: STORE_KEY, sanitised: false });
  writeFileTree(synthetic.plainFileTree, syn.entries, { sanitised: false });
  synthetic.diskcache = writeDiskcache(synthetic.diskcache, syn.entries.map((e) => ({ ...e })), STORE_KEY);

  redis = await startRedis({ config: [`requirepass ${REDIS_PASSWORD}`] });
  let n = 0;
  for (const b of bundles) {
    if (b.redisDump) {
      n += 1;
      loadRedisDump(redis, b.redisDump, n);
      db.set(b.id, n);
    }
    github.set(b.id, await fakeGithubFromBundle(b));
    mcp.set(b.id, await startFakeMcpServer({ preset: b.version === '2.14.7' ? 'fastmcp-2.14.7' : 'fastmcp-3.4.7', acceptedTokens: [b.accessToken] }));
  }
  const events = JSON.parse(readFileSync(join(SECLOG, 'export-mona-example.json'), 'utf8')) as Record<string, unknown>[];
  auditGithub = await startFakeGithub({ auditLog: { token: AUDIT_TOKEN, orgs: ['example-org'], events, maxPerPage: 5 } });
}, 120_000);

afterAll(async () => {
  await redis?.stop();
  for (const g of github.values()) await g.close();
  for (const m of mcp.values()) await m.close();
  await auditGithub?.close();
});

// ---------------------------------------------------------------------------------------------

interface Run {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Expected exit codes (default: any verdict, 0/1/3). */
  codes?: number[];
}

function deployment(b: Bundle): { keys: string[]; store: string[]; at: string[]; base: string[]; client: string[] } {
  const keys: string[] = [];
  const signing = b.current['jwt_signing_key (as passed to GitHubProvider)'];
  if (signing) keys.push('--jwt-signing-key-file', file(`${signing}\n`));
  keys.push('--upstream-client-secret-file', file(`${b.current['upstream_client_secret (GitHub app client_secret)']}\n`));
  const previous = b.issuing['jwt_signing_key (as passed to GitHubProvider)'];
  if (previous && previous !== signing) keys.push('--candidate-secret-file', file(`${previous}\n`));
  if (b.storageKey) keys.push('--storage-encryption-key-file', file(`${b.storageKey}\n`));
  const store = ['--store', b.redisDump ? `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}/${db.get(b.id)}` : b.storePath];
  return { keys, store, at: ['--at', String(b.scenario.captured_at)], base: ['--base-url', b.current.base_url], client: ['--upstream-client-id', b.current['upstream_client_id (GitHub app client_id)']] };
}

function bundleRuns(b: Bundle): Run[] {
  const d = deployment(b);
  const gh = ['--github-api-url', github.get(b.id)!.apiUrl];
  const access = ['--token-file', file(`${b.accessToken}\n`)];
  const refresh = ['--token-file', file(`${b.refreshToken}\n`)];
  return [
    { name: 'inspect-cache --show-entries', args: ['inspect-cache', ...d.store, ...d.keys, ...d.at, '--show-entries'] },
    { name: 'verify-token (refresh JWT)', args: ['verify-token', ...refresh, ...d.keys, ...d.store, ...d.base, ...d.at] },
    { name: 'probe-github (token through the store, check-token with the app secret)', args: ['probe-github', ...access, ...d.store, ...d.keys, ...gh, ...d.client, ...d.at], codes: [0, 1, 2, 3] },
    { name: 'github-audit (store + export)', args: ['github-audit', ...d.store, ...d.keys, ...d.client, '--security-log', join(SECLOG, 'export-mona-example.json'), ...d.at] },
    { name: 'diagnose (access JWT)', args: ['diagnose', ...access, ...d.keys, ...d.store, ...gh, ...d.client, ...d.base, ...d.at, '--security-log', join(SECLOG, 'export-mona-example.jsonl')] },
    { name: 'check (canary + inside-out)', args: ['check', '--server', mcp.get(b.id)!.url, ...access, ...d.keys, ...d.store, ...gh, ...d.client, ...d.base, ...d.at] },
  ];
}

function otherRuns(): Run[] {
  const b = bundles.find((x) => x.id === '3.4.7/a-healthy/redis-fernet')!;
  const d = deployment(b);
  const seclog = JSON.parse(readFileSync(join(SECLOG, 'tokens.json'), 'utf8')) as { tokens: { label: string; token: string }[] };
  const tok = (l: string) => seclog.tokens.find((t) => t.label === l)!.token;
  const healthyFile = bundles.find((x) => x.id === '3.4.7/a-healthy/default-filetree')!;
  const storeKey = ['--storage-encryption-key-file', file(`${STORE_KEY}\n`)];
  const synAt = ['--at', String(NOW + 60)];
  return [
    { name: 'synthetic FileTree store, every secret kind, --show-entries', args: ['inspect-cache', '--store', synthetic.fileTree, ...storeKey, ...synAt, '--show-entries'] },
    { name: 'synthetic plaintext FileTree store, --show-entries', args: ['inspect-cache', '--store', synthetic.plainFileTree, ...synAt, '--show-entries'] },
    { name: 'synthetic diskcache store, --show-entries', args: ['inspect-cache', '--store', synthetic.diskcache, ...storeKey, ...synAt, '--show-entries'] },
    { name: 'synthetic store through diagnose and github-audit', args: ['diagnose', '--store', synthetic.fileTree, ...storeKey, ...synAt] },
    { name: 'synthetic store, github-audit estimate', args: ['github-audit', '--store', synthetic.fileTree, ...storeKey, ...synAt] },
    { name: 'demo (npm run demo)', args: ['diagnose', '--env-file', join(DEMO, 'deployment.env'), '--store', join(DEMO, 'fastmcp-home'), '--token-file', join(DEMO, 'access-token.jwt'), '--jwt-signing-key-file', join(DEMO, 'jwt-signing-key.txt'), '--candidate-secret-file', join(DEMO, 'previous-jwt-signing-key.txt'), '--at', '2026-11-21T22:19:02Z', '--offline'] },
    ...['export-mona-example.json', 'export-mona-example.jsonl', 'export-mona-example.csv', 'export-mona-example.json.gz'].map((f) => ({ name: `github-audit ${f} with GITHUB_UPSTREAM_TOKEN`, args: ['github-audit', '--security-log', join(SECLOG, f), '--app', 'Example MCP Proxy'], env: { GITHUB_UPSTREAM_TOKEN: tok('proxy-1') } })),
    { name: 'github-audit --org (audit-log API) with GITHUB_UPSTREAM_TOKEN', args: ['github-audit', '--org', 'example-org', '--audit-token-file', file(`${AUDIT_TOKEN}\n`), '--github-api-url', auditGithub.apiUrl, '--app', 'Example MCP Proxy'], env: { GITHUB_UPSTREAM_TOKEN: tok('proxy-2') } },
    { name: 'secrets from --env-file and env', args: ['diagnose', '--env-file', file(`FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET="${healthyFile.current['upstream_client_secret (GitHub app client_secret)']}"\nGITHUB_UPSTREAM_TOKEN=${tok('proxy-3')}\n`), '--store', healthyFile.storePath, '--token-file', file(healthyFile.accessToken), '--offline', '--at', String(healthyFile.scenario.captured_at)] },
    // Error paths.
    { name: 'wrong client secret', args: ['verify-token', '--token-file', file(b.accessToken), '--upstream-client-secret-file', file(WRONG_CLIENT_SECRET), ...d.at], codes: [1] },
    { name: 'a secret given as the token', args: ['verify-token', '--token-file', file(WRONG_CLIENT_SECRET)], codes: [2] },
    { name: 'storage key that is not a Fernet key', args: ['inspect-cache', ...d.store, '--storage-encryption-key-file', file(NOT_A_FERNET_KEY)], codes: [2] },
    { name: 'Redis refused, password in the URL', args: ['inspect-cache', '--store', `redis://:${REDIS_PASSWORD}@127.0.0.1:${port}/0`, '--storage-encryption-key-file', file(b.storageKey!)], codes: [3] },
    { name: 'Redis login fails, wrong password in the URL', args: ['inspect-cache', '--store', `redis://default:${WRONG_REDIS_PASSWORD}@127.0.0.1:${redis.port}/0`], codes: [3] },
    { name: 'Redis password from --redis-password-file, wrong', args: ['inspect-cache', '--store', `redis://127.0.0.1:${redis.port}/0`, '--redis-password-file', file(WRONG_REDIS_PASSWORD)], codes: [3] },
    { name: 'unsupported store URL with a password', args: ['inspect-cache', '--store', `mongodb://admin:${REDIS_PASSWORD}@127.0.0.1/x`], codes: [2] },
    { name: 'GitHub 401 for the token', args: ['probe-github', '--upstream-token-file', file(UNKNOWN_UPSTREAM), '--github-api-url', github.get(b.id)!.apiUrl, '--no-check-token'], codes: [1] },
    { name: 'check-token with a wrong app secret', args: ['probe-github', '--upstream-token-file', file(UNKNOWN_UPSTREAM), '--github-api-url', github.get(b.id)!.apiUrl, ...d.client, '--upstream-client-secret-file', file(WRONG_CLIENT_SECRET)], codes: [3] },
    { name: 'audit-log API 401 for the token', args: ['github-audit', '--org', 'example-org', '--audit-token-file', file(WRONG_CLIENT_SECRET), '--github-api-url', auditGithub.apiUrl], codes: [3] },
    { name: 'GitHub unreachable', args: ['probe-github', '--upstream-token-file', file(UNKNOWN_UPSTREAM), '--github-api-url', `http://127.0.0.1:${port}`, '--github-timeout', '2000'], codes: [3] },
    { name: 'the canary is rejected', args: ['check', '--server', mcp.get('3.4.7/a-healthy/default-filetree')!.url, '--token-file', file(b.accessToken)], codes: [1] },
    { name: 'MCP server unreachable, with the canary', args: ['check', '--server', `http://127.0.0.1:${port}/mcp`, '--token-file', file(b.accessToken), '--http-timeout', '2000'], codes: [3] },
  ];
}

/** A closed port for the "refused" cases (set before the runs are built). */
let port = 0;

const formats: { name: string; args: string[] }[] = [
  { name: 'text', args: [] },
  { name: 'json', args: ['--json'] },
  { name: 'github', args: ['--format', 'github'] },
];

async function runChecked(run: Run, format: { name: string; args: string[] }, extra: string[] = []): Promise<void> {
  const summary = join(work, `summary-${(seq += 1)}.md`);
  writeFileSync(summary, '');
  const args = [...run.args, ...format.args, ...extra];
  const r = await runCli(args, { env: { ...(run.env ?? {}), GITHUB_STEP_SUMMARY: summary }, timeoutMs: 60_000 });
  const outputs = { stdout: r.stdout, stderr: r.stderr, summary: readFileSync(summary, 'utf8') };
  // What the operator typed in the clear (paths, URLs without their passwords) is no leak.
  let typed = args.join(' ');
  for (const s of secrets) typed = typed.split(s.value).join(' ');
  // Finding codes are public, also in lower case (the docs/findings.md anchors the GitHub summary links to).
  const publicText = `${program()}\n${program().toLowerCase()}\n${typed}`;
  for (const [where, text] of Object.entries(outputs)) expect(leaks(text, secrets, publicText), `${run.name} (${format.name}${extra.join(' ')}) ${where}`).toEqual([]);
  expect(r.stderr).not.toMatch(/internal error/);
  if (!extra.includes('--debug')) expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(run.codes ?? [0, 1, 3]).toContain(r.code);
  if (format.name === 'json') JSON.parse(r.stdout);
  if (format.name === 'github' && !run.codes) expect(outputs.summary.length).toBeGreaterThan(0);
}

describe('no secret in any output', () => {
  it('knows the fixtures\' secrets (settings, tokens, stand-in GitHub, decrypted stores)', () => {
    expect(secrets.length).toBeGreaterThan(100);
    const labels = secrets.map((s) => s.label).join('\n');
    for (const kind of ['client secret', 'jwt_signing_key', 'HS256 key text', 'fernet_key (derived)', 'fernet_key (STORAGE_ENCRYPTION_KEY, explicit)', 'tokens.json', 'stand-in GitHub access_tokens', 'stand-in GitHub refresh_tokens']) expect(labels).toContain(kind);
  });

  // Bundles × formats, several at a time (each runs the six commands in turn).
  it.concurrent.each(bundles.flatMap((b) => formats.map((f) => [b.id, f.name, b, f] as const)))('%s: every command (%s)', async (_id, _f, b, format) => {
    for (const run of bundleRuns(b)) await runChecked(run, format);
  }, 300_000);

  describe('other fixtures and the error paths', () => {
    it.concurrent.each(formats.map((f) => [f.name, f] as const))('%s', async (_f, format) => {
      port ||= await closedPort();
      for (const run of otherRuns()) await runChecked(run, format);
    }, 240_000);

    it('--debug on the error paths (stack traces, still no secret)', async () => {
      port ||= await closedPort();
      for (const run of otherRuns().filter((r) => r.codes && !r.codes.includes(0) && !r.codes.includes(1))) await runChecked(run, formats[0]!, ['--debug']);
    }, 240_000);
  });
});

describe('--show-secrets shows them (the check above can fail)', () => {
  it('every command reveals secrets with --show-secrets (--json), on at least one of three bundles', async () => {
    const revealed = new Map<string, number>();
    for (const id of ['3.4.7/a-healthy/redis-fernet', '3.4.7/c-jwt-signing-key-rotated/default-filetree', '2.14.7/a-healthy/default-diskcache']) {
      const b = bundles.find((x) => x.id === id)!;
      for (const run of bundleRuns(b)) {
        const r = await runCli([...run.args, '--json', '--show-secrets'], { timeoutMs: 60_000 });
        const whole = leaks(r.stdout, secrets, program()).filter((l) => l.how === 'whole');
        revealed.set(run.name, (revealed.get(run.name) ?? 0) + whole.length);
      }
    }
    for (const [name, n] of revealed) expect(n, `${name} never shows a secret with --show-secrets`).toBeGreaterThan(0);
    expect(revealed.size).toBe(6);
  }, 300_000);
});
