import { randomUUID } from 'node:crypto';
import { StoreError, ValidationError } from '../errors.js';
import type { EventRules } from '../domain/rules.js';
import type { ProjectionSet } from '../projections/projection.js';
import { decode } from './codec.js';
import { bodyLength, decodeEntry, encodeEntry, entryBody, MAX_EVENT_BYTES, tooLarge } from './entry.js';
import { assertExpectedVersion, type ExpectedVersion } from './concurrency.js';
import type { Db } from './db.js';
import { normaliseAt, type EventMeta, type KnownEvent, type NewEvent, type NewEventOfAnyType, type StoredEvent } from './envelope.js';
import { toJsonValue, wellFormed } from './json-value.js';
import {
  CHECKPOINT_KEY,
  idKey,
  LOG_PREFIX,
  logKey,
  prefixRange,
  seqFromHex,
  streamKey,
  streamPrefix,
  timeKey,
  TIME_PREFIX,
  typeKey,
  typePrefix,
  versionHex,
  SEP,
  HIGH,
} from './keys.js';
import { Overlay, readRow, type RowCache, type RowReader } from './overlay.js';
import type { SchemaRegistry } from './schema-registry.js';

type AnyNewEvent = NewEvent | NewEventOfAnyType;
/** Any stored event: what the explicit type parameter of a read may name. */
export type AnyStoredEvent = StoredEvent<string, unknown>;

export interface AppendOptions {
  /** One expectation for a single-stream batch, or one per stream. */
  expectedVersion?: ExpectedVersion | Record<string, ExpectedVersion>;
}

export interface Checkpoint {
  seq: number;
  projections: Record<string, number>;
}

export interface LogOptions {
  registry: SchemaRegistry;
  projections: ProjectionSet;
  /** fsync every batch (one fsync per group commit). */
  sync: boolean;
  cache?: RowCache;
  now?: () => Date;
  /** The domain rules (src/domain/rules.ts) every appended and replayed event is held to. */
  rules?: EventRules;
}

/** Where this store's log and views stand; only the writer changes it, after a batch is durable. */
interface LogState {
  head: number;
  versions: Map<string, number>;
}

/**
 * One request's view of the store while it runs inside a group commit: reads see the writes of
 * earlier requests in the same group, and its own appends only land if it returns without throwing.
 */
