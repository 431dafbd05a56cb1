/**
 * The real FastMCP bundles in fixtures/real-fastmcp (copied from shared/real-fastmcp): their ground
 * truth, settings and the stand-in GitHub's state at capture time.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUNDLES_ROOT = fileURLToPath(new URL('../../fixtures/real-fastmcp', import.meta.url));

export interface ServerSettings {
  label: string;
  base_url: string;
  'issuer (JWT iss)': string;
  'mcp_url / resource (JWT aud)': string;
  'upstream_client_id (GitHub app client_id)': string;
  'upstream_client_secret (GitHub app client_secret)': string;
  'jwt_signing_key (as passed to GitHubProvider)': string | null;
  jwt_hs256_key_as_used: string;
  storage: Record<string, string | null>;
}

export interface Bundle {
  id: string;
  dir: string;
  version: string;
  scenario: {
    scenario: string;
    expect_tier: 'ok' | 'jwt' | 'storage' | 'upstream' | 'refresh';
    expect_reason: string;
    captured_at: number;
    fastmcp_version: string;
    storage_backend: string;
    mcp_client_id: string;
    server_answers: Record<string, { status: number; error?: string; error_description?: string }>;
  };
  settings: { issuing_server: ServerSettings; servers: ServerSettings[]; current_server: string | ServerSettings };
  /** The settings the server ran with at capture (the bundle's "current" server). */
  current: ServerSettings;
  issuing: ServerSettings;
  accessToken: string;
  refreshToken: string;
  backend: 'default-filetree' | 'default-diskcache' | 'redis-fernet' | 'redis-plain';
  /** Path to give --store (file backends), or the dump to load (Redis backends). */
  storePath: string;
  redisDump?: string;
  /** Explicit Fernet key for Redis bundles (none for redis-plain / default stores). */
  storageKey?: string;
}

export function listBundles(): Bundle[] {
  const out: Bundle[] = [];
  for (const version of readdirSync(BUNDLES_ROOT).filter((d) => /^\d/.test(d)).sort()) {
    for (const scenario of readdirSync(join(BUNDLES_ROOT, version)).sort()) {
      for (const backend of readdirSync(join(BUNDLES_ROOT, version, scenario)).sort()) {
        out.push(loadBundle(`${version}/${scenario}/${backend}`));
      }
    }
  }
  return out;
}

export function loadBundle(id: string): Bundle {
  const dir = join(BUNDLES_ROOT, id);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const scenario = JSON.parse(read('scenario.json'));
  const settings = JSON.parse(read('settings.json'));
  const current: ServerSettings = typeof settings.current_server === 'string' ? settings.issuing_server : settings.current_server;
  const backend = id.split('/')[2] as Bundle['backend'];
  const isRedis = backend.startsWith('redis');
  const storageKey = (current.storage['fernet_key (STORAGE_ENCRYPTION_KEY, explicit)'] ?? undefined) || undefined;
  return {
    id,
    dir,
    version: id.split('/')[0]!,
    scenario,
    settings,
    current,
    issuing: settings.issuing_server,
    accessToken: read('access_token.jwt').trim(),
    refreshToken: read('refresh_token.txt').trim(),
    backend,
    storePath: isRedis ? join(dir, 'storage', 'redis-dump.jsonl') : backend === 'default-diskcache' ? join(dir, 'storage', 'oauth-proxy', 'cache.db') : join(dir, 'storage', 'oauth-proxy'),
    redisDump: isRedis ? join(dir, 'storage', 'redis-dump.jsonl') : undefined,
    storageKey: storageKey ?? undefined,
  };
}

export interface StandInToken {
  token: string;
  kind: 'access' | 'refresh';
  issuedAt: number;
  expiresAt: number | null;
  revoked: boolean;
}

/**
 * The stand-in GitHub's token table at capture time, rebuilt by replaying
 * logs/fake_github_events.jsonl up to captured_at + 1 (as the bundle README prescribes; the final
 * fake_github_state.json is after the probe and would show healthy tokens as revoked).
 */
export function githubStateAtCapture(b: Bundle): { tokens: Map<string, StandInToken>; accessExpiresIn: number } {
  const cutoff = b.scenario.captured_at + 1;
  const tokens = new Map<string, StandInToken>();
  let accessExpiresIn = 28800;
  const lines = readFileSync(join(b.dir, 'logs', 'fake_github_events.jsonl'), 'utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    const e = JSON.parse(line) as Record<string, unknown> & { ts: number; event: string };
    if (e.ts > cutoff) break;
    if (e.event === 'started' && typeof e.access_expires_in === 'number') accessExpiresIn = e.access_expires_in;
    if (e.event === 'token_issued') {
      if (typeof e.replaced_refresh === 'string') {
        const old = tokens.get(e.replaced_refresh);
        if (old) old.revoked = true;
        // The access token issued with the replaced refresh token is revoked too.
        for (const t of tokens.values()) if (t.kind === 'access' && (t as StandInToken & { pair?: string }).pair === e.replaced_refresh) t.revoked = true;
      }
      const access: StandInToken & { pair?: string } = { token: String(e.access_token), kind: 'access', issuedAt: e.ts, expiresAt: e.ts + accessExpiresIn, revoked: false, pair: typeof e.refresh_token === 'string' ? e.refresh_token : undefined };
      tokens.set(access.token, access);
      if (typeof e.refresh_token === 'string') tokens.set(e.refresh_token, { token: e.refresh_token, kind: 'refresh', issuedAt: e.ts, expiresAt: null, revoked: false });
    }
    if (e.event === 'admin_revoke') for (const t of tokens.values()) t.revoked = true;
  }
  return { tokens, accessExpiresIn };
}

/**
 * The CLI arguments that reproduce a bundle's deployment as it ran at capture: its current key
 * material (written to files in `dir`), its store (a Redis dump is loaded into `redis` db `db`),
 * its base URL and --at its captured_at.
 */
export function bundleCliArgs(b: Bundle, dir: string, redis?: { url: string; load: (dump: string, db: number) => unknown; db: number }): string[] {
  const args: string[] = [];
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, `${text}\n`);
    return p;
  };
  const signing = b.current['jwt_signing_key (as passed to GitHubProvider)'];
  if (signing) args.push('--jwt-signing-key-file', write('signing-key', signing));
  else args.push('--upstream-client-secret-file', write('client-secret', b.current['upstream_client_secret (GitHub app client_secret)']));
  if (b.storageKey) args.push('--storage-encryption-key-file', write('storage-key', b.storageKey));
  if (b.redisDump) {
    if (!redis) throw new Error(`${b.id} needs a redis-server`);
    redis.load(b.redisDump, redis.db);
    args.push('--store', `${redis.url}/${redis.db}`);
  } else {
    args.push('--store', b.storePath);
  }
  args.push('--base-url', b.current.base_url, '--at', String(b.scenario.captured_at));
  return args;
}
