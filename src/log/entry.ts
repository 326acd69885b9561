import { crc32 } from 'node:zlib';
import { StoreError } from '../errors.js';
import { decode, encode } from './codec.js';
import type { StoredEvent } from './envelope.js';
import { LOG_PREFIX, seqFromHex } from './keys.js';

/**
 * How one event is stored under `e!<seq>`: a tag byte, the CRC-32 of the envelope's msgpack
 * bytes, then those bytes.
 *
 *   0xC1  crc32 (4 bytes, big-endian)  msgpack(envelope)
 *
 * 0xC1 is the one byte msgpack never uses, so an entry without it is a plain msgpack envelope
 * written before checksums existed; `m!format.checksumsFrom` says from which seq every entry
 * must carry one, so a flipped tag byte cannot pass for an old entry. The check runs on every
 * read of the log (replay, rebuild, verify, dumps), not only in verify.
 */
const TAG = 0xc1;
const HEAD = 5;

/**
 * The largest envelope the store takes (msgpack bytes). Every dump and backup frame of it stays
 * far below the 64 MiB a reader accepts, and its JSON line (at most ~6 bytes per byte) below
 * what JSON.parse can hold: what the store accepts, it can back up and restore.
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;

export function tooLarge(type: string, bytes: number, where = 'the event'): StoreError {
  return new StoreError('EVENT_TOO_LARGE', `${where} (${type}) is ${bytes} bytes encoded; the store takes at most ${MAX_EVENT_BYTES} bytes per event`, {
    details: { eventType: type, bytes, limit: MAX_EVENT_BYTES },
    hint: 'nothing was written; keep large content out of events (templates are limited to 1 MiB)',
  });
}

/** The stored bytes of an envelope (the size limit is the appender's: restore keeps old entries as they were). */
export function encodeEntry(event: StoredEvent): Buffer {
  const body = encode(event);
  const out = Buffer.allocUnsafe(HEAD + body.length);
  out[0] = TAG;
  out.writeUInt32BE(crc32(body), 1);
  out.set(body, HEAD);
  return out;
}

export const damaged = (seq: number, what: string): StoreError =>
  new StoreError('STORE_CORRUPT', `log entry ${seq} is damaged: ${what}`, {
    details: { seq },
    hint: 'nothing was changed; restore the store from a backup (`pygubu-db restore`)',
  });

/**
 * The envelope's msgpack bytes, checked: STORE_CORRUPT naming the seq when the checksum does not
 * match, or when an entry at or after `checksumsFrom` has none.
 */
export function entryBody(buf: Uint8Array, seq: number, checksumsFrom = 1): Uint8Array {
  if (buf.length >= HEAD && buf[0] === TAG) {
    const body = buf.subarray(HEAD);
    const want = Buffer.from(buf.buffer, buf.byteOffset, buf.length).readUInt32BE(1);
    if (crc32(body) !== want) throw damaged(seq, 'its checksum does not match (bit rot, or a changed file)');
    return body;
  }
  if (seq >= checksumsFrom) throw damaged(seq, `it has no checksum, and every entry from seq ${checksumsFrom} has one`);
  return buf;
}

/** Decode a stored entry, checked; its seq must be the one its key says. */
export function decodeEntry(buf: Uint8Array, seq: number, checksumsFrom = 1): StoredEvent {
  const body = entryBody(buf, seq, checksumsFrom);
  let event: StoredEvent;
  try {
    event = decode<StoredEvent>(body);
  } catch (cause) {
    throw damaged(seq, `not a readable envelope (${(cause as Error).message})`);
  }
  if (event === null || typeof event !== 'object' || event.seq !== seq) throw damaged(seq, 'the envelope does not belong to its key');
  return event;
}

export const seqOfLogKey = (key: string): number => seqFromHex(key.slice(LOG_PREFIX.length));
export const bodyLength = (entry: Buffer): number => (entry[0] === TAG ? entry.length - HEAD : entry.length);
export const isLogKey = (key: string): boolean => key.startsWith(LOG_PREFIX);
