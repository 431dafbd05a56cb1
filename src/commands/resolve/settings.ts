/**
 * The settings evidence: what the operator told us (flags, env), checked once, plus what follows from
 * it (the issuer and audience the deployment expects).
 */
import { UsageError } from '../../errors.js';
import type { SettingsEvidence } from '../../model/index.js';
import { ENV, firstEnv } from './env.js';
import type { KeyInputs } from './keys.js';

/** The expectation flags (see src/cli.ts `expectationOptions`). */
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

export interface SettingsInputs {
  expectations: ExpectationOptions;
  keys?: KeyInputs;
  upstreamClientId?: string;
  requiredScopes?: string;
  githubApiUrl?: string;
  replicas?: number;
  /** --store-shared */
  storeShared?: boolean;
  mcpClients?: number;
}

export function buildSettings(input: SettingsInputs, env: NodeJS.ProcessEnv): SettingsEvidence {
  const e = input.expectations;
  const baseUrl = e.baseUrl ?? firstEnv(env, ENV.baseUrl);
  const mcpPath = e.mcpPath ?? '/mcp';
  const issuer = e.issuer ?? firstEnv(env, ENV.issuerUrl);
  const s: SettingsEvidence = {
    mcpPath,
    requiredScopes: parseScopes(input.requiredScopes ?? firstEnv(env, ENV.requiredScopes)),
    candidateCount: input.keys?.candidateCount ?? 0,
    githubApiUrl: (input.githubApiUrl ?? firstEnv(env, ENV.githubApiUrl) ?? 'https://api.github.com').replace(/\/+$/, ''),
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
  const clientId = input.upstreamClientId ?? firstEnv(env, ENV.clientId);
  if (clientId) s.upstreamClientId = clientId;
  if (input.replicas !== undefined) s.replicas = input.replicas;
  if (input.storeShared) s.storeShared = true;
  if (input.mcpClients !== undefined) s.mcpClients = input.mcpClients;
  applyKeySettings(s, input.keys);
  return s;
}

/** What the key inputs say about the deployment (key source, signing-key length, candidates). */
export function applyKeySettings(s: SettingsEvidence, keys: KeyInputs | undefined): void {
  if (!keys) return;
  s.candidateCount = keys.candidateCount;
  if (keys.keySource) s.keySource = keys.keySource;
  if (keys.signingKeyLength !== undefined) s.signingKeyLength = keys.signingKeyLength;
}
