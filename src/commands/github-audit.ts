/**
 * `mcp-auth-doctor github-audit`: what GitHub's own logs say about the app's tokens — creates,
 * destroys with their explanation (max_for_app, expired, …), the events about the upstream tokens in
 * play (matched by hashed_token), and the live-token estimate against the 10-token cap.
 * Sources: security-log exports (streamed), the org/enterprise audit-log API, the store.
 */
import { buildReport } from '../diagnosis/engine.js';
import { UsageError } from '../errors.js';
import { knownToken, type KnownToken } from '../github/audit.js';
import { collectIdp, type IdpSources } from '../github/collect-idp.js';
import { DEFAULT_GITHUB_TIMEOUT_MS } from '../github/probe.js';
import type { AuditLogTarget } from '../github/target.js';
import { readSecret } from '../inputs.js';
import type { Evidence, IdpEvidence } from '../model/index.js';
import { parseAt } from '../time.js';
import type { CommandContext, CommandResult, CommonOptions } from './context.js';
import { ENV } from './resolve/env.js';
import { githubApiUrl } from './resolve/github.js';
import { httpTarget } from './resolve/http.js';
import { KeyBundle, readKeyInputs, type KeyOptions } from './resolve/keys.js';
import { buildSettings } from './resolve/settings.js';
import { resolveStoreTarget, type StoreOptions } from './resolve/store.js';
import { upstreamTokensFromStore } from './store-tokens.js';

export interface GithubAuditOptions extends CommonOptions, KeyOptions, StoreOptions {
  securityLog?: string[];
  org?: string;
  enterprise?: string;
  auditTokenFile?: string;
  app?: string;
  since?: string;
  upstreamClientId?: string;
  githubApiUrl?: string;
  [key: string]: unknown;
}

export async function run(opts: GithubAuditOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const exports = opts.securityLog ?? [];
  if (!exports.length && !opts.org && !opts.enterprise && !opts.store) {
    throw new UsageError('nothing to read', 'give a security-log export (--security-log <file>), an audit-log source (--org/--enterprise with --audit-token-file), or the store (--store) for a cap estimate');
  }
  let since: number | undefined;
  if (opts.since !== undefined) since = parseAt(opts.since, '--since');
  const settings = buildSettings({ expectations: {}, upstreamClientId: opts.upstreamClientId, githubApiUrl: opts.githubApiUrl }, ctx.env);
  const app = opts.app?.trim() || settings.upstreamClientId;

  // The tokens to look for: the store's upstream sets, and/or GITHUB_UPSTREAM_TOKEN.
  const tokens: KnownToken[] = [];
  const envToken = await readSecret({ env: [...ENV.upstreamToken], label: 'upstream GitHub token' }, ctx);
  if (envToken) tokens.push(knownToken(envToken, `the upstream token ${envToken} from env GITHUB_UPSTREAM_TOKEN`));
  let storeEstimate: IdpEvidence['storeEstimate'];
  let storeLocation: string | undefined;
  if (opts.store && !ctx.signal.aborted) {
    const keys = new KeyBundle(await readKeyInputs(opts, ctx));
    const st = await upstreamTokensFromStore(await resolveStoreTarget(opts, ctx), keys, ctx);
    // Interrupted while deriving keys or reading: a count of part of the store is no estimate.
    if (!ctx.signal.aborted) {
      tokens.push(...st.tokens);
      storeEstimate = st.estimate;
      storeLocation = st.location;
    }
  }

  const audit: AuditLogTarget[] = [];
  const targets: { kind: 'org' | 'enterprise'; name: string }[] = [];
  if (opts.org) targets.push({ kind: 'org', name: opts.org });
  if (opts.enterprise) targets.push({ kind: 'enterprise', name: opts.enterprise });
  if (targets.length) {
    const token = await readSecret({ file: opts.auditTokenFile, env: [...ENV.auditToken], label: 'audit-log token' }, ctx);
    if (!token) throw new UsageError(`${opts.org ? '--org' : '--enterprise'} needs a token with read:audit_log`, 'pass --audit-token-file <path|-> or set GITHUB_TOKEN');
    const apiUrl = githubApiUrl(opts.githubApiUrl, ctx.env);
    const http = httpTarget(DEFAULT_GITHUB_TIMEOUT_MS, ctx);
    for (const t of targets) audit.push({ ...t, token, apiUrl, http });
  }

  const input: IdpSources = { exports, tokens };
  if (audit.length) input.audit = audit;
  if (app) input.app = app;
  if (since !== undefined) input.since = since;
  if (storeEstimate) input.storeEstimate = storeEstimate;
  if (storeLocation) input.storeLocation = storeLocation;
  const idp = await collectIdp(input, ctx);

  const ev: Evidence = { command: 'github-audit', now: ctx.now, settings, idp };
  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
