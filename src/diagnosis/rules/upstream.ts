import type { Evidence } from '../evidence.js';
import type { Finding } from '../types.js';

/** Rules of the upstream tier. Pure: evidence in, findings out. */
export function upstreamRules(ev: Evidence): Finding[] {
  void ev;
  return [];
}
