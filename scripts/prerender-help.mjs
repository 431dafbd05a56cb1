#!/usr/bin/env node
// Build step: render the top-level help once, so `mcp-auth-doctor --help` can print it without
// loading commander (the cold-start budget is 120 ms; node alone takes most of it).
import { readFileSync, writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const program = buildProgram(version, async () => {});
writeFileSync(new URL('../dist/help.txt', import.meta.url), program.helpInformation());
