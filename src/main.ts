/**
 * The entry point: the only module that writes to stdout/stderr and sets the exit code.
 * Typed errors are caught here, once.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { buildProgram } from './cli.js';
import type { CommandContext, CommandResult, CommonOptions, Progress } from './commands/context.js';
import { silentProgress } from './commands/context.js';
import type { CommandName, Report } from './diagnosis/types.js';
import { DoctorError, EXIT, InterruptedError, UsageError, describeError, type ExitCode } from './errors.js';
import { loadEnvFile, stdinOnce } from './inputs.js';
import { setRevealSecrets } from './secrets.js';
import { parseAt } from './time.js';

type Format = 'text' | 'json' | 'github';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const VERDICT_EXIT: Record<Report['verdict'], ExitCode> = { healthy: EXIT.healthy, failing: EXIT.problems, inconclusive: EXIT.noEvidence };

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (!text) return Promise.resolve();
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

async function finish(code: ExitCode, stdout = '', stderr = ''): Promise<never> {
  await write(process.stdout, stdout);
  await write(process.stderr, stderr);
  process.exit(code);
}

async function makeProgress(enabled: boolean): Promise<Progress> {
  if (!enabled) return silentProgress;
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: process.stderr, discardStdin: false });
  return {
    update(text) {
      spinner.text = text;
      if (!spinner.isSpinning) spinner.start();
    },
    stop() {
      spinner.stop();
    },
  };
}

async function render(format: Format, result: CommandResult, color: boolean): Promise<{ stdout: string; summary?: string }> {
  if (format === 'json') {
    const { renderJson } = await import('./render/json.js');
    return { stdout: renderJson(result.report) };
  }
  if (format === 'github') {
    const { renderGithub } = await import('./render/github.js');
    return renderGithub(result.report);
  }
  const { renderText } = await import('./render/text.js');
  return { stdout: await renderText(result.report, { color }) };
}

function errorDocument(command: CommandName | undefined, version: string, e: DoctorError): string {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      tool: { name: 'mcp-auth-doctor', version },
      command: command ?? null,
      verdict: 'inconclusive',
      failingTier: null,
      error: { kind: e.name, message: e.message, hint: e.hint ?? null, exitCode: e.exitCode },
      findings: [],
      tiers: {},
    },
    null,
    2,
  )}\n`;
}

export async function main(argv: string[]): Promise<void> {
  const version = packageVersion();
  let format: Format = 'text';
  let debug = argv.includes('--debug');
  let current: CommandName | undefined;

  const fail = async (e: unknown): Promise<never> => {
    if (e instanceof DoctorError) {
      const stack = debug && e.cause instanceof Error ? `${e.cause.stack}\n` : debug ? `${e.stack}\n` : '';
      return finish(e.exitCode, format === 'json' ? errorDocument(current, version, e) : '', `mcp-auth-doctor: ${e.line()}\n${stack}`);
    }
    const stack = debug && e instanceof Error ? `${e.stack}\n` : '';
    return finish(EXIT.noEvidence, '', `mcp-auth-doctor: internal error: ${describeError(e)} — this is a bug; run with --debug and report it\n${stack}`);
  };
  process.on('unhandledRejection', (e) => void fail(e));

  const run = async (name: CommandName, raw: Record<string, unknown>, args: string[]): Promise<void> => {
    current = name;
    const opts = raw as CommonOptions & Record<string, unknown>;
    debug = Boolean(opts.debug);
    format = opts.json ? 'json' : (opts.format ?? 'text');
    setRevealSecrets(Boolean(opts.showSecrets));
    const env = opts.envFile ? loadEnvFile(opts.envFile, process.env) : process.env;
    const color = opts.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== '') && Boolean(process.stdout.isTTY) && format === 'text';

    const controller = new AbortController();
    let interrupts = 0;
    process.on('SIGINT', () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(EXIT.interrupted);
      controller.abort(new InterruptedError());
    });

    const progress = await makeProgress(Boolean(process.stderr.isTTY) && format !== 'github');
    const ctx: CommandContext = {
      now: opts.at ? parseAt(opts.at) : Date.now() / 1000,
      nowFromFlag: Boolean(opts.at),
      version,
      progress,
      signal: controller.signal,
      debug,
      env,
      readStdin: stdinOnce(),
    };

    let result: CommandResult;
    try {
      const mod = (await import(`./commands/${name}.js`)) as { run: (o: Record<string, unknown>, a: string[], c: CommandContext) => Promise<CommandResult> };
      result = await mod.run(opts, args, ctx);
    } finally {
      progress.stop();
    }
    const out = await render(format, result, color);
    if (out.summary && env.GITHUB_STEP_SUMMARY) {
      try {
        appendFileSync(env.GITHUB_STEP_SUMMARY, out.summary);
      } catch {
        // The summary is a convenience; annotations already went to stdout.
      }
    }
    const interrupted = controller.signal.aborted;
    const code: ExitCode = interrupted ? EXIT.interrupted : (result.exitCode ?? VERDICT_EXIT[result.report.verdict]);
    const errLine = result.errorLine ? `mcp-auth-doctor: ${result.errorLine}\n` : interrupted ? 'mcp-auth-doctor: interrupted — the report shows what was collected so far\n' : '';
    await finish(code, out.stdout, errLine);
  };

  const program = buildProgram(version, run);
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
  });
  try {
    await program.parseAsync(argv);
    if (!current) await finish(EXIT.healthy);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // Explicit --help/--version: success. Help shown because no command was given: usage error.
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return finish(EXIT.healthy);
    if (typeof code === 'string' && code.startsWith('commander.')) return finish(EXIT.badInput);
    if (e instanceof Error && !(e instanceof DoctorError) && /expects a whole number/.test(e.message)) return fail(new UsageError(e.message));
    return fail(e);
  }
}
