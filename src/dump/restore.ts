import { rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fromLevelError, StoreError } from '../errors.js';
import { EMPTY, encode } from '../log/codec.js';
import type { StoredEvent } from '../log/envelope.js';
import { lastSeq } from '../log/event-log.js';
import { encodeEntry } from '../log/entry.js';
import { idKey, logKey, streamKey, timeKey, typeKey } from '../log/keys.js';
import { SchemaRegistry } from '../log/schema-registry.js';
import { openStore, storeExists, type OpenStoreOptions, type Store } from '../store.js';
import { writeDump, type DumpReport } from './dump.js';
import { IncomingEvents, refusedAt } from './check.js';
import { dumpEvents, dumpRecords, readDump, type DumpEncoding, type DumpSummary, type Position } from './format.js';
import { toJsonValue } from '../log/json-value.js';
import { fileSink, syncDir } from './sink.js';
import { assertOwnLocation, notAStore } from '../store-location.js';
import { clearForSibling, markSibling, recoverInterruptedRestore, removeOwnSibling, restoredPath, stagingPath, swapIn } from './swap.js';

export interface BackupOptions {
  encoding?: DumpEncoding;
  onProgress?: (done: number, total: number) => void;
}

/**
 * A consistent copy of the whole log, read from one LevelDB snapshot while the store stays open
 * (appends go on and are simply not in it), written beside `file`, fsynced and renamed over it.
 * Views are not copied: restore folds them again from the log.
 */
