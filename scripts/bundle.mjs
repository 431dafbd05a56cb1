#!/usr/bin/env node
// Build step after tsc: bundle what bin/ runs into dist/bundle/ (docs/performance.md, "Bundled
// `dist/`"). Node 20's ES-module loader resolves, stats, reads and compiles every module on its own;
// a run of `diagnose` loaded ~60 of ours plus jose's and commander's. The input is tsc's output
// (dist/), so the bundle runs exactly the code the tests run.
//
// - dist/bundle/main.js: one file, exporting `startEarlyKeyDerivations` (bin/ calls it first) and
//   `main`. Our own lazily imported modules are in it too, each wrapped so that it is evaluated only
//   when its import runs (V8 only pre-parses them). One file measured ~5% less CPU for `diagnose` than
//   esbuild's code splitting, which made 80 chunks and loaded 38 of them.
// - The libraries a tier loads when it runs stay packages, imported by Node from node_modules only
//   then: undici, Octokit, node-redis, better-sqlite3 (native), csv-parse, stream-json, ora.
//   jose and commander (every run loads both) are inlined, and so is chalk: a package's static import
//   would be hoisted to the top of the bundle and load on every run (text output only needs it).
// - dist/bundle/inventory-worker.js: the worker thread's own bundle; src/stores/threads.ts starts it
//   by URL beside the module that holds threads.ts, i.e. beside main.js.
// - No source maps ship.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['undici', '@octokit/rest', '@redis/client', 'better-sqlite3', 'csv-parse', 'stream-json', 'ora'],
  // commander is CommonJS: its require() of Node's modules needs a real `require` in an ES module.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  stdin: {
    contents: "export { startEarlyKeyDerivations } from './dist/commands/resolve/early-keys.js';\nexport { main } from './dist/main.js';\n",
    resolveDir: root,
    sourcefile: 'bundle-entry.js',
    loader: 'js',
  },
  outfile: `${outdir}/main.js`,
});
await build({ ...common, entryPoints: ['dist/stores/inventory-worker.js'], outfile: `${outdir}/inventory-worker.js` });
