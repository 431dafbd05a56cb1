import type { Evidence } from '../evidence.js';
import type { Finding } from '../types.js';

/** Rules of the discovery tier. Pure: evidence in, findings out. */
export function discoveryRules(ev: Evidence): Finding[] {
  void ev;
  return [];
}
