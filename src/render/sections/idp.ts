import type { Report } from '../../model/index.js';
import { renderTimelines } from '../timeline.js';
import { isoTime } from '../../time.js';
import type { Style } from '../style.js';

const FORMAT: Record<string, string> = { 'json-array': 'JSON array', 'json-lines': 'JSON lines', csv: 'CSV' };

/** github-audit / diagnose: matched events and the timeline picture. (Owned by the GitHub tier.) */
export function idpSection(report: Report, s: Style): string {
  const ev = report.evidence;
  const c = ev?.idp;
  if (!c || c.status === 'skipped' || !c.value) return '';
  const idp = c.value;
  const out: string[] = [s.bold('GitHub security / audit log')];
  const rows: [string, string][] = [];
  for (const src of idp.sources ?? []) {
    if (src.kind === 'security-log-export') rows.push(['export', `${src.file} (${FORMAT[src.format ?? ''] ?? src.format}${src.gzip ? ', gzip' : ''}, ${src.events.toLocaleString('en-US')} events)`]);
    else if (src.kind === 'audit-log-api') rows.push(['audit log', `${src.file} (${src.events.toLocaleString('en-US')} events)`]);
    else rows.push(['store', `${src.file ?? 'the store'} (upstream token sets)`]);
  }
  if (idp.sources?.some((x) => x.kind !== 'store-estimate')) {
    rows.push(['app', `${idp.app ?? '(every app)'} — ${idp.eventsForApp} token event${idp.eventsForApp === 1 ? '' : 's'} of ${idp.eventsRead.toLocaleString('en-US')} read`]);
    const d = Object.entries(idp.destroysByExplanation);
    rows.push(['destroys', d.length ? d.map(([k, n]) => `${k} ${n}`).join(', ') : 'none']);
  }
  if (idp.tokens?.length) rows.push(['looked for', `${idp.tokens.length} upstream token${idp.tokens.length > 1 ? 's' : ''} (by hashed_token)`]);
  const se = idp.storeEstimate;
  if (se) {
    const clients = Object.entries(se.perClient)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ');
    rows.push(['live in store', `${se.liveUpstreamSets} upstream set${se.liveUpstreamSets === 1 ? '' : 's'}, ${se.oauthAppTokens} OAuth App token${se.oauthAppTokens === 1 ? '' : 's'} (gho_)${clients ? `; per MCP client ${clients}` : ''}`]);
  }
  if (c.status === 'error' && idp.appsSeen && Object.keys(idp.appsSeen).length) {
    rows.push(['apps in log', Object.entries(idp.appsSeen).map(([k, n]) => `${k} (${n})`).join(', ')]);
  }
  if (idp.limited) rows.push(['note', s.yellow(idp.limited)]);
  const width = Math.max(...rows.map(([k]) => k.length), 0);
  out.push(...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`));

  if (idp.matches.length) {
    out.push('', s.bold('Events about the upstream tokens in play'));
    for (const m of idp.matches) {
      const e = m.event;
      const expl = e.explanation ? ` ${e.explanation === 'max_for_app' ? s.red(e.explanation) : e.explanation}` : '';
      const trig = e.trigger ? s.dim(` ← create at ${isoTime(e.trigger.at)}${e.trigger.requestId ? ` (request ${e.trigger.requestId})` : ''}, ~${e.trigger.liveAfter} live`) : '';
      out.push(`  ${isoTime(e.at)}  ${e.action}${expl}  ${m.token}${e.appName ? ` · ${e.appName}` : ''}${trig}`);
    }
    if (idp.matchesOmitted) out.push(s.dim(`  … and ${idp.matchesOmitted.toLocaleString('en-US')} more (only the latest and each token's last create and destroy are listed)`));
  }

  if (idp.timelines.length) {
    out.push('');
    out.push(...renderTimelines(idp.timelines));
  }
  return out.join('\n');
}
