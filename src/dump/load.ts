import { StoreError } from '../errors.js';
import type { StoredEvent } from '../log/envelope.js';
import type { Transaction } from '../log/event-log.js';
import { idKey } from '../log/keys.js';
import type { SchemaRegistry } from '../log/schema-registry.js';
import type { Store } from '../store.js';
import { IncomingEvents, refusedAt } from './check.js';
import { dumpRecords, readDump, type DumpEncoding, type DumpHeader, type DumpSummary, type Position } from './format.js';

export type LoadPhase = 'checking' | 'copying' | 'loading';

export interface LoadOptions {
  encoding?: DumpEncoding;
  /** Progress of the checking pass (in bytes), then of the writing pass (in events). */
  onProgress?: (phase: LoadPhase, done: number, total: number) => void;
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
  /** `batch`: one LevelDB batch in the open store; `beside`: a copy built beside it and swapped in. */
  strategy: 'batch' | 'beside';
  ms: number;
}

const CHUNK = 1000;

/**
 * Load a dump into an open store: check ALL of it first (structure, every envelope and its data
 * schema, the trailer's count and sha256), then append the events whose ids are new here, keeping
 * id, stream, type, v, at, data and meta, in ONE transaction, so ONE LevelDB batch: either every
 * new event lands with its view rows, or none does. The batch is built in memory (README gives the
 * cost); `loadDumpBeside` keeps memory flat for big dumps.
 */
export async function loadDump(store: Store, path: string, options: LoadOptions = {}): Promise<LoadReport> {
  const started = performance.now();
  const summary = await checkDump(store.registry, path, options);
  const result = await store.transact(async (tx) => {
    const loader = new NewEventAppender(summary.count, options);
    for await (const chunk of chunksOf(path, summary)) await loader.take(tx, chunk);
    return loader.report();
  });
  return { header: summary.header, events: summary.count, ...result, strategy: 'batch', ms: performance.now() - started };
}

/** Pass one: everything a dump must satisfy before a single key is written. */
export async function checkDump(registry: SchemaRegistry, path: string, options: LoadOptions = {}): Promise<DumpSummary> {
  await registry.ready();
  const incoming = new IncomingEvents(registry);
  const summary = await readDump(path, {
    ...(options.encoding ? { encoding: options.encoding } : {}),
    onEvent: (event, where, bytes) => {
      incoming.check(event, where, bytes);
    },
    ...(options.onProgress ? { onProgress: (read: number, size: number) => options.onProgress!('checking', read, size) } : {}),
  });
  return summary;
}

/** One event of a checked dump and where it stands in the file. */
export interface DumpEvent {
  event: StoredEvent;
  where: Position;
}

/** The checked dump's events again, in chunks. */
export async function* chunksOf(path: string, summary: DumpSummary): AsyncGenerator<DumpEvent[]> {
  let chunk: DumpEvent[] = [];
  for await (const { value, where } of dumpRecords(path, summary)) {
    chunk.push({ event: value as unknown as StoredEvent, where });
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Pass two, one chunk at a time, inside whatever transaction the caller holds: skip ids already
 * present, apply the stream rule, append the rest.
 *
 * Stream rule: a stream that already has events here only takes the dump's events if this store's
 * stream stands exactly where the source's did before the first new event (version V-1 here for
 * an event at version V there); otherwise the histories have diverged and the load is refused with
 * LOAD_CONFLICT. A stream new to this store starts at version 1, so filtered dumps load into a
 * fresh store.
 */
export class NewEventAppender {
  private loaded = 0;
  private skipped = 0;
  private done = 0;
  private firstSeq: number | null = null;
  private lastSeq: number | null = null;
  private readonly seen = new Set<string>();

  constructor(
    private readonly total: number,
    private readonly options: LoadOptions,
  ) {}

  async take(tx: Transaction, chunk: readonly DumpEvent[]): Promise<void> {
    for (const { event, where } of chunk) {
      this.done++;
      if ((await tx.get(idKey(event.id))) !== undefined) {
        this.skipped++;
        continue;
      }
      if (!this.seen.has(event.stream)) {
        this.seen.add(event.stream);
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
      // One event at a time, so that a rule it breaks against the views (a taken project name, a
      // version not newer) is reported with its line or offset; the transaction is still one batch.
      let stored: StoredEvent[];
      try {
        stored = await tx.append({ id: event.id, stream: event.stream, type: event.type, v: event.v, at: event.at, data: event.data, meta: event.meta });
      } catch (err) {
        throw refusedAt(where, event, err);
      }
      this.firstSeq ??= stored[0]!.seq;
      this.lastSeq = stored[0]!.seq;
      this.loaded++;
    }
    this.options.onProgress?.('loading', this.done, this.total);
  }

  report(): { loaded: number; skipped: number; firstSeq: number | null; lastSeq: number | null } {
    return { loaded: this.loaded, skipped: this.skipped, firstSeq: this.firstSeq, lastSeq: this.lastSeq };
  }
}
