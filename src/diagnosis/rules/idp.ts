import type { Evidence } from '../evidence.js';
import type { Finding } from '../types.js';

/** Rules of the idp tier. Pure: evidence in, findings out. */
export function idpRules(ev: Evidence): Finding[] {
  void ev;
  return [];
}
