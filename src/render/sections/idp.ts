import type { Report } from '../../diagnosis/types.js';
import type { Style } from '../style.js';

/** github-audit / diagnose: matched events and the timeline picture. (Owned by the GitHub tier.) */
export function idpSection(report: Report, style: Style): string {
  void report;
  void style;
  return '';
}
