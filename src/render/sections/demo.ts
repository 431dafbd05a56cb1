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

/**
 * A command line wrapped to `width` with ` \` continuations, so it still pastes into a shell: a flag and
 * its value stay on one line when they fit on one, else the value gets its own continuation line; a
 * word longer than the width stays whole (the text renderer never re-wraps a continuation line).
 */
function shellLines(words: string[], width: number): string[] {
  const INDENT = '    ';
  const fits = (g: string) => INDENT.length + g.length + 2 <= width;
  const groups: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (w.startsWith('-') && next !== undefined && !next.startsWith('-')) {
      if (fits(`${w} ${next}`)) groups.push(`${w} ${next}`);
      else groups.push(w, next);
      i++;
    } else groups.push(w);
  }
  const lines: string[] = [];
  let line = '$';
  for (const g of groups) {
    if (line !== '$' && line.length + 1 + g.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `${INDENT}${g}`;
    } else line = `${line} ${g}`;
  }
  lines.push(line);
  return lines;
}

export function demoSection(report: Report, s: Style): string {
  const demo = report.evidence.demo;
  if (!demo) return '';
  const w = s.width - 2;
  return [
    s.bold('Demo: the bundled sample deployment, diagnosed offline'),
    indent(wrap(demo.summary, w), 2),
    indent(s.dim(shellLines(demo.commandLine.map(shellWord), w).join('\n')), 2),
    indent(wrap(`The sample is built to be diagnosed as ${demo.expectedVerdict}; when it is, \`demo\` exits 0 (that \`diagnose\` run exits ${DIAGNOSE_EXIT[demo.expectedVerdict]}).`, w), 2),
  ].join('\n');
}
