import type { Evidence } from '../evidence.js';
import type { Finding } from '../types.js';

/** Rules of the config tier. Pure: evidence in, findings out. */
export function configRules(ev: Evidence): Finding[] {
  void ev;
  return [];
}
