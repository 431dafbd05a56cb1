/**
 * The storage tier's public surface. Typical use:
 *
 *   const inventory = await readStore(opts, ctx, async (store) => {   // InputError (2) / CollectError (3)
 *     const keyring = buildKeyring(derivedKeys, explicitStorageKey);
 *     return collectInventory(store, keyring, ctx.now, { signal: ctx.signal, progress: ctx.progress });
 *   });
 *
 * `readStore` closes the store, and reads a `cache.db` once more from a private copy when a server
 * wrote to it while it was read in place. `openStore` alone leaves both to the caller.
 */
export { openStore, readStore, defaultHomes } from './open.js';
export { buildKeyring, keyringFromTexts, type Keyring, type KeyringEntry } from './keyring.js';
export { collectInventory, type InventoryOptions } from './inventory.js';
export { collectChain } from './chain.js';
export { readUpstreamSets, type StoredUpstreamSet } from './upstream.js';
export type { OpenedStore, StoreOpenOptions, EntrySource, RawEntry } from './types.js';
