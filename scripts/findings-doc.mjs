#!/usr/bin/env node
// Regenerate docs/findings.md from the finding catalogue (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { CATALOGUE } from '../dist/model/catalogue.js';
import { renderFindingsDoc } from '../dist/render/findings-doc.js';

writeFileSync(new URL('../docs/findings.md', import.meta.url), renderFindingsDoc(CATALOGUE));
console.log(`docs/findings.md: ${CATALOGUE.length} codes`);
