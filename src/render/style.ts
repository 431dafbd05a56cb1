/** A tiny styling facade over chalk, so section renderers need not care whether colour is on. */
import { Chalk } from 'chalk';
import type { Severity, TierStatus } from '../model/index.js';

export interface Style {
  /** Columns to wrap to (the terminal's width; 80 when not a terminal). */
  width: number;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  status(s: TierStatus | 'warn' | 'info'): string;
  severity(s: Severity): string;
}

/** Narrowest layout the text renderer keeps (a smaller COLUMNS is raised to it). */
export const MIN_WIDTH = 40;
export const DEFAULT_WIDTH = 80;

export function makeStyle(color: boolean, width = DEFAULT_WIDTH): Style {
  const c = new Chalk({ level: color ? 1 : 0 });
  const icons: Record<string, string> = { pass: '✔', fail: '✘', skipped: '–', error: '!', warn: '▲', info: 'ℹ' };
  return {
    width: Math.max(MIN_WIDTH, Math.floor(width)),
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

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

/** Length as the terminal shows it: colour codes take no column. */
export function visibleLength(text: string): number {
  return text.replace(SGR, '').length;
}

/**
 * A row in two columns: `head`, then `detail` starting at `column` and wrapped under itself (so the
 * column layout survives any width); a detail that does not fit on the row when fewer than
 * `minDetail` (40) columns are left follows the head on its line and wraps under `under`. `style` colours each detail line.
 */
export function columns(head: string, detail: string, opts: { width: number; column: number; under: number; minDetail?: number; style?: (s: string) => string }): string {
  const paint = opts.style ?? ((x: string) => x);
  const text = detail.replace(/\s*\n\s*/g, ' ').trim();
  if (!text) return head.trimEnd();
  const pad = Math.max(0, opts.column - visibleLength(head));
  const room = opts.width - opts.column;
  const fits = visibleLength(head) <= opts.column;
  if (fits && text.length <= room) return `${head}${' '.repeat(pad)}${paint(text)}`;
  if (fits && room >= (opts.minDetail ?? 40)) {
    const lines = wrap(text, room).split('\n');
    return [`${head}${' '.repeat(pad)}${paint(lines[0]!)}`, ...lines.slice(1).map((l) => ' '.repeat(opts.column) + paint(l))].join('\n');
  }
  // Too narrow for two columns: the detail starts in its column (or after the head) and wraps under `under`.
  const lines: string[] = [];
  const first = text.split(' ')[0]!;
  const aligned = fits && opts.column + first.length <= opts.width;
  let cur = aligned ? `${head}${' '.repeat(pad)}` : head.trimEnd();
  let len = visibleLength(cur);
  let sep = aligned ? '' : '  ';
  for (const w of text.split(' ')) {
    if (len + sep.length + w.length > opts.width) {
      lines.push(cur);
      cur = ' '.repeat(opts.under) + paint(w);
      len = opts.under + w.length;
    } else {
      cur += sep + paint(w);
      len += sep.length + w.length;
    }
    sep = ' ';
  }
  lines.push(cur);
  return lines.join('\n');
}

/**
 * The last word on width: every line longer than `width` is wrapped at spaces (never inside a word;
 * a word longer than the width stays whole), continuation lines indented under the line's own text
 * plus `extra`. Lines without a space to break at are left alone.
 */
export function fitToWidth(text: string, width: number, extra = 4): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    // A shell line continued with ` \` is left whole: breaking it would break the command when pasted.
    if (visibleLength(line) <= width || /\s\\(\x1b\[[0-9;]*m)*$/.test(line)) {
      out.push(line);
      continue;
    }
    const lead = /^ */.exec(line)![0].length;
    const hang = Math.min(lead + extra, Math.floor(width / 2));
    const words = line.slice(lead).split(' ');
    let cur = ' '.repeat(lead);
    let curLen = lead;
    let first = true;
    for (const w of words) {
      const wl = visibleLength(w);
      const startLen = first ? lead : hang;
      if (curLen > startLen && curLen + 1 + wl > width) {
        out.push(cur.trimEnd());
        cur = ' '.repeat(hang) + w;
        curLen = hang + wl;
        first = false;
      } else {
        cur += curLen > startLen ? ` ${w}` : w;
        curLen += (curLen > startLen ? 1 : 0) + wl;
      }
    }
    out.push(cur.trimEnd());
  }
  return out.join('\n');
}
