import type { CanaryEvidence, Collected, DiscoveryEvidence, Evidence } from '../../diagnosis/evidence.js';
import type { Report } from '../../diagnosis/types.js';
import { indent, type Style } from '../style.js';

function fold(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (!word) continue;
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function canaryLine(c: Collected<CanaryEvidence>, s: Style): string {
  if (c.status === 'skipped') return `${s.status('skipped')} canary: ${s.dim(`skipped: ${c.reason}`)}`;
  if (c.status === 'error') return `${s.status('error')} canary: ${s.yellow(c.reason)}`;
  const v = c.value;
  const parts: string[] = [];
  if (v.outcome === 'accepted') {
    parts.push(`accepted (${v.status})`);
    if (v.serverInfo?.name || v.serverInfo?.version) parts.push(`server ${[v.serverInfo.name, v.serverInfo.version].filter(Boolean).join(' ')}`);
    if (v.protocolVersion) parts.push(`protocol ${v.protocolVersion}`);
    if (v.sessionClosed) parts.push(v.sessionClosed.error ? `session DELETE failed: ${v.sessionClosed.error}` : `session closed (DELETE → ${v.sessionClosed.status})`);
    if (v.message) parts.push(v.message);
    return `${s.status('pass')} canary: ${parts.join(', ')}`;
  }
  if (v.outcome === 'rejected') return `${s.status('fail')} canary: rejected (401)${v.wwwAuthenticate ? `\n${indent(s.dim(fold(`WWW-Authenticate: ${v.wwwAuthenticate}`, 96)), 4)}` : ''}`;
  return `${s.status('fail')} canary: ${v.status ?? 'no answer'}${v.message ? ` (${v.message})` : ''}`;
}

/** check: the outside-in checks, one line each, with the URL that answered; then the canary. */
export function discoverySection(report: Report, style: Style): string {
  const s = style;
  const ev = report.evidence as Evidence | undefined;
  const dc = ev?.discovery;
  const out: string[] = [];
  const d: DiscoveryEvidence | undefined = dc && dc.status !== 'skipped' ? dc.value : undefined;
  if (d) {
    out.push(`${s.bold('Discovery')} of ${d.serverUrl} ${s.dim(`(spec ${d.spec})`)}`);
    const width = Math.max(...d.checks.map((c) => c.title.length));
    for (let i = 0; i < d.checks.length; i++) {
      const c = d.checks[i]!;
      // A run of checks skipped for one reason is one line.
      let j = i;
      while (j + 1 < d.checks.length && c.status === 'skipped' && d.checks[j + 1]!.status === 'skipped' && d.checks[j + 1]!.detail === c.detail) j++;
      if (j - i >= 2) {
        out.push(`  ${s.status('skipped')} ${s.dim(`${j - i + 1} checks ${c.detail}`)}`);
        i = j;
        continue;
      }
      const ref = (c.ref ?? '').split(' ')[0]!.padEnd(3);
      const head = `  ${s.status(c.status)} ${s.dim(ref)} ${c.title.padEnd(width)}`;
      const plainHead = `  x ${ref} ${c.title.padEnd(width)}`;
      const detail = c.status === 'skipped' ? s.dim(c.detail) : c.detail;
      const code = c.code && c.status !== 'pass' && c.status !== 'skipped' ? ` ${s.bold(`[${c.code}]`)}` : '';
      if (plainHead.length + c.detail.length + 2 <= 130 && !code) out.push(`${head}  ${detail}`);
      else {
        out.push(`${head}${code}`);
        out.push(indent(c.status === 'skipped' ? s.dim(fold(c.detail, 96)) : fold(c.detail, 96), 10));
      }
    }
    const first = d.firstFailure ? d.checks.find((c) => c.id === d.firstFailure) : undefined;
    if (first) out.push('', `  First failing check: ${s.bold(`${first.ref ? `${first.ref.split(' ')[0]} ` : ''}${first.title}`)} ${s.dim(`(${first.code})`)}`);
  } else if (dc && dc.status === 'skipped') {
    out.push(`${s.bold('Discovery')}: ${s.dim(`skipped: ${dc.reason}`)}`);
  }
  if (ev?.canary) out.push('', canaryLine(ev.canary, s));
  return out.join('\n');
}
