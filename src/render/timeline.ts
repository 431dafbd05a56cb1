/**
 * The terminal timeline picture: estimated live tokens of one user/app over time, against the
 * 10-token line, with creates and destroys underneath. Plain characters (no colour needed), so it
 * survives NO_COLOR, pipes and CI logs. Pure.
 */
import { GITHUB_TOKEN_CAP, type IdpEvidence } from '../model/index.js';

export interface PictureOptions {
  /** Columns for the time axis. */
  width?: number;
  /** Most rows for the count axis (larger counts are scaled). */
  maxRows?: number;
  cap?: number;
}

type Timeline = IdpEvidence['timelines'][number];

function minute(at: number): string {
  return new Date(at * 1000).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

export function renderTimeline(t: Timeline, opts: PictureOptions = {}): string[] {
  const width = Math.max(10, opts.width ?? 60);
  const cap = opts.cap ?? GITHUB_TOKEN_CAP;
  const pts = t.points;
  const title = `${t.app} · ${t.user} — estimated live tokens${t.baseline ? ` (lower bound: at least ${t.baseline} existed before the first event)` : ''}`;
  if (!pts.length) return [title, t.events ? `  (${t.events.toLocaleString('en-US')} create/destroy events, drawn only for the busiest timelines)` : '  (no create or destroy events)'];
  const start = pts[0]!.merged?.from ?? pts[0]!.at;
  const end = pts[pts.length - 1]!.at;
  const span = Math.max(end - start, 1);
  const col = (at: number) => Math.min(width - 1, Math.floor(((at - start) / span) * (width - 1)));

  // Level per column: the highest count reached in it; columns without events keep the last level.
  const level: (number | undefined)[] = new Array<number | undefined>(width).fill(undefined);
  const creates = new Array<number>(width).fill(0);
  const destroys = new Array<string>(width).fill(' ');
  const endLevel: (number | undefined)[] = new Array<number | undefined>(width).fill(undefined);
  for (const p of pts) {
    const c = col(p.at);
    const m = p.merged;
    level[c] = Math.max(level[c] ?? 0, m ? m.peak : p.live);
    endLevel[c] = p.live;
    // A merged point (busy timeline) stands for several events: its creates and its worst destroy.
    if (m) creates[c] = creates[c]! + m.creates;
    else if (p.event === 'create') creates[c] = creates[c]! + 1;
    if (m ? m.destroys > 0 : p.event === 'destroy') {
      const mark = p.explanation === 'max_for_app' ? 'M' : p.explanation === 'expired' ? 'E' : 'x';
      const rank = (m: string) => (m === 'M' ? 3 : m === 'E' ? 2 : m === 'x' ? 1 : 0);
      if (rank(mark) > rank(destroys[c]!)) destroys[c] = mark;
    }
  }
  let last = t.baseline ?? 0;
  for (let c = 0; c < width; c++) {
    if (level[c] === undefined) level[c] = last;
    else last = endLevel[c]!;
  }

  const top = Math.max(t.peak, cap + 1);
  const maxRows = opts.maxRows ?? 14;
  const step = Math.ceil(top / maxRows);
  const rows = Math.ceil(top / step);
  const capRow = Math.ceil(cap / step);
  // One gutter for the count labels and the event-row labels, so every row's columns line up.
  const g = 'destroyed'.length;
  const lines = [title];
  for (let r = rows; r >= 1; r--) {
    const value = r * step;
    const isCap = r === capRow;
    let line = '';
    for (let c = 0; c < width; c++) line += level[c]! >= value ? '█' : isCap ? '─' : ' ';
    lines.push(`${String(value).padStart(g)} ${isCap ? '┤' : '│'}${line}${isCap ? ` ${cap}-token cap` : ''}`);
  }
  lines.push(`${'0'.padStart(g)} └${'─'.repeat(width)}`);
  const left = minute(start);
  const right = minute(end);
  lines.push(`${' '.repeat(g + 2)}${left}${' '.repeat(Math.max(1, width - left.length - right.length))}${right}`);
  lines.push(`${'created'.padStart(g)}  ${creates.map((n) => (n === 0 ? ' ' : n > 9 ? '+' : String(n))).join('')}`.trimEnd());
  lines.push(`${'destroyed'.padStart(g)}  ${destroys.join('')}`.trimEnd());
  lines.push(`${' '.repeat(g + 2)}(digits: tokens created; M = max_for_app, E = expired, x = other destroy)`);
  return lines;
}

/** Pictures for the busiest timelines (most tokens first). */
export function renderTimelines(timelines: IdpEvidence['timelines'], opts: PictureOptions & { max?: number } = {}): string[] {
  const max = opts.max ?? 4;
  const out: string[] = [];
  for (const t of timelines.slice(0, max)) out.push(...renderTimeline(t, opts), '');
  if (timelines.length > max) out.push(`(${timelines.length - max} more user/app timeline${timelines.length - max > 1 ? 's' : ''} in --json)`);
  return out;
}
