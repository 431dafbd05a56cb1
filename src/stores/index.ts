/**
 * The storage tier's public surface. Typical use, with a target resolved at the command boundary:
 *
 *   const inventory = await readStore(target, io, async (store) => {   // InputError (2) / CollectError (3)
 *     const keyring = buildKeyring(derivedKeys, explicitStorageKey);
 *     return collectInventory(store, keyring, now, { ...io, threads: target.threads });
 *   });
 *
 * `readStore` closes the store, and reads a `cache.db` once more from a private copy when a server
 * wrote to it while it was read in place. `openStore` alone leaves both to the caller.
 */
export { openStore, readStore } from './open.js';
export { buildKeyring, keyringFromTexts, type Keyring, type KeyringEntry } from './keyring.js';
export type { InventoryOptions } from './inventory.js';
export type { StoredUpstreamSet } from './upstream.js';

// The readers (and the decoding, worker pool and parallel diskcache reader behind them) are loaded when
// a store was opened and is read, not with this module: a run that finds no store never needs them.

/** The store's inventory (inventory.ts). */
export async function collectInventory(...args: Parameters<typeof import('./inventory.js').collectInventory>): ReturnType<typeof import('./inventory.js').collectInventory> {
  return (await import('./inventory.js')).collectInventory(...args);
}

/** The token's chain through the store (chain.ts). */
export async function collectChain(...args: Parameters<typeof import('./chain.js').collectChain>): ReturnType<typeof import('./chain.js').collectChain> {
  return (await import('./chain.js')).collectChain(...args);
}

/** The stored upstream token sets (upstream.ts). */
export async function* readUpstreamSets(...args: Parameters<typeof import('./upstream.js').readUpstreamSets>): ReturnType<typeof import('./upstream.js').readUpstreamSets> {
  yield* (await import('./upstream.js')).readUpstreamSets(...args);
}
export type { RedisEndpoint, RedisLocation, StoreLocation, StoreTarget } from './target.js';
export type { OpenedStore, EntrySource, RawEntry } from './types.js';
