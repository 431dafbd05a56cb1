/**
 * Read-only proof across all commands, through the built CLI (`npm run build` first):
 * - file stores (every real FileTree and diskcache bundle, the demo): a hash of every file (content,
 *   mode, mtime) is unchanged after each command that reads the store;
 * - Redis (every real Redis bundle): each command runs as an ACL user allowed read commands only
 *   (`ACL SETUSER doctor on >pw ~* +@read`), Redis denies nothing (ACL LOG stays empty), the data is
 *   unchanged, and a `redis-cli MONITOR` attached for the run shows only read commands.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBundles, type Bundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { fakeGithubFromBundle, type FakeGithub } from '../support/fake-github.js';
import { startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';
import { hashTree } from '../support/hash.js';
import { loadRedisDump, startRedis, type RedisServer } from '../support/redis.js';

const ADMIN_PASSWORD = 'admin-pw-of-the-read-only-suite';
const DOCTOR_PASSWORD = 'doctor-pw-of-the-read-only-suite';
const SECLOG = fileURLToPath(new URL('../../fixtures/security-log/export-mona-example.json', import.meta.url));
const DEMO = fileURLToPath(new URL('../../fixtures/demo', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mad-readonly-'));
let seq = 0;
const file = (text: string) => {
  const p = join(work, `f${(seq += 1)}`);
  writeFileSync(p, text);
  return p;
};

/** Commands that change data or server state; none may ever be sent. */
const WRITES = new Set(
  'SET SETEX PSETEX SETNX SETRANGE APPEND GETSET GETDEL GETEX DEL UNLINK EXPIRE PEXPIRE EXPIREAT PEXPIREAT PERSIST TOUCH RENAME RENAMENX MOVE COPY RESTORE MIGRATE MSET MSETNX INCR INCRBY INCRBYFLOAT DECR DECRBY HSET HSETNX HMSET HDEL HINCRBY LPUSH RPUSH LPOP RPOP LSET LREM LTRIM SADD SREM SPOP ZADD ZREM ZINCRBY XADD XDEL XTRIM FLUSHDB FLUSHALL SWAPDB CONFIG SAVE BGSAVE BGREWRITEAOF SHUTDOWN DEBUG EVAL EVALSHA EVAL_RO FCALL FUNCTION SCRIPT ACL CLIENT OBJECT SORT PUBLISH REPLICAOF SLAVEOF FAILOVER MODULE'.split(' '),
);
/** What a read-only inventory and lookup may send (node-redis, RESP2, no client info). */
const READS = new Set('AUTH SELECT PING SCAN MGET GET PTTL TTL TYPE DBSIZE EXISTS STRLEN INFO CLUSTER QUIT ECHO READONLY'.split(' '));

const bundles = listBundles();
const redisBundles = bundles.filter((b) => b.redisDump);
const fileBundles = bundles.filter((b) => !b.redisDump);

/** The deployment's key inputs as files (current key, the issuing key as a candidate, the explicit storage key). */
function keys(b: Bundle): string[] {
  const out: string[] = [];
  const signing = b.current['jwt_signing_key (as passed to GitHubProvider)'];
  if (signing) out.push('--jwt-signing-key-file', file(signing));
  out.push('--upstream-client-secret-file', file(b.current['upstream_client_secret (GitHub app client_secret)']));
  const previous = b.issuing['jwt_signing_key (as passed to GitHubProvider)'];
  if (previous && previous !== signing) out.push('--candidate-secret-file', file(previous));
  if (b.storageKey) out.push('--storage-encryption-key-file', file(b.storageKey));
  return out;
}

