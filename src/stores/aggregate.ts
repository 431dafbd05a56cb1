/**
 * The inventory's per-entry bookkeeping (counts per collection and state, formats, encryption, chain
 * health across sessions), shared by the reading thread and the decode pool's workers (pool.ts): each
 * aggregates the batches it is given and the reading thread merges the states (`exportState` /
 * `merge`). Nothing is kept per entry but 8 bytes for each live mapping and live upstream set (a hash
 * of the upstream id, for the chain's health); keyed counts (per client, per token prefix) grow with
 * the number of distinct keys only.
 */
import type { CollectionCounts, StoreEvidence } from '../model/index.js';
import { COLLECTIONS, isSecretKeyed } from '../fastmcp/collections.js';
import { show } from '../secrets.js';
import { jtiMappingOf, summarizeValue, tokenPrefix } from '../fastmcp/documents.js';
import { decodeBatch } from './batch-decode.js';
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

/** A growable list of 53-bit id hashes (a Float64Array: 8 bytes an id, nothing per entry besides). */
class HashList {
  #a = new Float64Array(1024);
  #n = 0;

  push(h: number): void {
    if (this.#n === this.#a.length) {
      const b = new Float64Array(this.#a.length * 2);
      b.set(this.#a);
      this.#a = b;
    }
    this.#a[this.#n++] = h;
  }

  append(xs: Float64Array): void {
    for (let i = 0; i < xs.length; i++) this.push(xs[i]!);
  }

  /** The hashes, trimmed (a copy: its buffer can be transferred). */
  export(): Float64Array {
    return this.#a.slice(0, this.#n);
  }

  sorted(): Float64Array {
    return this.#a.subarray(0, this.#n).sort();
  }
}

/** `record[key] = value` as an own property, whatever the key ("__proto__" from a hostile store included). */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/** The four keyed counts whose key order the report keeps: the order keys were first seen in. */
type Keyed = 'collections' | 'decryptsWithCandidate' | 'upstreamSetsPerClient' | 'tokensByPrefix';

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
  /** Hash of every live mapping's upstream_token_id (one per mapping). */
  mappingTargets: Float64Array;
  /** Hash of every live upstream set's id. */
  liveUpstream: Float64Array;
  /** Per keyed count: key → the read position of the entry that first added it. */
  firstSeen: Record<Keyed, [string, number][]>;
}

export class Aggregator {
  readonly ev: StoreEvidence;
  /**
   * Where the entry being added sits in the store's read order (set by a parallel read, which merges
   * its threads' counts in this order, so the report is the one a single thread would write).
   */
  position = 0;
  readonly #mappingTargets = new HashList();
  readonly #liveUpstream = new HashList();
  readonly #firstSeen: Record<Keyed, Map<string, number>> = { collections: new Map(), decryptsWithCandidate: new Map(), upstreamSetsPerClient: new Map(), tokensByPrefix: new Map() };
  /**
   * The counts being added to, by key: Maps (a property lookup by a string fresh from JSON.parse costs
   * a string-table lookup each time), written into the evidence by #flush.
   */
  #collections = new Map<string, CollectionCounts>();
  #counts: Record<Exclude<Keyed, 'collections'>, Map<string, number>> = { decryptsWithCandidate: new Map(), upstreamSetsPerClient: new Map(), tokensByPrefix: new Map() };
  #formats = { A: 0, B: 0 };
  #encrypted = 0;
  #plain = 0;
  #newest: number | undefined;
  #decoded: Decoded[] = [];

  constructor(
    ev: StoreEvidence,
    private readonly keyring: Keyring,
    private readonly now: number,
    private readonly listing: { on: boolean; collections?: Set<string> },
    readonly wantsCreated: boolean,
  ) {
    this.ev = ev;
  }

  get newest(): number | undefined {
    return this.#newest;
  }

  /** Add one to the count of `key`, noting where the key was first seen. */
  #bump(kind: Exclude<Keyed, 'collections'>, key: string): void {
    const counts = this.#counts[kind];
    const n = counts.get(key);
    if (n === undefined) {
      this.#firstSeen[kind].set(key, this.position);
      counts.set(key, 1);
    } else counts.set(key, n + 1);
  }

