/** A tiny styling facade over chalk, so section renderers need not care whether colour is on. */
import { Chalk } from 'chalk';
import type { Severity, TierStatus } from '../model/index.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  status(s: TierStatus | 'warn' | 'info'): string;
  severity(s: Severity): string;
}

export function makeStyle(color: boolean): Style {
  const c = new Chalk({ level: color ? 1 : 0 });
  const icons: Record<string, string> = { pass: '✔', fail: '✘', skipped: '–', error: '!', warn: '▲', info: 'ℹ' };
  return {
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    red: (s) => c.red(s),
    green: (s) => c.green(s),
    yellow: (s) => c.yellow(s),
    cyan: (s) => c.cyan(s),
    status: (s) => {
      const icon = icons[s] ?? '?';
      return s === 'pass' ? c.green(icon) : s === 'fail' ? c.red(icon) : s === 'error' || s === 'warn' ? c.yellow(icon) : c.dim(icon);
    },
    severity: (s) => (s === 'error' ? c.red('error') : s === 'warning' ? c.yellow('warning') : c.cyan('info')),
  };
}

/** Indent every line of `text` by `n` spaces. */
export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/** Greedy word wrap; `hang` indents continuation lines. */
export function wrap(text: string, width: number, hang = 0): string {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/)) {
      if (!word) continue;
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines.join(`\n${' '.repeat(hang)}`);
}
