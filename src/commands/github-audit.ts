/**
 * `mcp-auth-doctor github-audit`: what GitHub's own logs say about the app's tokens — creates,
 * destroys with their explanation (max_for_app, expired, …), the events about the upstream tokens in
 * play (matched by hashed_token), and the live-token estimate against the 10-token cap.
 * Sources: security-log exports (streamed), the org/enterprise audit-log API, the store.
 */
import { basename } from 'node:path';
import { collected, failed, type Collected, type Evidence, type IdpEvidence } from '../diagnosis/evidence.js';
import { buildReport } from '../diagnosis/engine.js';
import { UsageError } from '../errors.js';
import { IdpCollector, knownToken, type KnownToken, type SourceInfo } from '../github/audit.js';
import { readAuditLog } from '../github/audit-api.js';
import { DEFAULT_GITHUB_TIMEOUT_MS } from '../github/probe.js';
import { readSecurityLog } from '../github/security-log.js';
import { readSecret } from '../inputs.js';
import { parseAt } from '../time.js';
import type { CommandContext, CommandResult, CommonOptions } from './context.js';
import { githubApiUrl } from './probe-github.js';
import { buildSettings, ENV, type KeyOptions } from './shared.js';

export interface GithubAuditOptions extends CommonOptions, KeyOptions {
  securityLog?: string[];
  org?: string;
  enterprise?: string;
  auditTokenFile?: string;
  app?: string;
  since?: string;
  upstreamClientId?: string;
  githubApiUrl?: string;
  store?: string;
  [key: string]: unknown;
}

export async function run(opts: GithubAuditOptions, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const exports = opts.securityLog ?? [];
  if (!exports.length && !opts.org && !opts.enterprise && !opts.store) {
    throw new UsageError('nothing to read', 'give a security-log export (--security-log <file>), an audit-log source (--org/--enterprise with --audit-token-file), or the store (--store) for a cap estimate');
  }
  let since: number | undefined;
  if (opts.since !== undefined) {
    try {
      since = parseAt(opts.since);
    } catch {
      throw new UsageError(`--since "${opts.since}" is neither unix seconds nor an ISO 8601 time`, 'use e.g. --since 2026-11-01 or --since 1793491200');
    }
  }
  const settings = buildSettings({ expectations: {}, upstreamClientId: opts.upstreamClientId, githubApiUrl: opts.githubApiUrl }, ctx);
  const app = opts.app?.trim() || settings.upstreamClientId;

  // The tokens to look for: the store's upstream sets, and/or GITHUB_UPSTREAM_TOKEN.
  const tokens: KnownToken[] = [];
  const envToken = await readSecret({ env: [...ENV.upstreamToken], label: 'upstream GitHub token' }, ctx);
  if (envToken) tokens.push(knownToken(envToken, `${envToken} from env GITHUB_UPSTREAM_TOKEN`));
  let storeEstimate: IdpEvidence['storeEstimate'];
  let storeLocation: string | undefined;
  if (opts.store) {
    const { upstreamTokensFromStore } = await import('../github/store-tokens.js');
    const st = await upstreamTokensFromStore(opts, ctx);
    tokens.push(...st.tokens);
    storeEstimate = st.estimate;
    storeLocation = st.location;
  }

  const collector = new IdpCollector({ app, since, tokens });
  const sources: SourceInfo[] = [];
  const stops: string[] = [];

  for (const file of exports) {
    const name = basename(file);
    ctx.progress.update(`reading ${name}…`);
    const r = await readSecurityLog(
      file,
      (rec, n) => {
        collector.add(rec, `${name}#${n}`);
        if (n % 50_000 === 0) ctx.progress.update(`reading ${name}… ${n.toLocaleString('en-US')} events`);
      },
      { signal: ctx.signal },
    );
    sources.push({ kind: 'security-log-export', file, format: r.format, gzip: r.gzip, events: r.records });
    if (r.stopped) {
      stops.push(`${name}: ${r.stopped} after ${r.records} events`);
      break;
    }
  }

  const targets: { kind: 'org' | 'enterprise'; name: string }[] = [];
  if (opts.org) targets.push({ kind: 'org', name: opts.org });
  if (opts.enterprise) targets.push({ kind: 'enterprise', name: opts.enterprise });
  if (targets.length && !ctx.signal.aborted) {
    const token = await readSecret({ file: opts.auditTokenFile, env: [...ENV.auditToken], label: 'audit-log token' }, ctx);
    if (!token) throw new UsageError(`${opts.org ? '--org' : '--enterprise'} needs a token with read:audit_log`, 'pass --audit-token-file <path|-> or set GITHUB_TOKEN');
    const apiUrl = githubApiUrl(opts.githubApiUrl, ctx);
    for (const t of targets) {
      ctx.progress.update(`reading the ${t.kind} audit log of ${t.name}…`);
      const r = await readAuditLog(
        { kind: t.kind, name: t.name, token: token.reveal(), apiUrl, timeoutMs: DEFAULT_GITHUB_TIMEOUT_MS, userAgent: `mcp-auth-doctor/${ctx.version}`, ...(since !== undefined ? { since } : {}), signal: ctx.signal },
        (rec) => collector.add(rec, `${t.kind} ${t.name} audit log`),
      );
      sources.push({ kind: 'audit-log-api', file: r.url, events: r.records });
      if (r.stopped) stops.push(r.stopped);
    }
  }
  if (storeEstimate) sources.push({ kind: 'store-estimate', ...(storeLocation ? { file: storeLocation } : {}), events: 0 });

  const { evidence, appNotFound } = collector.result(sources);
  if (storeEstimate) evidence.storeEstimate = storeEstimate;
  const logRead = sources.some((s) => s.kind !== 'store-estimate');

  let idp: Collected<IdpEvidence>;
  if (appNotFound && logRead) {
    const seen = Object.entries(evidence.appsSeen ?? {})
      .slice(0, 5)
      .map(([n, c]) => `${n} (${c})`)
      .join(', ');
    idp = failed(
      `no event in the log names the app "${appNotFound}" — ${seen ? `apps seen: ${seen}; ` : 'the log holds no oauth_access events; '}pass --app with the app's name as the log shows it`,
      evidence,
    );
  } else {
    const partial = [...stops];
    if (evidence.limited) partial.push(evidence.limited);
    if (!logRead) partial.push('no security log or audit log was read: only the store\'s estimate against the 10-token cap (give --security-log to see revocations)');
    if (logRead && evidence.eventsForApp === 0 && !appNotFound) partial.push(`the log holds no oauth_access / oauth_authorization events${evidence.app ? ` for ${evidence.app}` : ''} (is the export filtered?)`);
    idp = collected(evidence, partial.length ? partial.join('; ') : undefined);
  }

  const ev: Evidence = { command: 'github-audit', now: ctx.now, settings, idp };
  const report = buildReport(ev, { version: ctx.version, tiers: ['idp'], deciding: ['idp'], ...(ctx.signal.aborted ? { partial: 'interrupted' } : {}) });
  return { report };
}
