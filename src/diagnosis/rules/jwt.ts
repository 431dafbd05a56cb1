import type { Evidence } from '../evidence.js';
import type { Finding } from '../types.js';

/** Rules of the jwt tier. Pure: evidence in, findings out. */
export function jwtRules(ev: Evidence): Finding[] {
  void ev;
  return [];
}
