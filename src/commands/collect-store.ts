/**
 * The storage tier's evidence for verify-token / diagnose / check: open the store, optionally take
 * the inventory, and follow the token's chain. Bad input (a wrong path) propagates (exit 2); a store
 * that cannot be reached becomes `error` evidence, so the other tiers still report.
 */
import { CollectError } from '../errors.js';
import { type ChainEvidence, type Collected, type Evidence, failed, type StoreEvidence, type StoreKind, type TokenEvidence } from '../model/index.js';
import type { DerivedKey } from '../fastmcp/keys.js';
import type { Secret } from '../secrets.js';
import { buildKeyring, collectChain, collectInventory, readStore } from '../stores/index.js';
import type { OpenedStore, StoreOpenOptions } from '../stores/types.js';
import type { CommandContext } from './context.js';

/** The store flags of every command that reads a store (see src/cli.ts `storeOptions`). */
export type StoreCliOptions = StoreOpenOptions;

export interface StoreCollection {
  evidence: Pick<Evidence, 'store' | 'chain'>;
  kind?: StoreKind;
  hints: { hasRefreshTokenCollection?: boolean; hasConsentCsrfCollection?: boolean };
}

export async function collectStoreEvidence(
  opts: StoreCliOptions,
  ctx: CommandContext,
  keys: DerivedKey[],
  storageKey: Secret | undefined,
  token: TokenEvidence | undefined,
  want: { inventory: boolean },
): Promise<StoreCollection> {
  const keyring = buildKeyring(keys, storageKey);
  const read = async (opened: OpenedStore): Promise<StoreCollection> => {
    const evidence: StoreCollection['evidence'] = {};
    const hints: StoreCollection['hints'] = {};
    let kind: StoreKind | undefined;
    if (want.inventory) {
      ctx.progress.update('reading the store…');
      const inv: Collected<StoreEvidence> = await collectInventory(opened, keyring, ctx.now, { signal: ctx.signal, progress: ctx.progress });
      evidence.store = inv;
      const v = inv.status === 'skipped' ? undefined : inv.value;
      if (v) {
        kind = v.kind;
        hints.hasRefreshTokenCollection = (v.collections['mcp-refresh-tokens']?.total ?? 0) > 0;
        hints.hasConsentCsrfCollection = (v.collections['mcp-consent-csrf-tokens']?.total ?? 0) > 0;
      }
    }
    if (token && !token.malformed && token.rejectedAlg === undefined) {
      ctx.progress.update('following the token through the store…');
      evidence.chain = await collectChain(opened, keyring, token, ctx.now);
    }
    kind ??= opened.kind;
    return kind ? { evidence, kind, hints } : { evidence, hints };
  };
  try {
    return await readStore(opts, ctx, read);
  } catch (e) {
    // The store could not be opened or read (Redis down, …): the tier is in error, the rest goes on.
    if (e instanceof CollectError) {
      const reason = e.line();
      const evidence: StoreCollection['evidence'] = { store: failed<StoreEvidence>(reason) };
      if (token) evidence.chain = failed<ChainEvidence>(reason);
      return { evidence, hints: {} };
    }
    throw e;
  }
}
