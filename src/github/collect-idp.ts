/**
 * GitHub-side evidence from security-log exports, shared by github-audit and diagnose: stream every
 * export through one IdpCollector and turn the result into `Collected<IdpEvidence>`.
 */
import { basename } from 'node:path';
import type { CommandContext } from '../commands/context.js';
import { collected, failed, type Collected, type IdpEvidence, type StoreEvidence } from '../diagnosis/evidence.js';
import { IdpCollector, type KnownToken, type SourceInfo } from './audit.js';
import { readSecurityLog } from './security-log.js';

export interface IdpInputs {
  app?: string;
  since?: number;
  tokens: KnownToken[];
}

/** Read each export into `collector`; returns the sources read and why reading stopped early, if it did. */
export async function readExports(files: string[], collector: IdpCollector, ctx: CommandContext): Promise<{ sources: SourceInfo[]; stops: string[] }> {
  const sources: SourceInfo[] = [];
  const stops: string[] = [];
  for (const file of files) {
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
  return { sources, stops };
}

/**
 * Turn the collector's result into evidence: `error` when --app named an app no event mentions
 * (the log was read, but about something else), `collected` (partial when reading stopped early or
 * the log holds no token events for the app) otherwise.
 */
export function idpResult(collector: IdpCollector, sources: SourceInfo[], stops: string[]): Collected<IdpEvidence> {
  const { evidence, appNotFound } = collector.result(sources);
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
  if (logRead && evidence.eventsForApp === 0 && !appNotFound) partial.push(`the log holds no oauth_access / oauth_authorization events${evidence.app ? ` for ${evidence.app}` : ''} (is the export filtered?)`);
  return collected(evidence, partial.length ? partial.join('; ') : undefined);
}

export async function collectSecurityLogs(files: string[], inputs: IdpInputs, ctx: CommandContext): Promise<Collected<IdpEvidence>> {
  const collector = new IdpCollector(inputs);
  const { sources, stops } = await readExports(files, collector, ctx);
  return idpResult(collector, sources, stops);
}

/** The cap estimate from an inventory already taken (no second pass over the store). */
export function storeEstimateFromInventory(inv: StoreEvidence): NonNullable<IdpEvidence['storeEstimate']> {
  const perClient = { ...inv.chainHealth.upstreamSetsPerClient };
  const live = Object.values(perClient).reduce((a, b) => a + b, 0);
  return { liveUpstreamSets: live, oauthAppTokens: inv.chainHealth.tokensByPrefix['gho_'] ?? 0, perClient };
}
