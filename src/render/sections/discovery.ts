import type { CanaryEvidence, Collected, DiscoveryEvidence, Report } from '../../model/index.js';
import { columns, indent, wrap, type Style } from '../style.js';

/** Wrapped to `width`, line breaks in the text (from a server) folded into spaces. */
const fold = (text: string, width: number) => wrap(text.replace(/\s+/g, ' '), width);

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
  if (v.outcome === 'rejected') return `${s.status('fail')} canary: rejected (401)${v.wwwAuthenticate ? `\n${indent(s.dim(fold(`WWW-Authenticate: ${v.wwwAuthenticate}`, s.width - 4)), 4)}` : ''}`;
  return `${s.status('fail')} canary: ${v.status ?? 'no answer'}${v.message ? ` (${v.message})` : ''}`;
}

/** check: the outside-in checks, one line each, with the URL that answered; then the canary. */
export function discoverySection(report: Report, style: Style): string {
  const s = style;
  const ev = report.evidence;
  const dc = ev.discovery;
  const out: string[] = [];
  const d: DiscoveryEvidence | undefined = dc && dc.status !== 'skipped' ? dc.value : undefined;
  const checks = report.discovery?.checks ?? [];
  if (d) {
    out.push(`${s.bold('Discovery')} of ${d.serverUrl} ${s.dim(`(spec ${d.spec})`)}`);
    const width = Math.max(...checks.map((c) => c.title.length));
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i]!;
      // A run of checks skipped for one reason is one line; "not reached" after a failed check says no more.
      let j = i;
      while (j + 1 < checks.length && c.status === 'skipped' && checks[j + 1]!.status === 'skipped' && checks[j + 1]!.detail === c.detail) j++;
      if (j - i >= 2) {
        const after = checks.slice(0, i).some((x) => x.status === 'fail' || x.status === 'warn') && /^not reached\b/.test(c.detail);
        out.push(`  ${s.status('skipped')} ${s.dim(after ? `${j - i + 1} checks not reached` : wrap(`${j - i + 1} checks ${c.detail}`, s.width - 4, 4))}`);
        i = j;
        continue;
      }
      const ref = (c.ref ?? '').split(' ')[0]!.padEnd(3);
      // The icon follows the finding's severity: a check that fails with a warning is not a red ✘.
      const icon = c.status === 'fail' && c.severity === 'warning' ? 'warn' : c.status === 'fail' && c.severity === 'info' ? 'info' : c.status;
      const code = c.code && c.status !== 'pass' && c.status !== 'skipped' ? ` ${s.bold(`[${c.code}]`)}` : '';
      const head = `  ${s.status(icon)} ${s.dim(ref)} ${c.title}${code}`;
      out.push(columns(head, c.detail, { width: s.width, column: 4 + 4 + width + 2, under: 10, ...(c.status === 'skipped' ? { style: s.dim } : {}) }));
    }
    const firstId = report.discovery?.firstFailure;
    const first = firstId ? checks.find((c) => c.id === firstId) : undefined;
    if (first) out.push('', `  First failing check: ${s.bold(`${first.ref ? `${first.ref.split(' ')[0]} ` : ''}${first.title}`)} ${s.dim(`(${first.code})`)}`);
  } else if (dc && dc.status === 'skipped') {
    out.push(`${s.bold('Discovery')}: ${s.dim(`skipped: ${dc.reason}`)}`);
  }
  if (ev.canary) out.push('', canaryLine(ev.canary, s));
  if (ev.replicas?.length) {
    // Several --server: one line per replica; what differs is the DISCOVERY_REPLICA_DRIFT finding in Checks.
    const drift = new Set(report.findings.filter((f) => f.code === 'DISCOVERY_REPLICA_DRIFT').map((f) => (f.data as { replica?: number } | undefined)?.replica));
    out.push('', `${s.bold('Replicas')} ${s.dim(`compared with replica 1 (${d?.serverUrl ?? 'the first --server'})`)}`);
    ev.replicas.forEach((r, i) => {
      const n = i + 2;
      const same = !drift.has(n);
      out.push(wrap(`  ${s.status(same ? 'pass' : 'fail')} replica ${n} ${r.server}: ${same ? 'answers the same' : 'differs (DISCOVERY_REPLICA_DRIFT below)'}`, s.width, 6));
    });
  }
  return out.join('\n');
}
