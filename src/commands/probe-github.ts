/**
 * `mcp-auth-doctor probe-github`: ask GitHub — once — whether the upstream token behind a FastMCP
 * session still works, exactly as FastMCP's GitHub verifier would, and say why not.
 */
import { skipped, type Collected, type Evidence, type UpstreamEvidence } from '../model/index.js';
import { buildReport } from '../diagnosis/engine.js';
import { InputError, UsageError } from '../errors.js';
import { classifyToken } from '../github/classify.js';
import { DEFAULT_GITHUB_TIMEOUT_MS, GithubProber } from '../github/probe.js';
import { readSecret } from '../inputs.js';
import type { Secret } from '../secrets.js';
import type { CommandContext, CommandResult, CommonOptions } from './context.js';
import { buildSettings, ENV, resolveKeyInputs, type KeyOptions } from './shared.js';
import type { GithubOptions } from './inside-out.js';
import { upstreamFromStore } from './upstream-from-store.js';

export interface ProbeGithubOptions extends CommonOptions, KeyOptions, GithubOptions {
  tokenFile?: string;
  store?: string;
  [key: string]: unknown;
}

export interface UpstreamTokenInput {
  token: Secret;
  source: string;
  storedExpiresAt?: number | null;
  hasRefreshToken?: boolean;
}

/** The upstream token: --upstream-token-file, else the store chain (--token-file + --store), else GITHUB_UPSTREAM_TOKEN. */
export async function resolveUpstreamToken(opts: ProbeGithubOptions, ctx: CommandContext): Promise<UpstreamTokenInput> {
  if (opts.upstreamTokenFile !== undefined) {
    const s = await readSecret({ file: opts.upstreamTokenFile, label: 'upstream GitHub token' }, ctx);
    if (s) return { token: s, source: s.source };
  }
  const fromStore = await upstreamFromStore(opts, ctx);
  if (fromStore) return { token: fromStore.token, source: fromStore.source, storedExpiresAt: fromStore.storedExpiresAt, hasRefreshToken: fromStore.hasRefreshToken };
  const env = await readSecret({ env: [...ENV.upstreamToken], label: 'upstream GitHub token' }, ctx);
  if (env) return { token: env, source: env.source };
  if (opts.tokenFile && !opts.store) throw new UsageError('--token-file needs --store to find the upstream token behind the FastMCP JWT', 'add --store <path|redis-url>, or give the GitHub token with --upstream-token-file <path|->');
  throw new UsageError('no upstream GitHub token given', 'pass --upstream-token-file <path|->, set GITHUB_UPSTREAM_TOKEN, or give the FastMCP JWT with --token-file and the store with --store');
}

/** --github-api-url / GITHUB_API_URL, checked; without trailing slash. */
export function githubApiUrl(flag: string | undefined, ctx: CommandContext): string {
  const raw = flag ?? (ctx.env[ENV.githubApiUrl[0]]?.trim() || 'https://api.github.com');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--github-api-url "${raw}" is not a URL`, 'use e.g. https://api.github.com or https://HOST/api/v3 for GitHub Enterprise Server');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError(`--github-api-url "${raw}" is not an http(s) URL`, 'use e.g. https://api.github.com or https://HOST/api/v3');
  if (u.username || u.password) throw new UsageError('--github-api-url must not carry credentials', 'give tokens through files or env, never in URLs');
  return raw.replace(/\/+$/, '');
}

export function githubTimeout(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_GITHUB_TIMEOUT_MS;
  if (ms <= 0) throw new UsageError('--github-timeout must be more than 0 ms', 'use e.g. --github-timeout 10000 (FastMCP uses 10 s)');
  return ms;
}

export async function run(opts: ProbeGithubOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const apiUrl = githubApiUrl(opts.githubApiUrl, ctx);
  const timeoutMs = githubTimeout(opts.githubTimeout);
  let target: UpstreamTokenInput;
  try {
    target = await resolveUpstreamToken(opts, ctx);
  } catch (e) {
    // Interrupted while following the FastMCP token through the store: GitHub was never asked.
    if (!ctx.signal.aborted) throw e;
    const settings = buildSettings({ expectations: {}, upstreamClientId: opts.upstreamClientId, requiredScopes: opts.requiredScopes, githubApiUrl: apiUrl }, ctx);
    const ev: Evidence = { command: 'probe-github', now: ctx.now, settings, upstream: skipped('interrupted before the upstream token was found; GitHub was not asked') };
    return { report: buildReport(ev, { version: ctx.version, interrupted: true }) };
  }
  const kind = classifyToken(target.token.reveal());
  if (kind.family === 'github-app-refresh') {
    throw new InputError(`the token from ${target.source} is a GitHub App refresh token (ghr_), which the API does not accept`, 'give the access token (ghu_) the refresh token belongs to; probing never uses a refresh token');
  }
  const keys = await resolveKeyInputs(opts, ctx);
  const settings = buildSettings({ expectations: {}, keys, upstreamClientId: opts.upstreamClientId, requiredScopes: opts.requiredScopes, githubApiUrl: apiUrl }, ctx);

  let upstream: Collected<UpstreamEvidence>;
  if (opts.offline) {
    upstream = skipped('--offline: GitHub was not contacted');
  } else {
    const prober = new GithubProber({
      apiUrl,
      timeoutMs,
      requiredScopes: settings.requiredScopes,
      clientId: settings.upstreamClientId,
      clientSecret: keys.clientSecret,
      checkToken: opts.checkToken !== false,
      userAgent: `mcp-auth-doctor/${ctx.version}`,
      signal: ctx.signal,
    });
    ctx.progress.update(`asking GitHub (${new URL(apiUrl).host}) about ${target.token}…`);
    try {
      upstream = await prober.probe(target);
    } finally {
      await prober.close();
    }
  }

  const ev: Evidence = { command: 'probe-github', now: ctx.now, settings, upstream };
  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
