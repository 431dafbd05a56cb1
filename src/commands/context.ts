/**
 * What a command receives from the entry point. Commands never write to stdout/stderr and never
 * exit: they return a report, and report progress through `progress`.
 */
import type { Report } from '../model/index.js';
import type { InputSources } from '../inputs.js';

export interface Progress {
  /** Show or replace the current activity ("deriving 3 keys…"). No-op when stderr is not a TTY. */
  update(text: string): void;
  /** Clear the spinner line. */
  stop(): void;
}

export const silentProgress: Progress = { update() {}, stop() {} };

export interface CommandContext extends InputSources {
  /** Evaluation time in unix seconds: `--at`, or the wall clock read once at start. */
  now: number;
  /** True when `--at` was given (post-mortem mode). */
  nowFromFlag: boolean;
  version: string;
  progress: Progress;
  /** Aborted on SIGINT: collectors stop and return what they have. */
  signal: AbortSignal;
  debug: boolean;
}

/** A command hands back its report; the exit code and any stderr line follow from it (diagnosis/exit.ts). */
export interface CommandResult {
  report: Report;
}

/** Options common to every command (parsed by commander; see src/cli.ts). */
export interface CommonOptions {
  json?: boolean;
  format?: 'text' | 'json' | 'github';
  at?: string;
  envFile?: string;
  showSecrets?: boolean;
  debug?: boolean;
  /** --color [always|never|auto] (true: --color alone); false: --no-color. */
  color?: boolean | 'always' | 'never' | 'auto';
  quiet?: boolean;
  output?: string;
}
