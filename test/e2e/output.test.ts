/**
 * How the built CLI's output reads (issue 16, "Output"): text wrapped to the terminal width without
 * splitting words, each finding's detail once, --quiet, an unreachable server said once with a
 * warning icon, colour (--color, FORCE_COLOR, NO_COLOR), one JSON document for usage errors,
 * conflicting format flags, and --output.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';
import { closedPort, startFakeMcpServer, type FakeMcpServer } from '../support/fake-mcp-server.js';
import { reportSchemaErrors } from '../support/json-schema.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = (JSON.parse(readFileSync(join(ROOT, 'fixtures/demo/args.json'), 'utf8')) as { args: string[] }).args;
const ESC = '\u001b[';
const flat = (text: string) => text.replace(/\s+/g, ' ');
const count = (text: string, needle: string) => flat(text).split(needle).length - 1;

let server: FakeMcpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Lines longer than `width` that could have been broken (a space after their indentation). */
function overlong(text: string, width: number): string[] {
  return text.split('\n').filter((l) => l.length > width && l.trim().includes(' '));
}

describe('text output: width', () => {
  it.each([
    ['not a terminal: 80 columns', {}, 80],
    ['COLUMNS=160', { COLUMNS: '160' }, 160],
    ['COLUMNS=60', { COLUMNS: '60' }, 60],
  ] as const)('%s — every line fits, no word split', async (_name, env, width) => {
    const r = await runCli(DEMO, { cwd: ROOT, env });
    expect(r.code).toBe(1);
    expect(overlong(r.stdout, width)).toEqual([]);
    // Words of the details are whole (never split mid-word), wherever the lines break.
    for (const word of ['RE4ZEcmK7VKrSF50p1hZa7TFQ0LzM7il_0ovhmlxoPM', 'fixtures/demo/previous-jwt-signing-key.txt', 'jwt_signing_key', 'invalid_token']) {
      expect(r.stdout.split(/\s+/).some((w) => w.includes(word)), word).toBe(true);
    }
  });

  it('the verification path keeps its column: continuation lines of a detail start under the detail', async () => {
    const r = await runCli(DEMO, { cwd: ROOT, env: { COLUMNS: '160' } });
    const lines = r.stdout.split('\n');
    const start = lines.indexOf('FastMCP verification path');
    const rows = lines.slice(start + 1, lines.indexOf('', start));
    const first = rows.find((l) => /^ 2\. /.test(l))!;
    const column = first.indexOf('The HS256 signature');
    expect(column).toBeGreaterThan(40);
    const next = rows[rows.indexOf(first) + 1]!;
    expect(next.slice(0, column).trim()).toBe('');
    expect(next[column]).not.toBe(' ');
    // Every numbered row's detail starts in the same column.
    const columns = new Set(rows.filter((l) => /^\s?\d+\. /.test(l)).map((l) => l.search(/(?<=\S)\s{2,}\S/) + l.slice(l.search(/(?<=\S)\s{2,}\S/)).search(/\S/)));
    expect(columns.size).toBe(1);
  });
});

describe('text output: each detail once', () => {
  it('a finding shown in the verification path is named in Checks, not repeated', async () => {
    const r = await runCli(DEMO, { cwd: ROOT, env: { COLUMNS: '200' } });
    expect(count(r.stdout, "the token was issued under that secret, so the deployment's key changed since")).toBe(1);
    expect(count(r.stdout, 'FastMCP logs: INFO JTI mapping not found')).toBe(1);
    expect(r.stdout).toMatch(/error JWT_SIGNATURE_INVALID: .*\(step 2 of the verification path\)/);
  });

  it('--quiet: the verdict, the fix and one line per error finding', async () => {
    const json = JSON.parse((await runCli([...DEMO, '--json'], { cwd: ROOT })).stdout) as Report;
    const errors = json.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    expect(errors.length).toBeGreaterThan(1);
    const r = await runCli([...DEMO, '--quiet'], { cwd: ROOT, env: { COLUMNS: '300' } });
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Verdict: FastMCP JWT fails/);
    expect(lines[1]).toMatch(/^Fix: /);
    const fixEnd = lines.findIndex((l) => l.startsWith('error '));
    expect(lines.slice(2, fixEnd).every((l) => l.startsWith('     '))).toBe(true);
    expect(lines.slice(fixEnd).map((l) => l.split(':')[0])).toEqual(errors.map((c) => `error ${c}`));
    expect(r.stdout).not.toContain('FastMCP verification path');
  });
});