  /** The keyed counts into the evidence (in the order their keys were first seen). */
  #flush(): void {
    const ev = this.ev;
    const write = (record: Record<string, number>, counts: Map<string, number>) => {
      for (const [k, n] of counts) setOwn(record, k, n);
    };
    write(ev.decryptsWithCandidate, this.#counts.decryptsWithCandidate);
    write(ev.chainHealth.upstreamSetsPerClient, this.#counts.upstreamSetsPerClient);
    write(ev.chainHealth.tokensByPrefix, this.#counts.tokensByPrefix);
  }

  #decodeOptions(listed: boolean) {
    return { decryptExpired: listed, verifyMac: false, createdAt: this.wantsCreated || listed };
  }

  add(raw: RawEntry): void {
    const listed = this.listing.on && (!this.listing.collections || this.listing.collections.has(raw.collection));
    this.#account(raw, decodeEntry(raw, this.keyring, this.now, this.#decodeOptions(listed)), listed);
  }

  /**
   * Add a batch of entries: the same as `add` for each, with the decryption shared across the batch
   * (batch-decode.ts). `at`: the entries' read positions, or the first one's (the rest follow it).
   */
  addBatch(raws: readonly RawEntry[], at: number | ArrayLike<number> = this.position): void {
    const pos = (i: number) => (typeof at === 'number' ? at + i : at[i]!);
    if (this.listing.on) {
      for (let i = 0; i < raws.length; i++) {
        this.position = pos(i);
        this.add(raws[i]!);
      }
      return;
    }
    const decoded = this.#decoded;
    decodeBatch(raws, this.keyring, this.now, this.#decodeOptions(false), decoded);
    for (let i = 0; i < raws.length; i++) {
      this.position = pos(i);
      this.#account(raws[i]!, decoded[i]!, false);
    }
    decoded.length = 0;
  }

  #account(raw: RawEntry, d: Decoded, listed: boolean): void {
    let counts = this.#collections.get(raw.collection);
    if (!counts) {
      const collections = this.ev.collections;
      counts = Object.hasOwn(collections, raw.collection) ? collections[raw.collection]! : undefined;
      if (!counts) {
        counts = emptyCounts();
        setOwn(collections, raw.collection, counts);
        this.#firstSeen.collections.set(raw.collection, this.position);
      }
      this.#collections.set(raw.collection, counts);
    }
    counts.total++;
    counts[d.state]++;
    this.ev.entriesRead++;
    if (d.format) this.#formats[d.format]++;
    if (d.encrypted === true) this.#encrypted++;
    else if (d.encrypted === false) this.#plain++;
    if (d.createdAt !== undefined && (this.#newest === undefined || d.createdAt > this.#newest)) this.#newest = d.createdAt;
    if (d.state === 'undecryptable' && d.openedWith) this.#bump('decryptsWithCandidate', d.openedWith.label);
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
    this.#mappingTargets.push(idHash(m.upstreamTokenId));
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
    this.#liveUpstream.push(idHash(id));
    this.#bump('upstreamSetsPerClient', typeof v.client_id === 'string' ? v.client_id : '(none)');
    this.#bump('tokensByPrefix', tokenPrefix(access));
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
    const c = this.#collections.get(collection)!;
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

  /** This aggregator's state, structured-cloneable (a worker thread posts it, transferring the two id lists). */
  exportState(): AggregateState {
    this.#flush();
    const ev = this.ev;
    const seen = (k: Keyed) => [...this.#firstSeen[k]];
    return {
      collections: ev.collections,
      entriesRead: ev.entriesRead,
      decryptsWithCandidate: ev.decryptsWithCandidate,
      chainHealth: ev.chainHealth,
      formats: { ...this.#formats },
      encrypted: this.#encrypted,
      plain: this.#plain,
      ...(this.#newest !== undefined ? { newest: this.#newest } : {}),
      mappingTargets: this.#mappingTargets.export(),
      liveUpstream: this.#liveUpstream.export(),
      firstSeen: { collections: seen('collections'), decryptsWithCandidate: seen('decryptsWithCandidate'), upstreamSetsPerClient: seen('upstreamSetsPerClient'), tokensByPrefix: seen('tokensByPrefix') },
    };
  }

  /**
   * Add other aggregators' states (disjoint parts of the same store). Keyed counts come out in the
   * order their keys were first seen across all parts — the order one thread reading everything would
   * have produced.
   */
  merge(states: readonly AggregateState[]): void {
    this.#flush();
    const ev = this.ev;
    const h = ev.chainHealth;
    const ordered = <T>(kind: Keyed, record: Record<string, T>, others: Record<string, T>[], add: (into: T | undefined, x: T) => T): Record<string, T> => {
      const first = new Map<string, number>();
      const note = (k: string, at: number) => {
        const f = first.get(k);
        if (f === undefined || at < f) first.set(k, at);
      };
      // Keys in a record before any entry was read (the known collections) keep their place, first.
      const mine = this.#firstSeen[kind];
      for (const k of Object.keys(record)) note(k, mine.get(k) ?? Number.NEGATIVE_INFINITY);
      others.forEach((o, i) => {
        const seen = new Map(states[i]!.firstSeen[kind]);
        for (const k of Object.keys(o)) note(k, seen.get(k) ?? Number.NEGATIVE_INFINITY);
      });
      const keys = [...first.keys()].sort((x, y) => {
        const a = first.get(x)!;
        const b = first.get(y)!;
        return a < b ? -1 : a > b ? 1 : 0;
      });
      const out: Record<string, T> = {};
      for (const k of keys) {
        let v: T | undefined = Object.hasOwn(record, k) ? record[k] : undefined;
        for (const o of others) if (Object.hasOwn(o, k)) v = add(v, o[k]!);
        setOwn(out, k, v!);
        mine.set(k, first.get(k)!);
      }
      return out;
    };
    const sum = (a: number | undefined, b: number) => (a ?? 0) + b;
    ev.collections = ordered('collections', ev.collections, states.map((s) => s.collections), (a, c) => {
      const m = a ? { ...a } : emptyCounts();
      m.total += c.total;
      m.live += c.live;
      m.expired += c.expired;
      m.undecryptable += c.undecryptable;
      m.corrupt += c.corrupt;
      return m;
    });
    ev.decryptsWithCandidate = ordered('decryptsWithCandidate', ev.decryptsWithCandidate, states.map((s) => s.decryptsWithCandidate), sum);
    h.upstreamSetsPerClient = ordered('upstreamSetsPerClient', h.upstreamSetsPerClient, states.map((s) => s.chainHealth.upstreamSetsPerClient), sum);
    h.tokensByPrefix = ordered('tokensByPrefix', h.tokensByPrefix, states.map((s) => s.chainHealth.tokensByPrefix), sum);
    // The merged records are now the counts to add to.
    this.#collections = new Map(Object.entries(ev.collections));
    this.#counts.decryptsWithCandidate = new Map(Object.entries(ev.decryptsWithCandidate));
    this.#counts.upstreamSetsPerClient = new Map(Object.entries(h.upstreamSetsPerClient));
    this.#counts.tokensByPrefix = new Map(Object.entries(h.tokensByPrefix));
    for (const st of states) {
      ev.entriesRead += st.entriesRead;
      const o = st.chainHealth;
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
      this.#mappingTargets.append(st.mappingTargets);
      this.#liveUpstream.append(st.liveUpstream);
    }
  }

  finish(limited: boolean): void {
    this.#flush();
    const f = this.#formats;
    this.ev.documentFormat = f.A && f.B ? 'mixed' : f.A ? 'A' : f.B ? 'B' : 'unknown';
    this.ev.encryption = this.#encrypted && this.#plain ? 'mixed' : this.#encrypted ? 'fernet' : this.#plain ? 'none' : 'unknown';
    this.ev.encryptedEntries = this.#encrypted;
    this.ev.plaintextEntries = this.#plain;
    if (limited) return; // chain health across sessions needs every entry
    // Both id lists sorted, then walked side by side: mappings whose target is no live upstream set
    // (each counted), live upstream sets no mapping points to (each id once).
    const targets = this.#mappingTargets.sorted();
    const ups = this.#liveUpstream.sorted();
    const h = this.ev.chainHealth;
    let i = 0;
    let j = 0;
    while (i < targets.length || j < ups.length) {
      const t = i < targets.length ? targets[i]! : Number.POSITIVE_INFINITY;
      const u = j < ups.length ? ups[j]! : Number.POSITIVE_INFINITY;
      if (t < u) {
        h.danglingMappings++;
        i++;
      } else if (u < t) {
        h.unreferencedUpstreamSets++;
        while (j < ups.length && ups[j] === u) j++;
      } else {
        while (i < targets.length && targets[i] === t) i++;
        while (j < ups.length && ups[j] === u) j++;
      }
    }
  }
}
