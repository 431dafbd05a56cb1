#!/usr/bin/env node
// npm's `prepare` script. npm runs it on `npm install` / `npm ci` in a checkout, when the package is
// installed from a git URL (in npm's temporary clone, with the dev dependencies), and before
// `npm pack` / `npm publish`. It builds dist/ from scratch, so a tarball never ships a missing or
// stale build (tsc does not delete the output of a source file that is gone).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let compiler = true;
try {
  createRequire(import.meta.url).resolve('typescript');
} catch {
  compiler = false;
}

if (!compiler) {
  // Installed without the dev dependencies (`npm ci --omit=dev`): nothing to build with.
  if (['pack', 'publish'].includes(process.env.npm_command ?? '')) {
    console.error(`mcp-auth-doctor: cannot ${process.env.npm_command}: dist/ is built on packing, and the dev dependencies (typescript) are not installed — run \`npm ci\` first`);
    process.exit(1);
  }
  console.error('mcp-auth-doctor: dev dependencies not installed, dist/ left as it is — run `npm ci` and `npm run build` to build it');
  process.exit(0);
}

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const npm = process.env.npm_execpath;
// The npm that runs this script (npm_execpath) runs the build too; `build` stays the one definition.
const r = npm && /\.[cm]?js$/.test(npm)
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync(npm || 'npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
