import { rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AbstractBatchOperation } from 'abstract-level';
import type { Db } from '../log/db.js';
import { CHECKPOINT_KEY } from '../log/keys.js';
import { openStore, type OpenStoreOptions, type Store } from '../store.js';
import { checkDump, chunksOf, NewEventAppender, type LoadOptions, type LoadReport } from './load.js';
import { syncDir } from './sink.js';
import { assertOwnLocation } from '../store-location.js';
import { clearForSibling, markSibling, recoverInterruptedRestore, removeOwnSibling, restoredPath, stagingPath, swapIn } from './swap.js';

const COPY_CHUNK = 10_000;

/**
 * Load a big dump with flat memory and still all-or-nothing: check it, copy the store key for key
 * into `<store>.restoring-<pid>`, append the dump's new events there in many small batches, then
 * swap the copy in exactly as a restore does (a kill at any moment leaves the old store or the
 * new one whole; see swap.ts). Costs a copy of the existing store; the store must not be open
 * elsewhere (this opens it, and holds its lock until the swap).
 */
export async function loadDumpBeside(
  location: string,
  path: string,
  options: LoadOptions & { storeOptions?: Omit<OpenStoreOptions, 'location' | 'createIfMissing'> } = {},
): Promise<LoadReport> {
  const started = performance.now();
  location = resolve(location);
  // a directory that is not a store is refused before anything is renamed or written
  await assertOwnLocation(location);
  await recoverInterruptedRestore(location);
  let current: Store | undefined = await openStore({ ...options.storeOptions, location, createIfMissing: true });
  const staging = stagingPath(location);
  let staged: Store | undefined;
  try {
    const summary = await checkDump(current.registry, path, options);
    await clearForSibling(staging, location);
    staged = await openStore({ ...options.storeOptions, location: staging, createIfMissing: true, sync: false, sibling: { of: location, role: 'restoring' } });
    await copyAll(current.db as Db, staged.db as Db, (n) => options.onProgress?.('copying', n, n));
    staged.log.resetState(current.log.head);
    staged.log.checksumsFrom = current.log.checksumsFrom; // the copy holds the same entries (and m!format)

    const loader = new NewEventAppender(summary.count, options);
    const target = staged;
    for await (const chunk of chunksOf(path, summary)) await target.transact((tx) => loader.take(tx, chunk));
    const result = loader.report();
    const report: LoadReport = { header: summary.header, events: summary.count, ...result, strategy: 'beside', ms: 0 };
    if (result.loaded === 0) return { ...report, ms: performance.now() - started };

    // One synced write makes every earlier unsynced batch of the copy durable before the swap.
    await staged.db.put(CHECKPOINT_KEY, (await staged.db.get(CHECKPOINT_KEY))!, { sync: true } as object);
    await staged.close();
    staged = undefined;
    await markSibling(staging, location, 'restored');
    await rename(staging, restoredPath(location));
    await syncDir(dirname(location));
    await current.close();
    current = undefined;
    await swapIn(location);
    return { ...report, ms: performance.now() - started };
  } finally {
    await staged?.close().catch(() => {});
    await current?.close().catch(() => {});
    await removeOwnSibling(staging, location).catch(() => {});
    await removeOwnSibling(restoredPath(location), location).catch(() => {});
  }
}

/** Every key of one database into another (log, indexes, views, checkpoint, metadata), from one snapshot. */
async function copyAll(from: Db, to: Db, onProgress: (entries: number) => void): Promise<void> {
  const it = from.iterator({ highWaterMarkBytes: 1 << 20 } as never);
  let copied = 0;
  try {
    for (;;) {
      const entries = await it.nextv(COPY_CHUNK);
      if (entries.length === 0) break;
      const ops: AbstractBatchOperation<Db, string, Buffer>[] = entries.map(([key, value]) => ({ type: 'put', key, value }));
      await to.batch(ops);
      copied += entries.length;
      onProgress(copied);
    }
  } finally {
    await it.close();
  }
}
