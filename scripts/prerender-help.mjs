#!/usr/bin/env node
// Build step: render the help once — the program's and every command's, epilog included — so that
// `mcp-auth-doctor --help` and `mcp-auth-doctor <command> --help` print it without loading commander
// (the cold-start budget is 120 ms; node alone takes most of it).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { buildProgram, renderHelp } from '../dist/cli.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const program = buildProgram(version, async () => {});
writeFileSync(new URL('../dist/help.txt', import.meta.url), renderHelp(program));
mkdirSync(new URL('../dist/help/', import.meta.url), { recursive: true });
for (const c of program.commands) writeFileSync(new URL(`../dist/help/${c.name()}.txt`, import.meta.url), renderHelp(program, c.name()));