export class Transaction implements RowReader {
  readonly appended: StoredEvent[] = [];
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly log: EventLog,
    readonly overlay: Overlay,
    private head: number,
    private readonly parent?: Transaction,
  ) {}

  get<T>(key: string): Promise<T | undefined> {
    return this.overlay.get<T>(key);
  }

  get lastSeq(): number {
    return this.head;
  }

  async streamVersion(stream: string): Promise<number> {
    const own = this.versions.get(stream);
    if (own !== undefined) return own;
    if (this.parent) return this.parent.streamVersion(stream);
    return this.log.streamVersion(stream);
  }

  /** Append events atomically with the view rows they produce. Duplicate ids return the stored event. */
  append(events: NewEvent | readonly NewEvent[], options?: AppendOptions): Promise<KnownEvent[]> {
    return this.appendAny(events, options) as Promise<KnownEvent[]>;
  }

  /**
   * Append events of types registered at run time (plug-ins, `configure`): their data is checked by
   * the schema registered for them, not by TypeScript. Built-in types go through `append`.
   */
  appendCustom(events: NewEventOfAnyType | readonly NewEventOfAnyType[], options?: AppendOptions): Promise<StoredEvent[]> {
    return this.appendAny(events, options);
  }

  private async appendAny(input: AnyNewEvent | readonly AnyNewEvent[], options: AppendOptions = {}): Promise<StoredEvent[]> {
    const inputs = (Array.isArray(input) ? input : [input]) as readonly NewEventOfAnyType[];
    const expected = options.expectedVersion;
    if (expected !== undefined && typeof expected !== 'object' && new Set(inputs.map((e) => e.stream)).size > 1) {
      throw new StoreError('INVALID_ARGUMENT', 'a single expectedVersion needs every event in one stream; pass one per stream');
    }
    const { registry, projections } = this.log.options;
    await registry.ready();
    const out: StoredEvent[] = [];
    const checked = new Set<string>();
    for (const e of inputs) {
      if (e.id !== undefined) {
        const seq = await this.overlay.get<number>(idKey(e.id));
        if (seq !== undefined) {
          out.push(registry.upcast(await this.log.requireEvent(seq, this.overlay)));
          continue;
        }
      }
      const stream = e.stream;
      const current = await this.streamVersion(stream);
      if (!checked.has(stream)) {
        checked.add(stream);
        const exp = typeof expected === 'object' ? expected[stream] : expected;
        if (exp !== undefined) assertExpectedVersion(stream, exp, current);
      }
      const event = this.envelope(e, this.head + 1, current + 1);
      registry.validate(event);
      // one limit for every way in (append, load, migrate): what the store takes it can back up
      const bytes = encodeEntry(event);
      if (bodyLength(bytes) > MAX_EVENT_BYTES) throw tooLarge(event.type, bodyLength(bytes));
      const known = registry.upcast(event) as KnownEvent;
      this.log.options.rules?.checkAlone(known);
      await this.log.options.rules?.checkInViews(known, this.overlay, projections);
      this.head = event.seq;
      this.versions.set(stream, event.version);
      this.overlay.putEntry(logKey(event.seq), event, bytes);
      this.overlay.put(idKey(event.id), event.seq);
      this.overlay.put(streamKey(stream, event.version), event.seq);
      this.overlay.put(typeKey(event.type, event.seq), null);
      this.overlay.put(timeKey(event.at, event.seq), null);
      await projections.apply(known, this.overlay);
      this.appended.push(event);
      out.push(event);
    }
    return out;
  }

  private envelope(e: NewEventOfAnyType, seq: number, version: number): StoredEvent {
    const { registry, now } = this.log.options;
    const type = typeof e.type === 'string' ? e.type : String(e.type);
    const v = e.v ?? registry.latestVersion(type);
    if (v === undefined) {
      throw new StoreError('UNKNOWN_EVENT_TYPE', `unknown event type ${JSON.stringify(type)}`, { details: { eventType: type } });
    }
    let at: string | undefined;
    if (e.at === undefined) at = (now?.() ?? new Date()).toISOString();
    else if (typeof e.at === 'string') at = normaliseAt(e.at);
    if (at === undefined) throw new ValidationError(type, '/at', 'must be an ISO-8601 time');
    const meta = toJsonValue({ source: 'api', ...e.meta }, type, '/meta') as unknown as EventMeta;
    return {
      seq,
      id: e.id ?? randomUUID(),
      stream: typeof e.stream === 'string' ? wellFormed(e.stream, type, '/stream') : e.stream,
      version,
      type,
      v,
      at,
      data: toJsonValue(e.data, type, '/data') as Record<string, unknown>,
      meta,
    };
  }

  /** Called when the request succeeded: its writes become part of the group. */
  commitInto(parent: Transaction): void {
    this.overlay.mergeIntoParent();
    parent.head = this.head;
    for (const [s, v] of this.versions) parent.versions.set(s, v);
    parent.appended.push(...this.appended);
  }

  child(): Transaction {
    return new Transaction(this.log, this.overlay.child(), this.head, this);
  }

  /** @internal the root of a group hands its state to the log once the batch is durable. */
  publishTo(state: LogState): void {
    state.head = this.head;
    for (const [s, v] of this.versions) state.versions.set(s, v);
  }
}

interface Job {
  run(tx: Transaction): Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  exclusive?: () => Promise<unknown>;
}

const MAX_GROUP = 512;

/**
 * The append-only log. All writes go through one queue: concurrent requests are grouped into one
 * LevelDB batch (group commit), each request atomic on its own, and `seq` stays gapless.
 */
export class EventLog {
  private readonly state: LogState = { head: 0, versions: new Map() };
  /** Every log entry from this seq carries a checksum (m!format.checksumsFrom; older ones may not). */
  checksumsFrom = 1;
  private readonly queue: Job[] = [];
  private draining = false;
  private readonly durable = new Set<(head: number) => void>();

