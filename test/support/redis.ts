/**
 * A real redis-server on a free loopback port, started and stopped by the tests.
 * Nothing is persisted (no RDB/AOF), the data dir is a temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  /** Run redis-cli against this server (as the default user unless args say otherwise). */
  cli(args: string[], input?: string): string;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Extra config lines, e.g. ['requirepass secret']. */
  config?: string[];
  /** TLS: serve TLS on the port (needs certs); see tlsConfig(). */
  tls?: { cert: string; key: string; ca: string; authClients?: boolean };
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mad-redis-'));
  const lines = [`bind 127.0.0.1`, `dir ${dir}`, `save ""`, 'appendonly no', 'daemonize no', `logfile ${join(dir, 'redis.log')}`, ...(opts.config ?? [])];
  if (opts.tls) {
    lines.push('port 0', `tls-port ${port}`, `tls-cert-file ${opts.tls.cert}`, `tls-key-file ${opts.tls.key}`, `tls-ca-cert-file ${opts.tls.ca}`, `tls-auth-clients ${opts.tls.authClients ? 'yes' : 'no'}`);
  } else {
    lines.push(`port ${port}`);
  }
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn('redis-server', [conf], { stdio: 'ignore' });
  const cliBase = opts.tls
    ? ['--tls', '--cacert', opts.tls.ca, ...(opts.tls.authClients ? ['--cert', opts.tls.cert, '--key', opts.tls.key] : []), '-p', String(port)]
    : ['-p', String(port)];
  const authArgs = (opts.config ?? []).find((l) => l.startsWith('requirepass ')) ? ['--no-auth-warning', '-a', (opts.config ?? []).find((l) => l.startsWith('requirepass '))!.slice('requirepass '.length)] : [];
  const cli = (args: string[], input?: string) => {
    const r = spawnSync('redis-cli', [...cliBase, ...authArgs, ...args], { input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  // Wait until it answers.
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if (cli(['PING']).trim() === 'PONG') break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'redis.log'), 'utf8');
      } catch {
        // no log
      }
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on ${port}: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    dir,
    cli,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          rmSync(dir, { recursive: true, force: true });
          resolve();
          return;
        }
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Load a bundle's storage/redis-dump.jsonl into a db exactly as the bundle README says (SET raw value, then PEXPIRE). */
export function loadRedisDump(server: RedisServer, dumpPath: string, db = 0): number {
  const lines = readFileSync(dumpPath, 'utf8').split('\n').filter(Boolean);
  server.cli(['-n', String(db), 'FLUSHDB']);
  for (const line of lines) {
    const rec = JSON.parse(line) as { key: string; value: string; pttl_ms?: number };
    // redis-cli -x reads the last argument from stdin, so the value is passed byte for byte.
    server.cli(['-n', String(db), '-x', 'SET', rec.key], rec.value);
    if (rec.pttl_ms !== undefined && rec.pttl_ms > 0) server.cli(['-n', String(db), 'PEXPIRE', rec.key, String(rec.pttl_ms)]);
  }
  return lines.length;
}
