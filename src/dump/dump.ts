import { createHash } from 'node:crypto';
import type { AbstractSnapshot } from 'abstract-level';
import { StoreError } from '../errors.js';
import { decode } from '../log/codec.js';
import { entryBody } from '../log/entry.js';
import type { Db } from '../log/db.js';
import type { StoredEvent } from '../log/envelope.js';
import { HIGH, LOG_PREFIX, logKey, prefixRange, seqFromHex, streamPrefix, typePrefix } from '../log/keys.js';
import type { Progress } from '../projections/replay.js';
import { STORE_FORMAT, type Store } from '../store.js';
import { DUMP_VERSION, encodeRecord, frameMsgpack, MAX_FRAME, MAX_LINE, type DumpEncoding, type DumpFilters, type DumpHeader, type DumpKind, type DumpTrailer } from './format.js';
import type { Sink } from './sink.js';

export interface DumpOptions extends DumpFilters {
  encoding?: DumpEncoding;
  kind?: DumpKind;
  onProgress?: Progress;
}

export interface DumpReport {
  kind: DumpKind;
  encoding: DumpEncoding;
  /** The store's last seq in the snapshot the dump was read from. */
  head: number;
  count: number;
  sha256: string;
  bytes: number;
  ms: number;
}

const CHUNK = 1000;

/**
 * Write the log (or the events matching the filters) as a dump, read from ONE LevelDB snapshot:
 * appends that land while it runs are not in it, and the store stays open for them. Events are
 * written in their stored form (not upcast), streamed in chunks, never held all in memory.
 */
export async function writeDump(store: Store, sink: Sink, options: DumpOptions = {}): Promise<DumpReport> {
  const started = performance.now();
  const encoding = options.encoding ?? 'ndjson';
  const kind = options.kind ?? 'dump';
  const filters: DumpFilters = {
    ...(options.stream !== undefined ? { stream: options.stream } : {}),
    ...(options.type !== undefined ? { type: options.type } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
  };
  const db = store.db as Db;
  const snapshot = db.snapshot();
  try {
    const head = await headAt(db, snapshot);
    const header: DumpHeader = { pygubuai: kind, version: DUMP_VERSION, encoding, storeFormat: STORE_FORMAT, created: new Date().toISOString(), head, filters };
    await sink.write(encodeRecord(encoding, header));
    const hash = createHash('sha256');
    let count = 0;
    let scanned = 0;
    const needDecode = encoding === 'ndjson' || filters.since !== undefined || (filters.stream !== undefined && filters.type !== undefined);
    for await (const chunk of storedChunks(db, snapshot, filters, head)) {
      for (const [seq, stored] of chunk) {
        scanned++;
        // a damaged entry stops the dump (STORE_CORRUPT naming its seq): a backup never carries bit rot on
        const value = entryBody(stored, seq, store.log.checksumsFrom);
        let record: Buffer;
        if (needDecode) {
          const event = decode<StoredEvent>(value);
          if (!matches(event, filters)) continue;
          record = encoding === 'ndjson' ? encodeRecord('ndjson', event) : frameMsgpack(value);
        } else record = frameMsgpack(value);
        // never write a record the reader refuses: a backup that cannot be restored is no backup
        const limit = encoding === 'ndjson' ? MAX_LINE : MAX_FRAME + 4;
        if (record.length > limit) {
          throw new StoreError('EVENT_TOO_LARGE', `event seq ${seq} is ${record.length} bytes as ${encoding}; a dump record may be at most ${limit} bytes`, {
            details: { seq, bytes: record.length, limit },
            hint: encoding === 'msgpack' ? 'try --format ndjson' : 'this event is too large to dump',
          });
        }
        hash.update(record);
        await sink.write(record);
        count++;
      }
      options.onProgress?.(scanned, Math.max(scanned, head));
    }
    const sha256 = hash.digest('hex');
    const trailer: DumpTrailer = { pygubuai: 'end', count, sha256 };
    await sink.write(encodeRecord(encoding, trailer));
    await sink.finish();
    options.onProgress?.(head, head);
    return { kind, encoding, head, count, sha256, bytes: sink.bytes, ms: performance.now() - started };
  } catch (err) {
    await sink.abort();
    throw err;
  } finally {
    await snapshot.close();
  }
}

const matches = (e: StoredEvent, f: DumpFilters): boolean =>
  (f.stream === undefined || e.stream === f.stream) && (f.type === undefined || e.type === f.type) && (f.since === undefined || e.at >= f.since);

async function headAt(db: Db, snapshot: AbstractSnapshot): Promise<number> {
  for await (const key of db.keys({ gte: LOG_PREFIX, lt: LOG_PREFIX + HIGH, reverse: true, limit: 1, snapshot })) {
    return seqFromHex(key.slice(LOG_PREFIX.length));
  }
  return 0;
}

/**
 * Stored envelopes (msgpack bytes) in seq order, in chunks, through the most selective index:
 * the stream index or the type index when filtered, else the log itself.
 */
async function* storedChunks(db: Db, snapshot: AbstractSnapshot, f: DumpFilters, head: number): AsyncGenerator<Array<[number, Buffer]>> {
  if (f.stream === undefined && f.type === undefined) {
    const it = db.iterator({ gte: logKey(1), lte: logKey(Math.max(head, 1)), snapshot, highWaterMarkBytes: 1 << 20 } as never);
    try {
      for (;;) {
        const entries = await it.nextv(CHUNK);
        if (entries.length === 0) return;
        yield entries.map(([k, v]) => [seqFromHex((k as string).slice(LOG_PREFIX.length)), v as Buffer]);
      }
    } finally {
      await it.close();
    }
  }
  // Stream keys hold the seq as their value (versions ascend with seq); type keys end with the seq.
  const byStream = f.stream !== undefined;
  const prefix = byStream ? streamPrefix(f.stream!) : typePrefix(f.type!);
  const it = db.iterator({ ...prefixRange(prefix), snapshot, keys: !byStream, values: byStream } as never);
  try {
    for (;;) {
      const entries = await it.nextv(CHUNK);
      if (entries.length === 0) return;
      const seqs = entries.map(([k, v]) => (byStream ? decode<number>(v as Buffer) : seqFromHex((k as string).slice(prefix.length))));
      const values = await db.getMany(seqs.map(logKey), { snapshot });
      yield values.flatMap((v, i): Array<[number, Buffer]> => (v === undefined ? [] : [[seqs[i]!, v]]));
    }
  } finally {
    await it.close();
  }
}
