/**
 * Every fenced code block in README.md: shell blocks (info string `sh`, `bash` or `shell`) run as
 * written — bash, cwd = the repository root, the built CLI reachable as `mcp-auth-doctor` through a
 * PATH shim to bin/, offline, against fixtures/ — and each command's exit code is checked. Blocks in
 * other languages and output samples (`text`, `json`, `yaml`, …) are recognised by their info string
 * and not run; a block without an info string is an error (say `text` for output).
 *
 * An HTML comment on the line before a shell block steers it (blank lines may sit between):
 *
 *   <!-- readme-test: skip — why it cannot run offline -->   not run; the reason is required
 *   <!-- readme-test: exit 1 -->        every `mcp-auth-doctor` command in the block exits 1
 *   <!-- readme-test: exit 1,0 -->      …the first exits 1, the second 0 (one code per command)
 *
 * Without one, every command must exit 0. Commands that are not `mcp-auth-doctor` (`cd`, `printf …`)
 * must always exit 0. A block is a list of commands, one per line (backslash continuations joined,
 * `#` comment lines ignored); they run in one shell, so `cd` carries over, as when pasted.
 *
 * Needs `npm run build` first (npm test does it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = join(ROOT, 'README.md');
const SHELL = new Set(['sh', 'bash', 'shell']);

interface Command {
  /** 1-based line in README.md where the command starts. */
  line: number;
  text: string;
  doctor: boolean;
}

interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  body: string[];
  marker?: { line: number; text: string };
  skip?: string;
  /** Expected exit codes of the block's `mcp-auth-doctor` commands: one for all, or one per command. */
  exits?: number[];
}

