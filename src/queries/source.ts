import type { Db } from '../log/db.js';
import { decode } from '../log/codec.js';
import { SEP, prefixRange, viewPrefix } from '../log/keys.js';

/**
 * Where queries read views from: the store (through its read cache) or an in-memory
 * materialisation for `--as-of`. Point reads go through `get`; ranges through `db`.
 */
export interface ViewSource {
  readonly db: Db;
  get<T>(key: string): Promise<T | undefined>;
}

/** Reads of one projection's rows by their keys inside `v!<name>!`. */
export class ViewReader {
  readonly prefix: string;
  constructor(
    readonly source: ViewSource,
    projection: string,
  ) {
    this.prefix = viewPrefix(projection);
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.source.get<T>(this.prefix + key);
  }

  async getAll<T>(keys: readonly string[]): Promise<T[]> {
    const rows = await Promise.all(keys.map((k) => this.get<T>(k)));
    return rows.filter((r): r is Awaited<T> => r !== undefined) as T[];
  }

  /** Keys (without the view prefix) under `prefix`, in order. */
  async keys(prefix: string, options: { limit?: number; reverse?: boolean; after?: string } = {}): Promise<string[]> {
    const range = prefixRange(this.prefix + prefix);
    const out: string[] = [];
    const cut = this.prefix.length;
    const gt = options.after === undefined ? undefined : this.prefix + options.after;
    for await (const key of this.source.db.keys({
      ...(gt ? { gt, lt: range.lt } : range),
      reverse: options.reverse ?? false,
      limit: options.limit ?? -1,
    })) {
      out.push(key.slice(cut));
    }
    return out;
  }

  /** Decoded values under `prefix`, in key order; `from`: start at that key (inclusive). */
  async values<T>(prefix: string, options: { limit?: number; reverse?: boolean; from?: string } = {}): Promise<T[]> {
    const range = prefixRange(this.prefix + prefix);
    if (options.from !== undefined) range.gte = this.prefix + options.from;
    // one nextv-backed all() instead of an async step per row
    const values = await this.source.db.values({ ...range, reverse: options.reverse ?? false, limit: options.limit ?? -1 }).all();
    return values.map((v) => decode<T>(v));
  }
}

/** The last \0-separated part of an index key: the id it points at. */
export const lastPart = (key: string): string => key.slice(key.lastIndexOf(SEP) + 1);
