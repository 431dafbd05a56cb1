/**
 * Hardening round 2 (issue 14), through the built CLI (`npm run build` first): a secret given where a
 * path is expected, text from outside echoing secrets, control characters and huge values in output,
 * bounded options, `--at`/`--since`, exit codes of capped, unreadable and hostile inputs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwt, tempFiles } from '../support/temp-inputs.js';
import { BIN, runCli, type CliResult } from '../support/cli.js';
import { startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';
import { loadRedisDump, redisServerAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { openStoreFromFlags } from '../support/targets.js';
import { silentProgress, type CommandContext } from '../../src/commands/context.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
const A = join(FIXTURES, 'real-fastmcp', '3.4.7', 'a-healthy', 'default-filetree');
const { work, file } = tempFiles('mad-round2-');
let seq = 0;
const all = (r: CliResult) => `${r.stdout}\n${r.stderr}`;
const FORMATS = [[], ['--json'], ['--format', 'github']];

describe('1. a secret given where a path is expected is never printed', () => {
  const token = readFileSync(join(A, 'access_token.jwt'), 'utf8').trim();
  const secret = 'Qx7mZp2LwR4vN8bY1kTd9cHf3Gs6Ja0E';
  const gh = 'ghu_Vb8kP2xQ7mZ4tL9wR1nC6yD3fH5jS0aG';
  const cases: Array<[string, string[]]> = [
    [token, ['verify-token', '--token-file', token]],
    [token, ['verify-token', '--token-file', token.replace(/\./g, '/')]],
    [secret, ['inspect-cache', '--store', join(A, 'storage'), '--upstream-client-secret-file', secret]],
    [secret, ['inspect-cache', '--store', join(A, 'storage'), '--jwt-signing-key-file', secret]],
    [secret, ['inspect-cache', '--store', join(A, 'storage'), '--jwt-raw-key-file', secret]],
    [secret, ['inspect-cache', '--store', join(A, 'storage'), '--candidate-secret-file', secret]],
    [secret, ['inspect-cache', '--store', join(A, 'storage'), '--storage-encryption-key-file', secret]],
    [secret, ['inspect-cache', '--store', 'redis://127.0.0.1:1', '--redis-password-file', secret]],
    [secret, ['inspect-cache', '--store', 'rediss://127.0.0.1:1', '--redis-key', secret]],
    [gh, ['probe-github', '--upstream-token-file', gh, '--offline']],
    [gh, ['github-audit', '--org', 'o', '--audit-token-file', gh]],
    [token, ['github-audit', '--security-log', token]],
    [token, ['inspect-cache', '--store', token]],
  ];
  it.each(cases.map(([v, a]) => ({ v, a, flag: a.find((x, i) => i > 0 && x.startsWith('--') && a[i + 1] === v) ?? a[0] })))('$flag ($a.0)', async ({ v: value, a: args }) => {
    for (const f of [[], ['--json']]) {
      const r = await runCli([...args, ...f]);
      expect(r.code).toBe(2);
      expect(all(r)).not.toContain(value);
      expect(all(r)).not.toContain(value.slice(0, 16));
      expect(all(r)).toMatch(/looks like a token or secret, not a path/);
    }
  });
});

describe('2. text from outside that echoes a secret is scrubbed', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A GitHub stand-in that echoes the Authorization header it got in its 401 message.
    server = createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `Bad credentials for ${req.headers.authorization}`, documentation_url: 'https://docs.github.com/rest' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  // One token in GitHub's format, one opaque (known only because it was given).
  it.each(['ghu_AAAAbbbbCCCCddddEEEEffff00001111', 'opaque-Tk7Qm2xZp9LwR4vN8bY1'])('%s: not in text, JSON, annotations or the step summary', async (token) => {
    const tokenFile = file(token);
    for (const f of FORMATS) {
      const summary = file('');
      const r = await runCli(['probe-github', '--upstream-token-file', tokenFile, '--github-api-url', url, ...f], { env: { GITHUB_STEP_SUMMARY: summary } });
      expect(r.code).toBe(1);
      expect(all(r)).toMatch(/Bad credentials for/);
      expect(all(r)).not.toContain(token);
      expect(readFileSync(summary, 'utf8')).not.toContain(token);
    }
  });
});

describe('3. control characters are escaped and echoed values capped, in every format', () => {
  const evil = 'x\n::error title=INJECTED::hi\u001b]0;pwned\u0007';
  it('a jti that forges an annotation and an OSC escape', async () => {
    const t = jwt({ alg: 'HS256', typ: 'JWT' }, { jti: evil, exp: 1, iat: 1, iss: 'http://x/', aud: 'http://x/mcp', client_id: evil, token_use: 'access' });
    for (const f of FORMATS) {
      const summary = file('');
      const r = await runCli(['verify-token', '--token-file', file(t), ...f], { env: { GITHUB_STEP_SUMMARY: summary } });
      expect(r.stderr).not.toMatch(/internal error/);
      for (const text of [r.stdout, r.stderr, readFileSync(summary, 'utf8')]) {
        expect(text).not.toMatch(/[\u001b\u0007]/);
        expect(text).not.toMatch(/^::error title=INJECTED/m);
      }
      if (f[0] === '--json') expect(r.stdout).not.toContain('\\u001b');
    }
  });

  it('a 1 MB jti is not echoed whole', async () => {
    const t = jwt({ alg: 'HS256', typ: 'JWT' }, { jti: 'j'.repeat(1_000_000), exp: 1, iat: 1 });
    for (const f of FORMATS) {
      const r = await runCli(['verify-token', '--token-file', file(t), ...f]);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stdout.length + r.stderr.length).toBeLessThan(100_000);
    }
  });
});

describe('16. --at and --since: unix seconds or ISO 8601 only; no local time', () => {
  const t = jwt({ alg: 'HS256', typ: 'JWT' }, { exp: 1_800_000_000, iat: 1_795_000_000, jti: 'j' });
  it.each(['-5', '-100', 'Dec 25', '1/2/2026', '', '5', '1000000000'])('--at %j: exit 2, one line naming --at', async (at) => {
    const r = await runCli(['verify-token', t, '--at', at]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: --at /);
  });

  it('an ISO time without a zone is UTC whatever TZ says', async () => {
    for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata']) {
      const r = await runCli(['verify-token', t, '--at', '2026-11-21T22:18:24', '--json'], { env: { TZ: tz } });
      expect((JSON.parse(r.stdout) as { evaluatedAt: string }).evaluatedAt).toMatch(/^2026-11-21T22:18:24(\.000)?Z$/);
    }
  });

  it('a bad --since names --since (diagnose and github-audit)', async () => {
    const log = join(FIXTURES, 'security-log', 'export-mona-example.json');
    for (const args of [['github-audit', '--security-log', log], ['diagnose', '--security-log', log]]) {
      const r = await runCli([...args, '--since', 'Dec 25']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^mcp-auth-doctor: --since "Dec 25"/);
    }
  });

  describe('live GitHub figures under --at say they are live', () => {
    let server: Server;
    let url: string;
    let reset = 0;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        reset = Math.floor(Date.now() / 1000) + 600;
        res.writeHead(403, { 'content-type': 'application/json', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'core' });
        res.end(JSON.stringify({ message: 'API rate limit exceeded for user ID 1.' }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('the rate-limit reset is relative to when GitHub was asked, not to --at', async () => {
      const r = await runCli(['probe-github', '--upstream-token-file', file('ghu_AAAAbbbbCCCCddddEEEEffff00001111'), '--github-api-url', url, '--at', '2026-01-01T00:00:00Z']);
      const flat = r.stdout.replace(/\s+/g, ' '); // the text report wraps at its width
      expect(flat).toMatch(/rate limit \(live\)/);
      expect(flat).toMatch(/resets \S+ \(in (9|10) min, live\)/);
      expect(flat).toMatch(/The limit resets at \S+ \(in (9|10) min when GitHub was asked\)/);
    });
  });
});

describe('14. per-request timeouts are bounded', () => {
  it.each([
    ['--github-timeout', '2147483648'],
    ['--github-timeout', '99999999999'],
    ['--github-timeout', '0'],
    ['--http-timeout', '2147483648'],
  ])('%s %s: usage error, exit 2, one line', async (flag, v) => {
    const args = flag === '--http-timeout' ? ['check', '--server', 'http://127.0.0.1:1/mcp'] : ['probe-github', '--upstream-token-file', file('ghu_AAAAbbbbCCCCddddEEEEffff00001111'), '--github-api-url', 'http://127.0.0.1:1'];
    const r = await runCli([...args, flag, v]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^mcp-auth-doctor: ${flag} expects a whole number of milliseconds from 1 to 600000`));
    expect(r.stderr).not.toMatch(/TimeoutOverflowWarning|internal error/);
  });
});

const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const SECRET_A = 'fake_gh_client_secret_0001_DO_NOT_USE_aaaaaaaaaaaa';

describe.skipIf(!haveScript)(`4. a pseudo-terminal of width 0 gets no spinner${haveScript ? '' : ' (skipped: util-linux script(1) not installed)'}`, () => {
  it.each([{ f: [] as string[] }, { f: ['--json'] }])('inspect-cache $f under script(1): ends, with a bounded output', ({ f }) => {
    const q = (x: string) => `'${x.replace(/'/g, "'\\''")}'`;
    const cmd = [process.execPath, BIN, 'inspect-cache', '--store', join(A, 'storage'), '--upstream-client-secret-file', file(SECRET_A), ...f].map(q).join(' ');
    // script(1) gives the run a pseudo-terminal whose size is 0 x 0 (no terminal around it).
    const r = spawnSync('script', ['-qc', `stty cols 0 rows 0 2>/dev/null; ${cmd}`, '/dev/null'], { encoding: 'utf8', timeout: 20_000, input: '', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeLessThan(100_000);
  });
});

describe('10. a capped read (--limit, --sample) is inconclusive, never healthy', () => {
  it.each([['--limit', '0'], ['--limit', '2'], ['--sample', '5']])('%s %s: exit 3', async (flag, n) => {
    const r = await runCli(['inspect-cache', '--store', join(A, 'storage'), '--upstream-client-secret-file', file(SECRET_A), flag, n, '--json']);
    expect(r.code).toBe(3);
    const rep = JSON.parse(r.stdout) as { verdict: string; fix: string };
    expect(rep.verdict).toBe('inconclusive');
    expect(rep.fix).toMatch(/--limit|--sample/);
  });
});

const DISKCACHE_A = join(FIXTURES, 'real-fastmcp', '2.14.7', 'a-healthy', 'default-diskcache', 'storage', 'oauth-proxy');
const SECRET_A2 = () => (JSON.parse(readFileSync(join(DISKCACHE_A, '..', '..', 'settings.json'), 'utf8')) as { issuing_server: Record<string, string> }).issuing_server['upstream_client_secret (GitHub app client_secret)']!;
/** A copy of the 2.14.7 healthy diskcache store with one more mode-3 row whose side file is `make(path)`. */
function diskcacheWithSideFile(make: (path: string) => void): string {
  const dir = join(work, `dc-${(seq += 1)}`);
  cpSync(DISKCACHE_A, dir, { recursive: true });
  const db = new Database(join(dir, 'cache.db'));
  // diskcache's triggers quote with "…", which this SQLite build refuses: the copy goes without them.
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]) db.exec(`DROP TRIGGER "${name}"`);
  db.prepare('INSERT INTO Cache(key, raw, store_time, expire_time, access_time, mode, filename, value) VALUES (?, 1, ?, NULL, ?, 3, ?, NULL)').run('mcp-oauth-transactions::odd', 1_795_000_000, 1_795_000_000, 'ab/cd/x.val');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  mkdirSync(join(dir, 'ab', 'cd'), { recursive: true });
  make(join(dir, 'ab', 'cd', 'x.val'));
  return dir;
}
type StoreJson = { evidence: { store: { status: string; partial?: string; value: { collections: Record<string, { corrupt: number; live: number }> } } }; verdict: string };

