/**
 * `mcp-auth-doctor probe-github`: ask GitHub — once — whether the upstream token behind a FastMCP
 * session still works, exactly as FastMCP's GitHub verifier would, and say why not.
 */
import { buildReport } from '../diagnosis/engine.js';
import { InputError, UsageError } from '../errors.js';
import { classifyToken } from '../github/classify.js';
import { readSecret } from '../inputs.js';
import { skipped, type Evidence, type UpstreamToken } from '../model/index.js';
import type { CommandContext, CommandResult, CommonOptions } from './context.js';
import { probeUpstream, upstreamFromChain } from './inside-out.js';
import { ENV } from './resolve/env.js';
import { githubPlan, resolveGithubFlags, type GithubOptions } from './resolve/github.js';
import { KeyBundle, readKeyInputs, type KeyOptions } from './resolve/keys.js';
import { buildSettings } from './resolve/settings.js';
import { resolveStoreTarget, type StoreOptions } from './resolve/store.js';
import { readTokenInput } from './resolve/token.js';

export interface ProbeGithubOptions extends CommonOptions, KeyOptions, StoreOptions, GithubOptions {
  tokenFile?: string;
  [key: string]: unknown;
}

export async function run(opts: ProbeGithubOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const flags = resolveGithubFlags(opts, ctx);
  // Every input is read once, here: the upstream token file, the FastMCP token, the key material
  // (stdin can serve only one of them).
  const fromFile = opts.upstreamTokenFile !== undefined ? await readSecret({ file: opts.upstreamTokenFile, label: 'upstream GitHub token' }, ctx) : undefined;
  const chainInput = !fromFile && opts.tokenFile && opts.store ? await readTokenInput(undefined, opts.tokenFile, ctx) : undefined;
  const keys = new KeyBundle(await readKeyInputs(opts, ctx));
  const settings = buildSettings({ expectations: {}, keys: keys.inputs, upstreamClientId: opts.upstreamClientId, requiredScopes: opts.requiredScopes, githubApiUrl: flags.apiUrl }, ctx.env);
  const github = githubPlan(flags, settings, keys.inputs);
  const storeTarget = chainInput ? await resolveStoreTarget(opts, ctx) : undefined;

  // The upstream token: --upstream-token-file, else the store chain (--token-file + --store), else GITHUB_UPSTREAM_TOKEN.
  let target: UpstreamToken;
  try {
    if (fromFile) target = { token: fromFile, source: fromFile.source };
    else if (chainInput && storeTarget) target = await upstreamFromChain(chainInput, opts.tokenFile!, keys, storeTarget, settings, ctx);
    else {
      const env = await readSecret({ env: [...ENV.upstreamToken], label: 'upstream GitHub token' }, ctx);
      if (env) target = { token: env, source: env.source };
      else if (opts.tokenFile && !opts.store) throw new UsageError('--token-file needs --store to find the upstream token behind the FastMCP JWT', 'add --store <path|redis-url>, or give the GitHub token with --upstream-token-file <path|->');
      else throw new UsageError('no upstream GitHub token given', 'pass --upstream-token-file <path|->, set GITHUB_UPSTREAM_TOKEN, or give the FastMCP JWT with --token-file and the store with --store');
    }
  } catch (e) {
    // Interrupted while following the FastMCP token through the store: GitHub was never asked.
    if (!ctx.signal.aborted) throw e;
    const ev: Evidence = { command: 'probe-github', now: ctx.now, settings, upstream: skipped('interrupted before the upstream token was found; GitHub was not asked') };
    return { report: buildReport(ev, { version: ctx.version, interrupted: true }) };
  }
  if (classifyToken(target.token.reveal()).family === 'github-app-refresh') {
    throw new InputError(`the token from ${target.source} is a GitHub App refresh token (ghr_), which the API does not accept`, 'give the access token (ghu_) the refresh token belongs to; probing never uses a refresh token');
  }

  const ev: Evidence = { command: 'probe-github', now: ctx.now, settings };
  await probeUpstream(ev, github, { target, why: '' }, ctx);
  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
