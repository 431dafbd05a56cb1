/**
 * The storage tier's public surface. Typical use:
 *
 *   const store = await openStore(opts, ctx);          // InputError (2) / CollectError (3)
 *   try {
 *     const keyring = buildKeyring(derivedKeys, explicitStorageKey);
 *     const inventory = await collectInventory(store, keyring, ctx.now, { signal: ctx.signal, progress: ctx.progress });
 *     const chain = await collectChain(store, keyring, tokenEvidence, ctx.now);
 *   } finally {
 *     await store.close();
 *   }
 */
export { openStore, defaultHomes } from './open.js';
export { buildKeyring, keyringFromTexts, type Keyring, type KeyringEntry } from './keyring.js';
export { collectInventory, type InventoryOptions } from './inventory.js';
export { collectChain } from './chain.js';
export { readUpstreamSets, type StoredUpstreamSet } from './upstream.js';
export type { OpenedStore, StoreOpenOptions, EntrySource, RawEntry } from './types.js';