  private constructor(
    readonly db: Db,
    readonly options: LogOptions,
  ) {}

  static async open(db: Db, options: LogOptions & { checksumsFrom?: number }): Promise<EventLog> {
    const log = new EventLog(db, options);
    log.checksumsFrom = options.checksumsFrom ?? 1;
    log.state.head = await lastSeq(db);
    return log;
  }

  get head(): number {
    return this.state.head;
  }

  /** Call `listener` with the new head each time a batch is durable (subscriptions wait on it). */
  onDurable(listener: (head: number) => void): () => void {
    this.durable.add(listener);
    return () => this.durable.delete(listener);
  }

  /** Tell the listeners the head moved (after a commit, a rebuild or a restore). */
  notifyDurable(): void {
    for (const listener of [...this.durable]) listener(this.state.head);
  }

  /** Append one event or a batch of built-in types, atomically, with the inline view rows they produce. */
  append(events: NewEvent | readonly NewEvent[], options?: AppendOptions): Promise<KnownEvent[]> {
    return this.transact((tx) => tx.append(events, options));
  }

  /** `append` for event types registered at run time (plug-ins); see Transaction.appendCustom. */
  appendCustom(events: NewEventOfAnyType | readonly NewEventOfAnyType[], options?: AppendOptions): Promise<StoredEvent[]> {
    return this.transact((tx) => tx.appendCustom(events, options));
  }

