/**
 * A worker thread of a parallel inventory. Two kinds of work, both aggregated exactly as the reading
 * thread would (aggregate.ts) into compact state that is posted back at the end (the id-hash lists
 * transferred, not copied):
 *
 * - `decode` (pool.ts): batches of documents the reading thread posts (Redis pages, FileTree files);
 *   each batch is acknowledged, and `finish` asks for the state.
 * - `diskcache` (parallel-diskcache.ts): the worker opens cache.db read-only itself and reads rowid
 *   chunks it claims from a counter shared with the other threads, until none is left or the stop flag
 *   is set (SIGINT); rows read so far are published in its progress slot. A failure is posted with the
 *   state so far, so the counts still cover every row read.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { DoctorError, describeError } from '../errors.js';
import { Aggregator, type AggregateState } from './aggregate.js';
import { DiskcacheSource } from './diskcache.js';
import { keyringFromEntries } from './keyring.js';
import { CONTROL, FLAG, type FromWorker, type ToWorker, type WorkerInput } from './threads.js';
import type { RawEntry } from './types.js';

function post(port: NonNullable<typeof parentPort>, msg: FromWorker): void {
  const state = msg.type === 'state' || msg.type === 'error' ? msg.state : undefined;
  port.postMessage(msg, state ? [state.mappingTargets.buffer as ArrayBuffer, state.liveUpstream.buffer as ArrayBuffer] : []);
}

function failure(e: unknown, state?: AggregateState): FromWorker {
  const hint = e instanceof DoctorError ? e.hint : undefined;
  return { type: 'error', name: e instanceof DoctorError ? e.name : 'Error', message: e instanceof DoctorError ? e.message : describeError(e), ...(hint ? { hint } : {}), ...(state ? { state } : {}) };
}

function decodeMode(port: NonNullable<typeof parentPort>, agg: Aggregator): void {
  port.on('message', (m: ToWorker) => {
    try {
      if (m.type === 'batch') {
        const raws: RawEntry[] = new Array(m.texts.length);
        for (let i = 0; i < raws.length; i++) {
          const f = m.flags[i]!;
          const raw: RawEntry = { collection: m.collections[i]!, key: '', keyExact: (f & FLAG.keyExact) !== 0, text: m.texts[i]! };
          if (!(f & FLAG.expiryUndefined)) raw.storeExpiresAt = f & FLAG.expiryNull ? null : m.expiry[i]!;
          if (f & FLAG.authoritative) raw.storeExpiryAuthoritative = true;
          raws[i] = raw;
        }
        agg.addBatch(raws, m.positions);
        post(port, { type: 'done' });
      } else {
        post(port, { type: 'state', state: agg.exportState() });
        port.close();
      }
    } catch (e) {
      post(port, failure(e));
    }
  });
}

function diskcacheMode(port: NonNullable<typeof parentPort>, agg: Aggregator, input: Extract<WorkerInput, { mode: 'diskcache' }>): void {
  const control = new Int32Array(input.control);
  let db: Database.Database | undefined;
  try {
    db = new Database(input.readPath, { readonly: true, fileMustExist: true, timeout: 5000 });
    const source = new DiskcacheSource(db, input.dbPath, input.readPath);
    const add = (batch: RawEntry[], rowids: number[]) => agg.addBatch(batch, rowids);
    while (Atomics.load(control, CONTROL.stop) === 0) {
      const c = Atomics.add(control, CONTROL.nextChunk, 1);
      if (c >= input.chunks) break;
      const from = input.min + c * input.chunkRows;
      const n = source.readRange(from, from + input.chunkRows, input.now, add);
      Atomics.add(control, CONTROL.progress + input.slot, n);
    }
    post(port, { type: 'state', state: agg.exportState() });
  } catch (e) {
    post(port, failure(e, agg.exportState()));
  } finally {
    db?.close();
    port.close();
  }
}

if (parentPort) {
  const input = workerData as WorkerInput;
  const agg = new Aggregator(input.ev, keyringFromEntries(input.keys), input.now, { on: false }, input.wantCreated);
  if (input.mode === 'decode') decodeMode(parentPort, agg);
  else diskcacheMode(parentPort, agg, input);
}
