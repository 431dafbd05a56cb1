/**
 * The GitHub flags → a `GithubTarget`, once, at the command boundary: the API URL and timeout checked
 * (exit 2 with one line), the app's client id and secret, the required scopes, the HTTP edge settings.
 */
import { UsageError } from '../../errors.js';
import { DEFAULT_GITHUB_TIMEOUT_MS } from '../../github/probe.js';
import type { GithubTarget } from '../../github/target.js';
import type { HttpTarget } from '../../http/edge.js';
import type { SettingsEvidence } from '../../model/index.js';
import { ENV, firstEnv } from './env.js';
import { httpTarget } from './http.js';
import type { KeyInputs } from './keys.js';

/** The GitHub flags of probe-github, diagnose and check (see src/cli.ts `githubOptions`). */
export interface GithubOptions {
  githubApiUrl?: string;
  upstreamClientId?: string;
  requiredScopes?: string;
  githubTimeout?: number;
  /** commander: false with --no-check-token. */
  checkToken?: boolean;
  offline?: boolean;
  upstreamTokenFile?: string;
}

/** --github-api-url / GITHUB_API_URL, checked; without trailing slash. */
export function githubApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = flag ?? (firstEnv(env, ENV.githubApiUrl) || 'https://api.github.com');
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

/** The GitHub flags, checked: resolved first thing, before any input is read. */
export interface GithubFlags {
  apiUrl: string;
  http: HttpTarget;
  checkToken: boolean;
  /** --offline: never contact GitHub. */
  offline: boolean;
}

export function resolveGithubFlags(opts: GithubOptions, ctx: { env: NodeJS.ProcessEnv; version: string }): GithubFlags {
  return { apiUrl: githubApiUrl(opts.githubApiUrl, ctx.env), http: httpTarget(githubTimeout(opts.githubTimeout), ctx), checkToken: opts.checkToken !== false, offline: Boolean(opts.offline) };
}

/** What a command knows about contacting GitHub for the upstream probe. */
export interface GithubPlan {
  target: GithubTarget;
  offline: boolean;
}

/** The probe's target: the checked flags, the deployment's client id and scopes (settings), the client secret (key inputs). */
export function githubPlan(flags: GithubFlags, settings: SettingsEvidence, keys: KeyInputs | undefined): GithubPlan {
  const target: GithubTarget = { apiUrl: flags.apiUrl, http: flags.http, requiredScopes: settings.requiredScopes, checkToken: flags.checkToken };
  if (settings.upstreamClientId) target.clientId = settings.upstreamClientId;
  if (keys?.clientSecret) target.clientSecret = keys.clientSecret;
  return { target, offline: flags.offline };
}
