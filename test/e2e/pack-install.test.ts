/**
 * The package as a user gets it: a fresh clone of the current commit (uncommitted changes are not
 * in it), `npm ci` and `npm pack` there (`prepare` builds dist/), the tarball installed into an empty
 * prefix with `npm install -g --prefix`, and the installed CLI run from outside the package.
 *
 * Slow (a clean build and two npm installs; about a minute): its own file, a generous timeout.
 *
 * better-sqlite3's install script runs for real (prebuild-install, then node-gyp as the fallback). To
 * spare the native compile (another minute of both cores) the test hands prebuild-install the binary
 * this checkout already built, the way it would hand it one downloaded from GitHub: a
 * `.prebuild-installrc` in the temporary prefix points `local-prebuilds` at it. Without a built binary
 * here (or under another name) prebuild-install falls back to compiling, which is slower but the same test.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../support/bundles.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** The current commit, or why there is none (the test is about a git clone). */
function head(): { sha?: string; why?: string } {
  const r = spawnSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (r.error) return { why: `git is not available (${r.error.message})` };
  if (r.status !== 0) return { why: `${ROOT} is not a git checkout` };
  return { sha: r.stdout.trim() };
}
const HEAD = head();

/**
 * The environment for npm and the installed CLI: the parent `npm test` exports npm_* variables (its
 * prefix, its package, its lifecycle) that must not steer the npm run here; the cache and the user's
 * npm configuration (registry access) are kept. Ambient doctor settings are dropped, as in test/support/cli.ts.
 */
