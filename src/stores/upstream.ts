/**
 * The stored upstream (GitHub) token sets, for the GitHub tier (`github-audit` correlates them with
 * GitHub's security log). Read from the part of the store FastMCP reads with the current key.
 * Tokens are `Secret`s; entries that do not decrypt with the key in use, or are corrupt, are skipped.
 */
import type { UpstreamSetValue } from '../model/index.js';
import { COLLECTIONS } from '../fastmcp/collections.js';
import { upstreamSetOf } from '../fastmcp/documents.js';
import { decodeEntry } from './decode.js';
import type { Keyring } from './keyring.js';
import { selectSource } from './select.js';
import type { OpenedStore } from './types.js';

export interface StoredUpstreamSet {
  value: UpstreamSetValue;
  /** The store entry's state at `now` (the entry's TTL, not the GitHub token's own expiry). */
  state: 'live' | 'expired';
  /** The store entry's expiry, unix seconds; null = no TTL. */
  expiresAt: number | null;
}

/** Every `mcp-upstream-tokens` entry that opens with the key in use (or is plaintext), live or expired. */
export async function* readUpstreamSets(store: OpenedStore, keyring: Keyring, now: number, opts: { signal?: AbortSignal } = {}): AsyncGenerator<StoredUpstreamSet, void, undefined> {
  const sel = selectSource(store, keyring);
  if (!sel.source) return;
  for await (const batch of sel.source.scan({ collections: [COLLECTIONS.upstreamTokens], ...(opts.signal ? { signal: opts.signal } : {}) })) {
    for (const raw of batch) {
      if (raw.collection !== COLLECTIONS.upstreamTokens) continue;
      const d = decodeEntry(raw, keyring, now, { decryptExpired: true });
      if ((d.state !== 'live' && d.state !== 'expired') || !d.value || d.openedWith) continue;
      const value = upstreamSetOf(d.value);
      if (value) yield { value, state: d.state, expiresAt: d.expiresAt };
    }
  }
}
