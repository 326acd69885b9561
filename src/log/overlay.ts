import type { AbstractBatchOperation } from 'abstract-level';
import { decode, encode } from './codec.js';
import type { Db } from './db.js';
import { decodeEntry, encodeEntry, isLogKey, seqOfLogKey } from './entry.js';
import type { StoredEvent } from './envelope.js';
import { HIGH, VIEW_PREFIX } from './keys.js';

const DELETED = Symbol('deleted');
type Slot = unknown | typeof DELETED;

/** Reads a decoded row; undefined when absent. */
export interface RowReader {
  get<T>(key: string): Promise<T | undefined>;
}

/**
 * Pending writes layered over the database: reads see earlier writes of the same batch first.
 * A child overlay is one request inside a group commit; it merges into its parent only when the
 * request succeeded, so a failed request leaves nothing behind.
 */
export class Overlay implements RowReader {
  private readonly writes = new Map<string, Slot>();
  /** Log entries already encoded (with their checksum) when they were appended. */
  private readonly encoded = new Map<string, Buffer>();

  constructor(
    private readonly db: Db,
    private readonly parent?: Overlay,
    private readonly cache?: RowCache,
    /** Keys the database may hold; a key it rules out is answered without a read (replay). */
    private readonly written?: KeyFilter,
  ) {}

  child(): Overlay {
    return new Overlay(this.db, this, this.cache);
  }

  get size(): number {
    return this.writes.size;
  }

  async get<T>(key: string): Promise<T | undefined> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    for (let o: Overlay | undefined = this; o; o = o.parent) {
      const slot = o.writes.get(key);
      if (slot !== undefined) return slot === DELETED ? undefined : (slot as T);
    }
    if (this.written && !this.written.mayHave(key)) return undefined;
    const cache = this.cache !== undefined && key.startsWith(VIEW_PREFIX) ? this.cache : undefined;
    if (cache) {
      const hit = cache.get(key);
      if (hit !== undefined) return hit === DELETED ? undefined : (hit as T);
    }
    const stamp = cache?.stamp;
    const buf = await readRow(this.db, key);
    const value = buf === undefined ? undefined : isLogKey(key) ? (decodeEntry(buf, seqOfLogKey(key), Infinity) as T) : decode<T>(buf);
    if (cache) cache.fill(key, value === undefined ? DELETED : value, stamp!);
    return value;
  }

  /** Every key that starts with `prefix`, as this overlay sees them (pending writes over the database), sorted. */
  async keys(prefix: string): Promise<string[]> {
    const found = new Set<string>();
    for await (const key of this.db.keys({ gte: prefix, lt: prefix + HIGH })) found.add(key);
    const chain: Overlay[] = [];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    for (let o: Overlay | undefined = this; o; o = o.parent) chain.unshift(o);
    for (const o of chain) {
      for (const [key, slot] of o.writes) {
        if (!key.startsWith(prefix)) continue;
        if (slot === DELETED) found.delete(key);
        else found.add(key);
      }
    }
    return [...found].sort();
  }

  put(key: string, value: unknown): void {
    this.writes.set(key, value === undefined ? null : value);
  }

  /** A log entry with its stored bytes (encodeEntry), so the batch does not encode it again. */
  putEntry(key: string, event: StoredEvent, bytes: Buffer): void {
    this.writes.set(key, event);
    this.encoded.set(key, bytes);
  }

  private bytesOf(key: string, slot: unknown): Buffer {
    return isLogKey(key) ? (this.encoded.get(key) ?? encodeEntry(slot as StoredEvent)) : encode(slot);
  }

  del(key: string): void {
    this.writes.set(key, DELETED);
  }

  mergeIntoParent(): void {
    if (!this.parent) throw new Error('root overlay has no parent');
    for (const [k, v] of this.writes) this.parent.writes.set(k, v);
    for (const [k, b] of this.encoded) this.parent.encoded.set(k, b);
  }

  clear(): void {
    this.writes.clear();
    this.encoded.clear();
  }

  /**
   * Write every pending row in one atomic batch. A chained batch hands each op straight to the
   * native batch: about twice the keys per second of an array batch, which copies every op first.
   */
  async writeTo(db: Db, options?: object): Promise<void> {
    const batch = db.batch();
    for (const [key, slot] of this.writes) {
      this.written?.add(key);
      if (slot === DELETED) batch.del(key);
      else batch.put(key, this.bytesOf(key, slot));
    }
    await batch.write(options as never);
  }

  toOps(): AbstractBatchOperation<Db, string, Buffer>[] {
    const ops: AbstractBatchOperation<Db, string, Buffer>[] = [];
    for (const [key, slot] of this.writes) {
      ops.push(slot === DELETED ? { type: 'del', key } : { type: 'put', key, value: this.bytesOf(key, slot) });
    }
    return ops;
  }

  /** After the batch is durable: let the read cache see exactly what was written to the views. */
  publish(): void {
    if (!this.cache) return;
    this.cache.invalidate();
    for (const [key, slot] of this.writes) if (key.startsWith(VIEW_PREFIX)) this.cache.set(key, slot);
  }
}

