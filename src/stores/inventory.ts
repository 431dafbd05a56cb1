/**
 * The inventory of a store: per collection live / expired / undecryptable / corrupt, the chain's
 * health across all sessions, the generation, encryption, fingerprint directories (selected and
 * orphaned) and a leftover 2.x cache.db. One streaming pass; memory grows only with the number of
 * live upstream-token ids and mapping targets (8 bytes each, see aggregate.ts), never with the documents.
 */
import { type Collected, collected, type CollectionCounts, failed, type FingerprintDirEvidence, type StoreEvidence } from '../model/index.js';
import { CollectError, DoctorError, InputError, describeError } from '../errors.js';
import { KNOWN_COLLECTIONS } from '../fastmcp/collections.js';
import { parseDocument } from '../fastmcp/documents.js';
import { Aggregator, emptyCounts } from './aggregate.js';
import type { Keyring } from './keyring.js';
import { DiskcacheSource } from './diskcache.js';
import { readDiskcacheParallel } from './parallel-diskcache.js';
import { DecodePool } from './pool.js';
import { RedisSource } from './redis.js';
import { FileTreeSource } from './filetree.js';
import { selectSource, selectedBy } from './select.js';
import type { EntrySource, OpenedStore, ProgressSink } from './types.js';
import { availableParallelism } from 'node:os';
import { workerUrl } from './threads.js';

/**
 * Threads for a large full read. A diskcache file is read in chunks by every thread
 * (parallel-diskcache.ts). Redis documents go to a decode pool (pool.ts) — unless the server runs on
 * this machine and there are fewer than three cores: the server then needs the second core itself,
 * and handing documents between threads would only add work. FileTree stays on one thread: reading
 * the files costs several times what decoding them does, so the pool saves little and costs a core.
 * MCP_AUTH_DOCTOR_THREADS=n (`InventoryOptions.threads`, resolved at the command boundary) overrides
 * all of this: n threads for any store, 1 = no workers. Workers
 * start only for stores of at least PARALLEL_MIN entries (a pool: once that many have been read):
 * below that a worker's start-up (~30 ms) costs more than it saves.
 */
const PARALLEL_MIN = 20_000;

function threadCount(source: EntrySource, requested: number | undefined): number {
  if (requested !== undefined && Number.isInteger(requested) && requested >= 1) return Math.min(requested, 16);
  const cores = Math.min(availableParallelism(), 8);
  if (source instanceof DiskcacheSource) return cores;
  if (source instanceof RedisSource) return source.serverIsLocal() ? cores - 1 : cores;
  return 1;
}

export interface InventoryOptions {
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** List entries (StoreEvidence.entries). */
  showEntries?: boolean;
  /** With showEntries: only these collections are listed (all are still counted). */
  collections?: string[];
  /** Threads for a full read of a large store (StoreTarget.threads); absent: the default (threadCount). */
  threads?: number;
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
      let read = 0;
      const tick = () => {
        const t = Date.now();
        if (progress && t - lastShown > 250) {
          lastShown = t;
          const rate = Math.round(read / Math.max(0.001, (t - t0) / 1000));
          const at = source.position?.();
          progress.update(`reading ${source.label}${at ? ` — ${at}` : ''}: ${read.toLocaleString('en-US')} entries (${rate.toLocaleString('en-US')}/s)`);
        }
      };
      // A full read of a large store on several threads (see threadCount).
      const threads = !opts.showEntries && !limited ? threadCount(source, opts.threads) : 1;
      const url = threads > 1 ? workerUrl() : undefined;
      const span = url && source instanceof DiskcacheSource ? source.rowidSpan() : undefined;
      if (url && span && span.max - span.min + 1 >= PARALLEL_MIN) {
        await readDiskcacheParallel(source as DiskcacheSource, agg, {
          workers: threads - 1,
          url,
          keyring,
          now,
          skeleton: () => emptyEvidence(store, keyring),
          ...(signal ? { signal } : {}),
          onProgress: (n) => {
            read = n;
            tick();
          },
        });
      } else {
        let pool: DecodePool | undefined;
        try {
          const scan = source.scan({ signal, ...(opts.showEntries ? {} : { skipExpiredValuesAt: now }), ...(limits.limit !== undefined ? { limit: limits.limit } : {}), ...(limits.sample !== undefined ? { sample: limits.sample } : {}) });
          for await (const batch of scan) {
            if (!pool && url && read >= PARALLEL_MIN) pool = DecodePool.start(agg, url, threads - 1, keyring, now, emptyEvidence(store, keyring), agg.wantsCreated);
            if (pool) pool.add(batch, read);
            else agg.addBatch(batch, read);
            read += batch.length;
            tick();
            if (signal?.aborted) break;
          }
        } finally {
          // Whatever ended the read (its end, SIGINT, the store failing), the counts cover every
          // entry read so far: the workers' batches are merged in.
          const p = pool;
          pool = undefined;
          await p?.finish();
        }
      }
      if (source instanceof RedisSource && source.foreignKeys) ev.foreignKeys = source.foreignKeys;
      if (source instanceof FileTreeSource) {
        const leftovers = source.leftovers();
        if (leftovers.length) ev.leftoverCollectionDirs = leftovers;
      }
      const unread = (source as EntrySource).unread?.() ?? [];
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
