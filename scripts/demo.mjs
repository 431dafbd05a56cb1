#!/usr/bin/env node
// `npm run demo`: diagnose the bundled broken sample deployment (fixtures/demo), offline.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { args: demoArgs } = JSON.parse(readFileSync(new URL('../fixtures/demo/args.json', import.meta.url), 'utf8'));
const args = ['bin/mcp-auth-doctor.js', ...demoArgs, ...process.argv.slice(2)];

console.log('Sample: a FastMCP 3.4.7 deployment whose clients all get 401 invalid_token since a deploy');
console.log('changed its jwt_signing_key (see fixtures/demo/README.md).\n');
console.log(`$ mcp-auth-doctor ${args.slice(1).join(' ')}\n`);
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
// The sample is broken on purpose: exit 1 ("problems found") is the expected outcome.
if (r.status === 1) {
  console.log('\n(exit code 1: problems found — as expected for this broken sample)');
  process.exit(0);
}
process.exit(r.status ?? 1);
