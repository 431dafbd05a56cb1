/**
 * The inventory of a store: per collection live / expired / undecryptable / corrupt, the chain's
 * health across all sessions, the generation, encryption, fingerprint directories (selected and
 * orphaned) and a leftover 2.x cache.db. One streaming pass; memory grows only with the number of
 * live upstream-token ids and mapping targets (strings), never with the documents.
 */
import { type Collected, collected, type CollectionCounts, failed, type FingerprintDirEvidence, type StoreEvidence } from '../model/index.js';
import { CollectError, DoctorError, InputError, describeError } from '../errors.js';
import { KNOWN_COLLECTIONS } from '../fastmcp/collections.js';
import { parseDocument } from '../fastmcp/documents.js';
import { Aggregator, emptyCounts } from './aggregate.js';
import type { Keyring } from './keyring.js';
import { DiskcacheSource } from './diskcache.js';
import { RedisSource } from './redis.js';
import type { WorkerInput, WorkerMessage } from './inventory-worker.js';
import { selectSource, selectedBy } from './select.js';
import type { EntrySource, OpenedStore, ProgressSink } from './types.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Worker threads for a large diskcache store (opt-in: MCP_AUTH_DOCTOR_THREADS=n, resolved into
 * `InventoryOptions.threads` at the command boundary): each reads one
 * rowid range through its own read-only connection and aggregates it; the main thread merges. On a
 * 2-core machine with both cores free, 2 threads read a million entries in 4.2 s instead of 5.8 s —
 * but each thread adds ~100 MB of RSS (its own V8 heap, SQLite cache and share of the chain's ids),
 * which breaks the 200 MB budget for a million entries, and on a contended machine they gain nothing;
 * so one thread is the default. Below PARALLEL_MIN rows threads are never used (their start-up
 * costs more than they save).
 */
const PARALLEL_MIN = 20_000;

function threadCount(rows: number, requested: number | undefined): number {
  if (requested === undefined || !Number.isInteger(requested) || requested <= 1 || rows < PARALLEL_MIN) return 1;
  return Math.min(requested, availableParallelism() * 2, 16);
}

/** The worker's compiled file beside this one; undefined when running from TypeScript sources (tests). */
function workerUrl(): URL | undefined {
  const url = new URL('./inventory-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

async function parallelDiskcache(source: DiskcacheSource, agg: Aggregator, base: StoreEvidence, keyring: Keyring, now: number, threads: number, url: URL, tick: () => void, signal?: AbortSignal): Promise<void> {
  const { min, max } = source.rowids();
  const span = Math.ceil((max - min + 1) / threads);
  const reads = new Array<number>(threads).fill(0);
  const workers: Worker[] = [];
  const settle = (i: number, from: number, to: number) =>
    new Promise<void>((resolve, reject) => {
      const workerData: WorkerInput = { readPath: source.readPath, dbPath: source.label, from, to, now, keys: [...keyring.entries], ev: base };
      const w = new Worker(url, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      workers.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') {
          reads[i] = m.read;
          agg.ev.entriesRead = reads.reduce((a, b) => a + b, 0);
          tick();
        } else if (m.type === 'done') {
          finished.push(m.state);
          resolve();
        } else {
          reject(m.name === 'InputError' ? new InputError(m.message, m.hint) : new CollectError(m.message, m.hint));
        }
      });
      w.on('error', (e) => reject(e));
      w.on('exit', (code) => (code !== 0 ? reject(new Error(`worker thread exited with code ${code}`)) : resolve()));
    });
  const finished: ReturnType<Aggregator['exportState']>[] = [];
  // SIGINT: each worker stops after its current batch and hands back what it has read.
  const onAbort = () => workers.forEach((w) => w.postMessage('stop'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < threads; i++) jobs.push(settle(i, min + i * span, i === threads - 1 ? max + 1 : min + (i + 1) * span));
    await Promise.all(jobs);
    agg.ev.entriesRead = 0;
    for (const st of finished) agg.merge(st);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export interface InventoryOptions {
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** List entries (StoreEvidence.entries). */
  showEntries?: boolean;
  /** With showEntries: only these collections are listed (all are still counted). */
  collections?: string[];
  /** Worker threads for a large diskcache store (StoreTarget.threads); 1 when absent. */
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
      const tick = () => {
        const t = Date.now();
        if (progress && t - lastShown > 250) {
          lastShown = t;
          const rate = Math.round(ev.entriesRead / Math.max(0.001, (t - t0) / 1000));
          const at = source.position?.();
          progress.update(`reading ${source.label}${at ? ` — ${at}` : ''}: ${ev.entriesRead.toLocaleString('en-US')} entries (${rate.toLocaleString('en-US')}/s)`);
        }
      };
      let done = false;
      if (source instanceof DiskcacheSource && !opts.showEntries && !limited) {
        const url = opts.threads !== undefined && opts.threads > 1 ? workerUrl() : undefined;
        const threads = url ? threadCount(source.rowids().count, opts.threads) : 1;
        if (url && threads > 1) {
          const base = structuredClone(ev);
          await parallelDiskcache(source, agg, base, keyring, now, threads, url, tick, signal);
          done = true;
        }
      }
      if (!done) {
        const scan = source.scan({ signal, ...(opts.showEntries ? {} : { skipExpiredValuesAt: now }), ...(limits.limit !== undefined ? { limit: limits.limit } : {}), ...(limits.sample !== undefined ? { sample: limits.sample } : {}) });
        for await (const batch of scan) {
          for (const raw of batch) agg.add(raw);
          tick();
          if (signal?.aborted) break;
        }
      }
      if (source instanceof RedisSource && source.foreignKeys) ev.foreignKeys = source.foreignKeys;
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
