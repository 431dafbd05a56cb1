/**
 * Text output: command details, then a short checklist per tier (with its findings), then the
 * verdict in one sentence, then the fix. Everything is wrapped to the terminal width (80 when not a
 * terminal); a finding's detail is printed once — where a section above already shows it (the
 * verification path, the discovery checks), Checks names the finding and points there.
 * `quiet`: only the verdict, the fix and one line per error finding.
 */
import { STAGE_TITLES } from '../diagnosis/stages.js';
import { TIER_TITLES, type Finding, type Report, type TierName } from '../model/index.js';
import { sectionsFor } from './sections/index.js';
import { fitToWidth, indent, makeStyle, wrap, type Style } from './style.js';

export interface TextOptions {
  color: boolean;
  /** Columns to wrap to (default 80). */
  width?: number;
  /** Verdict, fix and one line per error finding. */
  quiet?: boolean;
}

/** Where above a finding's detail is already shown (a stage or a discovery check with the same text). */
function shownAbove(report: Report, f: Finding): string | undefined {
  const i = (report.stages ?? []).findIndex((st) => st.detail === f.detail);
  if (i >= 0) return `step ${i + 1} of the verification path`;
  const c = (report.discovery?.checks ?? []).find((x) => x.detail === f.detail);
  if (c && report.command === 'check') return `${(c.ref ?? '').split(' ')[0] || 'the check'} above`;
  return undefined;
}

function findingLines(report: Report, f: Finding, s: Style): string[] {
  const where = shownAbove(report, f);
  const head = `      ${s.severity(f.severity)} ${s.bold(f.code)}: ${f.title}`;
  if (where) return [`${head}${s.dim(` (${where})`)}`];
  const out = [head, indent(wrap(f.detail, s.width - 10), 10)];
  if (f.logLine && f.severity === 'error') out.push(indent(s.dim(wrap(`FastMCP logs: ${f.logLine}`, s.width - 10, 2)), 10));
  return out;
}

function verdictLines(report: Report, s: Style): string[] {
  const out: string[] = [];
  const verdictColor = report.verdict === 'healthy' ? s.green : report.verdict === 'failing' ? s.red : s.yellow;
  out.push(`${s.bold('Verdict:')} ${verdictColor(wrap(report.summary, s.width - 9, 9))}`);
  const stops = stopAndCause(report);
  if (stops) out.push(wrap(stops, s.width, 5));
  if (report.fix) out.push(`${s.bold('Fix:')} ${wrap(report.fix, s.width - 5, 5)}`);
  return out;
}

export async function renderText(report: Report, opts: TextOptions): Promise<string> {
  const s = makeStyle(opts.color, opts.width);
  const out: string[] = [];
  if (opts.quiet) {
    if (report.partial) out.push(s.yellow(`partial result: ${report.partial}`));
    out.push(...verdictLines(report, s));
    for (const f of report.findings.filter((x) => x.severity === 'error')) out.push(`${s.severity(f.severity)} ${s.bold(f.code)}: ${f.title}`);
    return `${fitToWidth(out.join('\n'), s.width)}\n`;
  }

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
    // A tier that could not be checked: its reason is the verdict's when the verdict says it.
    const errorReason = report.summary.includes(result.reason) ? 'could not check (see the verdict)' : `could not check: ${result.reason}`;
    const reason = result.status === 'skipped' ? s.dim(`skipped: ${result.reason}`) : result.status === 'error' ? s.yellow(errorReason) : result.reason;
    const column = 4 + width + 2;
    const plain = result.status === 'skipped' ? `skipped: ${result.reason}` : result.status === 'error' ? errorReason : result.reason;
    const paint = result.status === 'skipped' ? s.dim : result.status === 'error' ? s.yellow : (x: string) => x;
    const lines = wrap(plain, Math.max(30, s.width - column)).split('\n');
    out.push(`  ${s.status(result.status)} ${label}  ${lines.length === 1 ? reason : paint(lines[0]!)}`);
    for (const l of lines.slice(1)) out.push(' '.repeat(column) + paint(l));
    for (const f of report.findings.filter((x) => x.tier === tier)) out.push(...findingLines(report, f, s));
  }
  const untiered = report.findings.filter((f) => !(f.tier in report.tiers));
  for (const f of untiered) out.push(...findingLines(report, f, s));
  out.push('');

  out.push(...verdictLines(report, s));
  // Warnings not already behind the verdict (a tier that could not be checked is the verdict's subject).
  const deciding = report.findings.find((x) => x.severity === 'error')?.code;
  const warnings = report.findings.filter((f) => f.severity === 'warning' && f.code !== deciding && report.tiers[f.tier]?.status !== 'error');
  if (warnings.length && report.verdict !== 'failing') {
    out.push(s.dim(wrap(`Also: ${warnings.map((w) => w.code).join(', ')} (see above).`, s.width)));
  }
  return `${fitToWidth(out.join('\n'), s.width)}\n`;
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
