import type { Report } from '../../model/index.js';
import { columns, wrap, type Style } from '../style.js';

/** FastMCP's verification path for the token, stage by stage; details wrapped in their column. */
export function stagesSection(report: Report, s: Style): string {
  if (!report.stages?.length) return '';
  const out = [s.bold('FastMCP verification path')];
  const titleWidth = Math.max(...report.stages.map((st) => st.title.length));
  const column = 6 + titleWidth + 2;
  report.stages.forEach((st, i) => {
    const n = String(i + 1).padStart(2);
    const head = `${n}. ${s.status(st.status)} ${st.title}`;
    const detail = st.status === 'skipped' ? `skipped: ${st.detail}` : st.detail;
    out.push(columns(head, detail, { width: s.width, column, under: 6, ...(st.status === 'skipped' ? { style: s.dim } : {}) }));
    if (st.logLine) out.push(...wrap(`FastMCP logs: ${st.logLine}`, s.width - 6, 2).split('\n').map((l) => `      ${s.dim(l)}`));
  });
  return out.join('\n');
}