/**
 * A Bloom filter over the keys a replay has written to a target that started empty: a fold's read
 * of a key never written (a new project, a first counter) is answered "absent" from memory, and
 * only the rare false positive (~1%) or a key really written earlier costs a database read.
 */
export class KeyFilter {
  private bits: Uint32Array;
  private count = 0;

  constructor(private capacity = 1 << 20) {
    this.bits = new Uint32Array(this.bitCount() >>> 5);
  }

  private bitCount(): number {
    // ~10 bits per key, 3 probes: about 1% false positives at capacity.
    return Math.max(1024, 2 ** Math.ceil(Math.log2(this.capacity * 10)));
  }

  add(key: string): void {
    if (this.count >= this.capacity) this.grow();
    this.count++;
    this.set(key);
  }

  mayHave(key: string): boolean {
    const [h1, h2] = hashes(key);
    const mask = this.bits.length * 32 - 1;
    for (let i = 0; i < 3; i++) {
      const bit = (h1 + i * h2) & mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** A full filter cannot be re-hashed without its keys: it is replaced by one that says "maybe" to everything. */
  private grow(): void {
    this.capacity = Infinity;
    this.bits = new Uint32Array(1).fill(0xffffffff);
  }

  private set(key: string): void {
    if (this.capacity === Infinity) return;
    const [h1, h2] = hashes(key);
    const mask = this.bits.length * 32 - 1;
    for (let i = 0; i < 3; i++) {
      const bit = (h1 + i * h2) & mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }
}

/** Two 32-bit FNV-1a style hashes of a string (double hashing gives the probes). */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  return [a >>> 0, (b | 1) >>> 0];
}

/**
 * One row's bytes. A synchronous get (classic-level, memory-level) answers from LevelDB's memtable
 * and block cache in a few microseconds, where an async get pays a thread-pool round trip each.
 */
export function readRow(db: Db, key: string): Buffer | undefined | Promise<Buffer | undefined> {
  return (db.supports as { getSync?: boolean }).getSync ? db.getSync(key) : db.get(key);
}

/**
 * Bounded cache of decoded view rows, owned by the single writer of the store, so invalidation is
 * exact: every batch publishes the view rows it wrote. Values are shared: callers must not mutate
 * them. Two generations instead of a strict LRU: a hit in the old one moves the row to the young
 * one, and when the young one is full the old one is dropped whole — O(1) per write, where evicting
 * one Map entry at a time made every publish of a big batch crawl.
 */
export class RowCache {
  private young = new Map<string, Slot>();
  private old = new Map<string, Slot>();
  private readonly half: number;
  private epoch = 0;

  constructor(capacity: number) {
    this.half = Math.max(1, Math.ceil(capacity / 2));
  }

  get(key: string): Slot | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) this.insert(key, old);
    return old;
  }

  /** The writer's value for a key (after its batch is durable). */
  set(key: string, value: Slot): void {
    this.insert(key, value);
  }

  /** Changes on every publish: a reader's fill that started before it is stale and dropped. */
  get stamp(): number {
    return this.epoch;
  }

  invalidate(): void {
    this.epoch++;
  }

  /** A reader's value from the database, kept only if no batch was published since `stamp`. */
  fill(key: string, value: Slot, stamp: number): void {
    if (stamp === this.epoch) this.insert(key, value);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.epoch++;
  }

  private insert(key: string, value: Slot): void {
    this.young.set(key, value);
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}

export { DELETED };
