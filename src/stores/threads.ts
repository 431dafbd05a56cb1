/**
 * What the parallel inventory's two ways of sharing work (pool.ts, parallel-diskcache.ts) have in
 * common: where the worker's code is, how a worker is started, the messages it exchanges, and how its
 * failure is reported.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CollectError, InputError } from '../errors.js';
import type { StoreEvidence } from '../model/index.js';
import type { AggregateState } from './aggregate.js';
import type { KeyringEntry } from './keyring.js';

/** Per-entry flags of a decode batch (pool.ts → inventory-worker.ts). */
export const FLAG = { keyExact: 1, authoritative: 2, expiryUndefined: 4, expiryNull: 8 } as const;

/** Slots of the Int32Array over a chunked diskcache read's shared control buffer. */
export const CONTROL = { nextChunk: 0, stop: 1, /** + thread index: rows read by that thread */ progress: 2 } as const;

/**
 * The workers' young generation (MB). Their garbage lives for one batch; every MB of semi-space is a
 * MB of resident memory, and V8's default (16 MB semi-spaces) would cost ~40 MB a worker.
 */
const YOUNG_GENERATION_MB = 8;

// The messages between a reading thread and inventory-worker.ts.

export interface WorkerCommon {
  keys: KeyringEntry[];
  now: number;
  /** The evidence skeleton to count into (collections known up front, …): counts start at zero. */
  ev: StoreEvidence;
  wantCreated: boolean;
}

export type WorkerInput =
  | (WorkerCommon & { mode: 'decode' })
  | (WorkerCommon & {
      mode: 'diskcache';
      /** What to open (the immutable URI of cache.db, or the private copy) and the path for messages. */
      readPath: string;
      dbPath: string;
      min: number;
      chunkRows: number;
      chunks: number;
      control: SharedArrayBuffer;
      /** This thread's progress slot. */
      slot: number;
    });

export type ToWorker = { type: 'batch'; positions: Float64Array; collections: string[]; texts: string[]; expiry: Float64Array; flags: Uint8Array } | { type: 'finish' };

export type FromWorker = { type: 'done' } | { type: 'state'; state: AggregateState } | { type: 'error'; name: string; message: string; hint?: string; state?: AggregateState };

/** The worker's compiled file beside this one; undefined when running from TypeScript sources (tests). */
export function workerUrl(): URL | undefined {
  const url = new URL('./inventory-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export function startWorker(url: URL, input: WorkerInput): Worker {
  return new Worker(url, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}

/** A worker's failure as the error the read reports: the store's own (corrupt file: InputError), else CollectError. */
export function workerError(e: Error | Extract<FromWorker, { type: 'error' }>): Error {
  if ('type' in e) {
    if (e.name === 'InputError') return new InputError(e.message, e.hint);
    if (e.name === 'CollectError') return new CollectError(e.message, e.hint);
  }
  return new CollectError(`a worker thread of the inventory failed: ${e.message}`, 'run again with MCP_AUTH_DOCTOR_THREADS=1 (one thread) and report the problem');
}
