/**
 * The inventory of a store: per collection live / expired / undecryptable / corrupt, the chain's
 * health across all sessions, the generation, encryption, fingerprint directories (selected and
 * orphaned) and a leftover 2.x cache.db. One streaming pass; memory grows only with the number of
 * live upstream-token ids and mapping targets (strings), never with the documents.
 */
import type { CollectionCounts, Collected, FingerprintDirEvidence, StoreEvidence } from '../diagnosis/evidence.js';
import { collected, failed } from '../diagnosis/evidence.js';
import { DoctorError, InputError, describeError } from '../errors.js';
import { COLLECTIONS, KNOWN_COLLECTIONS } from '../fastmcp/collections.js';
import { jtiMappingOf, parseDocument, summarizeValue, tokenPrefix } from '../fastmcp/documents.js';
import { decodeEntry, type Decoded } from './decode.js';
import type { Keyring } from './keyring.js';
import { RedisSource } from './redis.js';
import { selectSource, selectedBy } from './select.js';
import type { EntrySource, OpenedStore, ProgressSink, RawEntry } from './types.js';

export interface InventoryOptions {
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** List entries (StoreEvidence.entries). */
  showEntries?: boolean;
  /** With showEntries: only these collections are listed (all are still counted). */
  collections?: string[];
}

const DAY = 86400;

function emptyCounts(): CollectionCounts {
  return { total: 0, live: 0, expired: 0, undecryptable: 0, corrupt: 0 };
}

function emptyEvidence(store: OpenedStore, keyring: Keyring): StoreEvidence {
  const collections: Record<string, CollectionCounts> = {};
  for (const c of KNOWN_COLLECTIONS) collections[c] = emptyCounts();
  const ev: StoreEvidence = {
    kind: store.kind,
    location: store.location,
    generation: store.generation,
    documentFormat: 'unknown',
    encryption: 'unknown',
    collections,
    decryptsWithCandidate: {},
    chainHealth: {
      danglingMappings: 0,
      unreferencedUpstreamSets: 0,
      upstreamSetsPerClient: {},
      tokensByPrefix: {},
      tokensByExpiry: { expired: 0, within24h: 0, later: 0, never: 0 },
      withRefreshToken: 0,
      plaintextUpstreamTokens: 0,
    },
    entriesRead: 0,
    keysTried: keyring.entries.map((e) => ({ label: e.label, role: e.role, fingerprint: e.fingerprint })),
  };
  if (keyring.primary) ev.keyUsed = keyring.primary.label;
  if (store.legacyCacheDb) ev.legacyCacheDb = store.legacyCacheDb;
  return ev;
}

