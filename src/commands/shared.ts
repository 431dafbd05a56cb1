/**
 * Inputs shared by several commands: key material, the storage key, expectations (iss/aud) and the
 * settings evidence. Secrets come from files, stdin or env — never only argv.
 */
import { InputError, UsageError } from '../errors.js';
import type { KeyEvidence, SettingsEvidence } from '../model/index.js';
import { deriveKeys, parseRawKey, type DerivedKey, type KeyInput } from '../fastmcp/keys.js';
import { cleanSecretText, readSecret, readTextFile } from '../inputs.js';
import { Secret } from '../secrets.js';
import type { CommandContext } from './context.js';

export const ENV = {
  clientId: ['FASTMCP_SERVER_AUTH_GITHUB_CLIENT_ID'],
  clientSecret: ['FASTMCP_SERVER_AUTH_GITHUB_CLIENT_SECRET'],
  jwtSigningKey: ['FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY'],
  jwtRawKey: ['MCP_AUTH_DOCTOR_JWT_RAW_KEY'],
  candidates: ['MCP_AUTH_DOCTOR_CANDIDATE_SECRETS'],
  storageKey: ['STORAGE_ENCRYPTION_KEY', 'MCP_AUTH_DOCTOR_STORAGE_ENCRYPTION_KEY'],
  requiredScopes: ['FASTMCP_SERVER_AUTH_GITHUB_REQUIRED_SCOPES'],
  baseUrl: ['FASTMCP_SERVER_AUTH_GITHUB_BASE_URL'],
  issuerUrl: ['FASTMCP_SERVER_AUTH_GITHUB_ISSUER_URL'],
  githubApiUrl: ['GITHUB_API_URL'],
  upstreamToken: ['GITHUB_UPSTREAM_TOKEN'],
  auditToken: ['GITHUB_TOKEN'],
  redisPassword: ['REDIS_PASSWORD'],
} as const;

export interface KeyOptions {
  upstreamClientSecretFile?: string;
  jwtSigningKeyFile?: string;
  jwtRawKeyFile?: string;
  candidateSecretFile?: string[];
  fastmcpTestMode?: boolean;
  storageEncryptionKeyFile?: string;
}

export interface ResolvedKeys {
  inputs: KeyInput[];
  keySource?: 'client-secret' | 'jwt-signing-key' | 'raw-key';
  signingKeyLength?: number;
  candidateCount: number;
  /** The upstream client secret, when given (also used for GitHub's check-token API). */
  clientSecret?: Secret;
}