  /**
   * Run a decision against the current state and append what it returns, as one atomic request:
   * nothing else writes between its reads and its append (the writer is serialised).
   */
  transact<T>(run: (tx: Transaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      void this.drain();
    });
  }

  /** Run work that needs the store to itself (rebuild, restore), between group commits. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: async () => undefined, exclusive: work, resolve: resolve as (v: unknown) => void, reject });
      void this.drain();
    });
  }

  /** Resolves once every request queued so far has settled. */
  async idle(): Promise<void> {
    await this.transact(async () => undefined);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const first = this.queue[0]!;
        if (first.exclusive) {
          this.queue.shift();
          await first.exclusive().then(first.resolve, first.reject);
          continue;
        }
        const end = this.queue.findIndex((j) => j.exclusive !== undefined);
        const group = this.queue.splice(0, Math.min(end === -1 ? this.queue.length : end, MAX_GROUP));
        await this.commitGroup(group);
      }
    } finally {
      this.draining = false;
    }
  }

  private async commitGroup(group: Job[]): Promise<void> {
    const root = new Transaction(this, new Overlay(this.db, undefined, this.options.cache), this.state.head);
    const done: Array<[Job, unknown]> = [];
    for (const job of group) {
      const tx = root.child();
      try {
        const value = await job.run(tx);
        tx.commitInto(root);
        done.push([job, value]);
      } catch (err) {
        job.reject(err);
      }
    }
    if (root.appended.length > 0) {
      const checkpoint: Checkpoint = { seq: root.lastSeq, projections: this.options.projections.versions() };
      root.overlay.put(CHECKPOINT_KEY, checkpoint);
    }
    if (root.overlay.size > 0) {
      try {
        await root.overlay.writeTo(this.db, { sync: this.options.sync });
      } catch (cause) {
        const err = ioError(cause, 'write to');
        for (const [job] of done) job.reject(err);
        return;
      }
      root.overlay.publish();
      root.publishTo(this.state);
      if (root.appended.length > 0) this.notifyDurable();
    }
    for (const [job, value] of done) job.resolve(value);
  }

  /** Current version of a stream (0 when it has no events). */
  async streamVersion(stream: string): Promise<number> {
    const known = this.state.versions.get(stream);
    if (known !== undefined) return known;
    const version = await this.lastStreamVersion(stream);
    this.state.versions.set(stream, version);
    return version;
  }

  /**
   * Versions are gapless from 1, so the last one is found by point reads (doubling, then bisecting):
   * a new stream costs one read, where an iterator seek cost a thread-pool round trip and more.
   */
  private async lastStreamVersion(stream: string): Promise<number> {
    const has = async (v: number) => (await readRow(this.db, streamKey(stream, v))) !== undefined;
    if (!(await has(1))) return 0;
    let lo = 1;
    let hi = 2;
    while (await has(hi)) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await has(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** @internal forget cached stream versions (after a restore replaced the files). */
  resetState(head: number): void {
    this.state.head = head;
    this.state.versions.clear();
    this.options.cache?.clear();
  }

  async requireEvent(seq: number, reader: RowReader = new Overlay(this.db)): Promise<StoredEvent> {
    const ev = await reader.get<StoredEvent>(logKey(seq));
    if (!ev) throw new StoreError('STORE_CORRUPT', `log entry ${seq} is missing`);
    return ev;
  }

  /**
   * One event by seq, upcast; undefined past the head. Reads are typed as the built-in events
   * (`KnownEvent`, narrowed by `type`); a store with plug-in types names them: `get<MyEvent | KnownEvent>(seq)`.
   */
  async get<E extends AnyStoredEvent = KnownEvent>(seq: number): Promise<E | undefined> {
    const buf = await this.db.get(logKey(seq));
    return buf === undefined ? undefined : (this.options.registry.upcast(decodeEntry(buf, seq, this.checksumsFrom)) as unknown as E);
  }

  /** Find a stored event by its id. */
  async getById<E extends AnyStoredEvent = KnownEvent>(id: string): Promise<E | undefined> {
    const seq = await this.db.get(idKey(id));
    return seq === undefined ? undefined : this.get<E>(decode<number>(seq));
  }

  /**
   * The whole log (or a seq range) in order, upcast. Reads in large chunks for replay speed. Each
   * entry's checksum is checked: a damaged one throws STORE_CORRUPT naming its seq, unless
   * `onDamaged` is given (verify), which is told and the entry skipped.
   */
  readAll<E extends AnyStoredEvent = KnownEvent>(
    options: { fromSeq?: number; toSeq?: number; limit?: number; raw?: boolean; onDamaged?: (seq: number, err: StoreError) => void } = {},
  ): AsyncGenerator<E> {
    return this.readAllEvents(options) as unknown as AsyncGenerator<E>;
  }

  private async *readAllEvents(
    options: { fromSeq?: number; toSeq?: number; limit?: number; raw?: boolean; onDamaged?: (seq: number, err: StoreError) => void },
  ): AsyncGenerator<StoredEvent> {
    const range = {
      gte: logKey(Math.max(1, options.fromSeq ?? 1)),
      ...(options.toSeq === undefined ? { lt: LOG_PREFIX + HIGH } : { lte: logKey(options.toSeq) }),
    };
    const it = this.db.iterator({ ...range, limit: options.limit ?? -1, highWaterMarkBytes: 1 << 20 } as never);
    try {
      for (;;) {
        const entries = await it.nextv(1000);
        if (entries.length === 0) break;
        for (const [key, value] of entries) {
          const seq = seqFromHex((key as string).slice(LOG_PREFIX.length));
          let ev: StoredEvent;
          try {
            ev = decodeEntry(value as Buffer, seq, this.checksumsFrom);
          } catch (err) {
            if (!options.onDamaged || !(err instanceof StoreError)) throw err;
            options.onDamaged(seq, err);
            continue;
          }
          yield options.raw ? ev : this.options.registry.upcast(ev);
        }
      }
    } finally {
      await it.close();
    }
  }

  /** A stream's events, forward or backward, from a version. */
  async readStream<E extends AnyStoredEvent = KnownEvent>(
    stream: string,
    options: { direction?: 'forward' | 'backward'; fromVersion?: number; limit?: number } = {},
  ): Promise<E[]> {
    const backward = options.direction === 'backward';
    const prefix = streamPrefix(stream);
    const range =
      options.fromVersion === undefined
        ? prefixRange(prefix)
        : backward
          ? { gte: prefix, lte: prefix + versionHex(options.fromVersion) }
          : { gte: prefix + versionHex(options.fromVersion), lt: prefix + HIGH };
    const seqs: number[] = [];
    for await (const value of this.db.values({ ...range, reverse: backward, limit: options.limit ?? -1 })) {
      seqs.push(decode<number>(value));
    }
    return this.getMany(seqs);
  }

  /** Events of one type, in log order. */
  async readByType<E extends AnyStoredEvent = KnownEvent>(type: E['type'], options: { fromSeq?: number; limit?: number } = {}): Promise<E[]> {
    const prefix = typePrefix(type);
    const seqs: number[] = [];
    const from = options.fromSeq === undefined ? prefix : typeKey(type, options.fromSeq);
    for await (const key of this.db.keys({ gte: from, lt: prefix + HIGH, limit: options.limit ?? -1 })) {
      seqs.push(seqFromHex(key.slice(prefix.length)));
    }
    return this.getMany(seqs);
  }

  /** Events whose `at` lies in [since, until), in time order. */
  async readByTime<E extends AnyStoredEvent = KnownEvent>(options: { since?: string; until?: string; limit?: number } = {}): Promise<E[]> {
    const since = options.since === undefined ? undefined : normaliseAt(options.since);
    const until = options.until === undefined ? undefined : normaliseAt(options.until);
    const seqs: number[] = [];
    for await (const key of this.db.keys({
      gte: TIME_PREFIX + (since ?? ''),
      lt: TIME_PREFIX + (until ?? HIGH),
      limit: options.limit ?? -1,
    })) {
      seqs.push(seqFromHex(key.slice(key.lastIndexOf(SEP) + 1)));
    }
    return this.getMany(seqs);
  }

  private async getMany<E>(seqs: number[]): Promise<E[]> {
    if (seqs.length === 0) return [];
    const values = await this.db.getMany(seqs.map(logKey));
    return values.map((buf, i) => {
      if (buf === undefined) throw new StoreError('STORE_CORRUPT', `log entry ${seqs[i]} is missing`);
      return this.options.registry.upcast(decodeEntry(buf, seqs[i]!, this.checksumsFrom)) as unknown as E;
    });
  }

  /** Check every entry's checksum without decoding it (before a rebuild drops the views). */
  async checkEntries(): Promise<void> {
    const it = this.db.iterator({ gte: LOG_PREFIX, lt: LOG_PREFIX + HIGH, highWaterMarkBytes: 1 << 20 } as never);
    try {
      for (;;) {
        const entries = await it.nextv(1000);
        if (entries.length === 0) break;
        for (const [key, value] of entries) entryBody(value as Buffer, seqFromHex((key as string).slice(LOG_PREFIX.length)), this.checksumsFrom);
      }
    } finally {
      await it.close();
    }
  }


  /** The checkpoint; undefined when absent or not a checkpoint at all (open then rebuilds every view). */
  async checkpoint(): Promise<Checkpoint | undefined> {
    const buf = await this.db.get(CHECKPOINT_KEY);
    if (buf === undefined) return undefined;
    let value: unknown;
    try {
      value = decode(buf);
    } catch {
      return undefined;
    }
    return isCheckpoint(value) ? value : undefined;
  }
}

const isCheckpoint = (v: unknown): v is Checkpoint => {
  const c = v as Checkpoint | null;
  return (
    typeof c === 'object' && c !== null && Number.isSafeInteger(c.seq) && c.seq >= 0 &&
    typeof c.projections === 'object' && c.projections !== null && !Array.isArray(c.projections) &&
    Object.values(c.projections).every((n) => typeof n === 'number')
  );
};

export async function lastSeq(db: Db): Promise<number> {
  for await (const key of db.keys({ gte: LOG_PREFIX, lt: LOG_PREFIX + HIGH, reverse: true, limit: 1 })) {
    return seqFromHex(key.slice(LOG_PREFIX.length));
  }
  return 0;
}

export function ioError(cause: unknown, verb: string): StoreError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new StoreError('STORE_IO', `could not ${verb} the store: ${message}`, { cause });
}

