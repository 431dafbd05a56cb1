/**
 * rediss:// against a real TLS redis-server with certificates made here by openssl: CA checking,
 * --redis-insecure, client certificates, and the one-line failures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/commands/context.js';
import { silentProgress } from '../../src/commands/context.js';
import { CollectError } from '../../src/errors.js';
import { buildKeyring, collectInventory } from '../../src/stores/index.js';
import { docB, session } from '../../fixtures/stores/writer.js';
import { redisServerAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { openStoreFromFlags } from '../support/targets.js';

const NOW = 1795300000;
const ctx: CommandContext = { now: NOW, nowFromFlag: true, version: 'test', progress: silentProgress, signal: new AbortController().signal, debug: false, env: {}, readStdin: async () => '' };

const openssl = spawnSync('openssl', ['version']).status === 0;
const redisTls = redisServerAvailable();
const reason = !openssl ? 'openssl is not installed' : !redisServerAvailable() ? 'redis-server is not installed' : '';

function ssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

describe.skipIf(!openssl || !redisTls)(`Redis over TLS${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let dir: string;
  let server: RedisServer;
  let mtls: RedisServer;
  const p = (f: string) => join(dir, f);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mad-tls-'));
    ssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=mad test CA']);
    ssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
    writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
    ssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=doctor']);
    ssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2']);
    ssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=another CA']);
    server = await startRedis({ tls: { cert: p('server.pem'), key: p('server.key'), ca: p('ca.pem') } });
    mtls = await startRedis({ tls: { cert: p('server.pem'), key: p('server.key'), ca: p('ca.pem'), authClients: true } });
    const s = session({ clientId: 'tls-client', now: NOW });
    for (const srv of [server, mtls]) for (const e of s.all) srv.cli(['-x', 'SET', `${e.collection}::${e.key}`], docB(e));
  });
  afterAll(async () => {
    await server?.stop();
    await mtls?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function read(url: string, opts: Record<string, unknown>) {
    const store = await openStoreFromFlags({ store: url, ...opts }, ctx);
    try {
      const c = await collectInventory(store, buildKeyring([]), NOW, {});
      return c.status === 'collected' ? c.value : undefined;
    } finally {
      await store.close();
    }
  }

  it('verifies the server against --redis-ca', async () => {
    const s = await read(server.url, { redisCa: p('ca.pem') });
    expect(s?.collections['mcp-jti-mappings']?.live).toBe(2);
  });

  it('fails with one line when the certificate does not verify; --redis-insecure skips the check', async () => {
    const bad = openStoreFromFlags({ store: server.url, redisCa: p('other.pem') }, ctx);
    await expect(bad).rejects.toBeInstanceOf(CollectError);
    await expect(bad).rejects.toThrow(/TLS failure/);
    const s = await read(server.url, { redisInsecure: true });
    expect(s?.collections['mcp-upstream-tokens']?.live).toBe(1);
  });

  it('client certificates: refused without, accepted with --redis-cert/--redis-key', async () => {
    await expect(openStoreFromFlags({ store: mtls.url, redisCa: p('ca.pem') }, ctx)).rejects.toBeInstanceOf(CollectError);
    const s = await read(mtls.url, { redisCa: p('ca.pem'), redisCert: p('client.pem'), redisKey: p('client.key') });
    expect(s?.collections['mcp-refresh-tokens']?.live).toBe(1);
  });

  it('a plain redis:// URL against the TLS port fails cleanly', async () => {
    await expect(openStoreFromFlags({ store: server.url.replace('rediss:', 'redis:') }, ctx)).rejects.toBeInstanceOf(CollectError);
  });
});
