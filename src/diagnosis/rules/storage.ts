import type { Evidence } from '../evidence.js';
import type { Finding } from '../types.js';

/** Rules of the storage tier. Pure: evidence in, findings out. */
export function storageRules(ev: Evidence): Finding[] {
  void ev;
  return [];
}
