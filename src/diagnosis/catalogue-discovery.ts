/**
 * Finding codes of the discovery tier (outside-in `check`). Owned by src/server/*.
 */
import type { CatalogueEntry } from './catalogue.js';

export const DISCOVERY_CATALOGUE: CatalogueEntry[] = [];
