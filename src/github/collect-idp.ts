/**
 * GitHub-side evidence from security-log exports (and, for github-audit, the org/enterprise audit-log
 * API and the store's cap estimate), shared by github-audit and diagnose: stream every source through
 * one IdpCollector and turn the result into `Collected<IdpEvidence>`. Bad files throw InputError
 * (exit 2); an audit-log API refusal throws CollectError (exit 3).
 */
import { basename } from 'node:path';
import { collected, failed, type Collected, type IdpEvidence, type Io, type StoreEvidence } from '../model/index.js';
import { IdpCollector, type KnownToken, type SourceInfo } from './audit.js';
import type { AuditLogTarget } from './target.js';

export interface IdpInputs {
  app?: string;
  since?: number;
  tokens: KnownToken[];
}

/** Read each export into `collector`; returns the sources read and why reading stopped early, if it did. */
export async function readExports(files: string[], collector: IdpCollector, io: Io = {}): Promise<{ sources: SourceInfo[]; stops: string[] }> {
  const sources: SourceInfo[] = [];
  const stops: string[] = [];
  for (const file of files) {
    // After SIGINT nothing new is opened (file I/O would queue behind a PBKDF2 job on the thread pool).
    if (io.signal?.aborted) break;
    const name = basename(file);
    io.progress?.update(`reading ${name}…`);
    // The readers are loaded when there is something to read, not with this module.
    const { readSecurityLog } = await import('./security-log.js');
    const r = await readSecurityLog(
      file,
      (rec, n) => {
        collector.add(rec, `${name}#${n}`);
        if (n % 50_000 === 0) io.progress?.update(`reading ${name}… ${n.toLocaleString('en-US')} events`);
      },
      io.signal ? { signal: io.signal } : {},
    );
    sources.push({ kind: 'security-log-export', file, format: r.format, gzip: r.gzip, events: r.records });
    if (r.stopped) {
      stops.push(`${name}: ${r.stopped} after ${r.records} events`);
      break;
    }
  }
  return { sources, stops };
}

/**
 * Turn the collector's result into evidence: `error` when --app named an app no event mentions
 * (the log was read, but about something else), `collected` (partial when reading stopped early or
 * the log holds no token events for the app) otherwise.
 */
export function idpResult(collector: IdpCollector, sources: SourceInfo[], stops: string[], extra: { storeEstimate?: IdpEvidence['storeEstimate'] } = {}): Collected<IdpEvidence> {
  const { evidence, appNotFound } = collector.result(sources);
  if (extra.storeEstimate) evidence.storeEstimate = extra.storeEstimate;
  const logRead = sources.some((s) => s.kind !== 'store-estimate');
  if (appNotFound && logRead) {
    const seen = Object.entries(evidence.appsSeen ?? {})
      .slice(0, 5)
      .map(([n, c]) => `${n} (${c})`)
      .join(', ');
    return failed(`no event in the log names the app "${appNotFound}" — ${seen ? `apps seen: ${seen}; ` : 'the log holds no oauth_access events; '}pass --app with the app's name as the log shows it`, evidence);
  }
  const partial = [...stops];
  if (evidence.limited) partial.push(evidence.limited);
  if (!logRead && extra.storeEstimate) partial.push("no security log or audit log was read: only the store's estimate against the 10-token cap (give --security-log to see revocations)");
  if (logRead && evidence.eventsForApp === 0 && !appNotFound) partial.push(`the log holds no oauth_access / oauth_authorization events${evidence.app ? ` for ${evidence.app}` : ''} (is the export filtered?)`);
  return collected(evidence, partial.length ? partial.join('; ') : undefined);
}

export async function collectSecurityLogs(files: string[], inputs: IdpInputs, io: Io = {}): Promise<Collected<IdpEvidence>> {
  const collector = new IdpCollector(inputs);
  const { sources, stops } = await readExports(files, collector, io);
  return idpResult(collector, sources, stops);
}

/** The cap estimate from an inventory already taken (no second pass over the store). */
export function storeEstimateFromInventory(inv: StoreEvidence): NonNullable<IdpEvidence['storeEstimate']> {
  const perClient = { ...inv.chainHealth.upstreamSetsPerClient };
  const live = Object.values(perClient).reduce((a, b) => a + b, 0);
  return { liveUpstreamSets: live, oauthAppTokens: inv.chainHealth.tokensByPrefix['gho_'] ?? 0, perClient };
}

/** Read each audit-log API source into `collector`. */
export async function readAuditSources(audit: AuditLogTarget[], since: number | undefined, collector: IdpCollector, io: Io = {}): Promise<{ sources: SourceInfo[]; stops: string[] }> {
  const sources: SourceInfo[] = [];
  const stops: string[] = [];
  for (const t of audit) {
    if (io.signal?.aborted) break;
    io.progress?.update(`reading the ${t.kind} audit log of ${t.name}…`);
    const { readAuditLog } = await import('./audit-api.js');
    const r = await readAuditLog({ ...t, ...(since !== undefined ? { since } : {}) }, (rec) => collector.add(rec, `${t.kind} ${t.name} audit log`), io);
    sources.push({ kind: 'audit-log-api', file: r.url, events: r.records });
    if (r.stopped) stops.push(r.stopped);
  }
  return { sources, stops };
}

export interface IdpSources extends IdpInputs {
  exports: string[];
  audit?: AuditLogTarget[];
  /** From the store (`upstreamTokensFromStore`), when read. */
  storeEstimate?: IdpEvidence['storeEstimate'];
  storeLocation?: string;
}

/** Every source github-audit knows: exports, then the audit-log API, then the store estimate. */
export async function collectIdp(input: IdpSources, io: Io = {}): Promise<Collected<IdpEvidence>> {
  const collector = new IdpCollector({ app: input.app, since: input.since, tokens: input.tokens });
  const ex = await readExports(input.exports, collector, io);
  const sources = [...ex.sources];
  const stops = [...ex.stops];
  if (input.audit?.length && !stops.length && !io.signal?.aborted) {
    const au = await readAuditSources(input.audit, input.since, collector, io);
    sources.push(...au.sources);
    stops.push(...au.stops);
  }
  if (io.signal?.aborted && !stops.length) stops.push('interrupted');
  if (input.storeEstimate) sources.push({ kind: 'store-estimate', ...(input.storeLocation ? { file: input.storeLocation } : {}), events: 0 });
  return idpResult(collector, sources, stops, input.storeEstimate ? { storeEstimate: input.storeEstimate } : {});
}
