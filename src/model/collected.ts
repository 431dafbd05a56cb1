/**
 * `Collected<T>`: every tier's evidence is wrapped so that "not looked at" (skipped, with why) and
 * "could not look" (error, with why) are never confused with "looked and found nothing wrong".
 */

export type Collected<T> =
  | { status: 'collected'; value: T; /** collection stopped early; value holds what was read */ partial?: string }
  | { status: 'skipped'; reason: string }
  | { status: 'error'; reason: string; /** what was read before the error, if anything */ value?: T };

export const collected = <T>(value: T, partial?: string): Collected<T> => (partial ? { status: 'collected', value, partial } : { status: 'collected', value });
export const skipped = <T>(reason: string): Collected<T> => ({ status: 'skipped', reason });
export const failed = <T>(reason: string, value?: T): Collected<T> => (value === undefined ? { status: 'error', reason } : { status: 'error', reason, value });

/** The value, collected or read before an error; undefined when skipped or absent. */
export function valueOf<T>(c: Collected<T> | undefined): T | undefined {
  if (!c) return undefined;
  return c.status === 'skipped' ? undefined : c.value;
}
