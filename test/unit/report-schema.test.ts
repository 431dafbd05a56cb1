/**
 * docs/report.schema.json: every core fixture's report (evidence → buildReport → JSON, as --json
 * prints it) matches it, and the validator (test/support/json-schema.ts) rejects what it must. The e2e
 * tests check every JSON report the CLI prints against it too (test/support/cli.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/diagnosis/engine.js';
import type { Evidence } from '../../src/model/index.js';
import { renderJson } from '../../src/render/json.js';
import { reportSchemaErrors, validate } from '../support/json-schema.js';

const DIR = fileURLToPath(new URL('../core-fixtures', import.meta.url));
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ''), evidence: (JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { evidence: Evidence }).evidence }));

const reportOf = (evidence: Evidence, interrupted = false) => JSON.parse(renderJson(buildReport(evidence, { version: 'fixture', interrupted }))) as Record<string, unknown>;

describe('docs/report.schema.json', () => {
  it.each(fixtures)('$name: the report matches', ({ evidence }) => {
    expect(reportSchemaErrors(reportOf(evidence))).toEqual([]);
    expect(reportSchemaErrors(reportOf(evidence, true))).toEqual([]);
  });

  it('the JSON error document matches', () => {
    const doc = { schemaVersion: 1, tool: { name: 'mcp-auth-doctor', version: '0.1.0' }, command: 'check', verdict: 'inconclusive', failingTier: null, error: { kind: 'UsageError', message: 'x', hint: null, exitCode: 2 }, findings: [], tiers: {} };
    expect(reportSchemaErrors(doc)).toEqual([]);
    expect(reportSchemaErrors({ ...doc, command: null })).toEqual([]);
  });

  it('stays open to what other tiers and helpers add: a client tier, failingStage', () => {
    const r = reportOf(fixtures[0]!.evidence);
    const extended = { ...r, failingTier: 'client', failingStage: { stage: 'client.cache', tier: 'client', code: 'CLIENT_X' }, tiers: { ...(r.tiers as object), client: { status: 'fail', reason: 'x' } } };
    expect(reportSchemaErrors(extended)).toEqual([]);
  });

  it('rejects a report missing a member, with a wrong type, or a finding without its code', () => {
    const r = reportOf(fixtures.find((f) => f.name.includes('upstream-revoked'))!.evidence);
    const { verdict: _v, ...noVerdict } = r;
    expect(reportSchemaErrors(noVerdict).join('\n')).toMatch(/missing required "verdict"/);
    expect(reportSchemaErrors({ ...r, verdict: 'fine' }).join('\n')).toMatch(/"fine" is not one of/);
    expect(reportSchemaErrors({ ...r, now: '1795' }).join('\n')).toMatch(/expected number, got string/);
    const findings = (r.findings as Record<string, unknown>[]).map(({ code: _c, ...f }) => f);
    expect(findings.length).toBeGreaterThan(0);
    expect(reportSchemaErrors({ ...r, findings }).join('\n')).toMatch(/missing required "code"/);
    const evidence = { ...(r.evidence as object), store: { status: 'collected' } };
    expect(reportSchemaErrors({ ...r, evidence }).join('\n')).toMatch(/anyOf/);
  });

  it('the validator refuses a keyword it does not implement (the schema cannot outgrow the check)', () => {
    expect(() => validate({ type: 'string', format: 'uri' }, 'x')).toThrow(/keyword "format" not supported/);
  });
});