/** Every command that reads the store, with what it needs besides the store. */
function commands(b: Bundle, store: string, gh: FakeGithub, mcp: FakeMcpServer): { name: string; args: string[] }[] {
  const k = keys(b);
  const at = ['--at', String(b.scenario.captured_at)];
  const access = ['--token-file', file(b.accessToken)];
  const refresh = ['--token-file', file(b.refreshToken)];
  const client = ['--upstream-client-id', b.current['upstream_client_id (GitHub app client_id)']];
  return [
    { name: 'inspect-cache', args: ['inspect-cache', '--store', store, ...k, ...at, '--show-entries'] },
    { name: 'verify-token', args: ['verify-token', ...refresh, '--store', store, ...k, ...at, '--base-url', b.current.base_url] },
    { name: 'probe-github', args: ['probe-github', ...access, '--store', store, ...k, ...client, '--github-api-url', gh.apiUrl, ...at] },
    { name: 'github-audit', args: ['github-audit', '--store', store, ...k, ...client, '--security-log', SECLOG, ...at] },
    { name: 'diagnose', args: ['diagnose', ...access, '--store', store, ...k, ...client, '--github-api-url', gh.apiUrl, '--base-url', b.current.base_url, ...at] },
    { name: 'check', args: ['check', '--server', mcp.url, ...access, '--store', store, ...k, ...client, '--github-api-url', gh.apiUrl, '--base-url', b.current.base_url, ...at] },
  ];
}

