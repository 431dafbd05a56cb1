/**
 * Streaming reader for GitHub's personal security-log export (github.md §5.1): JSON array, JSON lines
 * or CSV, optionally gzip-compressed. Detected by content (gzip magic bytes, then the first non-space
 * character), never by file name. Memory stays flat: stream-json assembles one array element at a time,
 * csv-parse yields one row at a time, JSON lines are split line by line.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import StreamJson from 'stream-json';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { InputError } from '../errors.js';
import type { RawRecord } from './events.js';

export type ExportFormat = 'json-array' | 'json-lines' | 'csv';

export interface ReadResult {
  format: ExportFormat;
  gzip: boolean;
  /** Records handed to `onRecord`. */
  records: number;
  /** Set when the read stopped early (interrupt). */
  stopped?: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

/** Stream the export at `path`, calling `onRecord` for each record, in file order. */
export async function readSecurityLog(path: string, onRecord: (rec: RawRecord, n: number) => void, opts: ReadOptions = {}): Promise<ReadResult> {
  const gzip = await isGzip(path);
  const raw = createReadStream(path);
  const source: Readable = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => source.destroy(e));
  const name = basename(path);
  let records = 0;
  const emit = (rec: unknown) => {
    if (rec && typeof rec === 'object' && !Array.isArray(rec)) {
      records += 1;
      onRecord(rec as RawRecord, records);
    }
  };
  const truncated = (why: string) =>
    new InputError(`security-log export ${name} ended mid-record after ${records} events (${why})`, 'the file is truncated or corrupt: export it again from Settings → Archives → Security log');

  let format: ExportFormat | undefined;
  try {
    const { first, stream } = await peek(source);
    if (first === undefined) throw new InputError(`security-log export ${name} is empty`, 'export the security log again (JSON or CSV)');
    format = first === '[' ? 'json-array' : first === '{' ? 'json-lines' : 'csv';
    const stopped = () => (opts.signal?.aborted ? 'interrupted' : undefined);

    if (format === 'json-array') {
      // pipeline() destroys every stage with the first error, so a parse error reaches the loop.
      const items = pipeline(stream, StreamJson.parser(), StreamArray.streamArray(), () => {});
      for await (const item of items as AsyncIterable<{ key: number; value: unknown }>) {
        emit(item.value);
        if (stopped()) return done(format, gzip, records, stream, 'interrupted');
      }
    } else if (format === 'json-lines') {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      let pending: { line: number; error: string } | undefined;
      let lineNo = 0;
      for await (const line of lines) {
        lineNo += 1;
        if (!line.trim()) continue;
        if (pending) throw new InputError(`security-log export ${name}: line ${pending.line} is not valid JSON (${pending.error})`, 'the file is corrupt: export it again');
        try {
          emit(JSON.parse(line));
        } catch (e) {
          pending = { line: lineNo, error: (e as Error).message };
        }
        if (stopped()) return done(format, gzip, records, stream, 'interrupted');
      }
      if (pending) throw truncated(`the last line is not complete JSON: ${pending.error}`);
    } else {
      const rows = pipeline(stream, parseCsv({ columns: true, bom: true, skip_empty_lines: true, trim: false }), () => {});
      for await (const row of rows as AsyncIterable<RawRecord>) {
        emit(row);
        if (stopped()) return done(format, gzip, records, stream, 'interrupted');
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw classifyReadError(e, path, name, truncated);
  } finally {
    raw.destroy();
  }
  return { format, gzip, records };
}

function done(format: ExportFormat, gzip: boolean, records: number, stream: Readable, stopped: string): ReadResult {
  stream.destroy();
  return { format, gzip, records, stopped };
}

function classifyReadError(e: unknown, path: string, name: string, truncated: (why: string) => InputError): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError(`security-log export ${path} does not exist`, 'check the path given to --security-log');
  if (code === 'EACCES') return new InputError(`security-log export ${path} is not readable (permission denied)`, 'check the file permissions');
  if (code === 'EISDIR') return new InputError(`security-log export ${path} is a directory`, 'give the exported .json or .csv file');
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') return truncated(`gzip: ${(e as Error).message}`);
  const msg = (e as Error).message ?? String(e);
  if (typeof code === 'string' && code.startsWith('CSV_')) return truncated(`CSV: ${msg.replace(/\s+/g, ' ').slice(0, 160)}`);
  void name;
  return truncated(msg.replace(/\s+/g, ' ').slice(0, 160));
}

async function isGzip(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw classifyReadError(e, path, basename(path), (why) => new InputError(why));
  }
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } catch (e) {
    throw classifyReadError(e, path, basename(path), (why) => new InputError(why));
  } finally {
    await fh.close();
  }
}

/**
 * Read until the first non-space character (BOM skipped) and hand back a stream that replays what was
 * read. Undefined `first` = empty input.
 */
async function peek(source: Readable): Promise<{ first: string | undefined; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const seen: Buffer[] = [];
  let first: string | undefined;
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) break;
    const chunk = typeof value === 'string' ? Buffer.from(value) : value;
    seen.push(chunk);
    const text = Buffer.concat(seen).toString('utf8').replace(/^\uFEFF/, '');
    const m = /\S/.exec(text);
    if (m) {
      first = m[0];
      break;
    }
  }
  async function* replay(): AsyncGenerator<Buffer> {
    for (const c of seen) yield c;
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return;
      yield typeof value === 'string' ? Buffer.from(value) : value;
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  return { first, stream };
}