/** The README's fenced blocks, and every problem with their markers. */
export function parseReadme(text: string): { blocks: Block[]; problems: string[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  const problems: string[] = [];
  let pending: { line: number; text: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = /^\s*<!--\s*readme-test:\s*(.*?)\s*-->\s*$/.exec(line);
    if (marker) {
      if (pending) problems.push(`README.md line ${pending.line}: readme-test marker not followed by a code block`);
      pending = { line: i + 1, text: marker[1]! };
      continue;
    }
    if (/readme-test/.test(line)) problems.push(`README.md line ${i + 1}: malformed readme-test marker (write <!-- readme-test: skip — reason --> or <!-- readme-test: exit N -->)`);
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/.exec(line);
    if (!open) {
      if (line.trim() && pending) {
        problems.push(`README.md line ${pending.line}: readme-test marker not followed by a code block`);
        pending = undefined;
      }
      continue;
    }
    const fence = open[1]!;
    const block: Block = { line: i + 1, info: open[2]!.toLowerCase(), body: [] };
    for (i++; i < lines.length; i++) {
      const close = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
      if (close.test(lines[i]!)) break;
      block.body.push(lines[i]!);
    }
    if (i >= lines.length) problems.push(`README.md line ${block.line}: code block never closed`);
    if (pending) {
      block.marker = pending;
      pending = undefined;
      const skip = /^skip\s*(?:—|–|-{1,2}|:)\s*(\S.*)$/.exec(block.marker.text);
      const exit = /^exit\s+(\d+(?:\s*,\s*\d+)*)\s*(?:(?:—|–|-{1,2}|:)\s*.*)?$/.exec(block.marker.text);
      if (skip) block.skip = skip[1];
      else if (exit) block.exits = exit[1]!.split(',').map((n) => Number(n.trim()));
      else problems.push(`README.md line ${block.marker.line}: readme-test marker "${block.marker.text}" is neither "skip — <reason>" nor "exit <code>[,<code>…]"`);
      if (!SHELL.has(block.info)) problems.push(`README.md line ${block.marker.line}: readme-test marker on a \`${block.info || '(no info string)'}\` block, which is never run — markers belong to sh/bash blocks`);
    }
    if (!block.info) problems.push(`README.md line ${block.line}: code block without an info string — use sh (run by this test), text (output), json, yaml, …`);
    blocks.push(block);
  }
  if (pending) problems.push(`README.md line ${pending.line}: readme-test marker not followed by a code block`);
  return { blocks, problems };
}

/** A block's commands: backslash continuations joined, blank and `#` comment lines left out. */
export function commandsOf(block: Block): Command[] {
  const out: Command[] = [];
  let current: Command | undefined;
  block.body.forEach((raw, k) => {
    const line = block.line + 1 + k;
    if (!current) {
      if (!raw.trim() || /^\s*#/.test(raw)) return;
      current = { line, text: raw, doctor: false };
    } else current.text += `\n${raw}`;
    if (!/\\$/.test(raw)) {
      current.doctor = /(^|[\s|;&(])mcp-auth-doctor(\s|$)/.test(current.text);
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'mad-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `mcp-auth-doctor` on PATH: the built CLI of this checkout. */
const shim = join(work, 'bin');
mkdirSync(shim);
writeFileSync(join(shim, 'mcp-auth-doctor'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin', 'mcp-auth-doctor.js'))} "$@"\n`);
chmodSync(join(shim, 'mcp-auth-doctor'), 0o755);
const home = join(work, 'home');
mkdirSync(home);

/**
 * Offline and hermetic: no ambient doctor, GitHub or FastMCP settings; a throw-away HOME (so `~` and
 * the default FASTMCP_HOME point at nothing real); GitHub and any proxied request go to a closed port,
 * so an example that reaches for the network fails instead of quietly depending on it.
 */
function blockEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(FASTMCP_|GITHUB_|MCP_AUTH_DOCTOR_|STORAGE_ENCRYPTION_KEY|REDIS_PASSWORD|XDG_|HTTPS?_PROXY|NO_PROXY)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, PATH: `${shim}:${process.env.PATH ?? ''}`, HOME: home, NO_COLOR: '1', GITHUB_API_URL: 'http://127.0.0.1:1', HTTPS_PROXY: 'http://127.0.0.1:1', HTTP_PROXY: 'http://127.0.0.1:1' };
}

interface CommandRun {
  command: Command;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a block's commands in one bash, each with its own exit status and output. */
async function runBlock(block: Block, timeoutMs = 120_000): Promise<{ runs: CommandRun[]; shell: { code: number | null; stderr: string } }> {
  const commands = commandsOf(block);
  const dir = mkdtempSync(join(work, `block-${block.line}-`));
  const script = ['set -o pipefail'];
  commands.forEach((c, n) => script.push(`{ ${c.text}\n} >${JSON.stringify(join(dir, `out.${n}`))} 2>${JSON.stringify(join(dir, `err.${n}`))} </dev/null; echo "${n} $?" >>${JSON.stringify(join(dir, 'status'))}`));
  writeFileSync(join(dir, 'block.sh'), `${script.join('\n')}\n`);
  const shell = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('bash', [join(dir, 'block.sh')], { cwd: ROOT, env: blockEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: code === null ? `${stderr}(killed after ${timeoutMs} ms)` : stderr });
    });
  });
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return undefined;
    }
  };
  const status = new Map((read('status') ?? '').trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number) as [number, number]));
  const runs = commands.map((command, n) => ({ command, code: status.get(n) ?? null, stdout: read(`out.${n}`) ?? '', stderr: read(`err.${n}`) ?? '' }));
  return { runs, shell };
}

const tail = (text: string, n = 15) => text.trimEnd().split('\n').slice(-n).join('\n');

/** What is wrong with a block's run, one message per failing command, each naming the README line. */
export function failures(block: Block, result: Awaited<ReturnType<typeof runBlock>>): string[] {
  const out: string[] = [];
  const doctorRuns = result.runs.filter((r) => r.command.doctor);
  const exits = block.exits ?? [0];
  if (exits.length > 1 && exits.length !== doctorRuns.length) {
    out.push(`README.md line ${block.line}: the marker on line ${block.marker?.line} lists ${exits.length} exit codes for ${doctorRuns.length} mcp-auth-doctor commands`);
  }
  let d = 0;
  result.runs.forEach((r, n) => {
    const expected = r.command.doctor ? (exits.length === 1 ? exits[0]! : exits[d] ?? 0) : 0;
    if (r.command.doctor) d++;
    if (r.code === expected) return;
    const what = r.code === null ? 'did not finish' : `exited ${r.code}`;
    const hint = r.command.doctor
      ? `if ${r.code} is now right, change the marker before the block (<!-- readme-test: exit … -->); if the example cannot run offline, mark it <!-- readme-test: skip — reason -->`
      : 'commands other than mcp-auth-doctor must succeed';
    out.push(
      [
        `README.md line ${block.line} (${block.info} block), command ${n + 1} of ${result.runs.length} on line ${r.command.line}: ${what}, expected ${expected} — ${hint}`,
        `  $ ${r.command.text.replace(/\n/g, '\n    ')}`,
        r.stderr.trim() ? `--- stderr\n${tail(r.stderr)}` : '--- stderr: (empty)',
        r.stdout.trim() ? `--- stdout (last lines)\n${tail(r.stdout)}` : '--- stdout: (empty)',
      ].join('\n'),
    );
  });
  if (result.shell.code !== 0 || result.shell.stderr.trim()) out.push(`README.md line ${block.line}: the block's shell failed (exit ${result.shell.code}): ${tail(result.shell.stderr)}`);
  return out;
}

