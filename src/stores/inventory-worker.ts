/**
 * A worker thread's share of a diskcache inventory: one rowid range of the private copy, read through
 * its own read-only connection, decoded and aggregated exactly as the main thread would, the state
 * posted back for merging. Progress is posted every batch; the main thread terminates the worker on
 * SIGINT.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { StoreEvidence } from '../model/index.js';
import { DoctorError, describeError } from '../errors.js';
import { Aggregator } from './aggregate.js';
import { DiskcacheSource } from './diskcache.js';
import { keyringFromEntries, type KeyringEntry } from './keyring.js';

export interface WorkerInput {
  readPath: string;
  dbPath: string;
  from: number;
  to: number;
  now: number;
  keys: KeyringEntry[];
  ev: StoreEvidence;
}

export type WorkerMessage = { type: 'progress'; read: number } | { type: 'done'; state: ReturnType<Aggregator['exportState']> } | { type: 'error'; name: string; message: string; hint?: string };

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  let db: Database.Database | undefined;
  try {
    db = new Database(input.readPath, { readonly: true, fileMustExist: true, timeout: 5000 });
    const source = new DiskcacheSource(db, input.dbPath, input.readPath);
    const agg = new Aggregator(input.ev, keyringFromEntries(input.keys), input.now, { on: false }, false);
    // 'stop' (SIGINT in the main thread): hand back what was read so far.
    let stopped = false;
    port.on('message', (m) => void (m === 'stop' && (stopped = true)));
    for await (const batch of source.scan({ rowids: { from: input.from, to: input.to }, skipExpiredValuesAt: input.now })) {
      for (const raw of batch) agg.add(raw);
      port.postMessage({ type: 'progress', read: agg.ev.entriesRead } satisfies WorkerMessage);
      if (stopped) break;
    }
    port.postMessage({ type: 'done', state: agg.exportState() } satisfies WorkerMessage);
  } catch (e) {
    const hint = e instanceof DoctorError ? e.hint : undefined;
    port.postMessage({ type: 'error', name: e instanceof DoctorError ? e.name : 'Error', message: e instanceof DoctorError ? e.message : describeError(e), ...(hint ? { hint } : {}) } satisfies WorkerMessage);
  } finally {
    db?.close();
  }
}

void main();