describe('5. a FIFO as a diskcache side file neither hangs the run nor is read', () => {
  it('counted as a corrupt entry; the run ends', async () => {
    const dir = diskcacheWithSideFile((p) => execFileSync('mkfifo', [p]));
    const r = await runCli(['inspect-cache', '--store', join(dir, 'cache.db'), '--upstream-client-secret-file', file(SECRET_A2()), '--json'], { timeoutMs: 20_000 });
    expect(r.code).not.toBeNull();
    const rep = JSON.parse(r.stdout) as StoreJson;
    expect(rep.evidence.store.value.collections['mcp-oauth-transactions']?.corrupt).toBe(1);
  });
});

describe('7. one huge store entry is refused without being read', () => {
  it('FileTree: a 3 GB sparse entry file is refused and reported (never read)', async () => {
    const dir = join(work, `ft-${(seq += 1)}`);
    cpSync(join(A, 'storage'), dir, { recursive: true });
    const coll = readdirSync(join(dir, 'oauth-proxy', 'c714d6d70505')).find((n) => n.startsWith('S_mcp_oauth_transactions') && !n.endsWith('.json'))
      ?? 'S_mcp_oauth_transactions-6f3deda7';
    mkdirSync(join(dir, 'oauth-proxy', 'c714d6d70505', coll), { recursive: true });
    const big = join(dir, 'oauth-proxy', 'c714d6d70505', coll, 'huge.json');
    writeFileSync(big, '');
    truncateSync(big, 3 * 1024 ** 3);
    const r = await runCli(['inspect-cache', '--store', dir, '--upstream-client-secret-file', file(SECRET_A), '--json', '--show-entries'], { timeoutMs: 20_000 });
    const rep = JSON.parse(r.stdout) as StoreJson;
    expect(rep.evidence.store.value.collections['mcp-oauth-transactions']?.corrupt).toBe(1);
    expect(r.stdout).toMatch(/above the 8 MiB cap for one entry: refused without reading it/);
    expect(r.stdout).not.toMatch(/ERR_STRING_TOO_LONG/);
  });

  it('diskcache: a 400 MB side file is refused and reported', async () => {
    const dir = diskcacheWithSideFile((p) => {
      writeFileSync(p, '');
      truncateSync(p, 400 * 1024 ** 2);
    });
    const r = await runCli(['inspect-cache', '--store', join(dir, 'cache.db'), '--upstream-client-secret-file', file(SECRET_A2()), '--json', '--show-entries'], { timeoutMs: 20_000 });
    const rep = JSON.parse(r.stdout) as StoreJson;
    expect(rep.evidence.store.value.collections['mcp-oauth-transactions']?.corrupt).toBe(1);
    expect(r.stdout).toMatch(/above the 8 MiB cap for one entry: refused without reading it/);
  });
});

