/**
 * GitHub Actions output: workflow-command annotations on stdout (escaped, capped; short: the finding's
 * title and one sentence) and a Markdown summary for $GITHUB_STEP_SUMMARY (the entry point appends
 * it) with every finding's detail and fix, each code linked to its section of docs/findings.md.
 */
import { TIER_TITLES, type Finding, type Report, type TierName } from '../model/index.js';

/** GitHub caps annotations per step; we stay under it and say how many were left out. */
export const ANNOTATION_CAP = 10;
const MAX_MESSAGE = 4000;

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** Where a finding code is explained: its section of docs/findings.md at this version's tag (a stable anchor). */
export function findingUrl(code: string, version: string): string {
  return `https://github.com/mcp-auth-doctor/mcp-auth-doctor/blob/v${version}/docs/findings.md#${code.toLowerCase()}`;
}

/** The first sentence of `text`: up to a full stop, ! or ? before a capital letter or the end (not "i.e.", "e.g."). */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = /[.!?](?= [A-Z]|$)/g;
  for (let m = end.exec(flat); m; m = end.exec(flat)) {
    const upTo = flat.slice(0, m.index + 1);
    if (!/\b(?:i\.e|e\.g|etc|vs|cf)\.$/.test(upTo)) return upTo;
  }
  return flat;
}

/** One annotation: the title and one sentence of the detail; the rest is in the job summary. */
function annotation(f: Finding): string {
  let message = `${f.title}. ${firstSentence(f.detail)} (Detail and fix: job summary.)`;
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE - 1)}…`;
  return `::${COMMAND[f.severity]} title=${escapeProperty(`${f.code} (${f.tier})`)}::${escapeData(message)}`;
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderGithub(report: Report): { stdout: string; summary: string } {
  const lines: string[] = [];
  for (const severity of ['error', 'warning', 'info'] as const) {
    const all = report.findings.filter((f) => f.severity === severity);
    for (const f of all.slice(0, ANNOTATION_CAP)) lines.push(annotation(f));
    if (all.length > ANNOTATION_CAP) {
      lines.push(`::${COMMAND[severity]}::${escapeData(`${all.length - ANNOTATION_CAP} more ${severity} finding(s) not annotated; see the job summary.`)}`);
    }
  }
  const warned = report.findings.filter((f) => f.severity === 'warning').length;
  const stop = report.failingStage && report.failingStage.tier !== report.failingTier ? `; FastMCP stops at ${report.failingStage.stage ?? report.failingStage.tier} (${report.failingStage.code})` : '';
  lines.push(`mcp-auth-doctor ${report.command}: ${report.verdict}${report.failingTier ? ` (failing tier: ${report.failingTier}${stop})` : ''}${report.verdict === 'healthy' && warned ? ` with ${warned} warning${warned > 1 ? 's' : ''}` : ''} — ${report.summary}`);

  const md: string[] = [];
  // A healthy run with warnings says so: it is not a plain ✅.
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  const icon = report.verdict === 'healthy' ? (warnings ? '⚠️' : '✅') : report.verdict === 'failing' ? '❌' : '⚠️';
  const withWarnings = warnings ? `, with ${warnings} warning${warnings > 1 ? 's' : ''}` : '';
  md.push(`## ${icon} mcp-auth-doctor ${report.command}: ${report.verdict}${withWarnings}`, '');
  md.push(`**${mdCell(report.summary)}**`, '');
  if (report.fix) md.push(`**Fix:** ${mdCell(report.fix)}`, '');
  md.push('| tier | status | reason |', '|---|---|---|');
  for (const [tier, r] of Object.entries(report.tiers) as [TierName, NonNullable<Report['tiers'][TierName]>][]) {
    md.push(`| ${TIER_TITLES[tier]} | ${r.status} | ${mdCell(r.reason)} |`);
  }
  if (report.findings.length) {
    md.push('', '| severity | code | finding | detail and fix |', '|---|---|---|---|');
    for (const f of report.findings) md.push(`| ${f.severity} | [\`${f.code}\`](${findingUrl(f.code, report.tool.version)}) | ${mdCell(f.title)} | ${mdCell(f.detail)}<br>**Fix:** ${mdCell(f.fix)} |`);
  }
  md.push('', `<sub>evaluated at ${report.evaluatedAt} · mcp-auth-doctor ${report.tool.version}</sub>`, '');
  return { stdout: `${lines.join('\n')}\n`, summary: `${md.join('\n')}\n` };
}
