/**
 * `mcp-auth-doctor demo` (and `npm run demo`, which runs it): the bundled sample in fixtures/demo,
 * diagnosed offline exactly as `diagnose` with the sample's command line (fixtures/demo/args.json)
 * would, with a short introduction, exit 0 when the sample comes out as built to.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanClients } from '../../src/clients/index.js';
import { hashTree } from '../support/hash.js';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const SAMPLE = JSON.parse(readFileSync(join(ROOT, 'fixtures/demo/args.json'), 'utf8')) as { args: string[]; summary: string; expectedVerdict: string };
const KEYS = ['jwt-signing-key.txt', 'previous-jwt-signing-key.txt'].map((f) => readFileSync(join(ROOT, 'fixtures/demo', f), 'utf8').trim());
const work = mkdtempSync(join(tmpdir(), 'mad-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The demo's output without its introduction, headed as the diagnose run it is. */
function withoutIntro(text: string): string {
  return text.replace(/^mcp-auth-doctor demo — /, 'mcp-auth-doctor diagnose — ').replace(/\nDemo: the bundled sample deployment, diagnosed offline\n(?:  .*\n)+\n/, '\n');
}

describe('mcp-auth-doctor demo', () => {
  it('prints the introduction and then exactly what diagnose prints for the sample; exit 0 where diagnose exits 1', async () => {
    const [demo, diagnose] = await Promise.all([runCli(['demo'], { cwd: ROOT }), runCli(SAMPLE.args, { cwd: ROOT })]);
    expect(diagnose.code).toBe(1);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stderr).toBe('');
    const intro = demo.stdout.split('\n\n')[1]!;
    expect(intro.split('\n')[0]).toBe('Demo: the bundled sample deployment, diagnosed offline');
    expect(intro.replace(/\n  /g, ' ')).toContain(SAMPLE.summary);
    // Run from the repository root, the equivalent command line is the sample's, as typed (wrapped
    // to the width with ` \` continuations, so it still pastes).
    expect(intro.replace(/ \\\n +/g, ' ')).toContain(`  $ mcp-auth-doctor ${SAMPLE.args.join(' ')}\n`);
    expect(intro.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(intro).toMatch(/`demo`\s+exits\s+0\s+\(that\s+`diagnose`\s+run\s+exits\s+1,\s+problems\s+found\)/);
    expect(withoutIntro(demo.stdout)).toBe(diagnose.stdout);
    for (const key of KEYS) expect(demo.stdout).not.toContain(key);
  });

  it('--json: the diagnose report with command "demo" and the sample under evidence.demo', async () => {
    const r = await runCli(['demo', '--json'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { command: string; verdict: string; failingTier: string; evidence: { demo: { commandLine: string[]; expectedVerdict: string } } };
    expect([report.command, report.verdict, report.failingTier]).toEqual(['demo', SAMPLE.expectedVerdict, 'jwt']);
    expect(report.evidence.demo.commandLine).toEqual(['mcp-auth-doctor', ...SAMPLE.args]);
    for (const key of KEYS) expect(r.stdout).not.toContain(key);
  });

  it('runs from any directory (the sample\'s paths in full) and ignores the caller\'s environment', async () => {
    const env = { FASTMCP_SERVER_AUTH_GITHUB_JWT_SIGNING_KEY: KEYS[1], FASTMCP_SERVER_AUTH_GITHUB_BASE_URL: 'https://elsewhere.example', FASTMCP_HOME: work };
    const r = await runCli(['demo'], { cwd: work, env });
    expect(r.code, r.stderr).toBe(0);
    // The command line pastes into a shell at any checkout path: every broken line ends with ` \`.
    const cmd: string[] = [];
    for (const line of r.stdout.slice(r.stdout.indexOf('$ mcp-auth-doctor diagnose')).split('\n')) {
      cmd.push(line.trim());
      if (!line.endsWith(' \\')) break;
    }
    const pasted = cmd.map((l) => l.replace(/ \\$/, '')).join(' ');
    expect(pasted).toContain(`--store ${ROOT}/fixtures/demo/fastmcp-home `);
    expect(pasted).toMatch(/--at \S+ --offline$/);
    expect(r.stdout).toContain('error JWT_SIGNATURE_INVALID');
    expect(r.stdout).not.toContain('elsewhere.example');
    // The same report as from the repository root, paths aside: nothing of the environment leaked in.
    const [json, atRoot] = await Promise.all([runCli(['demo', '--json'], { cwd: work, env }), runCli(['demo', '--json'], { cwd: ROOT })]);
    expect(json.stdout).toContain(`${ROOT}/fixtures/demo/`);
    const normal = (t: string) => t.split(`${ROOT}/`).join('').replace(/"ms": \d+(\.\d+)?/g, '"ms": 0');
    expect(normal(json.stdout)).toBe(normal(atRoot.stdout));
  });

  it('--at on the demo\'s command line wins over the sample\'s evaluation time', async () => {
    const r = await runCli(['demo', '--at', '2026-11-23T00:00:00Z'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mcp-auth-doctor demo — evaluated at 2026-11-23T00:00:00\.000Z\n/);
    expect(r.stdout).toContain('JWT_EXPIRED');
  });

  it('--env-file does not apply: one line, exit 2', async () => {
    const env = join(work, 'my.env');
    writeFileSync(env, 'FASTMCP_SERVER_AUTH_GITHUB_BASE_URL=https://elsewhere.example\n');
    const r = await runCli(['demo', '--env-file', env], { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('mcp-auth-doctor: --env-file does not apply to demo: the sample brings its own settings — to diagnose your own deployment, run `mcp-auth-doctor diagnose --env-file …`\n');
  });

  it('is listed in --help with its exit code', async () => {
    const r = await runCli(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('exits 0 when the diagnosis finds its problem (diagnose itself exits 1)');
  });

  it('--client: the client-side sample (a real mcp-remote cache), the same report as its diagnose --client run, read-only', async () => {
    const sample = JSON.parse(readFileSync(join(ROOT, 'fixtures/demo/client/args.json'), 'utf8')) as { args: string[]; expectedVerdict: string };
    const home = join(ROOT, 'fixtures/demo/client/client-home');
    const before = hashTree(home);
    const [demo, diagnose] = await Promise.all([runCli(['demo', '--client', '--json'], { cwd: work }), runCli([...sample.args, '--json'], { cwd: ROOT })]);
    expect(demo.code, demo.stderr).toBe(0);
    expect(diagnose.code).toBe(1);
    const report = JSON.parse(demo.stdout) as { command: string; verdict: string; failingTier: string; findings: { code: string }[]; evidence: { demo: { commandLine: string[] } } };
    expect([report.command, report.verdict, report.failingTier]).toEqual(['demo', sample.expectedVerdict, 'refresh']);
    expect(report.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['REFRESH_TOKEN_SUPERSEDED', 'REFRESH_TOKEN_NOT_FOUND']));
    expect(report.evidence.demo.commandLine).toContain('--client');
    const text = await runCli(['demo', '--client'], { cwd: ROOT });
    expect(text.stdout).toContain('MCP client session: mcp-remote → http://127.0.0.1:37583/mcp');
    const scan = await scanClients({ home });
    for (const s of scan.sessions) for (const t of [s.accessToken, s.refreshToken]) if (t) for (const out of [demo.stdout, text.stdout]) expect(out).not.toContain(t.reveal());
    expect(hashTree(home)).toEqual(before);
  });
});
