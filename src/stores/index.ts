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
export { collectInventory, type InventoryOptions } from './inventory.js';
export { collectChain } from './chain.js';
export { readUpstreamSets, type StoredUpstreamSet } from './upstream.js';
export type { RedisEndpoint, RedisLocation, StoreLocation, StoreTarget } from './target.js';
export type { OpenedStore, EntrySource, RawEntry } from './types.js';
