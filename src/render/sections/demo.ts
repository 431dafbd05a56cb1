/**
 * The demo's introduction: what the sample is, the equivalent `diagnose` command line, and what the
 * demo's exit code means. The rest of the demo's output is diagnose's.
 */
import type { DemoEvidence, Report } from '../../model/index.js';
import { indent, wrap, type Style } from '../style.js';

const DIAGNOSE_EXIT: Record<DemoEvidence['expectedVerdict'], string> = { healthy: '0', failing: '1, problems found', inconclusive: '3' };

/** Quote an argument for a POSIX shell when it needs it, so the line can be pasted. */
function shellWord(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function demoSection(report: Report, s: Style): string {
  const demo = report.evidence.demo;
  if (!demo) return '';
  return [
    s.bold('Demo: the bundled sample deployment, diagnosed offline'),
    indent(wrap(demo.summary, 98), 2),
    indent(s.dim(`$ ${demo.commandLine.map(shellWord).join(' ')}`), 2),
    indent(wrap(`The sample is built to be diagnosed as ${demo.expectedVerdict}; when it is, \`demo\` exits 0 (that \`diagnose\` run exits ${DIAGNOSE_EXIT[demo.expectedVerdict]}).`, 98), 2),
  ].join('\n');
}
