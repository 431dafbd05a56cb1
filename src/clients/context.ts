/** What every format reader shares during one scan: the safe reader, the outputs, the options. */
import { join } from 'node:path';
import type { SafeFs } from './safe-fs.js';
import type { CacheFile, ClientEnv, ClientName, ClientNote, ClientSession, ScanLimits } from './types.js';

export interface ScanContext {
  fs: SafeFs;
  home: string;
  /** Real path of the home (the boundary for home-relative default locations). */
  homeReal: string | null;
  env: ClientEnv;
  platform: NodeJS.Platform;
  allowKeychain: boolean;
  keychainReader: (service: string, account: string) => Promise<string | null>;
  limits: ScanLimits;
  sessions: ClientSession[];
  notes: ClientNote[];
  searched: { client: ClientName; path: string; present: boolean }[];
  /** Real paths of files already turned into sessions (a file reached twice is read once). */
  seen: Set<string>;
}

/** A directory to read and the directory no symlink inside it may leave. */
export interface Location {
  dir: string;
  boundary: string;
}

/**
 * Resolve a location, record it as searched, and note a symlink that leaves its boundary.
 * `boundary` null = the directory itself is the boundary (it was named explicitly).
 */
export function locate(ctx: ScanContext, client: ClientName, path: string, boundary: string | null): Location | null {
  const bound = boundary ?? ctx.fs.real(path);
  if (!bound) {
    ctx.searched.push({ client, path, present: false });
    return null;
  }
  const r = ctx.fs.resolveDir(path, bound);
  if (r === 'outside') {
    ctx.searched.push({ client, path, present: true });
    ctx.notes.push({ client, kind: 'skipped', message: 'a symlink to a directory outside the searched tree; not followed', path, hint: 'pass the directory it points to with --client-cache to read it' });
    return null;
  }
  ctx.searched.push({ client, path, present: r !== null });
  return r ? { dir: r, boundary: boundary === null ? r : bound } : null;
}

/** A home-relative default location (bounded by the home). */
export function homeLocation(ctx: ScanContext, client: ClientName, ...segments: string[]): Location | null {
  const path = join(ctx.home, ...segments);
  if (!ctx.homeReal) {
    ctx.searched.push({ client, path, present: false });
    return null;
  }
  return locate(ctx, client, path, ctx.homeReal);
}

/** Claim a file for this scan; false when it was already read through another path. */
export function claim(ctx: ScanContext, path: string): boolean {
  const real = ctx.fs.real(path) ?? path;
  if (ctx.seen.has(real)) return false;
  ctx.seen.add(real);
  return true;
}

export function emptySession(client: ClientName, key: string, cache: CacheFile): ClientSession {
  return {
    client,
    serverUrl: null,
    serverUrlSource: null,
    key,
    issuer: null,
    clientId: null,
    clientSecret: null,
    accessToken: null,
    refreshToken: null,
    accessTokenPeek: null,
    refreshTokenPeek: null,
    tokenType: null,
    scope: null,
    expiresAt: null,
    expiresAtSource: null,
    registration: null,
    cache,
    files: [cache],
    problems: [],
  };
}
