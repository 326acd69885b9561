import { rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { Argv } from 'yargs';
import type { EventMeta, StoredEvent } from '../log/envelope.js';
import { commandHost } from './host.js';
import { storeLocation } from '../paths.js';
import { currentStorageMode } from '../legacy/storage-mode.js';
import type { AsOf } from '../projections/replay.js';
import type { Views } from '../queries/index.js';
import type { Store, OpenStoreOptions } from '../store.js';
import { Output, UsageError } from './output.js';
import { perfMetric, perfRecordingEnabled, RunTimer } from './perf.js';

/** Options every command takes. */
export interface GlobalArgs {
  store?: string;
  json: boolean;
  quiet: boolean;
  yes: boolean;
  color?: boolean | undefined;
}

/** What a command handler gets besides its arguments. */
export interface CommandContext {
  readonly out: Output;
  readonly location: string;
  readonly meta: Partial<EventMeta>;
  /** This run's timings (recorded as one event when PYGUBUAI_RECORD_PERF / record_perf is on). */
  readonly timer: RunTimer;
  /**
   * Open the store for the length of `work` and close it after. Read commands need an existing
   * store (STORE_NOT_FOUND otherwise); pass `create: true` for commands that may start one.
   */
  withStore<T>(work: (store: Store) => Promise<T>, options?: { create?: boolean; hybrid?: boolean | 'read' } & Omit<OpenStoreOptions, 'location'>): Promise<T>;
  /**
   * Work that needs the store directory to itself (restore, a load built beside the store): run
   * directly, or — through a server — with the server's store closed meanwhile.
   */
  exclusive<T>(work: (location: string) => Promise<T>): Promise<T>;
  /** The log from `fromSeq` on, new events as they come, until `signal` aborts. */
  follow(options: { fromSeq: number; signal: AbortSignal; intervalMs: number }, read: (store: Store, fromSeq: number) => Promise<StoredEvent[]>): AsyncIterable<StoredEvent>;
  /** The views now, or as they stood at `--as-of`. */
  withViews<T>(asOf: string | undefined, work: (views: Views, store: Store) => Promise<T>): Promise<T>;
}

export const currentUser = (): string => {
  try {
    return process.env.USER || userInfo().username;
  } catch {
    return 'unknown';
  }
};

export function createContext(argv: GlobalArgs): CommandContext {
  const out = new Output({ json: argv.json, quiet: argv.quiet, color: argv.color });
  // `--store=~/x` reaches us unexpanded (no shell expands `~` after `=`): expand it as a shell would.
  const location = storeLocation(argv.store);
  const timer = new RunTimer(perfMetric((argv as { _?: unknown[] })._ ?? []), perfRecordingEnabled());
  const withStore: CommandContext['withStore'] = async (work, options = {}) => {
    const { create, hybrid, ...rest } = options;
    const host = commandHost();
    if (host) {
      return host.withStore(async (store) => {
        let ok = false;
        try {
          const result = await timer.time('work', () => (hybrid === false ? work(store) : inHybridMode(store, hybrid === 'read', () => work(store), out)));
          ok = true;
          return result;
        } finally {
          await timer.record(store, ok).catch(() => {});
        }
      });
    }
    // A hybrid read may sync first, which writes: it cannot open the store read-only.
    if (hybrid === 'read' && rest.readOnly && (await currentStorageMode()) === 'hybrid') delete rest.readOnly;
    const { openStore } = await import('../store.js');
    // A command that may create the store and then fails (a refused migrate or load) leaves no
    // store directory behind: what it created is removed again while the log is still empty.
    const created = create ? await firstMissing(location) : undefined;
    const progress = out.progress('rebuilding views');
    const store = await timer
      .time('open', () => openStore({ location, createIfMissing: create ?? false, onProgress: (_l, d, t) => progress(d, t), ...lockTimeout(), ...rest }))
      .catch(async (err: unknown) => {
        if (created) await rm(created, { recursive: true, force: true }).catch(() => {});
        throw err;
      });
    progress.done();
    for (const lost of store.lostOnOpen) out.warn(`LevelDB dropped damaged data from the store's write-ahead log: ${lost}; run \`pygubu-db verify\` and restore from a backup`);
    let ok = false;
    let failed = true;
    try {
      const result = await timer.time('work', () => (hybrid === false ? work(store) : inHybridMode(store, hybrid === 'read', () => work(store), out)));
      ok = true;
      failed = (process.exitCode ?? 0) !== 0;
      return result;
    } finally {
      const discard = created !== undefined && failed && store.log.head === 0;
      if (!discard) await timer.record(store, ok).catch(() => {}); // a lost timing must never fail the command
      await store.close();
      if (discard) await rm(created, { recursive: true, force: true }).catch(() => {});
    }
  };
  return {
    out,
    location,
    meta: { source: 'cli', actor: currentUser() },
    timer,
    withStore,
    exclusive: (work) => {
      const host = commandHost();
      return host ? host.exclusive(work) : work(location);
    },
    follow: (options, read) => {
      const host = commandHost();
      if (host) return host.subscribe({ fromSeq: options.fromSeq });
      return poll(options, (from) => withStore((store) => read(store, from), { readOnly: true }));
    },
    withViews: (asOf, work) =>
      withStore(
        async (store) => {
          const point = parseAsOf(asOf);
          const views = await store.viewsAt(point);
          try {
            return await work(views, store);
          } finally {
            await views.close();
          }
        },
        { readOnly: true, hybrid: 'read' },
      ),
  };
}

/** --follow without a server: the store is opened only briefly for each poll, so others can use it. */
async function* poll(options: { fromSeq: number; signal: AbortSignal; intervalMs: number }, read: (fromSeq: number) => Promise<StoredEvent[]>): AsyncGenerator<StoredEvent> {
  const { setTimeout: sleep } = await import('node:timers/promises');
  let from = options.fromSeq;
  while (!options.signal.aborted) {
    const events = await read(from);
    for (const e of events) {
      from = e.seq + 1;
      yield e;
    }
    await sleep(options.intervalMs, undefined, { signal: options.signal }).catch(() => {});
  }
}

/**
 * Hybrid mode (config storage_mode, SPEC §9): a read first pulls when a JSON file changed since the
 * last sync; anything else runs inside the Python tool's lock between a pull and a push.
 */
async function inHybridMode<T>(store: Store, read: boolean, work: () => Promise<T>, out: Output): Promise<T> {
  // Not in hybrid mode (the default): the sync code is not even loaded (it is a fifth of a read's start).
  if ((await currentStorageMode()) !== 'hybrid') return work();
  const { hybridRead, hybridWrite } = await import('../legacy/hybrid.js');
  if (read) {
    const synced = await hybridRead(store, currentUser());
    for (const w of synced?.warnings ?? []) out.warn(`sync: ${w}`);
    return work();
  }
  const { result, hybrid } = await hybridWrite(store, work, currentUser());
  for (const w of hybrid?.warnings ?? []) out.warn(`sync: ${w}`);
  return result;
}

/** The outermost directory of `path` that does not exist yet (undefined: it all exists). */
async function firstMissing(path: string): Promise<string | undefined> {
  let missing: string | undefined;
  for (let at = resolve(path); ; at = dirname(at)) {
    if (await stat(at).then(() => true, () => false)) return missing;
    missing = at;
    if (dirname(at) === at) return missing;
  }
}

export function parseAsOf(value: string | undefined): AsOf | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (Number.isNaN(Date.parse(value))) throw new UsageError(`--as-of takes a seq number or an ISO-8601 time, not ${JSON.stringify(value)}`);
  return value;
}

/** Adds `--as-of` to a read command. */
export const withAsOf = <T>(y: Argv<T>) =>
  y.option('as-of', { type: 'string', describe: 'answer as the store stood at this seq or ISO-8601 time (replays the log)' });

/** Splits `--tags a,b` (and repeated --tags) into a clean list. */
export const splitList = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((t) => t.trim()).filter(Boolean);


/** The CLI's lock wait: `PYGUBUAI_LOCK_TIMEOUT_MS` (ms) when set to a positive number, else the library default. */
export function lockTimeout(env: NodeJS.ProcessEnv = process.env): { lockTimeoutMs?: number } {
  const ms = Number(env.PYGUBUAI_LOCK_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? { lockTimeoutMs: ms } : {};
}
