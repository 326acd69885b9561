import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromLevelError, StoreError } from './errors.js';
import { decode, encode } from './log/codec.js';
import { createMemoryDb, DB_OPTIONS, type Db } from './log/db.js';
import type { KnownEvent, NewEvent, NewEventOfAnyType, StoredEvent } from './log/envelope.js';
import { EventLog, ioError, lastSeq, type AppendOptions, type Transaction } from './log/event-log.js';
import { CHECKPOINT_KEY, DAMAGE_KEY, FORMAT_KEY, HIGH, prefixRange, viewPrefix } from './log/keys.js';
import { Overlay, RowCache } from './log/overlay.js';
import { SchemaRegistry } from './log/schema-registry.js';
import { defaultStoreLocation } from './paths.js';
import { claimAsStore, clearForSibling, markSibling, recoverInterruptedRestore, removeOwnSibling, restoredPath, stagingPath } from './dump/swap.js';
import { syncDir } from './dump/sink.js';
import { assertSafeLocation, inspectLocation, newMarker, notAStore, writeMarker, type Inspected, type StoreMarker } from './store-location.js';
import { BUILT_IN_PROJECTIONS, ProjectionSet, type Projection } from './projections/index.js';
import { replayInto, type AsOf, type BrokenRule, type Progress } from './projections/replay.js';
import { DOMAIN_RULES } from './domain/rules.js';
import { verifyStore, type VerifyReport } from './projections/verify.js';
import { createViews, type ViewSource, type Views } from './queries/index.js';
import * as projectCommands from './domain/projects.js';
import { templateMarketplace } from './domain/marketplace.js';
import { accountCommands } from './domain/accounts.js';
import type { ProjectRow } from './projections/projects.js';
import { subscribeLog, type LogSubscription } from './log/subscribe.js';

/**
 * 2: log entries carry a checksum (from `m!format.checksumsFrom`).
 * 3: the views' layout of this release (`name!` holds the project row: one read per lookup).
 * An older store is upgraded on open (upgradeStore: backup beside it, views rebuilt in a copy, swap).
 */
export const STORE_FORMAT = 3;

/** The persistent database: a Db that can also compact and measure itself (classic-level). */
type StoreDb = Db & {
  approximateSize(start: string, end: string): Promise<number>;
  compactRange(start: string, end: string): Promise<void>;
};

const SYNC = { sync: true } as object;

export interface OpenStoreOptions {
  /** LevelDB directory; default `~/.pygubuai/store` (`$PYGUBUAI_HOME/store`). */
  location?: string;
  /** Create the store when it does not exist (default true; the CLI's read commands say false). */
  createIfMissing?: boolean;
  /**
   * How long to wait for another process's lock before STORE_BUSY (default 5000 ms). The library
   * reads no environment variable for it; the CLI passes `PYGUBUAI_LOCK_TIMEOUT_MS`.
   */
  lockTimeoutMs?: number;
  /** fsync each batch (default true). Group commit shares one fsync among concurrent appends. */
  sync?: boolean;
  /** Decoded view rows kept in memory (default 10,000; 0 disables the read cache). */
  cacheSize?: number;
  /** Extra projections (plug-ins, tests); they are rebuilt on open when new or changed. */
  projections?: readonly Projection[];
  /** Extra schemas and upcasters, registered before anything is read. */
  configure?: (registry: SchemaRegistry) => void | Promise<void>;
  /** Progress of a rebuild that open has to run. */
  onProgress?: (label: string, done: number, total: number) => void;
  /**
   * A read-only command: the open does not clean up what an interrupted restore left beside the
   * store (a writer does that), so reading never deletes anything.
   */
  readOnly?: boolean;
  /** @internal a copy built beside the store at `of` (restore, big load): marked so on creation. */
  sibling?: StoreMarker['sibling'];
}

