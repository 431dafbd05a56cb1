/**
 * The entry point: the only module that writes to stdout/stderr and sets the exit code.
 * Typed errors are caught here, once.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from './cli.js';
import type { CommandContext, CommandResult, CommonOptions, Progress } from './commands/context.js';
import { silentProgress } from './commands/context.js';
import { packageRoot } from './commands/package-root.js';
import { exitCodeFor, exitLineFor } from './diagnosis/exit.js';
import { COMMANDS, type CommandName } from './model/index.js';
import { DoctorError, EXIT, InterruptedError, UsageError, describeError, type ExitCode } from './errors.js';
import { loadEnvFile, stdinOnce } from './inputs.js';
import { setRevealSecrets } from './secrets.js';
import { parseAt } from './time.js';

type Format = 'text' | 'json' | 'github';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (!text) return Promise.resolve();
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

let finishing: Promise<never> | undefined;

/** Write the output and exit — once: an error arriving while the output is written adds nothing. */
function finish(code: ExitCode, stdout = '', stderr = ''): Promise<never> {
  finishing ??= (async () => {
    await write(process.stdout, stdout);
    await write(process.stderr, stderr);
    process.exit(code);
  })();
  return finishing;
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

type Renderer = (result: CommandResult, color: boolean) => Promise<{ stdout: string; summary?: string }>;

/**
 * The renderer for a format (and the command's text sections), imported before the command starts:
 * after a SIGINT during PBKDF2 the thread pool — which module loading uses too — stays busy for
 * seconds, and the partial report must not wait for it.
 */
async function loadRenderer(format: Format, command: CommandName): Promise<Renderer> {
  if (format === 'json') {
    const { renderJson } = await import('./render/json.js');
    return async (result) => ({ stdout: renderJson(result.report) });
  }
  if (format === 'github') {
    const { renderGithub } = await import('./render/github.js');
    return async (result) => renderGithub(result.report);
  }
  const [{ renderText }] = await Promise.all([import('./render/text.js'), import('./render/sections/index.js').then((m) => m.sectionsFor(command))]);
  return async (result, color) => ({ stdout: await renderText(result.report, { color }) });
}

function errorDocument(command: CommandName | undefined, version: string, e: DoctorError): string {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      tool: { name: 'mcp-auth-doctor', version },
      command: command ?? null,
      verdict: 'inconclusive',
      failingTier: null,
      failingStage: null,
      error: { kind: e.name, message: e.message, hint: e.hint ?? null, exitCode: e.exitCode },
      findings: [],
      tiers: {},
    },
    null,
    2,
  )}\n`;
}

/** After the first SIGINT, how long a command may take to hand back its partial report. */
const INTERRUPT_GRACE_MS = 5000;

export async function main(argv: string[]): Promise<void> {
  // Read by better-sqlite3's native addon when it first loads (at the first `new Database`): lets the
  // diskcache adapter open a cache.db in place as an `immutable=1` URI (else it reads a private copy).
  process.env.SQLITE_USE_URI = '1';
  const version = packageVersion();
  let format: Format = 'text';
  let debug = argv.includes('--debug');
  let current: CommandName | undefined;

  // SIGINT from the start: the first aborts the command (collectors stop and the report shows what
  // was collected, marked partial; exit 130), a second one — or a command that does not stop within
  // the grace period — exits 130 at once. Before a command runs there is nothing to report.
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1 || !current) {
      process.stderr.write('mcp-auth-doctor: interrupted\n', () => process.exit(EXIT.interrupted));
      return;
    }
    controller.abort(new InterruptedError());
    setTimeout(() => {
      process.stderr.write('mcp-auth-doctor: interrupted — a step did not stop in time; no report\n', () => process.exit(EXIT.interrupted));
    }, INTERRUPT_GRACE_MS).unref();
  });

  const fail = async (e: unknown): Promise<never> => {
    if (controller.signal.aborted) {
      // Whatever failed after the interrupt failed because of it.
      const line = e instanceof DoctorError && !(e instanceof InterruptedError) ? ` (${e.line()})` : '';
      return finish(EXIT.interrupted, format === 'json' ? errorDocument(current, version, new InterruptedError()) : '', `mcp-auth-doctor: interrupted before anything could be reported${line}\n`);
    }
    if (e instanceof DoctorError) {
      const stack = debug && e.cause instanceof Error ? `${e.cause.stack}\n` : debug ? `${e.stack}\n` : '';
      return finish(e.exitCode, format === 'json' ? errorDocument(current, version, e) : '', `mcp-auth-doctor: ${e.line()}\n${stack}`);
    }
    const stack = debug && e instanceof Error ? `${e.stack}\n` : '';
    return finish(EXIT.noEvidence, '', `mcp-auth-doctor: internal error: ${describeError(e)} — this is a bug; run with --debug and report it\n${stack}`);
  };
  process.on('unhandledRejection', (e) => void fail(e));
  // A stray error from a stream or timer: still one line and an exit code, never node's stack dump.
  process.on('uncaughtException', (e) => void fail(e));

  const run = async (name: CommandName, raw: Record<string, unknown>, args: string[]): Promise<void> => {
    current = name;
    const opts = raw as CommonOptions & Record<string, unknown>;
    debug = Boolean(opts.debug);
    format = opts.json ? 'json' : (opts.format ?? 'text');
    setRevealSecrets(Boolean(opts.showSecrets));
    const env = opts.envFile ? loadEnvFile(opts.envFile, process.env) : process.env;
    const color = opts.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== '') && Boolean(process.stdout.isTTY) && format === 'text';

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
    let renderer: Renderer;
    try {
      // The renderer is loaded before the command starts (see loadRenderer).
      const [mod, r] = await Promise.all([
        import(`./commands/${name}.js`) as Promise<{ run: (o: Record<string, unknown>, a: string[], c: CommandContext) => Promise<CommandResult> }>,
        loadRenderer(format, name),
      ]);
      renderer = r;
      result = await mod.run(opts, args, ctx);
    } finally {
      progress.stop();
    }
    const out = await renderer(result, color);
    if (out.summary && env.GITHUB_STEP_SUMMARY) {
      try {
        appendFileSync(env.GITHUB_STEP_SUMMARY, out.summary);
      } catch {
        // The summary is a convenience; annotations already went to stdout.
      }
    }
    const line = exitLineFor(result.report);
    await finish(exitCodeFor(result.report), out.stdout, line ? `mcp-auth-doctor: ${line}\n` : '');
  };

  const named = argv[2];
  const program = buildProgram(version, run, (COMMANDS as readonly string[]).includes(named ?? '') ? (named as CommandName) : undefined);
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
