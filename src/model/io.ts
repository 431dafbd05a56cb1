/**
 * What an adapter gets besides its resolved target: the interrupt signal and a progress sink.
 * Nothing else — no CLI options, no environment, no stdin.
 */

/** Progress reporting without printing (the entry point draws the spinner). */
export interface ProgressSink {
  update(text: string): void;
}

export const silentSink: ProgressSink = { update() {} };

export interface Io {
  /** Aborted on SIGINT: collectors stop and return what they have. */
  signal?: AbortSignal;
  progress?: ProgressSink;
}
