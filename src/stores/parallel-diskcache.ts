/**
 * A full diskcache read on every core. Stepping SQLite through a million rows is itself the largest
 * single cost (better-sqlite3 hands each row to JavaScript: ~1.5 µs a row), so it is split too: the
 * rowid space is cut into chunks, and every thread — this one and the workers — claims the next chunk
 * from a counter in shared memory, reads it through its own read-only connection and aggregates it.
 * Claiming chunk by chunk balances the work whatever the machine's other load; only compact states
 * cross threads (at the end). Each entry's position is its rowid, so the merged report is the one a
 * single sequential read would have written.
 *
 * SIGINT: the stop flag is set; every thread finishes its chunk and hands back what it read. A thread
 * failing (SQLite error, corrupt page) stops the others the same way; the error is reported once all
 * states are merged, so the counts cover every row read.
 */
import type { StoreEvidence } from '../model/index.js';
import type { Aggregator, AggregateState } from './aggregate.js';
import type { DiskcacheSource } from './diskcache.js';
import type { Keyring } from './keyring.js';
import { CONTROL, startWorker, workerError, type FromWorker } from './threads.js';

/** Rowids per chunk: ~10 ms of work, so SIGINT and progress wait no longer than that. */
const CHUNK_ROWS = 4096;

export interface ParallelRead {
  workers: number;
  url: URL;
  keyring: Keyring;
  now: number;
  /** A fresh evidence skeleton for each worker to count into. */
  skeleton: () => StoreEvidence;
  signal?: AbortSignal;
  /** Rows read so far by all threads (progress). */
  onProgress: (rows: number) => void;
}

export async function readDiskcacheParallel(source: DiskcacheSource, agg: Aggregator, p: ParallelRead): Promise<void> {
  const { min, max } = source.rowidSpan();
  const chunks = Math.max(0, Math.ceil((max - min + 1) / CHUNK_ROWS));
  const control = new Int32Array(new SharedArrayBuffer(4 * (CONTROL.progress + p.workers + 1)));
  const stop = () => Atomics.store(control, CONTROL.stop, 1);
  const progress = () => {
    let n = 0;
    for (let i = 0; i <= p.workers; i++) n += Atomics.load(control, CONTROL.progress + i);
    return n;
  };
  const states: AggregateState[] = [];
  let failure: Error | undefined;
  const done = Array.from({ length: p.workers }, (_, i) => {
    const worker = startWorker(p.url, { mode: 'diskcache', keys: [...p.keyring.entries], now: p.now, ev: p.skeleton(), wantCreated: agg.wantsCreated, readPath: source.readPath, dbPath: source.dbPath, min, chunkRows: CHUNK_ROWS, chunks, control: control.buffer as SharedArrayBuffer, slot: i + 1 });
    return new Promise<void>((resolve) => {
      let answered = false;
      const fail = (e: Error) => {
        failure ??= e;
        stop();
        resolve();
      };
      worker.on('message', (m: FromWorker) => {
        answered = true;
        if (m.type === 'state') states.push(m.state);
        else if (m.type === 'error') {
          if (m.state) states.push(m.state);
          fail(workerError(m));
        }
        resolve();
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!answered) fail(workerError(new Error(`exited (code ${code}) before it was done`)));
      });
    }).finally(() => worker.terminate());
  });
  const onAbort = () => stop();
  p.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const add = (batch: Parameters<Aggregator['addBatch']>[0], rowids: number[]) => agg.addBatch(batch, rowids);
    while (Atomics.load(control, CONTROL.stop) === 0) {
      const c = Atomics.add(control, CONTROL.nextChunk, 1);
      if (c >= chunks) break;
      const from = min + c * CHUNK_ROWS;
      Atomics.add(control, CONTROL.progress, source.readRange(from, from + CHUNK_ROWS, p.now, add));
      p.onProgress(progress());
      // A macrotask turn between chunks: SIGINT, progress timers, the workers' messages.
      await new Promise<void>((r) => setImmediate(r));
    }
  } catch (e) {
    failure ??= e as Error;
    stop();
  } finally {
    p.signal?.removeEventListener('abort', onAbort);
    await Promise.all(done);
  }
  agg.merge(states);
  if (failure) throw failure;
}