/** Collect the deployment's key material and the candidates, without deriving anything yet. */
export async function resolveKeyInputs(opts: KeyOptions, ctx: CommandContext): Promise<ResolvedKeys> {
  const clientSecret = await readSecret({ file: opts.upstreamClientSecretFile, env: [...ENV.clientSecret], label: 'upstream client secret' }, ctx);
  const signingKey = await readSecret({ file: opts.jwtSigningKeyFile, env: [...ENV.jwtSigningKey], label: 'jwt_signing_key' }, ctx);
  const rawKey = await readSecret({ file: opts.jwtRawKeyFile, env: [...ENV.jwtRawKey], label: 'raw JWT key' }, ctx);

  const inputs: KeyInput[] = [];
  let keySource: ResolvedKeys['keySource'];
  if (rawKey) {
    inputs.push({ kind: 'raw-key', raw: parseRawKey(rawKey.reveal()), label: rawKey.source, role: 'current' });
    keySource = 'raw-key';
  } else if (signingKey) {
    inputs.push({ kind: 'jwt-signing-key', secret: signingKey, label: signingKey.source, role: 'current' });
    keySource = 'jwt-signing-key';
  } else if (clientSecret) {
    inputs.push({ kind: 'client-secret', secret: clientSecret, label: clientSecret.source, role: 'current' });
    keySource = 'client-secret';
  }
  // With an explicit key, the client secret is not the key source — but it is the usual suspect
  // when "the supplied key seems ignored" (fastmcp#2867): try it as a candidate.
  if (clientSecret && keySource !== 'client-secret') {
    inputs.push({ kind: 'client-secret', secret: clientSecret, label: `${clientSecret.source}, not the key source while an explicit key is set`, role: 'candidate' });
  }

  const candidates: Secret[] = [];
  for (const [i, file] of (opts.candidateSecretFile ?? []).entries()) {
    const text = file === '-' ? await ctx.readStdin() : readTextFile(file, 'candidate secret');
    const lines = text.split(/\r?\n/).map(cleanSecretText).filter(Boolean);
    if (!lines.length) throw new InputError(`candidate secret file ${file} is empty`, 'put one secret per line');
    lines.forEach((l, j) => candidates.push(new Secret(l, `candidate ${i + 1}${lines.length > 1 ? `.${j + 1}` : ''} (${file === '-' ? 'stdin' : `file ${file}`})`)));
  }
  for (const name of ENV.candidates) {
    const v = ctx.env[name];
    if (v) v.split(/\r?\n/).map(cleanSecretText).filter(Boolean).forEach((l, j) => candidates.push(new Secret(l, `candidate ${j + 1} (env ${name})`)));
  }
  for (const c of candidates) inputs.push({ kind: 'unknown', secret: c, label: c.source, role: 'candidate' });

  const out: ResolvedKeys = { inputs, candidateCount: candidates.length };
  if (keySource) out.keySource = keySource;
  if (signingKey && keySource === 'jwt-signing-key') out.signingKeyLength = signingKey.length;
  if (clientSecret) out.clientSecret = clientSecret;
  return out;
}

export async function resolveStorageKey(opts: KeyOptions, ctx: CommandContext): Promise<Secret | undefined> {
  return readSecret({ file: opts.storageEncryptionKeyFile, env: [...ENV.storageKey], label: 'storage encryption key' }, ctx);
}

/**
 * Derive every key once, PBKDF2 on the thread pool, with a spinner on a TTY. On SIGINT it stops
 * waiting at once and returns no keys (a running PBKDF2 job cannot be cancelled; the process exits
 * without it): the command then reports what it has, marked partial.
 */
export async function deriveWithProgress(resolved: ResolvedKeys, opts: KeyOptions, ctx: CommandContext): Promise<DerivedKey[]> {
  const slow = resolved.inputs.filter((i) => i.kind === 'jwt-signing-key' || i.kind === 'unknown').length;
  if (slow) ctx.progress.update(`deriving ${slow} signing key${slow > 1 ? 's' : ''} (PBKDF2-SHA256, 1,000,000 iterations)…`);
  if (ctx.signal.aborted) return [];
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<DerivedKey[]>((resolve) => {
    onAbort = () => resolve([]);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([deriveKeys(resolved.inputs, { testMode: Boolean(opts.fastmcpTestMode) }), interrupted]);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort!);
  }
}

export interface KeyBundle {
  resolved: ResolvedKeys;
  storageKey?: Secret;
  keys: DerivedKey[];
}

/** Read every key input and derive each distinct key once (PBKDF2 on the thread pool). */
export async function prepareKeys(opts: KeyOptions, ctx: CommandContext): Promise<KeyBundle> {
  const resolved = await resolveKeyInputs(opts, ctx);
  const storageKey = await resolveStorageKey(opts, ctx);
  const keys = await deriveWithProgress(resolved, opts, ctx);
  return storageKey ? { resolved, storageKey, keys } : { resolved, keys };
}

export function keyEvidence(keys: DerivedKey[], explicitStorageKey?: Secret): KeyEvidence {
  const ev: KeyEvidence = {
    keys: keys.map((k) => {
      const e: KeyEvidence['keys'][number] = { label: k.label, role: k.role, derivation: k.derivation, ms: Math.round(k.ms) };
      if (k.fingerprint) e.fingerprint = k.fingerprint;
      if (k.hs256KeyText) e.hs256Key = k.hs256KeyText;
      if (k.storageKey) e.storageKey = k.storageKey;
      return e;
    }),
  };
  if (explicitStorageKey) ev.explicitStorageKey = { label: explicitStorageKey.source, key: explicitStorageKey };
  return ev;
}

