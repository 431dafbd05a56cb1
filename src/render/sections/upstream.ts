import type { Report } from '../../diagnosis/types.js';
import type { Style } from '../style.js';

/** probe-github / diagnose: what GitHub answered. (Owned by the GitHub tier.) */
export function upstreamSection(report: Report, style: Style): string {
  void report;
  void style;
  return '';
}
