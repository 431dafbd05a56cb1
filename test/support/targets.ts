/**
 * Targets for calling the adapters directly, built the way the command boundary builds them: from
 * the same flags (resolveStoreTarget), or plain HTTP settings for the GitHub and server probes.
 */
import type { CommandContext } from '../../src/commands/context.js';
import { resolveStoreTarget, type StoreOptions } from '../../src/commands/resolve/store.js';
import type { HttpTarget } from '../../src/http/edge.js';
import type { SpecRevision } from '../../src/model/index.js';
import type { ServerTarget } from '../../src/server/target.js';
import { openStore, readStore, type OpenedStore } from '../../src/stores/index.js';

/** The HTTP edge's settings for a test: a timeout, no proxy. */
export const httpFor = (timeoutMs: number): HttpTarget => ({ timeoutMs, userAgent: 'mcp-auth-doctor/test' });

/** `openStore` with the target the command boundary would resolve from these flags (and ctx.env). */
export async function openStoreFromFlags(opts: StoreOptions, ctx: CommandContext): Promise<OpenedStore> {
  return openStore(await resolveStoreTarget(opts, ctx), ctx);
}

/** `readStore` with the target the command boundary would resolve from these flags (and ctx.env). */
export async function readStoreFromFlags<T>(opts: StoreOptions, ctx: CommandContext, read: (store: OpenedStore) => Promise<T>): Promise<T> {
  return readStore(await resolveStoreTarget(opts, ctx), ctx, read);
}

export function serverTarget(url: string, o: { spec?: SpecRevision; timeoutMs?: number; probeRegistration?: boolean } = {}): ServerTarget {
  const t: ServerTarget = { url, spec: o.spec ?? '2026-07-28', http: httpFor(o.timeoutMs ?? 5000) };
  if (o.probeRegistration) t.probeRegistration = true;
  return t;
}