const { blocks, problems } = parseReadme(readFileSync(README, 'utf8'));
const shellBlocks = blocks.filter((b) => SHELL.has(b.info));
const runnable = shellBlocks.filter((b) => b.skip === undefined);

describe('README.md code blocks', () => {
  it('every block has an info string and every readme-test marker is well-formed', () => {
    expect(problems).toEqual([]);
  });

  it('the offline examples are run, not skipped', () => {
    // Skipping is for what cannot run offline (a live server, GitHub, a registry, an install);
    // every command section has an example that runs against fixtures/.
    expect(runnable.length, `runnable shell blocks at lines ${runnable.map((b) => b.line).join(', ')}`).toBeGreaterThanOrEqual(5);
    for (const b of shellBlocks.filter((x) => x.skip !== undefined)) expect(b.skip!.length, `README.md line ${b.line}: a skip needs a reason`).toBeGreaterThan(10);
  });

  for (const block of runnable) {
    it(`README.md line ${block.line} runs as written`, async () => {
      expect(commandsOf(block).length, `README.md line ${block.line}: a shell block without commands`).toBeGreaterThan(0);
      expect(failures(block, await runBlock(block))).toEqual([]);
    }, 180_000);
  }

  it('running the examples changed nothing under fixtures/', () => {
    const r = spawnSync('git', ['status', '--porcelain', '--', 'fixtures'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) return; // not a git checkout: nothing to compare with
    expect(r.stdout).toBe('');
  });
});

describe('the README test itself', () => {
  const synthetic = (body: string, marker?: string) => parseReadme(`${marker ? `<!-- readme-test: ${marker} -->\n` : ''}\`\`\`sh\n${body}\n\`\`\`\n`);

  it('reports a command whose exit code is not the one declared, naming the README line', async () => {
    const { blocks: [ok] } = synthetic('cd fixtures\nmcp-auth-doctor --version', 'exit 0');
    expect(failures(ok!, await runBlock(ok!))).toEqual([]);
    const { blocks: [bad] } = synthetic('mcp-auth-doctor verify-token not-a-jwt', 'exit 1');
    const f = failures(bad!, await runBlock(bad!));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(/^README\.md line 2 \(sh block\), command 1 of 1 on line 3: exited 2, expected 1/);
    const { blocks: [helper] } = synthetic('false\nmcp-auth-doctor --version');
    expect(failures(helper!, await runBlock(helper!))[0]).toMatch(/command 1 of 2 on line 2: exited 1, expected 0 — commands other than mcp-auth-doctor must succeed/);
  });

  it('joins continuation lines, ignores comments, and rejects malformed markers and blocks without an info string', () => {
    const { blocks: [b] } = synthetic('# a comment\nmcp-auth-doctor diagnose \\\n  --offline  # why\n\ncd x');
    expect(commandsOf(b!).map((c) => [c.line, c.doctor])).toEqual([
      [3, true],
      [6, false],
    ]);
    expect(synthetic('true', 'skipp it').problems[0]).toMatch(/line 1: readme-test marker "skipp it" is neither/);
    expect(parseReadme('```\noutput\n```\n').problems[0]).toMatch(/line 1: code block without an info string/);
    expect(parseReadme('<!-- readme-test: skip — no block -->\ntext\n').problems[0]).toMatch(/line 1: readme-test marker not followed by a code block/);
    expect(parseReadme('<!-- readme-test: exit 1 -->\n```json\n{}\n```\n').problems[0]).toMatch(/marker on a `json` block/);
  });
});