// ---------------------------------------------------------------------------------------------

export interface ExpectationOptions {
  baseUrl?: string;
  mcpPath?: string;
  issuer?: string;
  fastmcpVersion?: string;
}

function parseUrlOption(text: string, flag: string): URL {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    return u;
  } catch {
    throw new UsageError(`${flag} "${text}" is not an http(s) URL`, `use e.g. ${flag} https://mcp.example.com`);
  }
}

/** `str(AnyHttpUrl(x))`: lower-cased scheme/host, default port dropped, a bare origin gets '/'. */
export function pydanticUrl(text: string, flag = '--base-url'): string {
  return parseUrlOption(text, flag).toString();
}

/** The resource URL FastMCP 2.14.2+ puts in `aud`: base without trailing slash + MCP path. */
export function resourceUrl(baseUrl: string, mcpPath: string): string {
  const base = pydanticUrl(baseUrl).replace(/\/+$/, '');
  const path = mcpPath.startsWith('/') ? mcpPath : `/${mcpPath}`;
  return `${base}${path}`.replace(/\/+$/, '') || base;
}

/** The `aud` FastMCP 2.13.0–2.14.1 hard-coded: base_url without trailing slash + "/mcp", whatever the mount path. */
export function legacyAudience(baseUrl: string): string {
  return `${pydanticUrl(baseUrl).replace(/\/+$/, '')}/mcp`;
}

export interface SettingsInputs {
  expectations: ExpectationOptions;
  keys?: ResolvedKeys;
  upstreamClientId?: string;
  requiredScopes?: string;
  githubApiUrl?: string;
  replicas?: number;
  mcpClients?: number;
}

export function parseScopes(text: string | undefined): string[] {
  if (!text) return ['user'];
  const t = text.trim();
  // FastMCP's settings accept a JSON list or a comma/space separated string.
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr)) return arr.map(String);
    } catch {
      // fall through
    }
  }
  return t.split(/[\s,]+/).filter(Boolean);
}

export function buildSettings(input: SettingsInputs, ctx: CommandContext): SettingsEvidence {
  const e = input.expectations;
  const baseUrl = e.baseUrl ?? firstEnv(ctx, ENV.baseUrl);
  const mcpPath = e.mcpPath ?? '/mcp';
  const issuer = e.issuer ?? firstEnv(ctx, ENV.issuerUrl);
  const s: SettingsEvidence = {
    mcpPath,
    requiredScopes: parseScopes(input.requiredScopes ?? firstEnv(ctx, ENV.requiredScopes)),
    candidateCount: input.keys?.candidateCount ?? 0,
    githubApiUrl: (input.githubApiUrl ?? firstEnv(ctx, ENV.githubApiUrl) ?? 'https://api.github.com').replace(/\/+$/, ''),
  };
  if (baseUrl) {
    s.baseUrl = pydanticUrl(baseUrl);
    s.expectedAudience = resourceUrl(baseUrl, mcpPath);
  }
  if (issuer) s.expectedIssuer = pydanticUrl(issuer, '--issuer');
  else if (baseUrl) s.expectedIssuer = pydanticUrl(baseUrl);
  if (e.fastmcpVersion) {
    s.fastmcpVersion = e.fastmcpVersion;
    s.fastmcpVersionSource = 'flag';
  }
  const clientId = input.upstreamClientId ?? firstEnv(ctx, ENV.clientId);
  if (clientId) s.upstreamClientId = clientId;
  if (input.replicas !== undefined) s.replicas = input.replicas;
  if (input.mcpClients !== undefined) s.mcpClients = input.mcpClients;
  if (input.keys?.keySource) s.keySource = input.keys.keySource;
  if (input.keys?.signingKeyLength !== undefined) s.signingKeyLength = input.keys.signingKeyLength;
  return s;
}

function firstEnv(ctx: CommandContext, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = ctx.env[n];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}
