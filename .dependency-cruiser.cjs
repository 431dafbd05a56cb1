/**
 * The layering of src/ (docs/architecture.md), checked by dependency-cruiser — test/unit/architecture.test.ts
 * runs it as part of `npm test`, and `npx depcruise src` prints the same verdict.
 *
 *   base      src/secrets.ts, src/errors.ts, src/time.ts         imports nothing of ours (time → errors)
 *   model     src/model/                                          imports only model and secrets
 *   adapters  src/{stores,fastmcp,github,server,http,crypto,clients}/   imports base, model, adapters
 *   core      src/diagnosis/                                      imports base, model, pure adapter helpers; never I/O
 *   render    src/render/                                         imports base, model, adapters, core
 *   main      src/commands/, src/cli.ts, src/main.ts, src/inputs.ts   imports anything
 *
 * No import may run from a lower layer to a higher one, and there is no cycle anywhere.
 */
const BASE = '^src/(secrets|errors|time)\\.ts$';
const MODEL = '^src/model/';
const ADAPTERS = '^src/(stores|fastmcp|github|server|http|crypto|clients)/';
const CORE = '^src/diagnosis/';
const RENDER = '^src/render/';
const MAIN = '^src/(commands/|cli\\.ts$|main\\.ts$|inputs\\.ts$)';

/** Modules that do I/O: the core must not reach any of them, even through a helper it imports. */
const IO = '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|child_process|worker_threads|readline)$|node_modules/(undici|better-sqlite3|@redis|@octokit|csv-parse|stream-json|ora|commander)/';

module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', comment: 'No import cycle, anywhere in src/.', from: { path: '^src/' }, to: { circular: true } },
    { name: 'model-imports-only-secrets', severity: 'error', comment: 'The model is the bottom: it imports nothing but itself and secrets (for the Secret type).', from: { path: MODEL }, to: { path: '^src/', pathNot: `${MODEL}|^src/secrets\\.ts$` } },
    { name: 'base-imports-only-base', severity: 'error', comment: 'secrets, errors and time import nothing of ours but each other.', from: { path: BASE }, to: { path: '^src/', pathNot: BASE } },
    { name: 'adapters-not-up', severity: 'error', comment: 'Adapters take resolved targets: they never import the core, the renderers or the command boundary.', from: { path: ADAPTERS }, to: { path: `${CORE}|${RENDER}|${MAIN}` } },
    { name: 'core-not-up', severity: 'error', comment: 'The core never imports renderers or the command boundary.', from: { path: CORE }, to: { path: `${RENDER}|${MAIN}` } },
    { name: 'render-not-up', severity: 'error', comment: 'Renderers never import the command boundary.', from: { path: RENDER }, to: { path: MAIN } },
    { name: 'core-is-pure', severity: 'error', comment: 'The diagnosis core is pure (no I/O, no clock): it may not reach an I/O module, even through a helper.', from: { path: CORE }, to: { path: IO, reachable: true } },
    { name: 'no-unresolvable', severity: 'error', comment: 'Every import resolves.', from: { path: '^src/' }, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    preserveSymlinks: true,
    // src/, packages, and node's own modules (so that the purity rule sees node:fs and friends).
    includeOnly: { path: '^(src/|node_modules/|(node:)?[a-z_0-9]+(/[a-z_0-9]+)?$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.d.ts', '.mjs', '.cjs'] },
    moduleSystems: ['es6'],
  },
};
