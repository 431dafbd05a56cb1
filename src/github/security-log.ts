/**
 * Streaming reader for GitHub's personal security-log export (github.md §5.1): JSON array, JSON lines
 * or CSV, optionally gzip-compressed. Detected by content (gzip magic bytes, then the first non-space
 * character), never by file name. Memory stays flat: a JSON array is cut into its elements (one parsed
 * at a time), csv-parse yields one row at a time, JSON lines are split line by line.
 */
import { showPath } from '../secrets.js';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import type { RawRecord } from './events.js';

export type ExportFormat = 'json-array' | 'json-lines' | 'csv';

/**
 * A security-log record is a few hundred bytes. Anything larger than this is not one, and is never
 * buffered whole: the read stops with one line instead (memory stays flat whatever the file holds).
 */
export const MAX_RECORD_BYTES = 1 << 20;

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
  let withAction = 0;
  const emit = (rec: unknown) => {
    if (rec && typeof rec === 'object' && !Array.isArray(rec)) {
      records += 1;
      if ('action' in rec) withAction += 1;
      onRecord(rec as RawRecord, records);
    }
  };
  const notAnExport = (what: string) => new InputError(`security-log export ${name} is not a security-log export: ${what}`, 'give the JSON or CSV file GitHub exports from Settings → Archives → Security log');
  const truncated = (why: string) =>
    new InputError(`security-log export ${name} ended mid-record after ${records} events (${why})`, 'the file is truncated or corrupt: export it again from Settings → Archives → Security log');

  let format: ExportFormat | undefined;
  let replayed: Readable | undefined;
  try {
    const { first, stream } = await peek(source);
    replayed = stream;
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
      const lines = new LineSplitter();
      let pending: { line: number; error: string } | undefined;
      let halted = false;
      const onLine = (line: string, lineNo: number): void => {
        if (halted || !line.trim()) return;
        if (pending) throw new InputError(`security-log export ${name}: line ${pending.line} is not valid JSON (${pending.error})`, 'the file is corrupt: export it again');
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (e) {
          pending = { line: lineNo, error: (e as Error).message };
          return;
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw notAnExport(`line ${lineNo} is ${Array.isArray(value) ? 'an array' : `a JSON ${value === null ? 'null' : typeof value}`}, not an event`);
        try {
          emit(value);
        } catch (e) {
          pending = { line: lineNo, error: (e as Error).message };
        }
        if (stopped()) halted = true;
      };
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const err = lines.push(chunk, onLine);
        if (err) throw truncated(err);
        if (halted || stopped()) return done(format, gzip, records, stream, 'interrupted');
      }
      lines.end(onLine);
      if (halted) return done(format, gzip, records, stream, 'interrupted');
      if (pending) throw truncated(`the last line is not complete JSON: ${pending.error}`);
    } else {
      // Loaded here, not with the module: only a CSV export needs it.
      const { parse: parseCsv } = await import('csv-parse');
      const rows = pipeline(stream, parseCsv({ columns: true, bom: true, skip_empty_lines: true, trim: false, max_record_size: MAX_RECORD_BYTES }), () => {});
      for await (const row of rows as AsyncIterable<RawRecord>) {
        emit(row);
        if (stopped()) return done(format, gzip, records, stream, 'interrupted');
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw classifyReadError(e, path, name, truncated);
  } finally {
    // The replay stream first: destroying the file under a pending replay read would surface as an
    // unhandled ERR_STREAM_PREMATURE_CLOSE after the (already reported) error.
    replayed?.on('error', () => {});
    replayed?.destroy();
    raw.destroy();
  }
  // Records, but none with an `action`: a JSON object or CSV that is something else entirely.
  if (records > 0 && withAction === 0) throw notAnExport(`none of its ${records} record${records === 1 ? '' : 's'} has an "action"`);
  if (records === 0 && format === 'csv' && !gzip && isJsonScalar(path)) throw notAnExport('it is a single JSON value');
  return { format, gzip, records };
}

/** Whether the (small) file is one JSON scalar, e.g. `42` or `"x"` (read only when nothing else was found). */
function isJsonScalar(path: string): boolean {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > 65_536) return false;
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return v === null || typeof v !== 'object';
  } catch {
    return false;
  }
}

function done(format: ExportFormat, gzip: boolean, records: number, stream: Readable, stopped: string): ReadResult {
  stream.destroy();
  return { format, gzip, records, stopped };
}

function classifyReadError(e: unknown, path: string, name: string, truncated: (why: string) => InputError): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError(`security-log export ${showPath(path)} does not exist`, 'check the path given to --security-log');
  if (code === 'EACCES') return new InputError(`security-log export ${showPath(path)} is not readable (permission denied)`, 'check the file permissions');
  if (code === 'EISDIR') return new InputError(`security-log export ${showPath(path)} is a directory`, 'give the exported .json or .csv file');
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') return truncated(`gzip: ${(e as Error).message}`);
  if (typeof code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string') return new InputError(`security-log export ${showPath(path)} cannot be read (${code})`, 'check the path given to --security-log');
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
  #size = 0;
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
    if (this.#inElement && start >= 0) {
      const rest = chunk.subarray(start);
      this.#parts.push(rest);
      this.#size += rest.length;
      if (this.#size > MAX_RECORD_BYTES) return `element ${this.#index + 1} is larger than ${MAX_RECORD_BYTES >> 20} MiB, which no security-log record is`;
    }
    return undefined;
  }

  #finish(chunk: Buffer, start: number, end: number, emit: (rec: unknown) => void): string | undefined {
    const piece = start >= 0 ? chunk.subarray(start, end) : chunk.subarray(0, end);
    if (this.#size + piece.length > MAX_RECORD_BYTES) return `element ${this.#index + 1} is larger than ${MAX_RECORD_BYTES >> 20} MiB, which no security-log record is`;
    const text = this.#parts.length ? Buffer.concat([...this.#parts, piece]).toString('utf8') : piece.toString('utf8');
    this.#parts = [];
    this.#size = 0;
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

/**
 * Splits JSON lines arriving in chunks (LF or CRLF; a BOM at the start is dropped), never holding more
 * than one line, and refusing a line longer than MAX_RECORD_BYTES.
 */
class LineSplitter {
  #parts: Buffer[] = [];
  #size = 0;
  #line = 0;
  #first = true;

  push(chunk: Buffer, onLine: (text: string, lineNo: number) => void): string | undefined {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.#size + piece.length > MAX_RECORD_BYTES) return this.#tooLong();
      this.#emit(this.#parts.length ? Buffer.concat([...this.#parts, piece]) : piece, onLine);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#parts.push(rest);
      this.#size += rest.length;
      if (this.#size > MAX_RECORD_BYTES) return this.#tooLong();
    }
    return undefined;
  }

  end(onLine: (text: string, lineNo: number) => void): void {
    if (this.#parts.length) this.#emit(Buffer.concat(this.#parts), onLine);
  }

  #emit(bytes: Buffer, onLine: (text: string, lineNo: number) => void): void {
    this.#parts = [];
    this.#size = 0;
    this.#line += 1;
    let text = bytes.toString('utf8');
    if (this.#first) {
      this.#first = false;
      text = text.replace(/^\uFEFF/, '');
    }
    onLine(text.endsWith('\r') ? text.slice(0, -1) : text, this.#line);
  }

  #tooLong(): string {
    return `line ${this.#line + 1} is longer than ${MAX_RECORD_BYTES >> 20} MiB, which no security-log record is`;
  }
}
