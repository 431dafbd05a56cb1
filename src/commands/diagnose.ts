/**
 * `diagnose`: run every tier there are inputs for — JWT, storage, refresh, upstream, GitHub-side
 * evidence, configuration hazards — and reason to one verdict naming the first failing tier in
 * FastMCP's order of checks. Later tiers still run where they can: their evidence explains.
 */
import { buildReport } from '../diagnosis/engine.js';
import { unusableToken } from '../diagnosis/facts.js';
import { UsageError } from '../errors.js';
import type { Evidence } from '../model/index.js';
import type { CommandContext, CommandResult } from './context.js';
import { resolveDiagnoseInputs } from './diagnose-inputs.js';
import { idpEvidence } from './idp-evidence.js';
import { collectTokenAndStore, probeUpstream, upstreamFor } from './inside-out.js';
import { githubPlan, type GithubOptions } from './resolve/github.js';
import type { KeyOptions } from './resolve/keys.js';
import type { ExpectationOptions } from './resolve/settings.js';
import type { StoreOptions } from './resolve/store.js';
import { readTokenInput } from './resolve/token.js';

export type DiagnoseOptions = KeyOptions &
  ExpectationOptions &
  StoreOptions &
  GithubOptions & {
    tokenFile?: string;
    presentedAs?: 'access' | 'refresh';
    securityLog?: string[];
    app?: string;
    since?: string;
    replicas?: number;
    storeShared?: boolean;
    mcpClients?: number;
    /** --client and friends: the tokens come from the MCP client's cache (diagnose-client.ts). */
    client?: string;
    clientHome?: string;
    clientCache?: string[];
    serverUrl?: string;
  };

export async function run(opts: DiagnoseOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  if (opts.client !== undefined) return (await import('./diagnose-client.js')).runClient(opts, ctx);
  if (opts.clientHome !== undefined || opts.clientCache !== undefined || opts.serverUrl !== undefined) {
    throw new UsageError('--client-home, --client-cache and --server-url need --client', 'name the MCP client whose cache to read, e.g. --client mcp-remote');
  }
  const input = await readTokenInput(undefined, opts.tokenFile, ctx);
  const { flags, since, keys, settings, storeTarget, given } = await resolveDiagnoseInputs(opts, ctx);
  if (opts.presentedAs) settings.presentedAs = opts.presentedAs;
  const ev: Evidence = { command: 'diagnose', now: ctx.now, settings };

  // 1–2. The FastMCP JWT, then storage (inventory + the token's chain); without --store the default
  // FASTMCP_HOME is tried quietly.
  const store = await collectTokenAndStore(ev, { token: input, keys, store: storeTarget, storeRequired: false, inventory: true }, ctx);
  const token = ev.token?.status === 'collected' ? ev.token.value : undefined;
  if (token && unusableToken(token)) return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
  if (!input && !store && !ctx.signal.aborted) throw new UsageError('nothing to diagnose: no token and no store', 'give the token a client sent (--token-file <path|->) and/or the store the server uses (--store <path|redis-url>)');

  // 3. Upstream: the GitHub token behind the session (from the chain), or one given directly.
  const upstream = upstreamFor(given ? { token: given, source: given.source } : undefined, ev);
  if (input || upstream.target) await probeUpstream(ev, githubPlan(flags, settings, keys.inputs), upstream, ctx);

  // 4. GitHub-side evidence: security-log exports, or the store's cap estimate for OAuth Apps.
  const idp = await idpEvidence(opts, ev, upstream.target, since, ctx);
  if (idp) ev.idp = idp;

  // 5. Verdict.
  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
