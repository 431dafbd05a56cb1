/**
 * A real local Redis Cluster for the tests: three masters (no replicas) on free loopback ports, each
 * with its own cluster bus port, joined with `redis-cli --cluster create … --cluster-yes`, and torn
 * down after. Nothing is persisted (no RDB/AOF); each node's data dir is a temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis.js';

export interface ClusterNode {
  port: number;
  busPort: number;
  dir: string;
  /** Is the process still running? */
  alive(): boolean;
  /** SIGKILL the node (a node going down). Resolves when it has exited. */
  kill(): Promise<void>;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** redis://127.0.0.1:<first node's port> — any node is a seed. */
  url: string;
  /** redis-cli against one node (default: the first), following redirections (-c). */
  cli(args: string[], input?: string, node?: number): string;
  /** Run many commands (one per line, redis-cli quoting) through one redis-cli -c, following redirections. */
  batch(lines: string[]): void;
  /** The port of the master that serves `key`. */
  portOf(key: string): number;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Extra config lines for every node, e.g. ['user reader on >pw ~* +@read']. */
  config?: string[];
  masters?: number;
  /** cluster-node-timeout (ms); long by default so a killed node does not flip the cluster to fail mid-test. */
  nodeTimeoutMs?: number;
}

function run(args: string[], input?: string): string {
  const r = spawnSync('redis-cli', args, { input, encoding: 'utf8' });
  if (r.status !== 0 || /^(ERR|\[ERR\])/m.test(r.stdout)) throw new Error(`redis-cli ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export async function startRedisCluster(opts: ClusterOptions = {}): Promise<RedisCluster> {
  const n = opts.masters ?? 3;
  const children: ChildProcess[] = [];
  const nodes: ClusterNode[] = [];
  const used = new Set<number>();
  const port = async () => {
    for (;;) {
      const p = await freePort();
      if (!used.has(p)) {
        used.add(p);
        return p;
      }
    }
  };
  try {
    for (let i = 0; i < n; i++) {
      const p = await port();
      const bus = await port();
      const dir = mkdtempSync(join(tmpdir(), 'mad-cluster-'));
      const lines = [
        'bind 127.0.0.1',
        `port ${p}`,
        `cluster-port ${bus}`,
        'cluster-enabled yes',
        `cluster-config-file ${join(dir, 'nodes.conf')}`,
        `cluster-node-timeout ${opts.nodeTimeoutMs ?? 60000}`,
        `dir ${dir}`,
        'save ""',
        'appendonly no',
        'daemonize no',
        'enable-debug-command local',
        `logfile ${join(dir, 'redis.log')}`,
        ...(opts.config ?? []),
      ];
      writeFileSync(join(dir, 'redis.conf'), `${lines.join('\n')}\n`);
      const child = spawn('redis-server', [join(dir, 'redis.conf')], { stdio: 'ignore' });
      children.push(child);
      nodes.push({
        port: p,
        busPort: bus,
        dir,
        alive: () => child.exitCode === null && child.signalCode === null,
        kill: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      });
    }
    for (const node of nodes) await waitFor(() => run(['-p', String(node.port), 'PING']).trim() === 'PONG', `node ${node.port} to start`, node.dir);
    run(['--cluster', 'create', ...nodes.map((x) => `127.0.0.1:${x.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const node of nodes) await waitFor(() => /cluster_state:ok/.test(run(['-p', String(node.port), 'CLUSTER', 'INFO'])), `node ${node.port} to see the cluster ok`, node.dir);
  } catch (e) {
    for (const c of children) c.kill('SIGKILL');
    for (const x of nodes) rmSync(x.dir, { recursive: true, force: true });
    throw e;
  }
  const cli = (args: string[], input?: string, node = 0) => run(['-c', '-p', String(nodes[node]!.port), ...args], input);
  return {
    nodes,
    url: `redis://127.0.0.1:${nodes[0]!.port}`,
    cli,
    batch: (lines: string[]) => void run(['-c', '-p', String(nodes[0]!.port)], `${lines.join('\n')}\n`),
    portOf(key: string) {
      const slot = Number(cli(['CLUSTER', 'KEYSLOT', key]).trim());
      // CLUSTER NODES: "<id> <ip:port@bus> <flags> <master> … <slot ranges>"
      for (const line of cli(['CLUSTER', 'NODES']).split('\n')) {
        const parts = line.trim().split(/\s+/);
        if (parts.length < 9 || !parts[2]!.includes('master')) continue;
        for (const r of parts.slice(8)) {
          const [a, b] = r.split('-').map(Number);
          if (slot >= a! && slot <= (b ?? a)!) return Number(parts[1]!.split('@')[0]!.split(':')[1]);
        }
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    stop: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
      for (const x of nodes) rmSync(x.dir, { recursive: true, force: true });
    },
  };
}

async function waitFor(check: () => boolean, what: string, dir: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if (check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'redis.log'), 'utf8').slice(-1500);
      } catch {
        // none
      }
      throw new Error(`timed out waiting for ${what}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Load a bundle's storage/redis-dump.jsonl into the cluster (SET then PEXPIRE, routed with -c). */
export function loadRedisDumpIntoCluster(cluster: RedisCluster, dumpPath: string): number {
  const lines = readFileSync(dumpPath, 'utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    const rec = JSON.parse(line) as { key: string; value: string; pttl_ms?: number };
    cluster.cli(['-x', 'SET', rec.key], rec.value);
    if (rec.pttl_ms !== undefined && rec.pttl_ms > 0) cluster.cli(['PEXPIRE', rec.key, String(rec.pttl_ms)]);
  }
  return lines.length;
}
