/**
 * The floor of a write job, measured in the same run: the exact batches the store wrote (its own
 * keys and value bytes, batch by batch), written again into an empty raw classic-level with no store
 * code at all. What the store takes beyond that is its own CPU (envelopes, validation, folds,
 * encoding); the floor itself only moves with fewer or smaller keys.
 */
import type { Db } from '../../src/log/db.js';
import type { RawLevel } from './peers.js';

/** One recorded batch: its puts (value bytes) and deletes (null), in order. */
export type RecordedBatch = Array<[string, Buffer | null]>;

export interface Recording {
  batches: RecordedBatch[];
  /** Stop recording; the store's batches go straight to LevelDB again. */
  stop(): void;
  readonly keys: number;
  readonly bytes: number;
}

/** Record every chained batch the store writes from now on (the bench's instrument; the store does not know). */
export function recordBatches(db: Db): Recording {
  const original = db.batch.bind(db);
  const batches: RecordedBatch[] = [];
  let keys = 0;
  let bytes = 0;
  (db as { batch: unknown }).batch = (...args: unknown[]) => {
    if (args.length > 0) return (original as (...a: unknown[]) => unknown)(...args);
    const inner = original();
    const ops: RecordedBatch = [];
    batches.push(ops);
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'put') {
          return (key: string, value: Buffer) => {
            ops.push([key, Buffer.from(value)]);
            keys++;
            bytes += key.length + value.length;
            target.put(key, value);
            return receiver;
          };
        }
        if (prop === 'del') {
          return (key: string) => {
            ops.push([key, null]);
            keys++;
            target.del(key);
            return receiver;
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  return {
    batches,
    stop: () => {
      (db as { batch: unknown }).batch = original;
    },
    get keys() {
      return keys;
    },
    get bytes() {
      return bytes;
    },
  };
}

/** Write one recorded batch as one chained batch, as the store's writer does (`sync`: fsync it, as a store opened with sync does). */
export function writeBatch(level: RawLevel, ops: RecordedBatch, options: { sync?: boolean } = {}): Promise<void> {
  const batch = level.batch();
  for (const [key, value] of ops) {
    if (value === null) batch.del(key);
    else batch.put(key, value);
  }
  return batch.write(options.sync ? { sync: true } : {});
}

/** Write the recorded batches one after another (see writeBatch). */
export async function writeBatches(level: RawLevel, batches: readonly RecordedBatch[], options: { sync?: boolean } = {}): Promise<void> {
  for (const ops of batches) await writeBatch(level, ops, options);
}
