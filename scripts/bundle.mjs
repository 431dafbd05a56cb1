#!/usr/bin/env node
// Build step after tsc: bundle what bin/ runs into dist/bundle/ (docs/performance.md, "The `diagnose`
// start-up"). Node 20's ES-module loader resolves, stats, reads and compiles every module on its own;
// a run of `diagnose` loaded ~60 of ours plus jose's and commander's. Bundled, the start-up path is a
// few files. The input is tsc's output (dist/), so the bundle runs exactly the code the tests run.
//
// - Entry points: early-keys.js (bin/ imports it first, so the PBKDF2 derivations start before the
//   rest is parsed), main.js, and inventory-worker.js (src/stores/threads.ts starts it by URL, beside
//   the chunk that holds threads.ts: every output sits flat in dist/bundle/).
// - Splitting: each dynamic import (the commands, renderers, store readers, tiers) stays a chunk that
//   loads only when it runs, and modules shared by entries (fastmcp/keys.ts with its memoised
//   derivations) exist once.
// - jose and commander are bundled (both load on every run). The libraries a tier loads when it runs
//   (undici, Octokit, node-redis, better-sqlite3 — native —, csv-parse, stream-json) and chalk/ora
//   stay packages, resolved by Node from node_modules when needed.
// - No source maps ship.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['dist/commands/resolve/early-keys.js', 'dist/main.js', 'dist/stores/inventory-worker.js'],
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['undici', '@octokit/rest', '@redis/client', 'better-sqlite3', 'csv-parse', 'stream-json', 'chalk', 'ora'],
  // commander is CommonJS: its require() of Node's modules needs a real `require` in an ES module.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
