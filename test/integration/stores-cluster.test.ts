/**
 * Redis Cluster: a real local 3-master cluster (redis-server --cluster-enabled, joined with
 * `redis-cli --cluster create`), loaded with real bundles' Redis dumps (their keys hash to slots on
 * different masters), read through the built CLI (`npm run build` first) and through the API:
 * detection, every master scanned, counts and the token's chain, --limit/--sample, MOVED and ASK on
 * point lookups, and the ACL grant discovery needs beyond +@read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/commands/context.js';
import { silentProgress } from '../../src/commands/context.js';
import type { ChainEvidence, Evidence, Report, StoreEvidence } from '../../src/model/index.js';
import { CollectError } from '../../src/errors.js';
import { Secret } from '../../src/secrets.js';
import { buildKeyring, collectChain, collectInventory } from '../../src/stores/index.js';
import { loadBundle, type Bundle } from '../support/bundles.js';
import { runCli } from '../support/cli.js';
import { redisServerAvailable } from '../support/redis.js';
import { loadRedisDumpIntoCluster, startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { createHash } from 'node:crypto';
import { openStoreFromFlags } from '../support/targets.js';

const haveRedis = redisServerAvailable();
const work = mkdtempSync(join(tmpdir(), 'mad-cluster-test-'));
let cluster: RedisCluster;

const ctx = (now: number): CommandContext => ({ now, nowFromFlag: true, version: 'test', progress: silentProgress, signal: new AbortController().signal, debug: false, env: {}, readStdin: async () => '' });

beforeAll(async () => {
  if (!haveRedis) return;
  cluster = await startRedisCluster({
    config: ['user reader on >reader-pw ~* &* +@read', 'user doctor on >doctor-pw ~* &* +@read +cluster|slots'],
  });
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const p = join(work, name);
  writeFileSync(p, content);
  return p;
}

function flush(): void {
  for (const n of cluster.nodes) if (n.alive()) cluster.cli(['FLUSHALL'], undefined, cluster.nodes.indexOf(n));
}

/** Key flags of a Redis bundle at capture time. */
function keyArgs(b: Bundle): string[] {
  const tag = b.id.replace(/\W+/g, '_');
  const a: string[] = [];
  const signing = b.current['jwt_signing_key (as passed to GitHubProvider)'];
  if (signing) a.push('--jwt-signing-key-file', file(`${tag}-signing`, `${signing}\n`));
  else a.push('--upstream-client-secret-file', file(`${tag}-secret`, b.current['upstream_client_secret (GitHub app client_secret)']));
  if (b.storageKey) a.push('--storage-encryption-key-file', file(`${tag}-fernet`, b.storageKey));
  a.push('--at', String(b.scenario.captured_at));
  return a;
}

const storeOf = (r: { stdout: string }) => {
  const report = JSON.parse(r.stdout) as Report;
  return { report, store: (report.evidence as Evidence).store as { status: string; value: StoreEvidence; partial?: string; reason?: string } };
};

