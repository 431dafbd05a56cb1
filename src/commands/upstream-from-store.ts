/**
 * The third upstream-token source for probe-github: a FastMCP JWT (`--token-file`) plus `--store`,
 * followed jti → mapping → upstream set. Stub until the store chain lands (the lead replaces the body).
 */
import { UsageError } from '../errors.js';
import type { Secret } from '../secrets.js';
import type { CommandContext } from './context.js';

export interface UpstreamFromStoreOptions {
  tokenFile?: string;
  store?: string;
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
  void ctx;
  if (!opts.tokenFile || !opts.store) return undefined;
  throw new UsageError('reading the upstream token through --store is not available yet', 'give the GitHub token itself with --upstream-token-file <path|-> or GITHUB_UPSTREAM_TOKEN');
}
