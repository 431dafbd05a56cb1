import type { Report } from '../../diagnosis/types.js';
import type { Style } from '../style.js';

/** check: the outside-in checks. (Owned by the discovery tier.) */
export function discoverySection(report: Report, style: Style): string {
  void report;
  void style;
  return '';
}
