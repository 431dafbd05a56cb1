/**
 * Both cores for a large inventory: the thread that reads the store (SQLite rows, Redis pages, files)
 * hands batches of documents to worker threads, which decode, decrypt and aggregate them into the
 * compact state of aggregate.ts; the states are merged when the read ends.
 *
 * What crosses threads is only what the decoding needs — the document texts and their collections,
 * structured-cloned (a memcpy per string), never parsed objects or SQLite handles — and what comes
 * back is the compact state (counts, and two Float64Arrays of id hashes, transferred). A worker holds
 * at most IN_FLIGHT batches; when every worker is busy the reading thread decodes the batch itself,
 * so the work balances on a machine whose other core is taken by someone else, and memory stays
 * bounded whatever the store's size. Entries without a document (expired rows whose value was not
 * read, unreadable ones) are counted by the reading thread (no decoding to share).
 *
 * Each entry carries its position in the read, so the merged report is the one a single thread would
 * have written (see Aggregator.merge).
 */
import type { Worker } from 'node:worker_threads';
import type { StoreEvidence } from '../model/index.js';
import type { AggregateState, Aggregator } from './aggregate.js';
import { FLAG, startWorker, workerError, type FromWorker, type ToWorker, type WorkerInput } from './threads.js';
import type { Keyring } from './keyring.js';
import type { RawEntry } from './types.js';

/** Batches a worker may hold (one being decoded, one waiting). */
const IN_FLIGHT = 2;

interface Slot {
  worker: Worker;
  /** Batches posted to it and not yet acknowledged. */
  busy: number;
  state?: AggregateState;
  done?: () => void;
}

export class DecodePool {
  readonly #slots: Slot[] = [];
  #failure: Error | undefined;
  #idle: (() => void) | undefined;

  private constructor(
    private readonly agg: Aggregator,
    url: URL,
    workers: number,
    input: WorkerInput,
  ) {
    for (let i = 0; i < workers; i++) {
      const worker = startWorker(url, input);
      const slot: Slot = { worker, busy: 0 };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'done') {
          slot.busy--;
          this.#idle?.();
        } else if (m.type === 'state') {
          slot.state = m.state;
          slot.done?.();
        } else {
          this.#fail(workerError(m));
        }
      });
      worker.on('error', (e) => this.#fail(workerError(e)));
      worker.on('exit', (code) => {
        if (slot.state === undefined) this.#fail(workerError(new Error(`exited (code ${code}) before it was done`)));
      });
      this.#slots.push(slot);
    }
  }

  /** A pool of `workers` threads feeding `agg` (which also decodes what the workers cannot take). */
  static start(agg: Aggregator, url: URL, workers: number, keyring: Keyring, now: number, ev: StoreEvidence, wantCreated: boolean): DecodePool {
    return new DecodePool(agg, url, workers, { mode: 'decode', keys: [...keyring.entries], now, ev, wantCreated });
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#idle?.();
    for (const s of this.#slots) s.done?.();
  }

  /**
   * Aggregate `batch` (read positions `first`, `first + 1`, …): its documents go to a worker with room,
   * or are decoded here when every worker is busy.
   */
  add(batch: readonly RawEntry[], first: number): void {
    if (this.#failure) throw this.#failure;
    const slot = this.#slots.find((s) => s.busy < IN_FLIGHT);
    if (!slot) {
      this.agg.addBatch(batch, first);
      return;
    }
    const positions: number[] = [];
    const collections: string[] = [];
    const texts: string[] = [];
    const expiry: number[] = [];
    const flags: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const raw = batch[i]!;
      if (raw.text === undefined || raw.valueSkipped || raw.error !== undefined) {
        this.agg.position = first + i;
        this.agg.add(raw);
        continue;
      }
      positions.push(first + i);
      collections.push(raw.collection);
      texts.push(raw.text);
      const se = raw.storeExpiresAt;
      expiry.push(typeof se === 'number' ? se : 0);
      flags.push((raw.keyExact ? FLAG.keyExact : 0) | (raw.storeExpiryAuthoritative ? FLAG.authoritative : 0) | (se === undefined ? FLAG.expiryUndefined : se === null ? FLAG.expiryNull : 0));
    }
    if (!texts.length) return;
    const msg: ToWorker = { type: 'batch', positions: Float64Array.from(positions), collections, texts, expiry: Float64Array.from(expiry), flags: Uint8Array.from(flags) };
    slot.busy++;
    slot.worker.postMessage(msg, [msg.positions.buffer as ArrayBuffer, msg.expiry.buffer as ArrayBuffer, msg.flags.buffer as ArrayBuffer]);
  }

  /** Wait until every batch handed out is aggregated, then merge the workers' states into the aggregator. */
  async finish(): Promise<void> {
    try {
      while (!this.#failure && this.#slots.some((s) => s.busy > 0)) await new Promise<void>((r) => (this.#idle = r));
      this.#idle = undefined;
      if (this.#failure) throw this.#failure;
      await Promise.all(
        this.#slots.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.done = resolve;
              s.worker.postMessage({ type: 'finish' } satisfies ToWorker);
            }),
        ),
      );
      if (this.#failure) throw this.#failure;
      this.agg.merge(this.#slots.map((s) => s.state!));
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    const slots = this.#slots.splice(0);
    for (const s of slots) s.worker.removeAllListeners('exit');
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
