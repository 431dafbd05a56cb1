#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';

// `--help` and `<command> --help` print the help pre-rendered at build time
// (scripts/prerender-help.mjs), without loading commander; everything else goes through the entry point.
const args = process.argv.slice(2);
const isHelp = (a) => a === '--help' || a === '-h';
let help;
const file = args.length === 1 && isHelp(args[0]) ? '../dist/help.txt' : args.length === 2 && isHelp(args[1]) && /^[a-z][a-z-]*$/.test(args[0]) ? `../dist/help/${args[0]}.txt` : undefined;
if (file) {
  try {
    help = readFileSync(new URL(file, import.meta.url));
  } catch {
    // not built with the help text (or not a command): the entry point renders it
  }
}
if (help) process.stdout.write(help);
else {
  // dist/bundle/main.js is the build bundled (scripts/bundle.mjs). The run's PBKDF2 key derivations
  // start first, on the thread pool, so that the rest of the run overlaps them
  // (src/commands/resolve/early-keys.ts; it never throws).
  import('../dist/bundle/main.js')
    .then((m) => {
      m.startEarlyKeyDerivations(args);
      return m;
    })
    .then((m) => m.main(process.argv), notLoaded);
}

/** The entry point could not be loaded: one line saying what to do, exit 2, instead of node's stack trace. */
async function notLoaded(e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('..', import.meta.url));
  // A source checkout has its tsconfig.json; an installed package does not.
  const checkout = existsSync(new URL('../tsconfig.json', import.meta.url));
  const cause = String(e.message).split('\n')[0];
  let line;
  if (!checkout) line = `this installation is incomplete (${cause}) — reinstall it from a release tarball or a git URL`;
  else if (/Cannot find package/.test(cause)) line = `${cause} — the dependencies are not installed: run \`npm install\` in ${root}`;
  else line = `not built: ${existsSync(new URL('../dist/bundle/main.js', import.meta.url)) ? `dist/ is incomplete (${cause})` : 'dist/ is missing'} — run \`npm run build\` in ${root} (\`npm install\` builds it too)`;
  process.stderr.write(`mcp-auth-doctor: ${line}\n`);
  process.exitCode = 2;
}
