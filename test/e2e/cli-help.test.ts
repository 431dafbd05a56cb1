import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { runCli } from '../support/cli.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

it('--help (the pre-rendered fast path) prints exactly what commander renders, exit 0', async () => {
  const r = await runCli(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(buildProgram(version, async () => {}).helpInformation());
  for (const c of ['inspect-cache', 'verify-token', 'probe-github', 'github-audit', 'diagnose', 'check']) expect(r.stdout).toContain(c);
});

it('subcommand help and --version go through commander', async () => {
  const h = await runCli(['diagnose', '--help']);
  expect(h.code).toBe(0);
  expect(h.stdout).toContain('--token-file');
  const v = await runCli(['--version']);
  expect(v.stdout.trim()).toBe(version);
});

it('no command at all is a usage error (exit 2)', async () => {
  const r = await runCli([]);
  expect(r.code).toBe(2);
});
