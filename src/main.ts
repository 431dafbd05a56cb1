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
import { safeText, sanitizeReport } from './render/sanitize.js';

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
/** `--output <file>`, once checked: the report (or the JSON error document) goes there instead of stdout. */
let outputFile: string | undefined;
let writeOutputFile: ((path: string, text: string) => void) | undefined;

/** Write the output and exit — once: an error arriving while the output is written adds nothing. */
function finish(code: ExitCode, stdout = '', stderr = ''): Promise<never> {
  finishing ??= (async () => {
    if (outputFile && writeOutputFile && stdout) {
      try {
        writeOutputFile(outputFile, stdout);
      } catch (e) {
        await write(process.stderr, `mcp-auth-doctor: cannot write --output ${outputFile}: ${describeError(e)}\n`);
        process.exit(EXIT.noEvidence);
      }
    } else await write(process.stdout, stdout);
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

interface TextSettings {
  color: boolean;
  width: number;
  quiet: boolean;
}

type Renderer = (result: CommandResult, text: TextSettings) => Promise<{ stdout: string; summary?: string }>;

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
  return async (result, text) => ({ stdout: await renderText(result.report, text) });
}

/**
 * Colour in text output: `--color always|never|auto` (`--no-color` = never). auto: FORCE_COLOR
 * (set and not 0/false) turns it on even when piped, as Node does it wins over NO_COLOR; then
 * NO_COLOR turns it off; else only when stdout is a terminal.
 */
export function colorWanted(flag: unknown, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (flag === false || flag === 'never') return false;
  if (flag === 'always' || flag === true) return true;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}

/** The text-output width: COLUMNS when set (a number), else the terminal's columns, else 80; at least 40. */
export function terminalWidth(env: NodeJS.ProcessEnv, stdout: { isTTY?: boolean; columns?: number }): number {
  const fromEnv = Number(env.COLUMNS);
  if (env.COLUMNS && Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(40, fromEnv);
  if (stdout.isTTY && stdout.columns && stdout.columns > 0) return Math.max(40, stdout.columns);
  return 80;
}

/** Whether the command line asks for JSON (checked before commander parses, for usage errors). */
function wantsJson(args: string[]): boolean {
  return args.some((a, i) => a === '--json' || a === '--format=json' || (a === '--format' && args[i + 1] === 'json'));
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
      error: { kind: e.name, message: safeText(e.message), hint: e.hint === undefined ? null : safeText(e.hint), exitCode: e.exitCode },
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
  let format: Format = wantsJson(argv.slice(2)) ? 'json' : 'text';
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
      return finish(EXIT.interrupted, format === 'json' ? errorDocument(current, version, new InterruptedError()) : '', `mcp-auth-doctor: interrupted before anything could be reported${safeText(line)}\n`);
    }
    if (e instanceof DoctorError) {
      const stack = debug && e.cause instanceof Error ? `${e.cause.stack}\n` : debug ? `${e.stack}\n` : '';
      return finish(e.exitCode, format === 'json' ? errorDocument(current, version, e) : '', `mcp-auth-doctor: ${safeText(e.line())}\n${stack}`);
    }
    const stack = debug && e instanceof Error ? `${e.stack}\n` : '';
    return finish(EXIT.noEvidence, '', `mcp-auth-doctor: internal error: ${safeText(describeError(e))} — this is a bug; run with --debug and report it\n${stack}`);
  };
  process.on('unhandledRejection', (e) => void fail(e));
  // A stray error from a stream or timer: still one line and an exit code, never node's stack dump.
  process.on('uncaughtException', (e) => void fail(e));

  const run = async (name: CommandName, raw: Record<string, unknown>, args: string[]): Promise<void> => {
    current = name;
    const opts = raw as CommonOptions & Record<string, unknown>;
    debug = Boolean(opts.debug);
    format = opts.json ? 'json' : (opts.format ?? 'text');
    if (opts.json && opts.format && opts.format !== 'json') throw new UsageError(`--json and --format ${opts.format} ask for two formats`, 'give one: --json (the same as --format json) or --format text|github');
    setRevealSecrets(Boolean(opts.showSecrets));
    const env = opts.envFile ? loadEnvFile(opts.envFile, process.env) : process.env;
    if (typeof opts.output === 'string') {
      const { output: _self, ...inputs } = raw;
      const out = await import('./commands/resolve/output.js');
      outputFile = out.resolveOutputFile(opts.output, [...Object.values(inputs), ...args], env);
      writeOutputFile = out.writeOutputFile;
    }
    const text: TextSettings = {
      // A report file is plain text unless --color=always asks otherwise (FORCE_COLOR is for pipes).
      color: format === 'text' && (outputFile ? opts.color === 'always' || opts.color === true : colorWanted(opts.color, env, Boolean(process.stdout.isTTY))),
      width: outputFile ? 80 : terminalWidth(env, process.stdout),
      quiet: Boolean(opts.quiet),
    };

    // A terminal that reports no width (a pseudo-terminal of width 0) gets no spinner: ora would redraw it endlessly.
    const progress = await makeProgress(Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0 && format !== 'github');
    const ctx: CommandContext = {
      now: opts.at !== undefined ? parseAt(opts.at) : Date.now() / 1000,
      nowFromFlag: opts.at !== undefined,
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
    // Text from outside reaches no renderer raw: secrets scrubbed, values capped, control characters escaped.
    const safe = { ...result, report: sanitizeReport(result.report) };
    const out = await renderer(safe, text);
    if (out.summary && env.GITHUB_STEP_SUMMARY) {
      try {
        appendFileSync(env.GITHUB_STEP_SUMMARY, out.summary);
      } catch {
        // The summary is a convenience; annotations already went to stdout.
      }
    }
    // The stderr line repeats the verdict for pipes and CI logs; on a terminal showing the text report it is said once.
    const line = format === 'text' && process.stdout.isTTY && process.stderr.isTTY && !outputFile && !text.quiet ? undefined : exitLineFor(safe.report);
    await finish(exitCodeFor(result.report), out.stdout, line ? `mcp-auth-doctor: ${line}\n` : '');
  };

  const named = argv[2];
  const program = buildProgram(version, run, (COMMANDS as readonly string[]).includes(named ?? '') ? (named as CommandName) : undefined, async (text) => {
    current = undefined;
    await finish(EXIT.healthy, text);
  });
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
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // --json promises one JSON document: a usage error commander found is one too (its line went to stderr).
      if (wantsJson(argv.slice(2))) {
        const name = argv.slice(2).find((a): a is CommandName => (COMMANDS as readonly string[]).includes(a));
        const message = (e as Error).message.replace(/^error: /, '');
        return finish(EXIT.badInput, errorDocument(name, version, new UsageError(message, 'run with --help for usage')));
      }
      return finish(EXIT.badInput);
    }
    if (e instanceof Error && !(e instanceof DoctorError) && /expects a whole number/.test(e.message)) {
      current ??= argv.slice(2).find((a): a is CommandName => (COMMANDS as readonly string[]).includes(a));
      return fail(new UsageError(e.message));
    }
    return fail(e);
  }
}
