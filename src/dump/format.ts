import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StoreError } from '../errors.js';
import { decode, encode } from '../log/codec.js';

/**
 * The dump file format (README "Backup and recovery"): a header record, one stored envelope per
 * record in seq order, a trailer with the event count and the sha256 of the event records' bytes.
 *
 *   ndjson   one JSON document per line, each ended by "\n"; the sha256 covers every event line
 *            including its "\n".
 *   msgpack  length-delimited frames: a 4-byte big-endian length, then that many bytes of one
 *            standard msgpack value; the sha256 covers every event frame including its length.
 *            Frames are encoded by the store's own codec (plain maps, no record extension), so
 *            any msgpack decoder reads a dump.
 *
 * Backups are the same format with `pygubuai: "backup"` in the header.
 */
export const DUMP_VERSION = 1;
export type DumpEncoding = 'ndjson' | 'msgpack';
export type DumpKind = 'dump' | 'backup';
export const DUMP_ENCODINGS: readonly DumpEncoding[] = ['ndjson', 'msgpack'];

export interface DumpFilters {
  stream?: string;
  type?: string;
  since?: string;
}

export interface DumpHeader {
  pygubuai: DumpKind;
  version: number;
  encoding: DumpEncoding;
  storeFormat: number;
  created: string;
  /** The last seq of the store when the snapshot was taken. */
  head: number;
  filters: DumpFilters;
}

export interface DumpTrailer {
  pygubuai: 'end';
  count: number;
  sha256: string;
}

/** Where a record starts: a line number (ndjson, from 1) or a byte offset (msgpack, from 0). */
export type Position = { line: number } | { offset: number };
export const describePosition = (p: Position): string => ('line' in p ? `line ${p.line}` : `byte offset ${p.offset}`);

const NL = Buffer.from('\n');
/** A frame longer than this is a corrupt length, not an event. */
export const MAX_FRAME = 64 * 1024 * 1024;

export function encodeRecord(encoding: DumpEncoding, value: unknown): Buffer {
  if (encoding === 'ndjson') return Buffer.from(`${JSON.stringify(value)}\n`);
  return frameMsgpack(encode(value));
}

/** Frame an already-encoded msgpack value (the log's stored bytes are standard msgpack). */
export function frameMsgpack(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

export const dumpError = (code: 'DUMP_CORRUPT' | 'DUMP_TRUNCATED' | 'DUMP_NOT_A_DUMP', where: Position, message: string, cause?: unknown): StoreError =>
  new StoreError(code, `${describePosition(where)}: ${message}`, {
    details: { ...where },
    ...(cause !== undefined ? { cause } : {}),
    hint:
      code === 'DUMP_TRUNCATED'
        ? 'the file was cut short; make the dump again'
        : code === 'DUMP_NOT_A_DUMP'
          ? 'make one with `pygubu-db dump` or `pygubu-db backup`; nothing was written'
          : 'the file is damaged or not a pygubuai dump; nothing was written',
  });

/** A header record is small; a first frame longer than this means the file is something else. */
const MAX_HEADER = 64 * 1024;
/** An ndjson line longer than this is no event the store could have written (MAX_EVENT_BYTES as JSON). */
export const MAX_LINE = 128 * 1024 * 1024;

const notADump = (where: Position, what: string): StoreError => dumpError('DUMP_NOT_A_DUMP', where, `not a pygubuai dump: ${what}`);

/**
 * Guess the encoding from the first bytes: JSON starts with `{`; a msgpack dump with the 4-byte
 * length of its small header frame (so a zero byte) and then a msgpack map. Anything else — plain
 * text, a UTF-8 byte-order mark an editor added — is refused as not a dump, before any length is read.
 */
export async function sniffEncoding(path: string): Promise<DumpEncoding> {
  for await (const chunk of createReadStream(path, { start: 0, end: 7 })) {
    const head = chunk as Buffer;
    if (head[0] === 0x7b) return 'ndjson';
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
      throw notADump({ offset: 0 }, 'it starts with a UTF-8 byte-order mark (a dump never does; was it re-saved by an editor?)');
    }
    const map = head[4];
    if (head.length >= 5 && head[0] === 0 && head[1] === 0 && map !== undefined && ((map >= 0x80 && map <= 0x8f) || map === 0xde || map === 0xdf)) return 'msgpack';
    throw notADump({ offset: 0 }, `it starts with ${JSON.stringify(head.toString('latin1').replace(/[^\x20-\x7e]/g, '.'))}, neither a JSON header nor a msgpack frame`);
  }
  throw dumpError('DUMP_TRUNCATED', { line: 1 }, 'the file is empty');
}

interface RawRecord {
  /** The record's bytes as hashed (line with its "\n", or frame with its length). */
  bytes: Buffer;
  value: unknown;
  where: Position;
  /** False for a last line without "\n". */
  complete: boolean;
}

