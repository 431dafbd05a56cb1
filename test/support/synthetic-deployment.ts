/**
 * A synthetic FastMCP 3.x deployment behind a GitHub **OAuth App**, written in the real default-store
 * format (FileTree under `oauth-proxy/<fingerprint>/`, py-key-value format-B documents, Fernet key
 * derived from the JWT key, which is HKDF of the client secret) — the layout the real 3.4.7 bundles
 * show. The upstream tokens are the made-up `gho_` tokens behind fixtures/security-log (one user,
 * "Example MCP Proxy"), so a security-log export and the store tell the same story: twelve
 * authorisations by several MCP clients, two of them evicted by GitHub's 10-token cap (max_for_app).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fernetEncrypt } from '../../src/crypto/fernet.js';
import { collectionDirName, sanitizeName } from '../../src/fastmcp/collections.js';
import { hkdfKeyText, JWT_KEY_SALT, storageKeyText, storeFingerprint } from '../../src/fastmcp/keys.js';

export const OAUTH_APP = {
  clientId: 'Ov23liExampleProxy01',
  clientSecret: 'example-oauth-app-client-secret-not-real-0001',
  baseUrl: 'https://mcp.example.test',
};

const SECURITY_LOG = fileURLToPath(new URL('../../fixtures/security-log/', import.meta.url));

/** Python's json.dumps(sort_keys=True) with the default separators (py-key-value format B). */
function pyJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}: ${pyJson(o[k])}`)
    .join(', ')}}`;
}

function iso(t: number): string {
  return new Date(t * 1000).toISOString().replace('Z', '+00:00').replace(/\.(\d{3})\+/, '.$1000+');
}

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

/** An HS256 JWT in joserfc's header order (FastMCP 3.4+), signed with the 44-character key text. */
export function signJwt(claims: Record<string, unknown>, keyText: string): string {
  const input = `${b64url('{"typ":"JWT","alg":"HS256"}')}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', Buffer.from(keyText, 'ascii')).update(input).digest('base64url')}`;
}

export interface SyntheticDeployment {
  home: string;
  fingerprint: string;
  /** The access JWT of the session whose upstream token GitHub evicted (max_for_app). */
  evictedSessionToken: string;
  /** The access JWT of a session whose upstream token is alive. */
  liveSessionToken: string;
  /** Every upstream gho_ token in the store, by label (proxy-1 … proxy-12). */
  upstream: Record<string, string>;
  clientSecretFile: string;
  now: number;
}

export function writeOauthAppDeployment(): SyntheticDeployment {
  const now = 1795280000; // 2026-11-21T16:53:20Z, after both evictions in the security log
  const jwtKey = hkdfKeyText(OAUTH_APP.clientSecret, JWT_KEY_SALT);
  const storeKey = storageKeyText(jwtKey);
  const fingerprint = storeFingerprint(storeKey);
  const home = mkdtempSync(join(tmpdir(), 'mad-oauth-app-'));
  const dir = join(home, 'oauth-proxy', fingerprint);
  mkdirSync(dir, { recursive: true });
  const clientSecretFile = join(home, 'client-secret.txt');
  writeFileSync(clientSecretFile, `${OAUTH_APP.clientSecret}\n`);

  const collections = new Map<string, string>();
  const put = (collection: string, key: string, value: Record<string, unknown>, createdAt: number, expiresAt?: number) => {
    let cdir = collections.get(collection);
    if (!cdir) {
      cdir = join(dir, collectionDirName(collection));
      mkdirSync(cdir, { recursive: true });
      writeFileSync(`${cdir}-info.json`, pyJson({ collection, created_at: iso(createdAt), directory: cdir, version: 1 }));
      collections.set(collection, cdir);
    }
    const data = Buffer.from(fernetEncrypt(JSON.stringify(value), storeKey, { timestamp: createdAt })).toString('base64');
    const doc: Record<string, unknown> = { created_at: iso(createdAt), value: { __encrypted_data__: data, __encryption_version__: 1 }, version: 1 };
    if (expiresAt !== undefined) doc.expires_at = iso(expiresAt);
    writeFileSync(join(cdir, `${sanitizeName(key)}.json`), pyJson(doc));
  };

  // Four MCP clients of one user (Claude Code, VS Code, Gemini CLI, ChatGPT).
  const clients = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  for (const [i, c] of clients.entries()) {
    put('mcp-oauth-proxy-clients', c, { client_id: c, client_secret: null, redirect_uris: [`http://127.0.0.1:3341${i}/callback`], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: `client ${i}` }, 1795161500);
  }

  const { tokens } = JSON.parse(readFileSync(join(SECURITY_LOG, 'tokens.json'), 'utf8')) as { tokens: { label: string; token: string }[] };
  const proxyTokens = tokens.filter((t) => t.label.startsWith('proxy-'));
  const upstream: Record<string, string> = {};
  const sessions: Record<string, string> = {};
  const year = 365 * 86400;
  proxyTokens.forEach((t, i) => {
    upstream[t.label] = t.token;
    const created = 1795161601 + i * 1800;
    const id = b64url(`upstream-set-${i}-padding-to-43-characters!!`).slice(0, 43);
    const client = clients[i % clients.length]!;
    // FastMCP 2.14.0+: an OAuth App returns no expires_in and no refresh token → 1-year access lifetime.
    put('mcp-upstream-tokens', id, { upstream_token_id: id, access_token: t.token, refresh_token: null, refresh_token_expires_at: null, expires_at: created + year, token_type: 'bearer', scope: 'user', client_id: client, created_at: created, raw_token_data: { access_token: t.token, token_type: 'bearer', scope: 'user' } }, created, created + year);
    const jti = b64url(`jti-${i}-for-the-synthetic-oauth-app-deployment`).slice(0, 43);
    put('mcp-jti-mappings', jti, { jti, upstream_token_id: id, created_at: created }, created, created + year);
    sessions[t.label] = signJwt({ iss: `${OAUTH_APP.baseUrl}/`, aud: `${OAUTH_APP.baseUrl}/mcp`, client_id: client, scope: 'user', exp: created + year, iat: created, jti }, jwtKey);
  });

  return {
    home,
    fingerprint,
    evictedSessionToken: sessions['proxy-1']!,
    liveSessionToken: sessions['proxy-5']!,
    upstream,
    clientSecretFile,
    now,
  };
}