describe('text output: an unreachable server', () => {
  it('is said on the check row and in the verdict only; the row is a warning, not a red ✘', async () => {
    const port = await closedPort();
    const r = await runCli(['check', '--server', `http://127.0.0.1:${port}/mcp`]);
    expect(r.code).toBe(3);
    expect(count(r.stdout, 'connection refused')).toBe(2);
    expect(r.stdout).toMatch(/▲ C1 +Unauthenticated initialize answers 401/);
    expect(r.stdout).not.toContain('✘');
    expect(r.stdout).toMatch(/– \d+ checks not reached\n/);
    expect(r.stdout).not.toContain('Also:');
    // Piped: the stderr line is there for logs.
    expect(r.stderr).toContain('cannot reach');
  });

  it('a check that fails with a warning shows ▲', async () => {
    server = await startFakeMcpServer({ preset: 'fastmcp-3.4.7' });
    const r = await runCli(['check', '--server', server.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/▲ C1 +Challenge names the scope/);
    expect(r.stdout).not.toContain('✘');
  });
});

describe('colour', () => {
  it.each([
    ['piped: none', [], {}, false],
    ['FORCE_COLOR=1 piped: colour (it wins over NO_COLOR, as in Node)', [], { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0: none', [], { FORCE_COLOR: '0' }, false],
    ['--color=always with NO_COLOR: colour', ['--color=always'], {}, true],
    ['--color always: colour', ['--color', 'always'], {}, true],
    ['--color=never with FORCE_COLOR: none', ['--color=never'], { FORCE_COLOR: '1' }, false],
    ['--no-color with FORCE_COLOR: none', ['--no-color'], { FORCE_COLOR: '1' }, false],
    ['--color=auto piped: none', ['--color=auto'], {}, false],
  ] as const)('%s', async (_name, args, env, coloured) => {
    const r = await runCli([...DEMO, ...args], { cwd: ROOT, env });
    expect(r.code).toBe(1);
    expect(r.stdout.includes(ESC)).toBe(coloured);
  });

  it('--json is never coloured, even with FORCE_COLOR', async () => {
    const r = await runCli([...DEMO, '--json', '--color=always'], { cwd: ROOT, env: { FORCE_COLOR: '3' } });
    expect(r.stdout.includes(ESC)).toBe(false);
    JSON.parse(r.stdout);
  });

  it('--color=sometimes is a usage error', async () => {
    const r = await runCli([...DEMO, '--color=sometimes'], { cwd: ROOT });
    expect(r.code).toBe(2);
  });
});

describe('--json: one JSON document, usage errors included', () => {
  it.each([
    ['check --json without --server', ['check', '--json'], 'check', /required option '--server <url>' not specified/],
    ['an unknown flag', ['verify-token', '--json', '--no-such-flag'], 'verify-token', /unknown option '--no-such-flag'/],
    ['a bad choice', ['inspect-cache', '--format', 'json', '--store', 'x', '--collection'], 'inspect-cache', /argument missing/],
    ['a bad number', ['inspect-cache', '--json', '--limit', 'many'], 'inspect-cache', /--limit expects a whole number/],
    ['--json --format text', ['diagnose', '--json', '--format', 'text'], 'diagnose', /--json and --format text ask for two formats/],
    ['--json --format github', ['check', '--server', 'http://127.0.0.1:9/mcp', '--json', '--format=github'], 'check', /--json and --format github/],
  ] as const)('%s → exit 2, an error document on stdout', async (_name, args, command, message) => {
    const r = await runCli([...args]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { command: string; error: { kind: string; message: string; exitCode: number } };
    expect(reportSchemaErrors(doc)).toEqual([]);
    expect(doc.command).toBe(command);
    expect(doc.error.kind).toBe('UsageError');
    expect(doc.error.message).toMatch(message);
    expect(doc.error.exitCode).toBe(2);
    expect(r.stderr).not.toBe('');
  });

  it('without --json a usage error leaves stdout empty', async () => {
    const r = await runCli(['check']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('--format json --format json is fine', async () => {
    const r = await runCli([...DEMO, '--json', '--format', 'json'], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Report).command).toBe('diagnose');
  });
});

describe('--output <file>', () => {
  const work = () => mkdtempSync(join(tmpdir(), 'mad-output-'));

  it('writes the report to the file, nothing to stdout, same exit code', async () => {
    const dir = work();
    const out = join(dir, 'report.json');
    const r = await runCli([...DEMO, '--json', '--output', out], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.verdict).toBe('failing');
    expect(reportSchemaErrors(report)).toEqual([]);
    // Replacing an existing report is fine; text reports are 80 columns and uncoloured.
    const t = await runCli([...DEMO, '--output', out], { cwd: ROOT, env: { FORCE_COLOR: '1', COLUMNS: '200' } });
    expect(t.code).toBe(1);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('Verdict: FastMCP JWT fails');
    expect(text.includes(ESC)).toBe(false);
    expect(overlong(text, 80)).toEqual([]);
  });

  it('refuses to overwrite an input, a file in a store folder, a SQLite file or a directory (exit 2, untouched)', async () => {
    const dir = work();
    const home = join(dir, 'home');
    cpSync(join(ROOT, 'fixtures/demo/fastmcp-home'), home, { recursive: true });
    const token = join(dir, 'token.jwt');
    copyFileSync(join(ROOT, 'fixtures/demo/access-token.jwt'), token);
    const db = join(dir, 'cache.db');
    writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(84)]));
    mkdirSync(join(dir, 'reports'));
    const args = ['verify-token', '--token-file', token, '--store', home, '--jwt-signing-key-file', join(ROOT, 'fixtures/demo/jwt-signing-key.txt'), '--at', '2026-11-21T22:19:02Z', '--json'];
    const cases: [string, RegExp][] = [
      [token, /is one of this run's inputs/],
      [join(home, 'report.json'), /is inside .*an input of this run/],
      [join(ROOT, 'fixtures/demo/jwt-signing-key.txt'), /is one of this run's inputs/],
      [db, /is a SQLite database/],
      [join(dir, 'reports'), /is a directory/],
      [join(dir, 'no-such-dir', 'r.json'), /does not exist/],
    ];
    for (const [target, message] of cases) {
      const before = (() => {
        try {
          return readFileSync(target);
        } catch {
          return undefined;
        }
      })();
      const r = await runCli([...args, '--output', target]);
      expect(r.code, target).toBe(2);
      const doc = JSON.parse(r.stdout) as { error: { message: string } };
      expect(doc.error.message).toMatch(message);
      if (before) expect(readFileSync(target).equals(before), target).toBe(true);
    }
  });
});

describe('--format github', () => {
  const SEC = join(ROOT, 'fixtures/security-log/export-mona-example.json');

  it('a healthy run with warnings says so in the heading; codes link to their docs/findings.md section; annotations are short', async () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'mad-gh-')), 'summary.md');
    writeFileSync(summary, '');
    const r = await runCli(['github-audit', '--security-log', SEC, '--app', 'Example MCP Proxy', '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(0);
    const md = readFileSync(summary, 'utf8');
    expect(md).not.toContain('✅');
    expect(md).toMatch(/^## ⚠️ mcp-auth-doctor github-audit: healthy, with 2 warnings$/m);
    const doc = readFileSync(join(ROOT, 'docs/findings.md'), 'utf8');
    const links = [...md.matchAll(/\[`([A-Z_]+)`\]\((https:\/\/[^)]+\/docs\/findings\.md)#([a-z_]+)\)/g)];
    expect(links.map((l) => l[1])).toEqual(['IDP_MAX_FOR_APP_SEEN', 'IDP_TOKEN_CAP_AT_RISK']);
    for (const [, code, , anchor] of links) {
      expect(anchor).toBe(code!.toLowerCase());
      expect(doc).toContain(`\n### ${code}\n`);
    }
    // The fix is in the summary; the annotation holds the title and one sentence.
    expect(md).toContain('**Fix:** GitHub is evicting');
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(2);
    for (const a of annotations) {
      const message = a.slice(a.indexOf('::', 2) + 2);
      expect(message).not.toContain('Fix:');
      expect(message.replace(/ \(Detail and fix: job summary\.\)$/, '').split(/[.!?](?= [A-Z]|$)/).filter(Boolean).length).toBeLessThanOrEqual(2);
      expect(message.length).toBeLessThan(400);
    }
    expect(r.stdout).toMatch(/github-audit: healthy with 2 warnings — /);
  });

  it('a healthy run without warnings keeps ✅', async () => {
    server = await startFakeMcpServer({ preset: 'fastmcp-4.0.10' });
    const summary = join(mkdtempSync(join(tmpdir(), 'mad-gh-')), 'summary.md');
    const r = await runCli(['check', '--server', server.url, '--format', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(0);
    expect(readFileSync(summary, 'utf8')).toMatch(/^## ✅ mcp-auth-doctor check: healthy$/m);
  });
});
