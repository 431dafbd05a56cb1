/**
 * The inventory's per-entry bookkeeping (counts per collection and state, formats, encryption, chain
 * health across sessions), shared by the main thread and the diskcache worker threads: each worker
 * aggregates a rowid range and the main thread merges the states (`exportState` / `merge`).
 */
import type { CollectionCounts, StoreEvidence } from '../model/index.js';
import { COLLECTIONS, isSecretKeyed } from '../fastmcp/collections.js';
import { show } from '../secrets.js';
import { jtiMappingOf, summarizeValue, tokenPrefix } from '../fastmcp/documents.js';
import { decodeEntry, type Decoded } from './decode.js';
import type { Keyring } from './keyring.js';
import type { RawEntry } from './types.js';

const DAY = 86400;

export function emptyCounts(): CollectionCounts {
  return { total: 0, live: 0, expired: 0, undecryptable: 0, corrupt: 0 };
}

/**
 * A 53-bit hash of an id (two FNV/murmur-style lanes). The cross-session bookkeeping keeps numbers,
 * not the id strings: a third of the memory for a million entries. A collision (≈ n²/2⁵⁴, i.e. 10⁻⁵
 * for 250,000 upstream sets) could only hide one dangling mapping from the counts.
 */
export function idHash(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}

/** What a worker thread hands back: everything `finish` needs. */
export interface AggregateState {
  collections: Record<string, CollectionCounts>;
  entriesRead: number;
  decryptsWithCandidate: Record<string, number>;
  chainHealth: StoreEvidence['chainHealth'];
  formats: { A: number; B: number };
  encrypted: number;
  plain: number;
  newest?: number;
  /** [hash, count, hash, count, …] */
  mappingTargets: Float64Array;
  liveUpstream: Float64Array;
}

export class Aggregator {
  readonly ev: StoreEvidence;
  readonly #mappingTargets = new Map<number, number>();
  readonly #liveUpstream = new Set<number>();
  #formats = { A: 0, B: 0 };
  #encrypted = 0;
  #plain = 0;
  #newest: number | undefined;

  constructor(
    ev: StoreEvidence,
    private readonly keyring: Keyring,
    private readonly now: number,
    private readonly listing: { on: boolean; collections?: Set<string> },
    private readonly wantCreated: boolean,
  ) {
    this.ev = ev;
  }

  get newest(): number | undefined {
    return this.#newest;
  }

  add(raw: RawEntry): void {
    const listed = this.listing.on && (!this.listing.collections || this.listing.collections.has(raw.collection));
    const d = decodeEntry(raw, this.keyring, this.now, { decryptExpired: listed, verifyMac: false, createdAt: this.wantCreated || listed });
    const counts = (this.ev.collections[raw.collection] ??= emptyCounts());
    counts.total++;
    counts[d.state]++;
    this.ev.entriesRead++;
    if (d.format) this.#formats[d.format]++;
    if (d.encrypted === true) this.#encrypted++;
    else if (d.encrypted === false) this.#plain++;
    if (d.createdAt !== undefined && (this.#newest === undefined || d.createdAt > this.#newest)) this.#newest = d.createdAt;
    if (d.state === 'undecryptable' && d.openedWith) {
      const label = d.openedWith.label;
      this.ev.decryptsWithCandidate[label] = (this.ev.decryptsWithCandidate[label] ?? 0) + 1;
    }
    if (d.state === 'live' && d.value) {
      if (raw.collection === COLLECTIONS.jtiMappings) this.#mapping(d);
      else if (raw.collection === COLLECTIONS.upstreamTokens) this.#upstream(d);
    }
    if (listed) this.#list(raw, d);
  }

  #mapping(d: Decoded): void {
    const m = jtiMappingOf(d.value!);
    if (!m) {
      this.#demote(COLLECTIONS.jtiMappings);
      return;
    }
    const target = idHash(m.upstreamTokenId);
    this.#mappingTargets.set(target, (this.#mappingTargets.get(target) ?? 0) + 1);
  }

  #upstream(d: Decoded): void {
    // Fields read directly (no Secret objects: their fingerprints would cost a SHA-256 each).
    const v = d.value!;
    const id = v.upstream_token_id;
    const access = v.access_token;
    if (typeof id !== 'string' || typeof access !== 'string') {
      this.#demote(COLLECTIONS.upstreamTokens);
      return;
    }
    const h = this.ev.chainHealth;
    this.#liveUpstream.add(idHash(id));
    const client = typeof v.client_id === 'string' ? v.client_id : '(none)';
    h.upstreamSetsPerClient[client] = (h.upstreamSetsPerClient[client] ?? 0) + 1;
    const prefix = tokenPrefix(access);
    h.tokensByPrefix[prefix] = (h.tokensByPrefix[prefix] ?? 0) + 1;
    const exp = typeof v.expires_at === 'number' ? v.expires_at : null;
    if (exp === null) h.tokensByExpiry.never++;
    else if (exp <= this.now) h.tokensByExpiry.expired++;
    else if (exp <= this.now + DAY) h.tokensByExpiry.within24h++;
    else h.tokensByExpiry.later++;
    if (typeof v.refresh_token === 'string' && v.refresh_token !== '') h.withRefreshToken++;
    if (d.encrypted === false) h.plaintextUpstreamTokens++;
  }