async function* ndjsonRecords(path: string): AsyncGenerator<RawRecord> {
  let carry: Buffer = Buffer.alloc(0);
  let line = 0;
  const parse = (raw: Buffer, where: Position, complete: boolean): unknown => {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch (cause) {
      if (!complete) throw dumpError('DUMP_TRUNCATED', where, 'the last line is cut short', cause);
      if (line === 1) throw dumpError('DUMP_NOT_A_DUMP', where, `not a pygubuai dump: the first line is not JSON (${(cause as Error).message})`, cause);
      throw dumpError('DUMP_CORRUPT', where, `not valid JSON (${(cause as Error).message})`, cause);
    }
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    if (buf.indexOf(10) === -1 && buf.length > MAX_LINE) {
      throw (line === 0 ? notADump({ line: 1 }, 'its first line never ends') : dumpError('DUMP_CORRUPT', { line: line + 1 }, `a line longer than ${MAX_LINE} bytes`));
    }
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      line++;
      const where = { line };
      yield { bytes: buf.subarray(start, nl + 1), value: parse(buf.subarray(start, nl), where, true), where, complete: true };
      start = nl + 1;
    }
    carry = buf.subarray(start);
  }
  if (carry.length > 0) {
    line++;
    const where = { line };
    yield { bytes: Buffer.concat([carry, NL]), value: parse(carry, where, false), where, complete: false };
  }
}

async function* msgpackRecords(path: string): AsyncGenerator<RawRecord> {
  let carry: Buffer = Buffer.alloc(0);
  let base = 0; // file offset of carry[0]
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let pos = 0;
    while (buf.length - pos >= 4) {
      const length = buf.readUInt32BE(pos);
      const where = { offset: base + pos };
      if (base + pos === 0 && (length === 0 || length > MAX_HEADER)) throw notADump(where, `its first frame would be ${length} bytes long; a header is small`);
      if (length === 0 || length > MAX_FRAME) throw dumpError('DUMP_CORRUPT', where, `frame length ${length} is not plausible`);
      if (buf.length - pos - 4 < length) break;
      const bytes = buf.subarray(pos, pos + 4 + length);
      let value: unknown;
      try {
        value = decode(bytes.subarray(4));
      } catch (cause) {
        throw dumpError('DUMP_CORRUPT', where, `not a valid msgpack value (${(cause as Error).message})`, cause);
      }
      yield { bytes, value, where, complete: true };
      pos += 4 + length;
    }
    carry = buf.subarray(pos);
    base += pos;
  }
  if (carry.length > 0) throw dumpError('DUMP_TRUNCATED', { offset: base }, `the last frame is cut short (${carry.length} bytes of it)`);
}

export interface ReadDumpOptions {
  encoding?: DumpEncoding;
  /** Only accept this kind (restore wants a backup). */
  kind?: DumpKind;
  /** Check one event (schema, continuity); throw to refuse the dump. Errors are tagged with the position. */
  onEvent?: (event: Record<string, unknown>, where: Position, bytes: Buffer) => void | Promise<void>;
  /** Bytes read so far and the file's size, every few thousand records. */
  onProgress?: (bytesRead: number, size: number) => void;
}

export interface DumpSummary {
  header: DumpHeader;
  trailer: DumpTrailer;
  count: number;
  encoding: DumpEncoding;
  bytes: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Read a whole dump and check its structure: header first, events in increasing seq order, a
 * trailer last whose count and sha256 match what was read. Nothing is kept in memory but the
 * record at hand; `onEvent` sees every event.
 */
export async function readDump(path: string, options: ReadDumpOptions = {}): Promise<DumpSummary> {
  try {
    return await readChecked(path, options);
  } catch (err) {
    throw asUnreadable(path, err);
  }
}

/** File-system errors (missing file, a directory, no permission) become DUMP_UNREADABLE. */
function asUnreadable(path: string, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof StoreError || typeof e?.syscall !== 'string') return err;
  return new StoreError('DUMP_UNREADABLE', `could not read ${path}: ${e.code ?? e.message}`, { cause: err });
}

