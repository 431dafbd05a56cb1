/**
 * Core fixtures (test/core-fixtures/README.md): evidence JSON → buildReport → the expected verdict,
 * failing tier, exit code and finding codes. Pure: no process spawned, no I/O but reading the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/diagnosis/engine.js';
import { exitCodeFor } from '../../src/diagnosis/exit.js';
import type { Evidence } from '../../src/model/index.js';

const DIR = fileURLToPath(new URL('../core-fixtures', import.meta.url));

interface Fixture {
  source: string;
  evidence: Evidence;
  expected: { verdict: string; failingTier: string | null; exitCode: number; codes: string[] };
}

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Fixture) }));

describe('core fixtures: evidence → verdict', () => {
  it('covers every command', () => {
    expect(new Set(fixtures.map((f) => f.evidence.command))).toEqual(new Set(['inspect-cache', 'verify-token', 'probe-github', 'github-audit', 'diagnose', 'check']));
  });

  it.each(fixtures)('$name', ({ evidence, expected }) => {
    const report = buildReport(evidence, { version: 'fixture', interrupted: false });
    expect(report.findings.map((f) => `${f.severity}:${f.code}`)).toEqual(expected.codes);
    expect(report.verdict).toBe(expected.verdict);
    expect(report.failingTier).toBe(expected.failingTier);
    expect(exitCodeFor(report)).toBe(expected.exitCode);
  });

  it.each(fixtures)('$name, interrupted: never healthy, exit 130', ({ evidence }) => {
    const report = buildReport(evidence, { version: 'fixture', interrupted: true });
    expect(report.verdict).not.toBe('healthy');
    expect(report.partial).toBe('interrupted (SIGINT)');
    expect(exitCodeFor(report)).toBe(130);
  });
});
