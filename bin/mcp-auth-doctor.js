#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// `--help` alone prints the help pre-rendered at build time (scripts/prerender-help.mjs), without
// loading commander; everything else goes through the entry point.
const args = process.argv.slice(2);
let help;
if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
  try {
    help = readFileSync(new URL('../dist/help.txt', import.meta.url));
  } catch {
    // not built with the help text: the entry point renders it
  }
}
if (help) process.stdout.write(help);
else import('../dist/main.js').then((m) => m.main(process.argv));