  /** A live entry whose model does not validate: FastMCP's pydantic would reject it too. */
  #demote(collection: string): void {
    const c = this.ev.collections[collection]!;
    c.live--;
    c.corrupt++;
  }

  #list(raw: RawEntry, d: Decoded): void {
    // An authorization code's entry is keyed by the code itself: listed as a fingerprint.
    const key = isSecretKeyed(raw.collection) ? show(raw.key) : raw.key;
    const row: NonNullable<StoreEvidence['entries']>[number] = { collection: raw.collection, key, state: d.state };
    if (!raw.keyExact) row.keyExact = false;
    if (d.createdAt !== undefined) row.createdAt = d.createdAt;
    row.expiresAt = d.expiresAt;
    if (d.openedWith && d.state === 'undecryptable') row.decryptsWith = d.openedWith.label;
    if (d.reason) row.reason = d.reason;
    if (d.value && (d.state !== 'undecryptable' || d.openedWith)) row.fields = summarizeValue(raw.collection, d.value);
    // A sanitised FileTree name hides the key; the value usually names it.
    if (!raw.keyExact && d.value) {
      const v = d.value;
      const real = raw.collection === COLLECTIONS.jtiMappings ? v.jti : raw.collection === COLLECTIONS.upstreamTokens ? v.upstream_token_id : raw.collection === COLLECTIONS.clients ? v.client_id : raw.collection === COLLECTIONS.transactions ? v.txn_id : undefined;
      if (typeof real === 'string') {
        row.key = real;
        delete row.keyExact;
      }
    }
    (this.ev.entries ??= []).push(row);
  }

  /** This aggregator's state, structured-cloneable (a worker thread posts it to the main thread). */
  exportState(): AggregateState {
    const ev = this.ev;
    return {
      collections: ev.collections,
      entriesRead: ev.entriesRead,
      decryptsWithCandidate: ev.decryptsWithCandidate,
      chainHealth: ev.chainHealth,
      formats: { ...this.#formats },
      encrypted: this.#encrypted,
      plain: this.#plain,
      ...(this.#newest !== undefined ? { newest: this.#newest } : {}),
      mappingTargets: Float64Array.from([...this.#mappingTargets].flat()),
      liveUpstream: Float64Array.from(this.#liveUpstream),
    };
  }

  /** Add another aggregator's state (a disjoint part of the same store). */
  merge(st: AggregateState): void {
    const ev = this.ev;
    for (const [name, c] of Object.entries(st.collections)) {
      const mine = (ev.collections[name] ??= emptyCounts());
      mine.total += c.total;
      mine.live += c.live;
      mine.expired += c.expired;
      mine.undecryptable += c.undecryptable;
      mine.corrupt += c.corrupt;
    }
    ev.entriesRead += st.entriesRead;
    for (const [k, n] of Object.entries(st.decryptsWithCandidate)) ev.decryptsWithCandidate[k] = (ev.decryptsWithCandidate[k] ?? 0) + n;
    const h = ev.chainHealth;
    const o = st.chainHealth;
    for (const [k, n] of Object.entries(o.upstreamSetsPerClient)) h.upstreamSetsPerClient[k] = (h.upstreamSetsPerClient[k] ?? 0) + n;
    for (const [k, n] of Object.entries(o.tokensByPrefix)) h.tokensByPrefix[k] = (h.tokensByPrefix[k] ?? 0) + n;
    h.tokensByExpiry.expired += o.tokensByExpiry.expired;
    h.tokensByExpiry.within24h += o.tokensByExpiry.within24h;
    h.tokensByExpiry.later += o.tokensByExpiry.later;
    h.tokensByExpiry.never += o.tokensByExpiry.never;
    h.withRefreshToken += o.withRefreshToken;
    h.plaintextUpstreamTokens += o.plaintextUpstreamTokens;
    this.#formats.A += st.formats.A;
    this.#formats.B += st.formats.B;
    this.#encrypted += st.encrypted;
    this.#plain += st.plain;
    if (st.newest !== undefined && (this.#newest === undefined || st.newest > this.#newest)) this.#newest = st.newest;
    const t = st.mappingTargets;
    for (let i = 0; i < t.length; i += 2) this.#mappingTargets.set(t[i]!, (this.#mappingTargets.get(t[i]!) ?? 0) + t[i + 1]!);
    for (const id of st.liveUpstream) this.#liveUpstream.add(id);
  }

  finish(limited: boolean): void {
    const f = this.#formats;
    this.ev.documentFormat = f.A && f.B ? 'mixed' : f.A ? 'A' : f.B ? 'B' : 'unknown';
    this.ev.encryption = this.#encrypted && this.#plain ? 'mixed' : this.#encrypted ? 'fernet' : this.#plain ? 'none' : 'unknown';
    this.ev.encryptedEntries = this.#encrypted;
    this.ev.plaintextEntries = this.#plain;
    if (limited) return; // chain health across sessions needs every entry
    const h = this.ev.chainHealth;
    for (const [target, n] of this.#mappingTargets) if (!this.#liveUpstream.has(target)) h.danglingMappings += n;
    for (const id of this.#liveUpstream) if (!this.#mappingTargets.has(id)) h.unreferencedUpstreamSets++;
  }
}

