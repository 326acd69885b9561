import { StoreError } from '../errors.js';
import type { NewEventOfAnyType, StoredEvent } from '../log/envelope.js';
import { idKey } from '../log/keys.js';
import { DELETED } from '../log/overlay.js';
import type { Progress } from '../projections/replay.js';
import type { Store } from '../store.js';
import { dumpEvents, readDump, type DumpEncoding, type DumpHeader } from './format.js';

export interface LoadOptions {
  encoding?: DumpEncoding;
  /** Progress of the checking pass (in bytes), then of the writing pass (in events). */
  onProgress?: (phase: 'checking' | 'loading', done: number, total: number) => void;
}

export interface LoadReport {
  header: DumpHeader;
  /** Events in the dump. */
  events: number;
  /** Appended to this store (new seq numbers). */
  loaded: number;
  /** Already present here (same event id), so left alone. */
  skipped: number;
  /** Seq range the loaded events got here; null when nothing was loaded. */
  firstSeq: number | null;
  lastSeq: number | null;
  ms: number;
}

const APPEND_CHUNK = 1000;

/**
 * Load a dump: check ALL of it first (structure, every envelope and its data schema, the trailer's
 * count and sha256), then append the events whose ids are new here, keeping id, stream, type, v,
 * at, data and meta, in ONE transaction, so ONE LevelDB batch: either every new event lands with
 * its view rows, or none does. The batch is built in memory (see README for the cost).
 *
 * Stream rule: a stream that already has events here only takes the dump's events if this store's
 * stream stands exactly where the source's did before the first new event (version V-1 here for
 * an event at version V there); otherwise the histories have diverged and the load is refused with
 * LOAD_CONFLICT. A stream new to this store starts at version 1, so filtered dumps load into a
 * fresh store.
 */
export async function loadDump(store: Store, path: string, options: LoadOptions = {}): Promise<LoadReport> {
  const started = performance.now();
  const { registry } = store;
  await registry.ready();
  const ids = new Set<string>();
  const summary = await readDump(path, {
    ...(options.encoding ? { encoding: options.encoding } : {}),
    onEvent: (event) => {
      registry.validate(event as unknown as StoredEvent);
      const id = event.id as string;
      if (ids.has(id)) throw new Error(`event id ${id} appears twice`);
      ids.add(id);
    },
    ...(options.onProgress ? { onProgress: (read: number, size: number) => options.onProgress!('checking', read, size) } : {}),
  });
  ids.clear();

  const total = summary.count;
  const result = await store.transact(async (tx) => {
    let loaded = 0;
    let skipped = 0;
    let done = 0;
    let firstSeq: number | null = null;
    let lastSeq: number | null = null;
    const seen = new Set<string>();
    let batch: NewEventOfAnyType[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const stored = await tx.append(batch);
      firstSeq ??= stored[0]!.seq;
      lastSeq = stored[stored.length - 1]!.seq;
      loaded += stored.length;
      batch = [];
    };
    const take = async (event: StoredEvent) => {
      done++;
      if ((await tx.get(idKey(event.id))) !== undefined) {
        skipped++;
        return;
      }
      if (!seen.has(event.stream)) {
        seen.add(event.stream);
        const here = await tx.streamVersion(event.stream);
        if (here !== 0 && here !== event.version - 1) {
          throw new StoreError(
            'LOAD_CONFLICT',
            `stream ${event.stream} is at version ${here} here, but the dump's first new event for it (id ${event.id}) was version ${event.version} in its source`,
            {
              details: { stream: event.stream, here, dumpVersion: event.version, id: event.id },
              hint: 'the store and the dump have diverging histories for this stream; nothing was written',
            },
          );
        }
      }
      batch.push({ id: event.id, stream: event.stream, type: event.type, v: event.v, at: event.at, data: event.data, meta: event.meta });
      if (batch.length >= APPEND_CHUNK) await flush();
      if (done % 5000 === 0) options.onProgress?.('loading', done, total);
    };
    let chunk: StoredEvent[] = [];
    for await (const e of dumpEvents(path, summary)) {
      chunk.push(e as unknown as StoredEvent);
      if (chunk.length < APPEND_CHUNK) continue;
      await prefetchIds(store, chunk);
      for (const event of chunk) await take(event);
      chunk = [];
    }
    await prefetchIds(store, chunk);
    for (const event of chunk) await take(event);
    await flush();
    options.onProgress?.('loading', total, total);
    return { loaded, skipped, firstSeq, lastSeq };
  });
  return { header: summary.header, events: summary.count, ...result, ms: performance.now() - started };
}

/**
 * Look up a chunk of ids with one getMany and tell the writer's row cache which are absent, as
 * Overlay.get does one key at a time: the id checks of the append that follows then cost no
 * LevelDB round trip each (they dominate the time of a load otherwise). Only the writer changes
 * the database and this runs inside its transaction, so "absent" stays true until the append.
 */
async function prefetchIds(store: Store, events: readonly StoredEvent[]): Promise<void> {
  const cache = store.log.options.cache;
  if (!cache || events.length === 0) return;
  const keys = events.map((e) => idKey(e.id));
  const found = await store.db.getMany(keys);
  for (let i = 0; i < keys.length; i++) if (found[i] === undefined) cache.set(keys[i]!, DELETED);
}
