/**
 * docs/findings.md is generated from the catalogue (`npm run docs:findings`); a test keeps the
 * committed file identical to this rendering, so the documentation never drifts from the data.
 */
import { TIER_TITLES, TIERS, type CatalogueEntry } from '../model/index.js';

function anchor(code: string): string {
  return code.toLowerCase();
}

export function renderFindingsDoc(catalogue: readonly CatalogueEntry[]): string {
  const out: string[] = [];
  out.push('# Finding codes', '');
  out.push(
    'Every problem mcp-auth-doctor reports is a **finding** with a stable code, a tier, a severity, a title,',
    'a detail (the evidence, in words — secrets only as fingerprints) and a fix. Codes never change meaning;',
    'CI jobs and other tools may match on them (`findings[].code` in `--json`, the annotation title in',
    '`--format github`).',
    '',
    'The verdict names the first tier, in FastMCP\'s own order of checks, that has an `error` finding;',
    '`warning` and `info` findings never fail a run. Severities below are defaults: a rule may lower or',
    'raise one with the evidence (for instance by FastMCP version or spec revision), and says so in the detail.',
    '',
    'This file is generated from `src/model/catalogue.ts` and `src/model/catalogue-discovery.ts`',
    '(`npm run docs:findings`); edit the catalogue, not this file.',
    '',
  );
  out.push('| code | tier | default severity | finding |', '|---|---|---|---|');
  for (const tier of TIERS) {
    for (const e of catalogue.filter((x) => x.tier === tier)) out.push(`| [\`${e.code}\`](#${anchor(e.code)}) | ${tier} | ${e.severity} | ${e.title.replace(/\|/g, '\\|')} |`);
  }
  out.push('');
  for (const tier of TIERS) {
    const entries = catalogue.filter((x) => x.tier === tier);
    if (!entries.length) continue;
    out.push(`## ${TIER_TITLES[tier]} (\`${tier}\`)`, '');
    for (const e of entries) {
      out.push(`### ${e.code}`, '');
      out.push(`**${e.title}** — tier \`${e.tier}\`, default severity \`${e.severity}\`.`, '');
      out.push(`**What it means.** ${e.meaning}`, '');
      out.push(`**Fix.** ${e.fix}`, '');
      out.push(`**Seen in.** ${e.seenIn}`, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
