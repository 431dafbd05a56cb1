/**
 * The third upstream-token source for probe-github: a FastMCP JWT (`--token-file`) plus `--store`,
 * followed jti → mcp-jti-mappings → mcp-upstream-tokens, as FastMCP does.
 */
import { InputError } from '../errors.js';
import type { StoreOpenOptions } from '../stores/types.js';
import type { Secret } from '../secrets.js';
import { collectTokenEvidence } from './collect-token.js';
import { collectStoreEvidence } from './collect-store.js';
import type { CommandContext } from './context.js';
import { buildSettings, prepareKeys, type KeyOptions } from './shared.js';
import { readTokenInput } from './token-input.js';

export interface UpstreamFromStoreOptions extends StoreOpenOptions, KeyOptions {
  tokenFile?: string;
  [key: string]: unknown;
}

export interface UpstreamFromStore {
  token: Secret;
  /** Where the token came from, in words (e.g. "upstream set 1a2b… via jti …"). */
  source: string;
  /** The upstream set's own expires_at (unix seconds), if any. */
  storedExpiresAt: number | null;
  hasRefreshToken: boolean;
}

/** The upstream token behind a FastMCP JWT, read from the store; undefined when not asked for. */
export async function upstreamFromStore(opts: UpstreamFromStoreOptions, ctx: CommandContext): Promise<UpstreamFromStore | undefined> {
  if (!opts.tokenFile || !opts.store) return undefined;
  const input = await readTokenInput(undefined, opts.tokenFile, ctx);
  if (!input) return undefined;
  const { resolved, storageKey, keys } = await prepareKeys(opts, ctx);
  const settings = buildSettings({ expectations: {}, keys: resolved }, ctx);
  const token = await collectTokenEvidence(input, keys, settings, ctx.signal);
  const t = token.status === 'collected' ? token.value : undefined;
  if (!t || t.malformed) throw new InputError(`the FastMCP token in ${opts.tokenFile} is not a JWT${t?.malformed ? `: ${t.malformed}` : ''}`, 'pass the token exactly as the client sends it');
  const { evidence } = await collectStoreEvidence(opts, ctx, keys, storageKey, t, { inventory: false });
  const chain = evidence.chain;
  if (!chain || chain.status !== 'collected') throw new InputError(`could not follow the token through the store${chain ? `: ${chain.reason}` : ''}`, 'check --store and the key inputs');
  const c = chain.value;
  const set = c.upstreamSet;
  const value = set?.state === 'present' || set?.state === 'expired' ? set.value : set?.state === 'undecryptable' ? set.decryptsWithValue : undefined;
  if (!value) {
    const why = !c.mapping || c.mapping.state !== 'present' ? `the JTI mapping is ${c.mapping?.state ?? 'not looked up'}` : `the upstream token set is ${set?.state ?? 'not looked up'}`;
    throw new InputError(`no upstream token found for this FastMCP token in the store: ${why}`, 'run `mcp-auth-doctor verify-token` with the same inputs to see which stage fails, or give the GitHub token with --upstream-token-file');
  }
  return {
    token: value.accessToken,
    source: `upstream token set ${value.upstreamTokenId.slice(0, 8)}… behind jti ${(c.jti ?? '').slice(0, 8)}… (${set?.where ?? 'store'})`,
    storedExpiresAt: value.expiresAt,
    hasRefreshToken: value.refreshToken !== null,
  };
}