describe('file stores: every command leaves every file as it was', () => {
  it.each(fileBundles.map((b) => [b.id, b] as const))('%s', async (_id, b) => {
    const gh = await fakeGithubFromBundle(b);
    const mcp = await startFakeMcpServer({ preset: b.version === '2.14.7' ? 'fastmcp-2.14.7' : 'fastmcp-3.4.7', acceptedTokens: [b.accessToken] });
    try {
      // The whole storage folder, so files created beside the store (journals, copies) count too.
      const root = join(b.dir, 'storage');
      const before = hashTree(root);
      for (const c of commands(b, b.storePath, gh, mcp)) {
        const r = await runCli(c.args, { timeoutMs: 60_000 });
        expect([0, 1, 2, 3], `${c.name}: ${r.stderr}`).toContain(r.code);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(hashTree(root), `${c.name} changed the store`).toEqual(before);
      }
    } finally {
      await gh.close();
      await mcp.close();
    }
  }, 120_000);

  it('the demo (npm run demo): its FASTMCP_HOME is unchanged', async () => {
    const home = join(DEMO, 'fastmcp-home');
    const before = hashTree(home);
    const r = await runCli(['diagnose', '--env-file', join(DEMO, 'deployment.env'), '--store', home, '--token-file', join(DEMO, 'access-token.jwt'), '--jwt-signing-key-file', join(DEMO, 'jwt-signing-key.txt'), '--candidate-secret-file', join(DEMO, 'previous-jwt-signing-key.txt'), '--at', '2026-11-21T22:19:02Z', '--offline']);
    expect(r.code).toBe(1);
    const r2 = await runCli(['inspect-cache', '--store', home, '--jwt-signing-key-file', join(DEMO, 'jwt-signing-key.txt'), '--candidate-secret-file', join(DEMO, 'previous-jwt-signing-key.txt'), '--show-entries']);
    expect([0, 1]).toContain(r2.code);
    expect(hashTree(home)).toEqual(before);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------

interface Monitor {
  /** Stop it once `marker` was seen (everything sent before it was captured); the command names seen. */
  stop(marker: string): Promise<string[]>;
}

/** Attach `redis-cli MONITOR` (as the admin) and resolve once it printed OK: from then on every command is shown. */
function monitor(server: RedisServer): Promise<Monitor> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('redis-cli', ['-p', String(server.port), '--no-auth-warning', '-a', ADMIN_PASSWORD, 'MONITOR'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let started = false;
    let waiting: { marker: string; done: () => void } | undefined;
    const timer = setTimeout(() => reject(new Error(`MONITOR did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (!started && /^OK\r?$/m.test(out)) {
        started = true;
        clearTimeout(timer);
        resolve({
          stop: (marker) =>
            new Promise<string[]>((done, fail) => {
              const deadline = setTimeout(() => fail(new Error(`MONITOR never showed ${marker}`)), 10_000);
              waiting = {
                marker,
                done: () => {
                  clearTimeout(deadline);
                  child.kill('SIGTERM');
                  // Lines look like: 1700000000.123456 [0 127.0.0.1:5555] "SCAN" "0" "MATCH" "*"
                  const names = out
                    .split('\n')
                    .map((l) => /^\d+\.\d+ \[[^\]]*\] "([^"]+)"/.exec(l)?.[1]?.toUpperCase())
                    .filter((n): n is string => Boolean(n));
                  done(names.slice(0, names.lastIndexOf('ECHO')));
                },
              };
              server.cli(['ECHO', marker]);
              if (out.includes(marker)) waiting.done();
            }),
        });
      }
      if (waiting && out.includes(waiting.marker)) waiting.done();
    });
    child.on('error', reject);
  });
}

describe('Redis: every command as a +@read ACL user, MONITOR shows read commands only', () => {
  let server: RedisServer;
  const url = () => `redis://doctor:${DOCTOR_PASSWORD}@127.0.0.1:${server.port}/0`;
  /** redis-cli as the admin (startRedis authenticates with requirepass). */
  const admin = (args: string[]) => server.cli(args);

  beforeAll(async () => {
    server = await startRedis({ config: [`requirepass ${ADMIN_PASSWORD}`] });
    admin(['ACL', 'SETUSER', 'doctor', 'on', `>${DOCTOR_PASSWORD}`, '~*', '+@read']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Every key with its value (TTLs tick down by themselves, so only their presence is compared). */
  function snapshot(): string {
    const keysList = admin(['--scan']).split('\n').filter(Boolean).sort();
    return keysList.map((k) => `${k}\u0000${admin(['--no-raw', 'GET', k]).trim()}\u0000${admin(['PTTL', k]).trim() === '-1' ? 'no ttl' : 'ttl'}`).join('\n');
  }

  it.each(redisBundles.map((b) => [b.id, b] as const))('%s', async (_id, b) => {
    loadRedisDump(server, b.redisDump!, 0);
    const gh = await fakeGithubFromBundle(b);
    const mcp = await startFakeMcpServer({ preset: b.version === '2.14.7' ? 'fastmcp-2.14.7' : 'fastmcp-3.4.7', acceptedTokens: [b.accessToken] });
    try {
      const before = snapshot();
      for (const c of commands(b, url(), gh, mcp)) {
        admin(['ACL', 'LOG', 'RESET']);
        const mon = await monitor(server);
        const r = await runCli(c.args, { timeoutMs: 60_000 });
        const names = await mon.stop(`end-of-${c.name}-${(seq += 1)}`);
        expect([0, 1, 2, 3], `${c.name}: ${r.stderr}`).toContain(r.code);
        expect(r.stderr, c.name).not.toMatch(/NOPERM|internal error|could not be read/);
        // The doctor talked to Redis (MONITOR works), sent reads only, and Redis refused nothing.
        expect(names.filter((n) => n !== 'AUTH').length, `${c.name}: no command seen by MONITOR`).toBeGreaterThan(0);
        expect(names.filter((n) => WRITES.has(n)), `${c.name} sent write commands`).toEqual([]);
        expect(names.filter((n) => !READS.has(n)), `${c.name} sent commands outside the read set`).toEqual([]);
        expect(admin(['ACL', 'LOG']).trim(), `${c.name}: Redis denied a command`).toBe('');
      }
      expect(snapshot()).toEqual(before);
    } finally {
      await gh.close();
      await mcp.close();
    }
  }, 180_000);

  it('the capture works: MONITOR does show a write when one is sent', async () => {
    const mon = await monitor(server);
    admin(['SET', 'read-only-suite:probe', 'x']);
    admin(['DEL', 'read-only-suite:probe']);
    const names = await mon.stop(`end-of-probe-${(seq += 1)}`);
    expect(names).toEqual(expect.arrayContaining(['SET', 'DEL']));
  });
});
