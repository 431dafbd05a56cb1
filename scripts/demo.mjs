#!/usr/bin/env node
// `npm run demo`: diagnose the bundled broken sample deployment (fixtures/demo), offline.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = [
  'bin/mcp-auth-doctor.js',
  'diagnose',
  '--env-file', 'fixtures/demo/deployment.env',
  '--store', 'fixtures/demo/fastmcp-home',
  '--token-file', 'fixtures/demo/access-token.jwt',
  '--jwt-signing-key-file', 'fixtures/demo/jwt-signing-key.txt',
  '--candidate-secret-file', 'fixtures/demo/previous-jwt-signing-key.txt',
  '--at', '2026-11-21T22:19:02Z',
  '--offline',
  ...process.argv.slice(2),
];

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
