/**
 * Streaming reader for GitHub's personal security-log export (github.md §5.1): JSON array, JSON lines
 * or CSV, optionally gzip-compressed. Detected by content (gzip magic bytes, then the first non-space
 * character), never by file name. Memory stays flat: a JSON array is cut into its elements (one parsed
 * at a time), csv-parse yields one row at a time, JSON lines are split line by line.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
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
      // The array's elements are cut out of the byte stream (strings and nesting tracked byte by
      // byte) and each is handed to JSON.parse: several times faster than assembling objects token by
      // token, and memory holds one element at a time. Anything that is not one well-formed array of
      // well-formed elements is reported as a truncated/corrupt export.
      const splitter = new ArraySplitter();
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const err = splitter.push(chunk, emit);
        if (err) throw truncated(err);
        if (stopped()) return done(format, gzip, records, stream, 'interrupted');
      }
      const end = splitter.end();
      if (end) throw truncated(end);
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Splits a top-level JSON array arriving in chunks into its elements' texts and parses each one.
 * `push` / `end` return an error text (not valid JSON, not closed, data after the array) or undefined.
 */
class ArraySplitter {
  /** 0 before '[', 1 inside the array between elements, >1 inside an element's nesting. */
  #depth = 0;
  #inString = false;
  #escape = false;
  #closed = false;
  /** Inside an element (started, not yet ended). */
  #inElement = false;
  /** A scalar element (number, true, null, …): ends at ',' or ']' at depth 1. */
  #scalar = false;
  /** A comma was seen and an element must follow. */
  #expectElement = false;
  #parts: Buffer[] = [];
  #bom = true;
  #index = 0;

  push(chunk: Buffer, emit: (rec: unknown) => void): string | undefined {
    let i = 0;
    const n = chunk.length;
    if (this.#bom) {
      this.#bom = false;
      if (n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let start = this.#inElement ? i : -1;
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === BACKSLASH) this.#escape = true;
        else if (c === QUOTE) this.#inString = false;
        continue;
      }
      if (this.#closed) {
        if (!isSpace(c)) return 'data after the end of the JSON array';
        continue;
      }
      if (this.#depth === 0) {
        if (isSpace(c)) continue;
        if (c !== OPEN_BRACKET) return 'not a JSON array';
        this.#depth = 1;
        continue;
      }
      if (this.#depth === 1 && !this.#inElement) {
        if (isSpace(c)) continue;
        if (c === CLOSE_BRACKET) {
          if (this.#expectElement) return `a comma before the end of the array (after ${this.#index} elements)`;
          this.#closed = true;
          this.#depth = 0;
          continue;
        }
        if (c === COMMA) {
          if (this.#expectElement || this.#index === 0) return `an unexpected comma after ${this.#index} elements`;
          this.#expectElement = true;
          continue;
        }
        if (this.#index > 0 && !this.#expectElement) return `a missing comma after element ${this.#index}`;
        this.#inElement = true;
        this.#expectElement = false;
        start = i;
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          this.#depth = 2;
          this.#scalar = false;
        } else {
          this.#scalar = true;
          if (c === QUOTE) this.#inString = true;
        }
        continue;
      }
      // Inside an element.
      if (this.#scalar) {
        if (c === QUOTE) this.#inString = true;
        else if (c === COMMA || c === CLOSE_BRACKET || isSpace(c)) {
          const err = this.#finish(chunk, start, i, emit);
          if (err) return err;
          start = -1;
          i--; // the delimiter is handled at depth 1
        }
        continue;
      }
      if (c === QUOTE) this.#inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.#depth--;
        if (this.#depth === 1) {
          const err = this.#finish(chunk, start, i + 1, emit);
          if (err) return err;
          start = -1;
        }
      }
    }
    if (this.#inElement && start >= 0) this.#parts.push(chunk.subarray(start));
    return undefined;
  }

  #finish(chunk: Buffer, start: number, end: number, emit: (rec: unknown) => void): string | undefined {
    const piece = start >= 0 ? chunk.subarray(start, end) : chunk.subarray(0, end);
    const text = this.#parts.length ? Buffer.concat([...this.#parts, piece]).toString('utf8') : piece.toString('utf8');
    this.#parts = [];
    this.#inElement = false;
    this.#scalar = false;
    this.#index++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return `element ${this.#index} is not valid JSON: ${(e as Error).message}`;
    }
    emit(value);
    return undefined;
  }

  end(): string | undefined {
    if (this.#closed) return undefined;
    if (this.#inString) return 'the file ends inside a string';
    return this.#depth === 0 ? 'no JSON array' : `the JSON array is not closed (${this.#index} complete elements)`;
  }
}