// Dropping root: CI runs as root, which reads mode-000 files. setpriv(1) runs the CLI as nobody.
const asRoot = process.getuid?.() === 0;
const canDrop = asRoot && spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', 'process.exit(process.getuid() === 65534 ? 0 : 1)']).status === 0;
const unprivileged = !asRoot || canDrop;
function runAsNobody(args: string[]): CliResult {
  const cmd = canDrop ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** A world-readable copy (dirs 755, files 644) that nobody can reach. */
function readableCopy(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mad-eacces-'));
  chmodSync(dir, 0o755);
  cpSync(src, join(dir, 's'), { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  return join(dir, 's');
}

describe.skipIf(!unprivileged)(`11. the doctor's own permission error is "could not read", exit 3${unprivileged ? '' : ' (skipped: running as root and setpriv cannot drop to nobody)'}`, () => {
  const secret = () => {
    const p = join(mkdtempSync(join(tmpdir(), 'mad-sec-')), 's');
    writeFileSync(p, SECRET_A);
    execFileSync('chmod', ['-R', 'a+rX', dirname(p)]);
    return p;
  };
  it('inspect-cache: a mapping file at mode 000 makes the read partial, not corrupt', () => {
    const dir = readableCopy(join(A, 'storage'));
    const maps = join(dir, 'oauth-proxy', 'c714d6d70505', 'S_mcp_jti_mappings-a0131f3f');
    chmodSync(join(maps, readdirSync(maps)[0]!), 0);
    const r = runAsNobody(['inspect-cache', '--store', dir, '--upstream-client-secret-file', secret(), '--json']);
    expect(r.code).toBe(3);
    const rep = JSON.parse(r.stdout) as StoreJson;
    expect(rep.evidence.store.value.collections['mcp-jti-mappings']?.corrupt).toBe(0);
    expect(rep.evidence.store.partial).toMatch(/permission denied/);
  });

  it('verify-token: the mapping it needs at mode 000 is "could not read", not STORE_JTI_MAPPING_MISSING', () => {
    const dir = readableCopy(join(A, 'storage'));
    const maps = join(dir, 'oauth-proxy', 'c714d6d70505', 'S_mcp_jti_mappings-a0131f3f');
    for (const n of readdirSync(maps)) chmodSync(join(maps, n), 0);
    const tok = readableCopy(join(A, 'access_token.jwt'));
    const r = runAsNobody(['verify-token', '--token-file', tok, '--store', dir, '--upstream-client-secret-file', secret(), '--base-url', 'http://127.0.0.1:50463', '--at', '1795299504', '--json']);
    expect(r.code).toBe(3);
    expect(r.stdout).not.toMatch(/STORE_JTI_MAPPING_MISSING/);
    expect(r.stdout).toMatch(/permission denied/);
  });

  it('a cache.db at mode 000: "cannot read … permission denied", exit 3', () => {
    const dir = readableCopy(DISKCACHE_A);
    chmodSync(join(dir, 'cache.db'), 0);
    const r = runAsNobody(['inspect-cache', '--store', join(dir, 'cache.db')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read .*cache\.db: permission denied/);
    expect(r.stderr).not.toMatch(/not an SQLite database/);
  });
});

describe('17. a file name that is not valid UTF-8', () => {
  it('is an unreadable entry, not a file that vanished; the read is complete', async () => {
    const dir = join(work, `ft-${(seq += 1)}`);
    cpSync(join(A, 'storage'), dir, { recursive: true });
    const maps = join(dir, 'oauth-proxy', 'c714d6d70505', 'S_mcp_jti_mappings-a0131f3f');
    writeFileSync(Buffer.concat([Buffer.from(`${maps}/S_`), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('.json')]), '{}');
    const r = await runCli(['inspect-cache', '--store', dir, '--upstream-client-secret-file', file(SECRET_A), '--json', '--show-entries']);
    expect(r.code).not.toBe(3);
    const rep = JSON.parse(r.stdout) as StoreJson;
    expect(rep.evidence.store.partial).toBeUndefined();
    expect(rep.evidence.store.value.collections['mcp-jti-mappings']?.corrupt).toBe(1);
    expect(r.stdout).toMatch(/not valid UTF-8/);
    expect(r.stdout).not.toMatch(/vanished/);
  });
});

describe.skipIf(!redisServerAvailable())('7. one huge Redis value is refused without being read (STRLEN first)', () => {
  let redis: RedisServer;
  const HUGE = 'mcp-oauth-transactions::huge-value';
  /** Bytes the server has sent to its clients so far (a fetched 9 MiB value would add 9 MiB). */
  const sent = () => Number(/total_net_output_bytes:(\d+)/.exec(redis.cli(['INFO', 'stats']))?.[1]);
  beforeAll(async () => {
    redis = await startRedis();
    loadRedisDump(redis, join(FIXTURES, 'real-fastmcp', '3.4.7', 'a-healthy', 'redis-plain', 'storage', 'redis-dump.jsonl'));
    // A 9 MiB string (zero bytes and a final "x"), made with a small command.
    redis.cli(['SETRANGE', HUGE, String(9 * 1024 * 1024 - 1), 'x']);
    expect(redis.cli(['STRLEN', HUGE]).trim()).toBe(String(9 * 1024 * 1024));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a scan (inspect-cache) counts it unreadable with its size; the value never leaves the server', async () => {
    const before = sent();
    const r = await runCli(['inspect-cache', '--store', redis.url, '--json', '--show-entries'], { timeoutMs: 30_000 });
    const after = sent();
    const rep = JSON.parse(r.stdout) as StoreJson;
    expect(rep.evidence.store.value.collections['mcp-oauth-transactions']?.corrupt).toBe(1);
    expect(r.stdout).toMatch(/9 MiB, above the 8 MiB cap for one entry: refused without reading it/);
    expect(after - before).toBeLessThan(1024 * 1024);
  });

  it('a lookup by key (the chain) refuses it too', async () => {
    const ctx: CommandContext = { now: Date.now() / 1000, nowFromFlag: false, version: 'test', progress: silentProgress, signal: new AbortController().signal, debug: false, env: {}, readStdin: async () => '' };
    const store = await openStoreFromFlags({ store: redis.url }, ctx);
    try {
      const before = sent();
      const e = await store.source().get('mcp-oauth-transactions', 'huge-value');
      expect(sent() - before).toBeLessThan(1024 * 1024);
      expect(e?.text).toBeUndefined();
      expect(e?.error).toMatch(/9 MiB, above the 8 MiB cap for one entry: refused without reading it/);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!redisServerAvailable())('6. a Redis server that stops answering (SIGSTOP)', () => {
  let redis: RedisServer;
  let pid = 0;
  beforeAll(async () => {
    redis = await startRedis({ config: ['requirepass rPw-7f3a9cQx2LmZ8vTq4NsY1kWd'] });
    loadRedisDump(redis, join(FIXTURES, 'real-fastmcp', '3.4.7', 'a-healthy', 'redis-plain', 'storage', 'redis-dump.jsonl'));
    pid = Number(/process_id:(\d+)/.exec(redis.cli(['INFO', 'server']))?.[1]);
    process.kill(pid, 'SIGSTOP');
  });
  afterAll(async () => {
    if (pid) process.kill(pid, 'SIGCONT');
    await redis?.stop();
  });

  it.each([{ auth: true }, { auth: false }])('stopped before the connection (password: $auth): one line, exit 3, within the command timeout', async ({ auth }) => {
    const args = ['inspect-cache', '--store', redis.url, ...(auth ? ['--redis-password-file', file('rPw-7f3a9cQx2LmZ8vTq4NsY1kWd')] : [])];
    const r = await runCli(args, { timeoutMs: 25_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: cannot read Redis at .*(timed out|timeout)/);
  }, 40_000);
});

describe('13. a PRM nested 200,000 levels deep', () => {
  let server: FakeMcpServer;
  beforeAll(async () => {
    const body = `{"resource":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    server = await startFakeMcpServer({ prmAnswer: { status: 200, contentType: 'application/json', body } });
  });
  afterAll(() => server?.close());

  it('is DISCOVERY_PRM_INVALID, exit 1, a JSON report on stdout', async () => {
    const r = await runCli(['check', '--server', server.url, '--json']);
    expect(r.stderr).not.toMatch(/internal error|Maximum call stack/);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as { findings: { code: string }[] };
    expect(rep.findings.map((f) => f.code)).toContain('DISCOVERY_PRM_INVALID');
  });
});

describe('15. a bad --env-file gets the tool\'s own one-line error', () => {
  // Node 20 itself parses --env-file anywhere on its command line unless it follows `--`, and exits 9
  // before the tool runs. The bin keeps the portable `#!/usr/bin/env node` (BusyBox env has no -S), so
  // this runs the bin as `node -- bin …`, the form the README gives for Node 20.
  const direct = (args: string[]) => spawnSync(process.execPath, ['--', BIN, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  it.each([['--env-file', '/nonexistent.env'], ['--env-file', '/'], ['--env-file=/nonexistent.env'], ['--env-file', 'Qx7mZp2LwR4vN8bY1kTd9cHf3Gs6Ja0E']])('%s %s: exit 2', (...args) => {
    const r = direct(['inspect-cache', ...args.filter((a): a is string => typeof a === 'string')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: .*--env-file/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).not.toContain('Qx7mZp2LwR4vN8bY1kTd9cHf3Gs6Ja0E');
  });
});

describe('Also', () => {
  it.each([
    ['a JSON object', '{"a":1}\n'],
    ['a JSON scalar', '42\n'],
    ['JSON lines of scalars', '{"action":"x"}\n42\n'],
  ])('a security-log export that is %s: exit 2, one line', async (_what, content) => {
    const r = await runCli(['github-audit', '--security-log', file(content)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: security-log export \S+ is not a security-log export/);
  });

  it('alg none never shows "✔ … HS256" at step 1', async () => {
    const r = await runCli(['verify-token', jwt({ alg: 'none', typ: 'JWT' }, { jti: 'j', exp: 1_900_000_000, iat: 1_795_000_000 }, '')]);
    expect(r.stdout).toMatch(/1\. ✔ decode JWT/);
    expect(r.stdout).not.toMatch(/1\. ✔ decode JWT \([^)]*HS256\)/);
    expect(r.stdout).toMatch(/alg "none", not HS256/);
  });

  it('a numeric jti is named as such, not "payload has no jti"', async () => {
    const r = await runCli(['verify-token', jwt({ alg: 'HS256', typ: 'JWT' }, { jti: 123, exp: 1_900_000_000, iat: 1_795_000_000 }), '--json']);
    const rep = JSON.parse(r.stdout) as { findings: { code: string; detail: string }[] };
    const f = rep.findings.find((x) => x.code === 'JWT_MISSING_JTI');
    expect(f?.detail).toMatch(/jti is not a string but a JSON number \(123\)/);
    expect(f?.detail).not.toMatch(/has no jti/);
  });

  it('a multi-line secret file is refused with one line, not used whole', async () => {
    const r = await runCli(['inspect-cache', '--store', join(A, 'storage'), '--upstream-client-secret-file', file(`${SECRET_A}\nFASTMCP_OTHER=x\n`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: the upstream client secret in \S+ has 2 non-empty lines; a secret is one line/);
    expect(r.stderr).not.toContain(SECRET_A);
  });

  describe('an audit-log 403 with x-ratelimit-remaining: 0', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(403, { 'content-type': 'application/json', 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': '1900000000' });
        res.end(JSON.stringify({ message: 'API rate limit exceeded for user ID 1.' }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('is a rate limit, not a missing read:audit_log scope', async () => {
      const r = await runCli(['github-audit', '--org', 'acme', '--audit-token-file', file('ghp_Qm3xTz81LvKpA0ds7YhW2nRc9fBe4Jk6Ug5'), '--github-api-url', url]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/rate limit is exhausted/);
      expect(r.stderr).not.toMatch(/needs read:audit_log/);
    });
  });
});

describe('9. a corrupt index or Settings page of a diskcache store', () => {
  // Page 3 = Settings, 4 = its key index, 6 = Cache_key_raw, 7 = Cache_expire_time (4 KiB pages).
  it.each([3, 4, 6, 7])('page %i overwritten: corrupt, exit 2 (FastMCP\'s lookups fail on it)', async (page) => {
    const dir = join(work, `dc-corrupt-${(seq += 1)}`);
    mkdirSync(dir);
    const db = join(dir, 'cache.db');
    cpSync(join(DISKCACHE_A, 'cache.db'), db);
    const bytes = readFileSync(db);
    bytes.fill(0xde, (page - 1) * 4096, page * 4096);
    writeFileSync(db, bytes);
    const r = await runCli(['inspect-cache', '--store', db, '--upstream-client-secret-file', file(SECRET_A2())]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a corrupt SQLite file: .*malformed/);
  });
});