function b64json(seg: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe.skipIf(!haveRedis)('Redis Cluster (3 masters)', () => {
  const bundle = loadBundle('3.4.7/a-healthy/redis-fernet');

  it('a real bundle spread over the masters: detected, every master scanned, the right counts, nothing changed', async () => {
    flush();
    const n = loadRedisDumpIntoCluster(cluster, bundle.redisDump!);
    // The keys really live on more than one master.
    const perNode = cluster.nodes.map((_, i) => Number(cluster.cli(['DBSIZE'], undefined, i).trim()));
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(n);
    expect(perNode.filter((x) => x > 0).length).toBeGreaterThan(1);
    const before = cluster.nodes.map((_, i) => cluster.cli(['DEBUG', 'DIGEST'], undefined, i));

    for (const flags of [[], ['--redis-cluster']]) {
      const r = await runCli(['inspect-cache', '--store', cluster.url, ...flags, ...keyArgs(bundle), '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const { report, store } = storeOf(r);
      expect(report.verdict).toBe('healthy');
      expect(store.status).toBe('collected');
      const s = store.value;
      expect(s.kind).toBe('redis-cluster');
      expect(s.entriesRead).toBe(n);
      const c = (name: string) => [s.collections[name]!.live, s.collections[name]!.expired, s.collections[name]!.undecryptable, s.collections[name]!.corrupt];
      expect(c('mcp-oauth-proxy-clients')).toEqual([1, 0, 0, 0]);
      expect(c('mcp-upstream-tokens')).toEqual([1, 0, 0, 0]);
      expect(c('mcp-jti-mappings')).toEqual([3, 0, 0, 0]);
      expect(c('mcp-refresh-tokens')).toEqual([1, 0, 0, 0]);
      expect(s.chainHealth.danglingMappings).toBe(0);
      expect(s.chainHealth.unreferencedUpstreamSets).toBe(0);
      expect(s.encryption).toBe('fernet');
    }
    expect(cluster.nodes.map((_, i) => cluster.cli(['DEBUG', 'DIGEST'], undefined, i))).toEqual(before);
  });

  it('diagnose walks both tokens\' chains through the cluster (offline)', async () => {
    flush();
    loadRedisDumpIntoCluster(cluster, bundle.redisDump!);
    for (const [name, token] of [['access', bundle.accessToken], ['refresh', bundle.refreshToken]] as const) {
      const r = await runCli(['diagnose', '--token-file', file(`tok-${name}`, token), '--store', cluster.url, '--offline', ...keyArgs(bundle), '--json']);
      expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
      const report = JSON.parse(r.stdout) as Report;
      const chain = (report.evidence as Evidence).chain as { status: string; value: ChainEvidence };
      expect(chain.status).toBe('collected');
      expect(chain.value.storeKind).toBe('redis-cluster');
      expect(chain.value.client?.state).toBe('present');
      expect(chain.value.mapping?.state).toBe('present');
      expect(chain.value.upstreamSet?.state).toBe('present');
      if (name === 'refresh') expect(chain.value.refreshMeta?.state).toBe('present');
      expect(report.findings.filter((f) => f.tier === 'storage' && f.severity === 'error')).toEqual([]);
    }
  });

  it('a +@read user without +cluster|slots: exit 3, one line naming the grant; with it: read', async () => {
    flush();
    loadRedisDumpIntoCluster(cluster, bundle.redisDump!);
    const url = (u: string) => cluster.url.replace('redis://', `redis://${u}@`);
    const denied = await runCli(['inspect-cache', '--store', url('reader:reader-pw'), ...keyArgs(bundle), '--redis-cluster']);
    expect(denied.code).toBe(3);
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
    expect(denied.stderr).toMatch(/CLUSTER SLOTS/);
    expect(denied.stderr).toContain('+cluster|slots');
    expect(denied.stderr).not.toContain('reader-pw');
    // Detected (no flag): the same line.
    const detected = await runCli(['inspect-cache', '--store', url('reader:reader-pw'), ...keyArgs(bundle)]);
    expect(detected.code).toBe(3);
    expect(detected.stderr).toContain('+cluster|slots');

    const ok = await runCli(['inspect-cache', '--store', url('doctor:doctor-pw'), ...keyArgs(bundle), '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(storeOf(ok).store.value.collections['mcp-jti-mappings']!.live).toBe(3);
    expect(ok.stdout).not.toContain('doctor-pw');
  });

  it('--limit and --sample across masters', async () => {
    flush();
    // 600 entries: enough for a sample to be smaller than the store on every master.
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) lines.push(`SET mcp-oauth-transactions::t${i} '{"value": {"txn_id": "t${i}"}, "created_at": "2026-11-21T00:00:00+00:00"}'`);
    cluster.batch(lines);
    expect(cluster.nodes.map((_, i) => Number(cluster.cli(['DBSIZE'], undefined, i).trim())).every((x) => x > 100)).toBe(true);
    const limited = await runCli(['inspect-cache', '--store', cluster.url, '--limit', '250', '--json']);
    expect(limited.stderr).toBe('');
    const l = storeOf(limited).store.value;
    expect(l.entriesRead).toBe(250);
    expect(l.limited).toMatch(/--limit/);
    const sampled = await runCli(['inspect-cache', '--store', cluster.url, '--sample', '60', '--json']);
    const sv = storeOf(sampled).store.value;
    expect(sv.limited).toMatch(/--sample/);
    expect(sv.entriesRead).toBeGreaterThanOrEqual(40);
    expect(sv.entriesRead).toBeLessThanOrEqual(100);
    const whole = storeOf(await runCli(['inspect-cache', '--store', cluster.url, '--json'])).store.value;
    expect(whole.entriesRead).toBe(600);
    expect(whole.collections['mcp-oauth-transactions']!.live).toBe(600);
  });

  it('point lookups follow ASK (slot migrating) and MOVED (slot moved) after the store was opened', async () => {
    flush();
    loadRedisDumpIntoCluster(cluster, bundle.redisDump!);
    const claims = b64json(bundle.accessToken.split('.')[1]!);
    const jti = String(claims.jti);
    const key = `mcp-jti-mappings::${jti}`;
    const now = bundle.scenario.captured_at;
    const keyring = buildKeyring([], new Secret(bundle.storageKey!, 'bundle storage key'));
    const token = { token: new Secret(bundle.accessToken, 't'), header: {}, claims, kind: 'access' as const, sha256: createHash('sha256').update(bundle.accessToken).digest('hex'), signature: { checked: false, tried: [] } };
    const store = await openStoreFromFlags({ store: cluster.url }, ctx(now));
    try {
      expect(store.kind).toBe('redis-cluster');
      const first = await collectChain(store, keyring, token as never, now);
      expect(first.status === 'collected' && first.value.mapping?.state).toBe('present');

      // Move the mapping's slot to another master, key by key, as redis-cli --cluster reshard does.
      const slot = cluster.cli(['CLUSTER', 'KEYSLOT', key]).trim();
      const fromPort = cluster.portOf(key);
      const from = cluster.nodes.findIndex((x) => x.port === fromPort);
      const to = (from + 1) % cluster.nodes.length;
      const id = (i: number) => cluster.cli(['CLUSTER', 'MYID'], undefined, i).trim();
      const raw = (i: number, args: string[]) => cluster.cli(args, undefined, i);
      raw(to, ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', id(from)]);
      raw(from, ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', id(to)]);
      raw(from, ['MIGRATE', '127.0.0.1', String(cluster.nodes[to]!.port), '', '0', '5000', 'KEYS', key]);
      // Mid-migration: the old owner answers ASK for the key it no longer holds.
      const during = await collectChain(store, keyring, token as never, now);
      expect(during.status === 'collected' && during.value.mapping?.state).toBe('present');
      for (const i of cluster.nodes.keys()) raw(i, ['CLUSTER', 'SETSLOT', slot, 'NODE', id(to)]);
      // Done: the old owner answers MOVED; the client follows and refreshes its slot map.
      const after = await collectChain(store, keyring, token as never, now);
      expect(after.status === 'collected' && after.value.mapping?.state).toBe('present');
      expect(after.status === 'collected' && after.value.upstreamSet?.state).toBe('present');
      expect(cluster.portOf(key)).toBe(cluster.nodes[to]!.port);
      const inv = await collectInventory(store, keyring, now, {});
      expect(inv.status === 'collected' && inv.value.collections['mcp-jti-mappings']!.live).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('--redis-cluster against a lone server, and a db other than 0: one line each', async () => {
    const { startRedis } = await import('../support/redis.js');
    const lone = await startRedis();
    try {
      const e = await openStoreFromFlags({ store: lone.url, redisCluster: true }, ctx(0)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CollectError);
      expect((e as CollectError).line()).toMatch(/^cannot read the Redis Cluster at redis:\/\/127\.0\.0\.1:\d+: the server is not a Redis Cluster node .* — drop --redis-cluster/);
    } finally {
      await lone.stop();
    }
    await expect(openStoreFromFlags({ store: `${cluster.url}/2` }, ctx(0))).rejects.toThrow(/db 2.*Redis Cluster/);
  });
});