/** The views as they stood at an earlier point, in memory: close them (or `await using`) when done. */
export type AsOfViews = Views & {
  /** How many events were folded. */
  events: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

export interface StoreStats {
  location: string;
  events: number;
  projects: number;
  workflowEvents: number;
  activeProject: string | null;
  projections: Record<string, number>;
  approximateBytes: number;
}

export interface RebuildReport {
  projections: string[];
  events: number;
  ms: number;
  /** Events of the log that break a domain rule (folded as they are; `verify` lists them too). */
  broken: BrokenRule[];
}

export interface RebuildOptions {
  /** Stop at the first event that breaks a domain rule (restore builds its new store this way). */
  strict?: boolean;
}

const DEFAULT_LOCK_TIMEOUT_MS = 5000;

/**
 * The store: an event log with inline projections, and the typed operations of the CLI.
 * Writes are commands → events → one atomic batch with their view rows; reads are queries on views.
 */
export class Store {
  readonly views: Views;
  /** What LevelDB reported dropping from its write-ahead log during this open (see noteLostWrites). */
  lostOnOpen: readonly string[] = [];
  private closed = false;

  private constructor(
    readonly location: string,
    /** @internal the raw LevelDB: writes here bypass the log and its checks. */
    readonly db: StoreDb,
    readonly log: EventLog,
    readonly registry: SchemaRegistry,
    readonly projections: ProjectionSet,
    private readonly cache: RowCache | undefined,
  ) {
    const source: ViewSource = { db, get: (key) => new Overlay(db, undefined, cache).get(key) };
    this.views = createViews(source);
  }

  /** @internal use openStore */
  static async create(options: OpenStoreOptions = {}): Promise<Store> {
    const location = resolve(options.location ?? defaultStoreLocation());
    const { db, found } = await openDb(location, options);
    let format: FormatRecord & { checksumsFrom: number };
    try {
      format = await checkFormat(db, location, found);
    } catch (err) {
      await db.close().catch(() => {});
      throw fromLevelError(err, location);
    }
    if (format.version < STORE_FORMAT && !options.sibling) {
      try {
        await upgradeStore(location, db, format, options);
      } catch (err) {
        await db.close().catch(() => {});
        throw fromLevelError(err, location);
      }
      return Store.create(options);
    }
    try {
      const { checksumsFrom } = format;
      const lost = await noteLostWrites(db, location);
      const registry = new SchemaRegistry();
      await options.configure?.(registry);
      const projections = new ProjectionSet([...BUILT_IN_PROJECTIONS, ...(options.projections ?? [])]);
      const cacheSize = options.cacheSize ?? 10_000;
      const cache = cacheSize > 0 ? new RowCache(cacheSize) : undefined;
      const log = await EventLog.open(db, { registry, projections, rules: DOMAIN_RULES, sync: options.sync ?? true, checksumsFrom, ...(cache ? { cache } : {}) });
      const store = new Store(location, db, log, registry, projections, cache);
      store.lostOnOpen = lost;
      await store.catchUp(options.onProgress);
      return store;
    } catch (err) {
      await db.close().catch(() => {});
      throw fromLevelError(err, location);
    }
  }

  /** Rebuild projections that are new, changed (version) or behind the log — e.g. after an upgrade. */
  private async catchUp(onProgress?: OpenStoreOptions['onProgress']): Promise<void> {
    const checkpoint = await this.log.checkpoint();
    const behind = (checkpoint?.seq ?? 0) !== this.log.head;
    const stale = this.projections.all.filter((p) => behind || checkpoint?.projections[p.name] !== p.version).map((p) => p.name);
    if (stale.length === 0) return;
    if (this.log.head === 0) {
      await this.db.put(CHECKPOINT_KEY, encode({ seq: 0, projections: this.projections.versions() }));
      return;
    }
    await this.rebuild(stale, onProgress ? (d, t) => onProgress(`rebuilding ${stale.join(', ')}`, d, t) : undefined);
  }

  // ---- writes -------------------------------------------------------------------------------

  /** Append events of the built-in types (checked by TypeScript and by their schemas) with their view rows, atomically. */
  append(events: NewEvent | readonly NewEvent[], options?: AppendOptions): Promise<KnownEvent[]> {
    return this.log.append(events, options);
  }

  /**
   * Append events of types registered at run time (`configure`, plug-ins). Their data is checked by
   * the schema registered for them, not by TypeScript; built-in types go through `append`.
   */
  appendCustom(events: NewEventOfAnyType | readonly NewEventOfAnyType[], options?: AppendOptions): Promise<StoredEvent[]> {
    return this.log.appendCustom(events, options);
  }

  /** Run a command: decide from current views (as the writer sees them), append, all atomically. */
  transact<T>(run: (tx: Transaction, views: Views) => Promise<T>): Promise<T> {
    return this.log.transact((tx) => run(tx, createViews({ db: this.db, get: (k) => tx.get(k) })));
  }

  readonly projects = {
    register: (input: projectCommands.RegisterProjectInput): Promise<ProjectRow> =>
      this.transact((tx, v) => projectCommands.registerProject(tx, v, input)),
    update: (name: string, input: projectCommands.UpdateProjectInput): Promise<ProjectRow> =>
      this.transact((tx, v) => projectCommands.updateProject(tx, v, name, input)),
    rename: (from: string, to: string, input?: projectCommands.CommandMeta): Promise<ProjectRow> =>
      this.transact((tx, v) => projectCommands.renameProject(tx, v, from, to, input)),
    remove: (name: string, input?: projectCommands.CommandMeta): Promise<ProjectRow> =>
      this.transact((tx, v) => projectCommands.removeProject(tx, v, name, input)),
    activate: (name: string, input?: projectCommands.CommandMeta): Promise<ProjectRow> =>
      this.transact((tx, v) => projectCommands.activateProject(tx, v, name, input)),
  };

  readonly history = {
    record: (project: string, input: projectCommands.RecordWorkflowInput): Promise<StoredEvent> =>
      this.transact((tx, v) => projectCommands.recordWorkflow(tx, v, project, input)),
  };

  readonly templates = templateMarketplace(this);

  /** Accounts of the shared marketplace (`pygubu-db user …`); tokens are kept as hashes beside the store. */
  readonly accounts = accountCommands(this);

  // ---- reads and maintenance -------------------------------------------------------------------

  /** Events as they become durable (from `fromSeq`, else from now on), until `signal` aborts. */
  subscribe(options: LogSubscription = {}): AsyncIterable<StoredEvent> {
    return subscribeLog(this.log, options);
  }

  /** The views as they stood at a seq or an ISO time, folded into memory from the log. */
  async asOf(point: AsOf): Promise<AsOfViews> {
    const mem = await createMemoryDb();
    const events = await replayInto(this.log, mem, this.projections, { asOf: point, targetEmpty: true, onRuleBroken: () => {} });
    const views = createViews({ db: mem, get: async (k) => { const b = await mem.get(k); return b === undefined ? undefined : decode(b); } });
    const close = () => mem.close();
    return { ...views, events, close, [Symbol.asyncDispose]: close };
  }

  /** Views now, or as of a point when one is given. The caller closes what it gets. */
  async viewsAt(point: AsOf | undefined): Promise<Views & { close(): Promise<void>; [Symbol.asyncDispose](): Promise<void> }> {
    if (point === undefined) {
      const close = async () => {};
      return { ...this.views, close, [Symbol.asyncDispose]: close };
    }
    return this.asOf(point);
  }

  async stats(views: Views = this.views): Promise<StoreStats> {
    const active = await views.projects.active();
    const checkpoint = await this.log.checkpoint();
    const approximateBytes = await this.db.approximateSize('', HIGH).catch(() => 0);
    return {
      location: this.location,
      events: views.source === this.views.source ? this.log.head : (views as { events?: number }).events ?? 0,
      projects: await views.projects.count(),
      workflowEvents: await views.history.count(),
      activeProject: active?.name ?? null,
      projections: checkpoint?.projections ?? {},
      approximateBytes: approximateBytes ?? 0,
    };
  }

  /** Drop the named projections' rows (all when none named) and fold them again from the log. */
  rebuild(names?: readonly string[], onProgress?: Progress, options: RebuildOptions = {}): Promise<RebuildReport> {
    const chosen = names && names.length > 0 ? names : this.projections.all.map((p) => p.name);
    for (const name of chosen) {
      if (!this.projections.get(name)) {
        throw new StoreError('UNKNOWN_PROJECTION', `no projection named ${JSON.stringify(name)}`, {
          hint: `known: ${this.projections.all.map((p) => p.name).join(', ')}`,
        });
      }
    }
    return this.log.exclusive(async () => {
      const started = performance.now();
      const set = this.projections.subset(chosen);
      // A damaged entry refuses the rebuild before any view is dropped: the damage is not folded in.
      await this.log.checkEntries();
      const checkpoint = (await this.log.checkpoint()) ?? { seq: 0, projections: {} };
      // Mark them dirty first: a crash mid-rebuild makes the next open rebuild them again.
      const dirty = { ...checkpoint.projections, ...Object.fromEntries(chosen.map((n) => [n, 0])) };
      await this.db.put(CHECKPOINT_KEY, encode({ seq: checkpoint.seq, projections: dirty }), SYNC);
      this.cache?.clear();
      for (const name of chosen) await this.db.clear(prefixRange(viewPrefix(name)));
      const broken: BrokenRule[] = [];
      const events = await replayInto(this.log, this.db, set, {
        targetEmpty: true,
        ...(onProgress ? { onProgress } : {}),
        ...(options.strict ? {} : { onRuleBroken: (b: BrokenRule) => broken.length < 1000 && broken.push(b) }),
      });
      await this.db.put(CHECKPOINT_KEY, encode({ seq: this.log.head, projections: { ...dirty, ...set.versions() } }), SYNC);
      this.cache?.clear();
      return { projections: [...chosen], events, ms: performance.now() - started, broken };
    });
  }

  /** Replay everything into memory and compare with the stored log indexes and views. */
  verify(onProgress?: Progress): Promise<VerifyReport> {
    return this.log.exclusive(() => verifyStore(this.log, this.projections, onProgress)).catch((err: unknown) => {
      throw fromLevelError(err, this.location);
    });
  }

  /** Let LevelDB merge its files; returns the approximate size before and after. */
  compact(): Promise<{ before: number; after: number }> {
    return this.log.exclusive(async () => {
      const before = await this.db.approximateSize('', HIGH);
      await this.db.compactRange('', HIGH);
      return { before, after: await this.db.approximateSize('', HIGH) };
    });
  }

  /** `await using store = await openStore(...)` closes the store at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.log.idle();
    await this.db.close();
  }
}

/** Open (or create) a store. The CLI is one user of this; tests and the bench are others. */
export const openStore = (options: OpenStoreOptions = {}): Promise<Store> => Store.create(options);

export const storeExists = (location: string): boolean => existsSync(join(location, 'CURRENT'));

async function openDb(location: string, options: OpenStoreOptions): Promise<{ db: StoreDb; found: Inspected }> {
  const createIfMissing = options.createIfMissing ?? true;
  assertSafeLocation(location);
  // a read-only open cleans up nothing, but completes a swap killed with no store left at the path
  if (!options.sibling && (!options.readOnly || !storeExists(location))) await recoverInterruptedRestore(location);
  await assertReachable(location);
  let found = await inspectLocation(location);
  if (found.kind === 'foreign') throw notAStore(location, 'is not a pygubuai store and not empty');
  if (found.kind === 'marked' && found.marker?.sibling?.of === location) await claimAsStore(location);
  if (!storeExists(location)) {
    // LevelDB would start a new database here and delete the old tables as obsolete
    const orphans = await levelDbFiles(location);
    if (orphans.length > 0) {
      throw new StoreError('STORE_CORRUPT', `store ${location} has lost its CURRENT file (${orphans.length} data files are still there)`, {
        hint: 'nothing was changed; restore the store from a backup, or move the directory away to start afresh',
      });
    }
    if (!createIfMissing) {
      throw new StoreError('STORE_NOT_FOUND', `no store at ${location}`, { hint: 'run `pygubu-db init` or pass --store DIR' });
    }
    try {
      if (found.kind === 'absent') await mkdir(location, { recursive: true });
    } catch (cause) {
      throw ioError(cause, `create ${location} for`);
    }
    // the marker goes in before LevelDB writes a file: a directory we fill is provably ours
    if (found.kind !== 'marked') {
      const marker = newMarker(options.sibling);
      await writeMarker(location, marker);
      found = { kind: 'marked', marker };
    }
  }
  const { ClassicLevel } = await import('classic-level');
  const timeout = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const db = new ClassicLevel<string, Buffer>(location, DB_OPTIONS);
    try {
      await db.open({ createIfMissing });
      return { db: db as never, found };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        const waited = Date.now() - started;
        if (waited >= timeout) {
          throw new StoreError('STORE_BUSY', `store ${location} is locked by another process (waited ${waited} ms)`, {
            cause: err,
            hint: 'wait for the other pygubu command to finish, or wait longer (lockTimeoutMs; the CLI: PYGUBUAI_LOCK_TIMEOUT_MS)',
          });
        }
        await sleep(Math.min(20 * 2 ** attempt, 250, Math.max(1, timeout - waited)));
        continue;
      }
      if (cause?.code === 'LEVEL_CORRUPTION' || looksDamaged(cause?.message)) {
        throw new StoreError('STORE_CORRUPT', `store ${location} is damaged: ${cause?.message ?? ''}`.trim(), {
          cause: err,
          hint: 'restore it from a backup (`pygubu-db restore`)',
        });
      }
      throw new StoreError('STORE_IO', `could not open store ${location}: ${cause?.message ?? (err as Error).message}`, { cause: err });
    }
  }
}

