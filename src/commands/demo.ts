/**
 * `demo`: diagnose the bundled sample deployment (fixtures/demo, shipped in the package) offline,
 * exactly as `mcp-auth-doctor diagnose <the sample's flags>` would. The sample is broken on purpose:
 * the diagnosis finds problems (a `diagnose` run exits 1), and `demo` exits 0 when it finds what the
 * sample is built to show — it is a demonstration, not a check of anything of the user's.
 *
 * The sample's command line, its description and its expected verdict are data
 * (fixtures/demo/args.json); this module knows none of their values.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { buildProgram } from '../cli.js';
import { UsageError } from '../errors.js';
import { loadEnvFile } from '../inputs.js';
import type { DemoEvidence, Report, Verdict } from '../model/index.js';
import { parseAt } from '../time.js';
import type { CommandContext, CommandResult } from './context.js';
import { run as diagnose, type DiagnoseOptions } from './diagnose.js';
import { packageRoot } from './package-root.js';

const ROOT = packageRoot();
const SAMPLE_FILE = join(ROOT, 'fixtures', 'demo', 'args.json');
/** `demo --client`: a client-side diagnosis (a real mcp-remote cache and the store it logged in to). */
const CLIENT_SAMPLE_FILE = join(ROOT, 'fixtures', 'demo', 'client', 'args.json');

interface Sample {
  summary: string;
  expectedVerdict: Verdict;
  /** The command line, paths relative to the package root. */
  args: string[];
}

/** A path under the package root as a user in `cwd` would type it: relative inside cwd, else absolute. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The sample's `diagnose` command line with its paths resolved against the package root. */
export function sampleCommandLine(cwd: string, client = false): { sample: Sample; commandLine: string[] } {
  const sample = JSON.parse(readFileSync(client ? CLIENT_SAMPLE_FILE : SAMPLE_FILE, 'utf8')) as Sample;
  // The sample's paths are the arguments that name a file under the package root.
  const commandLine = sample.args.map((a) => (a.startsWith('fixtures/') ? shown(join(ROOT, a), cwd) : a));
  return { sample, commandLine };
}

/** Parse a command line as the CLI does, so `diagnose` gets exactly the options (and defaults) a user's command line gives it. */
async function parse(version: string, argv: string[]): Promise<{ opts: Record<string, unknown>; args: string[] }> {
  let parsed: { opts: Record<string, unknown>; args: string[] } | undefined;
  const program = buildProgram(version, async (_name, opts, args) => {
    parsed = { opts, args };
  });
  program.exitOverride();
  await program.parseAsync(argv, { from: 'user' });
  if (!parsed) throw new Error(`the demo's command line in ${SAMPLE_FILE} ran no command`);
  return parsed;
}

export async function run(opts: { envFile?: string; client?: boolean }, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  if (opts.envFile) throw new UsageError('--env-file does not apply to demo: the sample brings its own settings', 'to diagnose your own deployment, run `mcp-auth-doctor diagnose --env-file …`');
  const { sample, commandLine } = sampleCommandLine(process.cwd(), Boolean(opts.client));
  const parsed = await parse(ctx.version, commandLine);
  const { envFile, at, ...rest } = parsed.opts as DiagnoseOptions & { envFile?: string; at?: string };

  // Self-contained: the sample's settings only, never the caller's environment (a signing key or a
  // GitHub URL set in the shell must not change the demo). `--at` on the demo's own command line
  // wins over the sample's evaluation time.
  const env = envFile ? loadEnvFile(envFile, {}) : {};
  const now = ctx.nowFromFlag ? ctx.now : at !== undefined ? parseAt(at) : ctx.now;
  const result = await diagnose(rest, parsed.args, { ...ctx, env, now, nowFromFlag: ctx.nowFromFlag || at !== undefined });

  const demo: DemoEvidence = { summary: sample.summary, expectedVerdict: sample.expectedVerdict, commandLine: ['mcp-auth-doctor', ...commandLine] };
  // The exit code follows from the report (diagnosis/exit.ts): 0 when the sample gets its expected verdict.
  const report: Report = { ...result.report, command: 'demo', evidence: { ...result.report.evidence, demo } };
  return { report };
}