function cleanEnv(): Record<string, string> {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_registry']);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^npm_/i.test(k) && !keep.has(k.toLowerCase())) continue;
    if (/^(FASTMCP_|GITHUB_|MCP_AUTH_DOCTOR_|STORAGE_ENCRYPTION_KEY|REDIS_PASSWORD|INIT_CWD$|FORCE_COLOR$)/.test(k)) continue;
    env[k] = v;
  }
  env.NO_COLOR = '1';
  // Wide enough that every path stays on its line (text output is wrapped to COLUMNS).
  env.COLUMNS = '1000';
  env.npm_config_update_notifier = 'false';
  return env;
}
const ENV = cleanEnv();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a command to its end (asynchronously: a worker blocked for a minute upsets vitest's RPC);
 * killed after `timeoutMs`.
 */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run a step that must succeed; on failure the message carries its output. */
async function step(cmd: string, args: string[], cwd: string): Promise<Run> {
  const r = await run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} exited ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`);
  return r;
}

/** Hand prebuild-install this checkout's better-sqlite3 binary (see the module comment). */
function localPrebuild(dir: string, prefix: string): void {
  const mod = join(ROOT, 'node_modules', 'better-sqlite3');
  const binary = join(mod, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binary)) return;
  const { version } = JSON.parse(readFileSync(join(mod, 'package.json'), 'utf8')) as { version: string };
  // prebuild-install's name: {name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz (libc empty for glibc)
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['czf', join(dir, name), '-C', mod, 'build/Release/better_sqlite3.node']);
  writeFileSync(join(prefix, '.prebuild-installrc'), `local-prebuilds=${dir}\n`);
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe.skipIf(!HEAD.sha)(`npm pack of a fresh clone, installed into an empty prefix${HEAD.why ? ` (skipped: ${HEAD.why})` : ''}`, () => {
  let work: string;
  let clone: string;
  let prefix: string;
  let outside: string;
  let tarball: string;
  let files: string[];
  const bin = () => join(prefix, process.platform === 'win32' ? 'mcp-auth-doctor.cmd' : join('bin', 'mcp-auth-doctor'));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mad-pack-'));
    clone = join(work, 'clone');
    prefix = join(work, 'prefix');
    outside = join(work, 'elsewhere');
    mkdirSync(prefix);
    mkdirSync(outside);

    await step('git', ['clone', '--quiet', '--no-checkout', ROOT, clone], work);
    await step('git', ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', HEAD.sha!], clone);
    // The dev dependencies the build needs; --ignore-scripts skips better-sqlite3's native build
    // (packing does not load it) and this `prepare` (npm pack runs it next).
    await step(NPM, ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], clone);
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a checkout that is not built says so in one line (exit 2), instead of a stack trace', async () => {
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const r = await run(process.execPath, [join(clone, 'bin', 'mcp-auth-doctor.js'), '--help'], clone);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^mcp-auth-doctor: not built: .*dist\/ is missing — run `npm run build`/);
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
  });

  it('npm pack builds dist/ (prepare) and packs it, without source maps or sources', async () => {
    const packed = await step(NPM, ['pack', '--pack-destination', work], clone);
    const tgz = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    expect(tgz, packed.stdout).toEqual([`${pkg.name}-${pkg.version}.tgz`]);
    tarball = join(work, tgz[0]!);
    expect(existsSync(join(clone, 'dist', 'main.js'))).toBe(true);

    files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/mcp-auth-doctor.js', 'dist/main.js', 'dist/cli.js', 'dist/commands/demo.js', 'dist/bundle/main.js', 'dist/bundle/inventory-worker.js', 'dist/help.txt', 'fixtures/demo/args.json', 'docs/findings.md']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /^(src|test|scripts|\.ci)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
    // Nothing in the shipped code points at a source map.
    const shipped = execFileSync('tar', ['xzOf', tarball, '--wildcards', 'package/dist/*.js'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(shipped).toContain('startEarlyKeyDerivations');
    expect(shipped).not.toContain('sourceMappingURL');
    expect(readFileSync(join(clone, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} mcp-auth-doctor contributors/);
  }, 600_000);

  it('the tarball installs into an empty prefix', async () => {
    expect(tarball, 'the pack step ran').toBeDefined();
    localPrebuild(join(work, 'prebuilds'), prefix);
    await step(NPM, ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball], work);
    expect(existsSync(bin())).toBe(true);
    expect(existsSync(join(prefix, 'lib', 'node_modules', pkg.name, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
  }, 600_000);

  it('the installed mcp-auth-doctor: --help and --version', async () => {
    const help = await run(bin(), ['--help'], outside);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^Usage: mcp-auth-doctor \[options\] \[command\]/);
    for (const c of ['inspect-cache', 'verify-token', 'probe-github', 'github-audit', 'diagnose', 'check', 'demo']) expect(help.stdout).toContain(`  ${c} `);

    const version = await run(bin(), ['--version'], outside);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('the installed mcp-auth-doctor demo: the bundled sample, diagnosed offline, exit 0', async () => {
    const r = await run(bin(), ['demo'], outside);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^mcp-auth-doctor demo — evaluated at 2026-11-21T22:19:02\.000Z\n/);
    expect(r.stdout).toContain('Demo: the bundled sample deployment, diagnosed offline');
    // Run from outside the package: the sample's paths are the installed ones, in full.
    expect(r.stdout).toContain(`--store ${join(prefix, 'lib', 'node_modules', pkg.name, 'fixtures', 'demo', 'fastmcp-home')} `);
    expect(r.stdout).toContain('error JWT_SIGNATURE_INVALID');
    expect(r.stdout).toMatch(/\nVerdict: FastMCP JWT fails: .*\(JWT_SIGNATURE_INVALID\)\.\n/);

    const json = await run(bin(), ['demo', '--json'], outside);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { command: string; verdict: string; failingTier: string };
    expect([report.command, report.verdict, report.failingTier]).toEqual(['demo', 'failing', 'jwt']);
  });

  it('the installed better-sqlite3 loads: inspect-cache reads a FastMCP 2.14 diskcache store', async () => {
    const bundle = loadBundle('2.14.7/a-healthy/default-diskcache');
    const secret = join(work, 'client-secret.txt');
    writeFileSync(secret, `${bundle.current['upstream_client_secret (GitHub app client_secret)']}\n`);
    const r = await run(bin(), ['inspect-cache', '--store', bundle.storePath, '--upstream-client-secret-file', secret, '--at', String(bundle.scenario.captured_at)], outside);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`diskcache ${bundle.storePath}`);
    expect(r.stdout).toMatch(/mcp-jti-mappings +\d+ +\d+ +0 +0/);
  });
});
