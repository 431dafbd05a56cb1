import type { Report } from '../../model/index.js';
import { indent, type Style } from '../style.js';

/** FastMCP's verification path for the token, stage by stage. */
export function stagesSection(report: Report, s: Style): string {
  if (!report.stages?.length) return '';
  const out = [s.bold('FastMCP verification path')];
  report.stages.forEach((st, i) => {
    const n = String(i + 1).padStart(2);
    const detail = st.status === 'skipped' ? s.dim(`skipped: ${st.detail}`) : st.detail;
    out.push(`${n}. ${s.status(st.status)} ${st.title.padEnd(46)} ${detail}`);
    if (st.logLine) out.push(indent(s.dim(`FastMCP logs: ${st.logLine}`), 8));
  });
  return out.join('\n');
}
