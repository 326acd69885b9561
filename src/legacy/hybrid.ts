import { StoreError } from '../errors.js';
import { decode, encode } from '../log/codec.js';
import { projectIdOf } from '../projections/projects.js';
import { defaultStoreLocation, userPath } from '../paths.js';
import type { Store } from '../store.js';
import { storageMode, toolRegistryPath } from './config.js';
import { lockRegistry } from './lock.js';
import { changedSinceSync, pullLegacy, pushLegacy, readBase, syncLegacy, withoutBroken, type SyncReport } from './sync.js';

/** The registry a store other than the default one was paired with (`migrate/sync --registry`). */
const PAIRING_KEY = 'm!legacy-registry';

export interface Pairing {
  /** undefined: this store is paired with no registry, so hybrid mode leaves it alone. */
  registryPath: string | undefined;
  /** default: the default store and the tool's registry · recorded: kept in the store · given: --registry */
  how: 'default' | 'recorded' | 'given' | 'none';
}

export const isDefaultStore = (location: string): boolean => userPath(location) === defaultStoreLocation();

/**
 * Which registry this store syncs with. The default store: the one the Python tool uses. Any other
 * store: only the one recorded for it by `migrate --registry` or `sync --registry`, so a scratch
 * `--store` never reaches the user's home registry by accident.
 */
export async function pairing(store: Store, given?: string): Promise<Pairing> {
  if (given !== undefined) return { registryPath: userPath(given), how: 'given' };
  if (isDefaultStore(store.location)) return { registryPath: await toolRegistryPath(), how: 'default' };
  const recorded = await store.db.get(PAIRING_KEY);
  return recorded === undefined ? { registryPath: undefined, how: 'none' } : { registryPath: decode<{ registry: string }>(recorded).registry, how: 'recorded' };
}

/** Record the registry a non-default store was given; the default store follows the tool instead. */
export async function recordPairing(store: Store, registryPath: string): Promise<void> {
  if (isDefaultStore(store.location)) return;
  await store.db.put(PAIRING_KEY, encode({ registry: registryPath, at: new Date().toISOString() }));
}

/** The registry `sync` works with: --registry (then recorded), else the pairing, else LEGACY_NOT_PAIRED. */
export async function syncTarget(store: Store, given?: string): Promise<string> {
  const p = await pairing(store, given);
  if (p.registryPath === undefined) {
    throw new StoreError('LEGACY_NOT_PAIRED', `store ${store.location} is not paired with a legacy registry`, {
      hint: 'pass --registry FILE once (it is recorded in the store); only the default store follows the Python tool\'s registry',
    });
  }
  if (p.how === 'given') await recordPairing(store, p.registryPath);
  return p.registryPath;
}

export interface HybridOutcome {
  warnings: string[];
}

/**
 * Hybrid mode around one command on an open store (SPEC §9): take the Python tool's lock, pull what
 * it changed, run the command, push the result and record the new base, release. Without hybrid
 * mode, or for a store paired with no registry, just the command.
 */
export async function hybridWrite<T>(store: Store, work: () => Promise<T>, actor?: string): Promise<{ result: T; hybrid?: HybridOutcome }> {
  if ((await storageMode()) !== 'hybrid') return { result: await work() };
  const { registryPath } = await pairing(store);
  if (registryPath === undefined) return { result: await work() };
  const lock = await lockRegistry(registryPath);
  try {
    const before = store.log.head;
    const base = await readBase(store, registryPath);
    const pulled = await pullLegacy(store, { registryPath, base, onlyChangedWorkflows: true, ...(actor ? { actor } : {}) });
    const head = store.log.head;
    const result = await work();
    if (store.log.head === before) return { result, hybrid: { warnings: pulled.warnings } };
    const touched = new Set<string>();
    for await (const e of store.log.readAll({ fromSeq: head + 1 })) {
      if (e.stream.startsWith('project-') || e.stream.startsWith('workflow-')) touched.add(projectIdOf(e.stream));
    }
    for (const f of pulled.report.files) if (f.status === 'imported' && f.project !== undefined) touched.add((await store.views.projects.byName(f.project))?.id ?? '');
    const r = pulled.report;
    const pushing = pushLegacy(store, {
      registryPath,
      workflows: withoutBroken(touched, pulled.broken, await store.views.projects.list()),
      refused: pulled.refused,
      stamps: pulled.stamps,
      counts: { registered: r.registered, updated: r.updated, restored: r.restored.length, conflicts: r.conflicts.length, history: r.history },
      ...(actor ? { actor } : {}),
    });
    // The command has landed in the store: a failed push is a warning, and the next sync retries it.
    const pushed = await pushing.then((report) => report, (err: Error) => err);
    const warnings = [...pulled.warnings];
    if (pushed instanceof Error) warnings.push(`the store has the change, but the JSON files were not updated: ${pushed.message}; run \`pygubu-db sync\``);
    else for (const s of pushed.skipped) warnings.push(`${s.project}: workflow file not written: ${s.reason}`);
    return { result, hybrid: { warnings } };
  } finally {
    lock.release();
  }
}

/**
 * Hybrid mode before a read: when the registry or a workflow file changed since the last sync (a
 * stat check of each, nothing more otherwise), sync first so the read sees it.
 */
export async function hybridRead(store: Store, actor?: string): Promise<SyncReport | undefined> {
  if ((await storageMode()) !== 'hybrid') return undefined;
  const { registryPath } = await pairing(store);
  if (registryPath === undefined || !(await changedSinceSync(store, registryPath))) return undefined;
  return syncLegacy(store, { registryPath, ...(actor ? { actor } : {}) });
}
