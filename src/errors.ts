/**
 * Typed errors, caught once by the entry point (src/main.ts).
 *
 * Every error carries one line that says what happened (`message`) and one short
 * instruction that says what to do (`hint`). Neither may contain a secret: build
 * them from fingerprints (src/secrets.ts) and redacted URLs only.
 */

export type ExitCode = 0 | 1 | 2 | 3 | 130;

export const EXIT = {
  healthy: 0,
  problems: 1,
  badInput: 2,
  noEvidence: 3,
  interrupted: 130,
} as const satisfies Record<string, ExitCode>;

export abstract class DoctorError extends Error {
  abstract readonly exitCode: ExitCode;
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The one line the entry point prints. */
  line(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends DoctorError {
  readonly exitCode = EXIT.badInput;
}

/** The input exists but is not what it should be: corrupt DB, malformed JWT, truncated export, wrong key. */
export class InputError extends DoctorError {
  readonly exitCode = EXIT.badInput;
}

/** Evidence could not be collected: Redis down, GitHub unreachable, store locked. */
export class CollectError extends DoctorError {
  readonly exitCode = EXIT.noEvidence;
}

/** SIGINT: the entry point prints what was collected so far and exits 130. */
export class InterruptedError extends DoctorError {
  readonly exitCode = EXIT.interrupted;
  constructor() {
    super('interrupted');
  }
}

export function isDoctorError(e: unknown): e is DoctorError {
  return e instanceof DoctorError;
}

/** Best-effort text of an unknown thrown value, for wrapping into a DoctorError. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