async function readChecked(path: string, options: ReadDumpOptions): Promise<DumpSummary> {
  const encoding = options.encoding ?? (await sniffEncoding(path));
  const records = encoding === 'ndjson' ? ndjsonRecords(path) : msgpackRecords(path);
  const size = options.onProgress ? (await stat(path)).size : 0;
  const hash = createHash('sha256');
  let header: DumpHeader | undefined;
  let trailer: DumpTrailer | undefined;
  let trailerAt: Position | undefined;
  let last: RawRecord | undefined;
  let count = 0;
  let bytes = 0;
  let lastSeq = 0;
  for await (const record of records) {
    last = record;
    bytes += record.bytes.length;
    const { value, where } = record;
    if (!header) {
      header = checkHeader(value, where, encoding, options.kind);
      continue;
    }
    if (trailer) {
      if (encoding === 'ndjson' && record.bytes.length === 1) continue; // a stray blank line after the trailer
      throw dumpError('DUMP_CORRUPT', where, `data after the trailer (${describePosition(trailerAt!)})`);
    }
    if (isObject(value) && value.pygubuai === 'end') {
      trailer = checkTrailer(value, where);
      trailerAt = where;
      continue;
    }
    if (!isObject(value)) throw dumpError('DUMP_CORRUPT', where, 'an event must be a JSON object');
    try {
      await options.onEvent?.(value, where, record.bytes);
    } catch (err) {
      if (err instanceof StoreError && (err.code === 'DUMP_CORRUPT' || err.code === 'DUMP_TRUNCATED')) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw dumpError('DUMP_CORRUPT', where, message, err);
    }
    const seq = value.seq;
    if (typeof seq !== 'number' || seq <= lastSeq) {
      throw dumpError('DUMP_CORRUPT', where, `events must be in increasing seq order (seq ${String(seq)} after ${lastSeq})`);
    }
    lastSeq = seq;
    hash.update(record.bytes);
    if (++count % 5000 === 0) options.onProgress?.(bytes, size);
  }
  options.onProgress?.(bytes, size);
  if (!header) throw dumpError('DUMP_TRUNCATED', encoding === 'ndjson' ? { line: 1 } : { offset: 0 }, 'the file is empty');
  if (!trailer) {
    const end = last ? describePosition(last.where) : 'the header';
    throw dumpError('DUMP_TRUNCATED', last?.where ?? { line: 1 }, `the dump ends after ${count} events (at ${end}) without its trailer`);
  }
  if (trailer.count !== count) {
    throw dumpError('DUMP_CORRUPT', trailerAt!, `the trailer says ${trailer.count} events, the file holds ${count}`);
  }
  const sha256 = hash.digest('hex');
  if (trailer.sha256 !== sha256) {
    const message = `checksum mismatch: the trailer says sha256 ${trailer.sha256}, the events hash to ${sha256}`;
    if (header.pygubuai === 'backup') {
      throw new StoreError('BACKUP_CHECKSUM_MISMATCH', `backup ${path}: ${message}`, {
        details: { ...trailerAt },
        hint: 'the backup file is damaged; use another backup',
      });
    }
    throw dumpError('DUMP_CORRUPT', trailerAt!, message);
  }
  return { header, trailer, count, encoding, bytes };
}

function checkHeader(value: unknown, where: Position, encoding: DumpEncoding, kind: DumpKind | undefined): DumpHeader {
  if (!isObject(value) || (value.pygubuai !== 'dump' && value.pygubuai !== 'backup')) {
    throw dumpError('DUMP_NOT_A_DUMP', where, 'not a pygubuai dump (no header)');
  }
  if (value.version !== DUMP_VERSION) {
    throw dumpError('DUMP_CORRUPT', where, `dump format version ${String(value.version)} is not supported (this version reads ${DUMP_VERSION})`);
  }
  if (value.encoding !== encoding) throw dumpError('DUMP_CORRUPT', where, `the header says ${String(value.encoding)}, the file is ${encoding}`);
  if (kind === 'backup' && value.pygubuai !== 'backup') {
    throw new StoreError('NOT_A_BACKUP', 'this file is a dump, not a backup; load it with `pygubu-db load`', {
      hint: 'make a backup with `pygubu-db backup <file>`',
    });
  }
  return value as unknown as DumpHeader;
}

function checkTrailer(value: Record<string, unknown>, where: Position): DumpTrailer {
  if (typeof value.count !== 'number' || typeof value.sha256 !== 'string') {
    throw dumpError('DUMP_CORRUPT', where, 'the trailer needs a count and a sha256');
  }
  return value as unknown as DumpTrailer;
}

/**
 * The events of a dump that `readDump` has already checked, in order, for a second pass. The
 * sha256 is recomputed and compared at the end: a file changed between the passes throws.
 */
export async function* dumpEvents(path: string, checked: DumpSummary): AsyncGenerator<Record<string, unknown>> {
  for await (const { value } of dumpRecords(path, checked)) yield value;
}

/** `dumpEvents` with where each event stands in the file (to name it when a later check refuses it). */
export async function* dumpRecords(path: string, checked: DumpSummary): AsyncGenerator<{ value: Record<string, unknown>; where: Position }> {
  const records = checked.encoding === 'ndjson' ? ndjsonRecords(path) : msgpackRecords(path);
  const hash = createHash('sha256');
  let first = true;
  for await (const record of records) {
    if (first) {
      first = false;
      continue;
    }
    const value = record.value as Record<string, unknown>;
    if (value.pygubuai === 'end') break;
    hash.update(record.bytes);
    yield { value, where: record.where };
  }
  if (hash.digest('hex') !== checked.trailer.sha256) {
    throw new StoreError('DUMP_CORRUPT', 'the dump changed while it was being loaded; nothing was written');
  }
}
