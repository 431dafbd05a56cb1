/**
 * Text output: command details, then a short checklist per tier (with its findings), then the
 * verdict in one sentence, then the fix.
 */
import { STAGE_TITLES } from '../diagnosis/stages.js';
import { TIER_TITLES, type Finding, type Report, type TierName } from '../model/index.js';
import { sectionsFor } from './sections/index.js';
import { indent, makeStyle, wrap } from './style.js';

export async function renderText(report: Report, opts: { color: boolean }): Promise<string> {
  const s = makeStyle(opts.color);
  const out: string[] = [];
  out.push(s.bold(`mcp-auth-doctor ${report.command}`) + s.dim(` — evaluated at ${report.evaluatedAt}`));
  if (report.partial) out.push(s.yellow(`partial result: ${report.partial}`));
  out.push('');

  for (const section of await sectionsFor(report.command)) {
    const text = section(report, s).trimEnd();
    if (text) out.push(text, '');
  }

  out.push(s.bold('Checks'));
  const width = Math.max(...Object.keys(report.tiers).map((t) => TIER_TITLES[t as TierName].length));
  for (const [tier, result] of Object.entries(report.tiers) as [TierName, NonNullable<Report['tiers'][TierName]>][]) {
    const label = TIER_TITLES[tier].padEnd(width);
    const reason = result.status === 'skipped' ? s.dim(`skipped: ${result.reason}`) : result.status === 'error' ? s.yellow(`could not check: ${result.reason}`) : result.reason;
    out.push(`  ${s.status(result.status)} ${label}  ${reason}`);
    for (const f of report.findings.filter((x) => x.tier === tier)) {
      out.push(`      ${s.severity(f.severity)} ${s.bold(f.code)}: ${f.title}`);
      out.push(indent(wrap(f.detail, 90), 10));
      if (f.logLine && f.severity === 'error') out.push(indent(s.dim(`FastMCP logs: ${f.logLine}`), 10));
    }
  }
  const untiered = report.findings.filter((f) => !(f.tier in report.tiers));
  for (const f of untiered) out.push(`      ${s.severity(f.severity)} ${s.bold(f.code)}: ${f.title}`, indent(wrap(f.detail, 90), 10));
  out.push('');

  const verdictColor = report.verdict === 'healthy' ? s.green : report.verdict === 'failing' ? s.red : s.yellow;
  out.push(`${s.bold('Verdict:')} ${verdictColor(report.summary)}`);
  const stops = stopAndCause(report);
  if (stops) out.push(wrap(stops, 100, 5));
  if (report.fix) out.push(`${s.bold('Fix:')} ${wrap(report.fix, 100, 5)}`);
  const warnings = report.findings.filter((f) => f.severity === 'warning' && f.code !== report.findings.find((x) => x.severity === 'error')?.code);
  if (warnings.length && report.verdict !== 'failing') {
    out.push(s.dim(`Also: ${warnings.map((w) => w.code).join(', ')} (see above).`));
  }
  return `${out.join('\n')}\n`;
}

/** "FastMCP stops at: … Cause: …" when the verdict names a deeper cause than FastMCP's first failing check. */
function stopAndCause(report: Report): string | undefined {
  const stop = report.failingStage;
  if (!stop) return undefined;
  const stopFinding = report.findings.find((f) => f.code === stop.code && f.severity === 'error');
  if (!stopFinding) return undefined;
  let cause: Finding = stopFinding;
  for (let i = 0; cause.explainedBy && i < report.findings.length; i++) {
    const next = report.findings.find((f) => f.code === cause.explainedBy);
    if (!next) break;
    cause = next;
  }
  if (cause === stopFinding) return undefined;
  const where = stop.stage ? `${STAGE_TITLES[stop.stage]}: ` : '';
  return `FastMCP stops at: ${where}${stopFinding.title} (${stop.code}). Cause: ${cause.title} (${cause.code}).`;
}
