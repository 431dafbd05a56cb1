import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { buildProgram, renderHelp } from '../../src/cli.js';
import { COMMANDS } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

it('--help (the pre-rendered fast path) prints exactly what commander renders, exit 0', async () => {
  const r = await runCli(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(renderHelp(buildProgram(version, async () => {})));
  expect(r.stdout.startsWith(buildProgram(version, async () => {}).helpInformation())).toBe(true);
  for (const c of ['inspect-cache', 'verify-token', 'probe-github', 'github-audit', 'diagnose', 'check']) expect(r.stdout).toContain(c);
});

it('subcommand help and --version go through commander', async () => {
  const h = await runCli(['diagnose', '--help']);
  expect(h.code).toBe(0);
  expect(h.stdout).toContain('--token-file');
  const v = await runCli(['--version']);
  expect(v.stdout.trim()).toBe(version);
});

it('no command at all is a usage error (exit 2)', async () => {
  const r = await runCli([]);
  expect(r.code).toBe(2);
});

describe('every command\'s --help ends with the exit codes and two examples that use only its own flags', () => {
  const program = buildProgram(version, async () => {});
  it.each([...COMMANDS, 'completion'])('%s', async (name) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(renderHelp(program, name));
    expect(r.stdout).toMatch(/\nExit codes:\n {2}0 .*\n/);
    const examples = r.stdout.slice(r.stdout.indexOf('\nExamples:\n')).split('\n').filter((l) => l.startsWith('  $ '));
    expect(examples).toHaveLength(2);
    const cmd = program.commands.find((c) => c.name() === name)!;
    const known = new Set(cmd.options.map((o) => o.long));
    for (const e of examples) {
      expect(e).toContain(`mcp-auth-doctor ${name}`);
      for (const flag of e.match(/(?<= )--[a-z-]+/g) ?? []) expect(known.has(flag), `${name}: ${flag}`).toBe(true);
    }
  });

  it('the pre-rendered file is what prints (dist/help/<command>.txt)', async () => {
    const r = await runCli(['diagnose', '-h']);
    expect(r.stdout).toBe(readFileSync(new URL('../../dist/help/diagnose.txt', import.meta.url), 'utf8'));
  });
});

describe('completion', () => {
  it('bash: the script parses and completes commands, flags, choices', async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    const complete = (words: string[]) => {
      const script = `${r.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _mcp_auth_doctor; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const out = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
      expect(out.stderr).toBe('');
      return out.stdout.trim().split('\n');
    };
    expect(complete(['mcp-auth-doctor', 'di'])).toEqual(['diagnose']);
    expect(complete(['mcp-auth-doctor', 'check', '--serv'])).toEqual(['--server']);
    expect(complete(['mcp-auth-doctor', 'check', '--format', 'gi'])).toEqual(['github']);
    expect(complete(['mcp-auth-doctor', 'diagnose', '--color', ''])).toEqual(['always', 'never', 'auto']);
    expect(complete(['mcp-auth-doctor', 'completion', 'f'])).toEqual(['fish']);
  });

  it.each(['zsh', 'fish'])('%s: names every command and its flags', async (shell) => {
    const r = await runCli(['completion', shell]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c);
    expect(r.stdout).toMatch(shell === 'zsh' ? /'--server\[/ : /-l server /);
    expect(r.stdout).toContain(shell === 'zsh' ? '#compdef mcp-auth-doctor' : 'complete -c mcp-auth-doctor');
  });

  it('an unknown shell is a usage error', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
  });
});
