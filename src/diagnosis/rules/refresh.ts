import type { Evidence } from '../evidence.js';
import type { Finding } from '../types.js';

/** Rules of the refresh tier. Pure: evidence in, findings out. */
export function refreshRules(ev: Evidence): Finding[] {
  void ev;
  return [];
}