/** Entry count and newest created_at of a fingerprint directory (documents only, nothing decrypted). */
async function surveyDir(source: EntrySource, signal?: AbortSignal): Promise<{ entries: number; newest?: number }> {
  let entries = 0;
  let newest: number | undefined;
  for await (const batch of source.scan({ signal })) {
    for (const raw of batch) {
      entries++;
      if (raw.text === undefined) continue;
      const doc = parseDocument(raw.text, { expiresAt: false });
      if (typeof doc !== 'string' && doc.createdAt !== undefined && (newest === undefined || doc.createdAt > newest)) newest = doc.createdAt;
    }
    if (signal?.aborted) break;
  }
  return newest === undefined ? { entries } : { entries, newest };
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

class Aggregator {
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
    const row: NonNullable<StoreEvidence['entries']>[number] = { collection: raw.collection, key: raw.key, state: d.state };
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

/**
 * Read the whole store (or the directory the current key selects) and take its inventory.
 * Interrupted (signal) → `collected` with `partial`; the store failing mid-read → `error` with what
 * was read; a corrupt file → InputError (thrown).
 */
export async function collectInventory(
  store: OpenedStore,
  keyring: Keyring,
  now: number,
  opts: InventoryOptions = {},
): Promise<Collected<StoreEvidence>> {
  const ev = emptyEvidence(store, keyring);
  const { signal, progress } = opts;
  const limits = store.scanLimits;
  const limited = limits.limit !== undefined || limits.sample !== undefined;
  const agg = new Aggregator(ev, keyring, now, { on: Boolean(opts.showEntries), collections: opts.collections?.length ? new Set(opts.collections) : undefined }, store.fingerprintDirs.length > 0);
  let partial: string | undefined;
  let skippedParts: string[] = [];

  try {
    // FileTree default store: every fingerprint directory is reported (entries, newest entry, which
    // key selects it). Without any key and several directories, the newest one is read.
    const dirInfo = new Map<string, FingerprintDirEvidence>();
    const survey = async (name: string) => {
      const s = await surveyDir(store.source(name), signal);
      const info: FingerprintDirEvidence = { name, entries: s.entries };
      if (s.newest !== undefined) info.newest = s.newest;
      const by = selectedBy(keyring, name);
      if (by) info.selectedBy = by;
      dirInfo.set(name, info);
    };
    let sel = selectSource(store, keyring);
    if (store.fingerprintDirs.length && sel.how === 'none' && !sel.expected) {
      for (const d of store.fingerprintDirs) await survey(d.name);
      sel = selectSource(store, keyring, (n) => dirInfo.get(n)?.newest);
    }
    for (const d of store.fingerprintDirs) {
      if (signal?.aborted) break;
      if (d.name !== sel.dir && !dirInfo.has(d.name)) await survey(d.name);
    }
    if (store.fingerprintDirs.length) {
      ev.fingerprints = { dirs: [] };
      if (sel.dir) ev.fingerprints.selected = sel.dir;
      if (sel.expected) ev.fingerprints.expected = sel.expected;
      ev.fingerprintSelection = sel.how === 'whole-store' ? 'none' : sel.how;
    }
    if (sel.source && !signal?.aborted) {
      const source = sel.source;
      const t0 = Date.now();
      let lastShown = 0;
      const scan = source.scan({ signal, ...(opts.showEntries ? {} : { skipExpiredValuesAt: now }), ...(limits.limit !== undefined ? { limit: limits.limit } : {}), ...(limits.sample !== undefined ? { sample: limits.sample } : {}) });
      for await (const batch of scan) {
        for (const raw of batch) agg.add(raw);
        const t = Date.now();
        if (progress && t - lastShown > 250) {
          lastShown = t;
          const rate = Math.round(ev.entriesRead / Math.max(0.001, (t - t0) / 1000));
          const at = source.position?.();
          progress.update(`reading ${source.label}${at ? ` — ${at}` : ''}: ${ev.entriesRead.toLocaleString('en-US')} entries (${rate.toLocaleString('en-US')}/s)`);
        }
        if (signal?.aborted) break;
      }
      if (source instanceof RedisSource && source.foreignKeys) ev.foreignKeys = source.foreignKeys;
      const unread = source.unread?.() ?? [];
      if (unread.length && !signal?.aborted) skippedParts = unread;
    }
    if (ev.fingerprints) {
      for (const d of store.fingerprintDirs) {
        let info = dirInfo.get(d.name);
        if (d.name === sel.dir && !info) {
          info = { name: d.name, entries: ev.entriesRead };
          if (agg.newest !== undefined) info.newest = agg.newest;
          const by = selectedBy(keyring, d.name);
          if (by) info.selectedBy = by;
        }
        if (info) ev.fingerprints.dirs.push(info);
      }
    }
    if (signal?.aborted) partial = `interrupted after ${ev.entriesRead} entries`;
    else if (skippedParts.length) partial = `${ev.entriesRead} entries read, but ${skippedParts.length > 3 ? `${skippedParts.slice(0, 3).join('; ')}; and ${skippedParts.length - 3} more` : skippedParts.join('; ')} could not be read`;
    if (limited) {
      ev.limited = limits.limit !== undefined ? `read at most ${limits.limit} entries (--limit)` : `read a sample of about ${limits.sample} entries (--sample)`;
    }
    agg.finish(limited || partial !== undefined);
    return collected(ev, partial);
  } catch (e) {
    if (e instanceof InputError) throw e;
    agg.finish(true);
    const reason = e instanceof DoctorError ? `${e.message} (after ${ev.entriesRead} entries; the counts cover those)${e.hint ? ` — ${e.hint}` : ''}` : `reading ${store.location} failed after ${ev.entriesRead} entries: ${describeError(e)}`;
    return failed(reason, ev);
  }
}
