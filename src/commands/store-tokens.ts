/**
 * github-audit's store source: the upstream GitHub tokens a FastMCP store holds, as `KnownToken`s
 * (hashes only) for matching against the security log, plus the live-token estimate against the
 * 10-token cap. Read-only.
 */
import { knownToken, storeCapEstimate, type KnownToken } from '../github/audit.js';
import { classifyToken } from '../github/classify.js';
import type { IdpEvidence } from '../model/index.js';
import { buildKeyring, readStore, readUpstreamSets, type OpenedStore, type StoreTarget } from '../stores/index.js';
import type { CommandContext } from './context.js';
import type { KeyBundle } from './resolve/keys.js';

export interface StoreTokens {
  tokens: KnownToken[];
  estimate: NonNullable<IdpEvidence['storeEstimate']>;
  /** Upstream sets read (live and expired entries). */
  sets: number;
  location: string;
}

/** Read every upstream set that opens with the deployment's key; live ones feed the cap estimate. */
export async function upstreamTokensFromStore(target: StoreTarget, keys: KeyBundle, ctx: CommandContext): Promise<StoreTokens> {
  const keyring = buildKeyring(await keys.derive(ctx), keys.storageKey);
  const read = async (store: OpenedStore) => {
    const tokens: KnownToken[] = [];
    const live: { clientId?: string; prefix: string }[] = [];
    let sets = 0;
    ctx.progress.update('reading upstream token sets from the store…');
    for await (const s of readUpstreamSets(store, keyring, ctx.now, { signal: ctx.signal })) {
      sets += 1;
      const v = s.value;
      const client = v.clientId ? ` (MCP client ${v.clientId})` : '';
      const extra: Parameters<typeof knownToken>[2] = { hasRefreshToken: v.refreshToken !== null, expiresAt: v.expiresAt };
      if (v.clientId) extra.clientId = v.clientId;
      tokens.push(knownToken(v.accessToken, `the upstream token ${v.accessToken} of upstream set ${v.upstreamTokenId.slice(0, 8)}…${client}`, extra));
      const tokenAlive = v.expiresAt === null || v.expiresAt > ctx.now;
      if (s.state === 'live' && tokenAlive) {
        const o: { clientId?: string; prefix: string } = { prefix: classifyToken(v.accessToken.reveal()).prefix };
        if (v.clientId) o.clientId = v.clientId;
        live.push(o);
      }
    }
    return { tokens, estimate: storeCapEstimate(live), sets, location: store.location };
  };
  return readStore(target, { signal: ctx.signal, progress: ctx.progress }, read);
}
