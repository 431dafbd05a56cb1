/**
 * The store flags → a `StoreTarget`, once, at the command boundary: the flags checked (exit 2 with one
 * line), the Redis URL parsed, the password read (file, stdin or REDIS_PASSWORD) and the TLS material
 * loaded, the default homes found in the environment. The store adapters get only the result.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, UsageError, describeError } from '../../errors.js';
import { readSecret, type InputSources } from '../../inputs.js';
import { Secret, redactUrl, showPath } from '../../secrets.js';
import type { RedisEndpoint, RedisLocation, StoreTarget } from '../../stores/index.js';
import { ENV, firstEnv } from './env.js';

/** The store flags of every command that reads a store (see src/cli.ts `storeOptions`). */
export interface StoreOptions {
  store?: string;
  redisCa?: string;
  redisCert?: string;
  redisKey?: string;
  redisInsecure?: boolean;
  redisPasswordFile?: string;
  redisKeyPrefix?: string;
  redisCluster?: boolean;
  /** Read at most n entries (inventory only; point lookups are never limited). */
  limit?: number;
  /** Read a sample of about n entries spread over the store (inventory only). */
  sample?: number;
}

/** The default FASTMCP_HOME candidates, in order (FASTMCP_HOME wins): platformdirs' user_data_dir("fastmcp"). */
export function defaultHomes(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string[] {
  const fastmcpHome = firstEnv(env, ENV.fastmcpHome);
  if (fastmcpHome) return [fastmcpHome];
  const home = env.HOME?.trim() || env.USERPROFILE?.trim() || homedir();
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA?.trim() || join(home, 'AppData', 'Local');
    return [join(local, 'fastmcp')];
  }
  if (platform === 'darwin') return [join(home, 'Library', 'Application Support', 'fastmcp')];
  const xdg = env.XDG_DATA_HOME?.trim();
  return [xdg ? join(xdg, 'fastmcp') : join(home, '.local', 'share', 'fastmcp')];
}

/** A redis:// or rediss:// URL → where to connect; its password (if any) separately. */
export function parseRedisUrl(url: string): { endpoint: RedisEndpoint; urlPassword?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--store ${redactUrl(url)} is not a valid Redis URL`, 'use redis://[user[:password]@]host[:port][/db] or rediss://…');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--store ${redactUrl(url)}: unsupported scheme ${u.protocol}`, 'use redis:// or rediss://');
  const path = u.pathname.replace(/^\/+/, '');
  let db = 0;
  if (path) {
    if (!/^\d+$/.test(path)) throw new UsageError(`--store ${redactUrl(url)}: the path must be a db index, got "${path}"`, 'use e.g. redis://host:6379/0');
    db = Number(path);
  }
  const endpoint: RedisEndpoint = { host: u.hostname.replace(/^\[|\]$/g, '') || 'localhost', port: u.port ? Number(u.port) : 6379, tls: u.protocol === 'rediss:', db };
  if (u.username) endpoint.username = decodeURIComponent(u.username);
  return u.password ? { endpoint, urlPassword: decodeURIComponent(u.password) } : { endpoint };
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${what} ${showPath(path)} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? describeError(e)})`}`, 'check the path');
  }
}

async function redisLocation(url: string, opts: StoreOptions, src: InputSources): Promise<RedisLocation> {
  const { endpoint, urlPassword } = parseRedisUrl(url);
  if (!endpoint.tls && (opts.redisCa || opts.redisCert || opts.redisKey || opts.redisInsecure)) {
    throw new UsageError('--redis-ca/--redis-cert/--redis-key/--redis-insecure need a rediss:// URL', `use rediss://${endpoint.host}:${endpoint.port}`);
  }
  const given = await readSecret({ file: opts.redisPasswordFile, env: [...ENV.redisPassword], label: 'Redis password' }, src);
  const password = given ?? (urlPassword !== undefined ? new Secret(urlPassword, 'Redis password (URL)') : undefined);
  const loc: RedisLocation = { kind: 'redis', url, endpoint, keyPrefix: opts.redisKeyPrefix ?? '', cluster: Boolean(opts.redisCluster) };
  if (password) loc.password = password;
  if (endpoint.tls) {
    const tls: NonNullable<RedisLocation['tls']> = {};
    if (opts.redisCa) tls.ca = readPem(opts.redisCa, '--redis-ca file');
    if (opts.redisCert) tls.cert = readPem(opts.redisCert, '--redis-cert file');
    if (opts.redisKey) tls.key = readPem(opts.redisKey, '--redis-key file');
    if (opts.redisInsecure) tls.insecure = true;
    loc.tls = tls;
  }
  return loc;
}

/** Resolve the store flags (and env) into the target the store adapters open. */
export async function resolveStoreTarget(opts: StoreOptions, src: InputSources): Promise<StoreTarget> {
  if (opts.limit !== undefined && opts.sample !== undefined) throw new UsageError('--limit and --sample cannot be combined', 'use one of them');
  const limits: StoreTarget['limits'] = {};
  if (opts.limit !== undefined) limits.limit = opts.limit;
  if (opts.sample !== undefined) limits.sample = opts.sample;
  const threads = Number(firstEnv(src.env, ENV.threads));
  const base = { limits, ...(Number.isInteger(threads) && threads >= 1 ? { threads } : {}) };
  const given = opts.store?.trim();
  if (given && /^rediss?:\/\//i.test(given)) return { ...base, location: await redisLocation(given, opts, src) };
  if (given && /^[a-z][a-z0-9+.-]*:\/\//i.test(given)) {
    throw new UsageError(`--store ${redactUrl(given)}: unsupported URL scheme`, 'give a path, or a redis:// / rediss:// URL (Valkey speaks the same protocol)');
  }
  if (given) return { ...base, location: { kind: 'path', path: resolve(given) } };
  return { ...base, location: { kind: 'default', homes: defaultHomes(src.env) } };
}
