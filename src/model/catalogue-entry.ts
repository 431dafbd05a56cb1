/** The shape of one catalogue entry, for any code type (src/model/catalogue.ts is the data and narrows the codes). */
import type { Severity, TierName } from './tiers.js';

export interface CatalogueEntryOf<C extends string> {
  code: C;
  tier: TierName;
  severity: Severity;
  title: string;
  /** What the finding means and which evidence the doctor looked at (docs/findings.md). */
  meaning: string;
  fix: string;
  /** Where the failure mode was seen (failure-catalogue.md case numbers, issue refs). */
  seenIn: string;
}