/** LevelDB reports a cut-short or garbled table as an I/O error at times; its words give it away. */
export const looksDamaged = (message: string | undefined): boolean =>
  message !== undefined && /corrupt|truncated|bad (?:block|magic|table)|checksum|not an sstable/i.test(message);

/** existsSync says "no" for a store it may not look into: say "permission denied" instead of "no store". */
async function assertReachable(location: string): Promise<void> {
  try {
    await stat(join(location, 'CURRENT'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new StoreError('STORE_IO', `could not open store ${location}: ${(err as Error).message}`, {
      cause: err,
      hint: code === 'EACCES' ? 'check the permissions of the store directory' : undefined,
    });
  }
}

const LEVELDB_FILE = /^(?:MANIFEST-\d+|\d+\.(?:ldb|sst|log))$/;

async function levelDbFiles(location: string): Promise<string[]> {
  const names = await readdir(location).catch(() => [] as string[]);
  return names.filter((n) => LEVELDB_FILE.test(n));
}

interface FormatRecord {
  version: number;
  created?: string;
  /** Log entries from this seq on carry a checksum (src/log/entry.ts). */
  checksumsFrom?: number;
  /** The upgrades this store went through (upgradeStore). */
  upgraded?: Array<{ from: number; at: string }>;
}

/**
 * Check the format key; start it on a new store; upgrade a format-1 store (checksums begin after
 * its last event). A LevelDB directory without the key is someone else's: STORE_NOT_A_STORE.
 */
async function checkFormat(db: Db, location: string, found: Inspected): Promise<FormatRecord & { checksumsFrom: number }> {
  const buf = await db.get(FORMAT_KEY);
  if (buf !== undefined) {
    let format: unknown;
    try {
      format = decode(buf);
    } catch {
      format = undefined;
    }
    const version = (format as { version?: unknown } | null | undefined)?.version;
    if (!Number.isSafeInteger(version) || (version as number) < 1) {
      throw new StoreError('STORE_CORRUPT', `store ${location} is damaged: its format key ${FORMAT_KEY} holds ${describeValue(format)}, not {version: <number>}`, {
        hint: 'restore it from a backup (`pygubu-db restore <file> --yes` replaces it)',
      });
    }
    const record = format as FormatRecord;
    if (record.version > STORE_FORMAT) {
      throw new StoreError('STORE_CORRUPT', `store ${location} has format ${record.version}; this version reads up to ${STORE_FORMAT}`, {
        hint: 'upgrade pygubuai-store',
      });
    }
    // a store from before the marker file: proven ours by its format key, so it gets one
    if (found.kind !== 'marked') await writeMarker(location, newMarker()).catch(() => {});
    // format 1 had no checksums: they begin after its last event (the upgrade writes this down)
    if (record.version < 2 || typeof record.checksumsFrom !== 'number') return { ...record, checksumsFrom: (await lastSeq(db)) + 1 };
    return { ...record, checksumsFrom: record.checksumsFrom };
  }
  for await (const _ of db.keys({ limit: 1 })) {
    throw notAStore(location, 'is a LevelDB database but not a pygubuai store');
  }
  if (found.kind !== 'marked') await writeMarker(location, newMarker());
  const record = { version: STORE_FORMAT, created: new Date().toISOString(), checksumsFrom: 1 };
  await db.put(FORMAT_KEY, encode(record));
  return record;
}

/** The keys an upgrade rebuilds instead of copying: every view and the checkpoint (and the format key it rewrites). */
const rebuiltOnUpgrade = (key: string): boolean => key.startsWith('v!') || key === CHECKPOINT_KEY || key === FORMAT_KEY;

/** `<store>.v<N>-backup-<UTC time>`: where an upgrade leaves the store as it was. */
export function upgradeBackupPath(location: string, from: number, now = new Date()): string {
  const base = `${location}.v${from}-backup-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  return existsSync(base) ? `${base}-${process.pid}` : base;
}

/**
 * Upgrade a store of an older format to STORE_FORMAT, crash-safe, keeping the old one as a backup:
 *
 *   1. build `<store>.restoring-<pid>` (marked as its sibling): copy every log entry and log index
 *      byte for byte (and m!damage), write the new format key, rebuild every view from the log;
 *      its last write is synced;
 *   2. rename it `<store>.restored-<pid>` (complete), close the old store;
 *   3. rename `<store>` → `<store>.v<N>-backup-<time>` (the old store, untouched, with its marker),
 *      then `<store>.restored-<pid>` → `<store>`.
 *
 * A kill before 3 leaves the old store and a sibling the next open deletes (dump/swap.ts); a kill
 * between the two renames of 3 leaves no store at the path and a complete `.restored-` copy, which
 * the next open renames into place (recoverInterruptedRestore). Either way: the old store or the
 * whole new one, and the backup is never a name recovery touches.
 */
async function upgradeStore(location: string, db: StoreDb, format: FormatRecord & { checksumsFrom: number }, options: OpenStoreOptions): Promise<void> {
  const from = format.version;
  const label = `upgrading the store from format ${from} to ${STORE_FORMAT}`;
  // what an earlier, killed upgrade left (a read-only open did not clean up on its way in)
  await recoverInterruptedRestore(location);
  const staging = stagingPath(location);
  await clearForSibling(staging, location);
  const head = await lastSeq(db);
  const { onProgress: _onProgress, ...rest } = options;
  let staged: Store | undefined = await Store.create({ ...rest, location: staging, createIfMissing: true, sync: false, sibling: { of: location, role: 'restoring' } });
  try {
    let copied = 0;
    const it = db.iterator({ highWaterMarkBytes: 1 << 20 } as never);
    try {
      for (;;) {
        const entries = await it.nextv(10_000);
        if (entries.length === 0) break;
        const batch = staged.db.batch();
        for (const [key, value] of entries) if (!rebuiltOnUpgrade(key as string)) batch.put(key as string, value as Buffer);
        await batch.write();
        copied += entries.length;
        options.onProgress?.(`${label}: copying the log`, Math.min(copied, head), head);
      }
    } finally {
      await it.close();
    }
    const record: FormatRecord = { ...format, version: STORE_FORMAT, upgraded: [...(format.upgraded ?? []), { from, at: new Date().toISOString() }] };
    await staged.db.put(FORMAT_KEY, encode(record));
    staged.log.resetState(head);
    staged.log.checksumsFrom = format.checksumsFrom;
    // rebuild checks every entry's checksum first and ends with a synced checkpoint write
    await staged.rebuild(undefined, options.onProgress ? (d, t) => options.onProgress!(`${label}: rebuilding the views`, d, t) : undefined);
    await staged.close();
    staged = undefined;
    await markSibling(staging, location, 'restored');
    await rename(staging, restoredPath(location));
    await syncDir(dirname(location));
    await db.close();
    const backup = upgradeBackupPath(location, from);
    await rename(location, backup);
    await rename(restoredPath(location), location);
    await syncDir(dirname(location));
    await claimAsStore(location);
    // the backup is a store of its own now (its own id; it keeps the old format until opened)
    await writeMarker(backup, newMarker()).catch(() => {});
  } finally {
    await staged?.close().catch(() => {});
    await removeOwnSibling(staging, location).catch(() => {});
  }
}

/**
 * LevelDB drops a damaged record of its write-ahead log on open and says so only in its info log
 * (`LOG`, written afresh by each open). Such a loss is recorded in the store (`m!damage`) so that
 * `verify` reports it from then on, instead of finding a shorter but consistent log.
 */
async function noteLostWrites(db: Db, location: string): Promise<string[]> {
  const text = await readFile(join(location, 'LOG'), 'utf8').catch(() => '');
  const lines = text.split('\n').filter((l) => /dropping \d+ bytes|ignoring error/i.test(l));
  if (lines.length === 0) return [];
  const before = await db.get(DAMAGE_KEY);
  const known = before === undefined ? [] : decode<Array<{ at: string; message: string }>>(before);
  const at = new Date().toISOString();
  const entries = [...(Array.isArray(known) ? known : []), ...lines.map((l) => ({ at, message: l.replace(/^\S+ \S+ /, '').trim() }))];
  await db.put(DAMAGE_KEY, encode(entries), SYNC);
  return entries.slice(known.length).map((e) => e.message);
}

const describeValue = (v: unknown): string => {
  if (v === undefined) return 'bytes that are not msgpack';
  try {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof v;
  }
};