export async function backupStore(store: Store, file: string, options: BackupOptions = {}): Promise<DumpReport> {
  const sink = await fileSink(file);
  return writeDump(store, sink, { kind: 'backup', encoding: options.encoding ?? 'msgpack', ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
}

/** Progress phases: verifying counts bytes of the backup, building and comparing count events. */
export type RestorePhase = 'verifying' | 'building' | 'replaying' | 'comparing';

export interface RestorePlan {
  location: string;
  file: string;
  backup: { events: number; created: string };
  /** The store now at `location`: absent, damaged (unreadable), or its event count. */
  current: { exists: boolean; damaged: boolean; events: number };
  /** Events of the current store whose ids are not in the backup: lost by the restore (null when unreadable). */
  lost: number | null;
}

export interface RestoreReport extends RestorePlan {
  restored: boolean;
  /** What was cleaned up from an earlier interrupted restore. */
  recovered: string[];
  ms: number;
}

export interface RestoreOptions {
  onProgress?: (phase: RestorePhase, done: number, total: number) => void;
  /**
   * Asked, with the plan, before a store that holds events is replaced; false cancels and changes
   * nothing. 'refuse' means there is no one to ask: CONFIRMATION_REQUIRED before any work is done.
   * Left out, the restore goes ahead (the library caller has decided).
   */
  confirm?: ((plan: RestorePlan) => boolean | Promise<boolean>) | 'refuse';
  /** Schemas, projections of plug-ins: passed to every store the restore opens. */
  storeOptions?: Omit<OpenStoreOptions, 'location' | 'createIfMissing'>;
}

const CHUNK = 5000;

/**
 * Replace the store at `location` with the log in a backup: verify the backup completely (schemas,
 * gapless seqs, consecutive stream versions, count, sha256), build a new store beside the old one
 * (the log and its index keys as they were, then every projection replayed from it), check it,
 * count what the old store would lose, ask, then swap it in with renames (see swap.ts). The old
 * store stays open — and locked — until the swap.
 */
export async function restoreStore(location: string, file: string, options: RestoreOptions = {}): Promise<RestoreReport> {
  const started = performance.now();
  location = resolve(location);
  // only a store (or nothing, or an empty directory) is ever replaced: refused before any rename
  const here = await assertOwnLocation(location);
  const recovered = await recoverInterruptedRestore(location);
  const progress = options.onProgress;

  let current: Store | undefined;
  let damaged = false;
  if (here.kind === 'marked' || here.kind === 'leveldb' || storeExists(location)) {
    try {
      current = await openStore({ ...options.storeOptions, location, createIfMissing: false });
    } catch (err) {
      if (err instanceof StoreError && err.code === 'STORE_NOT_FOUND') {
        // our marker and no database yet: nothing to replace
      } else if (err instanceof StoreError && err.code === 'STORE_CORRUPT') {
        // a damaged directory is replaced (after confirmation) only when it is provably ours
        if (here.kind !== 'marked') throw notAStore(location, 'is damaged and carries no pygubuai store marker');
        damaged = true;
      } else throw err;
    }
  }
  const currentEvents = current?.log.head ?? 0;
  const needsConfirmation = damaged || currentEvents > 0;
  const staging = stagingPath(location);
  let staged: Store | undefined;
  try {
    if (needsConfirmation && options.confirm === 'refuse') {
      throw new StoreError('CONFIRMATION_REQUIRED', `restoring replaces the store at ${location} (${damaged ? 'damaged' : `${currentEvents} events`}); confirm with --yes`, {
        hint: 'stdin is not a terminal, so there is no one to ask: pass --yes to restore anyway',
      });
    }

    // 1. Verify the whole backup before building anything.
    const registry = new SchemaRegistry();
    await options.storeOptions?.configure?.(registry);
    await registry.ready();
    const versions = new Map<string, number>();
    const incoming = new IncomingEvents(registry);
    let expectedSeq = 1;
    const summary = await readDump(file, {
      kind: 'backup',
      onEvent: (e, where, bytes) => {
        const event = incoming.check(e, where, bytes);
        if (event.seq !== expectedSeq) throw new Error(`the log has a gap: seq ${event.seq} where ${expectedSeq} was expected`);
        const version = (versions.get(event.stream) ?? 0) + 1;
        if (event.version !== version) throw new Error(`stream ${event.stream} jumps to version ${event.version} where ${version} was expected`);
        versions.set(event.stream, version);
        expectedSeq++;
      },
      ...(progress ? { onProgress: (read: number, size: number) => progress('verifying', read, size) } : {}),
    });
    versions.clear();
    if (summary.count !== summary.header.head) {
      throw new StoreError('DUMP_CORRUPT', `the backup header says the log ended at seq ${summary.header.head}, it holds ${summary.count} events`);
    }

    // 2. Build the new store beside the old one: the log and its index keys as they were, then the
    //    projections replayed from it (rebuild), then the checks that it ends where the backup does.
    await clearForSibling(staging, location);
    staged = await openStore({ ...options.storeOptions, location: staging, createIfMissing: true, sync: false, cacheSize: 0, sibling: { of: location, role: 'restoring' } });
    const target = staged;
    let ops: Array<{ type: 'put'; key: string; value: Buffer }> = [];
    let built = 0;
    const flush = async () => {
      await target.db.batch(ops);
      ops = [];
      progress?.('building', built, summary.count);
    };
    for await (const e of dumpEvents(file, summary)) {
      const event = toJsonValue(e, String(e.type), '', -1) as StoredEvent; // as the check pass kept it
      for (const [key, value] of logEntries(event)) ops.push({ type: 'put', key, value });
      if (++built % CHUNK === 0) await flush();
    }
    await flush();
    target.log.resetState(summary.count);
    // rebuild ends with a synced checkpoint write, which makes the whole log durable before the swap
    // strict: an event that breaks a rule against the views (a taken project name, a version not
    // newer) refuses the whole backup, named by its place in the file
    await target
      .rebuild(undefined, progress ? (done, total) => progress('replaying', done, total) : undefined, { strict: true })
      .catch(async (err: unknown) => {
        const seq = (err as StoreError).details?.seq;
        if (!(err instanceof StoreError) || typeof seq !== 'number') throw err;
        throw refusedAt(await positionOf(file, summary, seq), { seq }, err);
      });
    const checkpoint = await target.log.checkpoint();
    if ((await lastSeq(target.db)) !== summary.count || (summary.count > 0 && checkpoint?.seq !== summary.count)) {
      throw new StoreError('VERIFY_FAILED', `the rebuilt store ends at seq ${await lastSeq(target.db)} (views at ${checkpoint?.seq}), the backup at ${summary.count}`);
    }

    // 3. What would the current store lose? Its events whose ids the backup does not have.
    let lost: number | null = damaged ? null : 0;
    if (current) {
      let compared = 0;
      let chunk: string[] = [];
      const count = async (s: Store) => {
        const found = await s.db.getMany(chunk.map(idKey));
        lost! += found.filter((v) => v === undefined).length;
        compared += chunk.length;
        chunk = [];
        progress?.('comparing', compared, currentEvents);
      };
      for await (const e of current.log.readAll({ raw: true })) {
        chunk.push(e.id);
        if (chunk.length >= CHUNK) await count(staged);
      }
      if (chunk.length > 0) await count(staged);
    }

    const plan: RestorePlan = {
      location,
      file,
      backup: { events: summary.count, created: summary.header.created },
      current: { exists: current !== undefined || damaged, damaged, events: currentEvents },
      lost,
    };
    if (needsConfirmation && typeof options.confirm === 'function' && !(await options.confirm(plan))) {
      return { ...plan, restored: false, recovered, ms: performance.now() - started };
    }

    // 4. Swap: the finished store is renamed to its "complete" name first, so a kill from here on is finished by the next open.
    await staged.close();
    staged = undefined;
    await markSibling(staging, location, 'restored');
    await rename(staging, restoredPath(location));
    await syncDir(dirname(location));
    await current?.close();
    current = undefined;
    await swapIn(location);
    return { ...plan, restored: true, recovered, ms: performance.now() - started };
  } catch (err) {
    // the new store is written beside the old one: a full disk there must say so, with a code
    const code = (err as { code?: string }).code;
    if (code === 'LEVEL_IO_ERROR' || code === 'ENOSPC' || code === 'EFBIG' || code === 'EDQUOT') {
      throw new StoreError('STORE_IO', `could not build the restored store beside ${location}: ${(err as Error).message}`, {
        cause: err,
        hint: 'free some disk space and restore again; the current store was not changed',
      });
    }
    throw fromLevelError(err, location);
  } finally {
    await staged?.close().catch(() => {});
    await current?.close().catch(() => {});
    await removeOwnSibling(staging, location).catch(() => {});
    await removeOwnSibling(restoredPath(location), location).catch(() => {});
  }
}

/** Where the backup holds the event with this seq (a backup's seqs run 1, 2, 3 … in file order). */
async function positionOf(file: string, summary: DumpSummary, seq: number): Promise<Position> {
  let n = 0;
  for await (const { where } of dumpRecords(file, summary)) if (++n === seq) return where;
  return { line: seq + 1 };
}

/** The log entry of a verified event and its index keys, exactly as an append writes them. */
function logEntries(e: StoredEvent): Array<[string, Buffer]> {
  const seq = encode(e.seq);
  return [
    [logKey(e.seq), encodeEntry(e)],
    [idKey(e.id), seq],
    [streamKey(e.stream, e.version), seq],
    [typeKey(e.type, e.seq), EMPTY],
    [timeKey(e.at, e.seq), EMPTY],
  ];
}
