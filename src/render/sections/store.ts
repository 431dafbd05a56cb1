import type { Report } from '../../diagnosis/types.js';
import type { Style } from '../style.js';

/** inspect-cache: the inventory. (Owned by the storage tier.) */
export function storeSection(report: Report, style: Style): string {
  void report;
  void style;
  return '';
}

/** verify-token: the token's chain through the store. */
export function chainSection(report: Report, style: Style): string {
  void report;
  void style;
  return '';
}

/** diagnose: a one-paragraph store summary. */
export function storeSummarySection(report: Report, style: Style): string {
  void report;
  void style;
  return '';
}
