/**
 * `mcp-auth-doctor inspect-cache`: read a FastMCP OAuth store read-only and report what is in it.
 *
 * Exit codes (from the verdict): 0 healthy, 1 error findings (e.g. nothing decrypts with the key),
 * 3 the store could not be read (Redis down, auth/TLS failure); 2 bad input (not a store, corrupt
 * SQLite, bad flags). Never prints: returns the report; progress goes through ctx.progress.
 */
import { buildReport } from '../diagnosis/engine.js';
import type { DerivedKey } from '../fastmcp/keys.js';
import { collected, type Evidence } from '../model/index.js';
import { buildKeyring, collectInventory, readStore } from '../stores/index.js';
import type { CommandContext, CommandResult, CommonOptions } from './context.js';
import { KeyBundle, keyEvidence, readKeyInputs, type KeyOptions } from './resolve/keys.js';
import { buildSettings } from './resolve/settings.js';
import { resolveStoreTarget, type StoreOptions } from './resolve/store.js';

export interface InspectCacheOptions extends CommonOptions, KeyOptions, StoreOptions {
  showEntries?: boolean;
  collection?: string[];
}

export async function run(raw: Record<string, unknown>, _args: string[], ctx: CommandContext): Promise<CommandResult> {
  const opts = raw as InspectCacheOptions;
  const keys = new KeyBundle(await readKeyInputs(opts, ctx));
  const target = await resolveStoreTarget(opts, ctx);
  // The store is opened before the (slow) PBKDF2 derivation: a wrong path fails at once.
  let derived: DerivedKey[] | undefined;
  const inventory = await readStore(target, ctx, async (store) => {
    derived = await keys.derive(ctx);
    const keyring = buildKeyring(derived, keys.storageKey);
    ctx.progress.update(`reading ${store.location}…`);
    return collectInventory(store, keyring, ctx.now, {
      signal: ctx.signal,
      progress: ctx.progress,
      // --collection narrows the listing, so it implies --show-entries.
      showEntries: Boolean(opts.showEntries) || Boolean(opts.collection?.length),
      ...(opts.collection?.length ? { collections: opts.collection } : {}),
      ...(target.threads ? { threads: target.threads } : {}),
    });
  });
  const ev: Evidence = {
    command: 'inspect-cache',
    now: ctx.now,
    settings: buildSettings({ expectations: {}, keys: keys.inputs }, ctx.env),
    keys: collected(keyEvidence(derived ?? [], keys.storageKey)),
    store: inventory,
  };
  return { report: buildReport(ev, { version: ctx.version, interrupted: ctx.signal.aborted }) };
}
