import type { AbstractBatchOperation } from 'abstract-level';
import { decode, encode } from './codec.js';
import type { Db } from './db.js';
import { VIEW_PREFIX } from './keys.js';

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

  constructor(
    private readonly db: Db,
    private readonly parent?: Overlay,
    private readonly cache?: RowCache,
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
    if (this.cache) {
      const hit = this.cache.get(key);
      if (hit !== undefined) return hit === DELETED ? undefined : (hit as T);
    }
    const buf = await this.db.get(key);
    const value = buf === undefined ? undefined : decode<T>(buf);
    if (this.cache && key.startsWith(VIEW_PREFIX)) this.cache.set(key, value === undefined ? DELETED : value);
    return value;
  }

  put(key: string, value: unknown): void {
    this.writes.set(key, value === undefined ? null : value);
  }

  del(key: string): void {
    this.writes.set(key, DELETED);
  }

  mergeIntoParent(): void {
    if (!this.parent) throw new Error('root overlay has no parent');
    for (const [k, v] of this.writes) this.parent.writes.set(k, v);
  }

  clear(): void {
    this.writes.clear();
  }

  toOps(): AbstractBatchOperation<Db, string, Buffer>[] {
    const ops: AbstractBatchOperation<Db, string, Buffer>[] = [];
    for (const [key, slot] of this.writes) {
      ops.push(slot === DELETED ? { type: 'del', key } : { type: 'put', key, value: encode(slot) });
    }
    return ops;
  }

  /** After the batch is durable: let the read cache see exactly the view rows that were written. */
  publish(): void {
    if (!this.cache) return;
    for (const [key, slot] of this.writes) if (key.startsWith(VIEW_PREFIX)) this.cache.set(key, slot);
  }
}

/**
 * Bounded cache of decoded rows, owned by the single writer of the store, so invalidation is exact:
 * every batch publishes the rows it wrote. Values are shared: callers must not mutate them.
 */
export class RowCache {
  private readonly map = new Map<string, Slot>();
  constructor(private readonly capacity: number) {}

  get(key: string): Slot | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: Slot): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  clear(): void {
    this.map.clear();
  }
}

export { DELETED };
