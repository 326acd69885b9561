import { isStoreError } from '../errors.js';
import { safeWorkflowFile } from '../paths.js';
import type { Store } from '../store.js';
import { changedSinceSync, syncLegacy, type SyncOptions, type SyncReport } from './sync.js';

/** Quiet time after the last file event before a sync starts: bursts of writes make one sync. */
export const WATCH_DEBOUNCE_MS = 150;

const clock = () => new Date().toISOString().slice(11, 19);

export function watchLine(report: SyncReport): string {
  const p = report.pulled;
  const parts = [
    `${p.registered} new`,
    `${p.updated} changed`,
    `${p.removed.length} removed`,
    `${p.history} history`,
    ...(p.restored.length ? [`${p.restored.length} restored`] : []),
    ...(p.staleIgnored.length ? [`${p.staleIgnored.length} stale ignored`] : []),
    ...(p.conflicts.length ? [`${p.conflicts.length} conflicts`] : []),
  ];
  return `${clock()} synced ${report.registry}: ${parts.join(', ')}; wrote ${report.pushed.projects} projects, ${report.pushed.workflowFiles.length} workflow files (${report.ms} ms)`;
}

/**
 * `sync --watch`: sync now, then again within a second of the Python tool writing the registry or
 * a workflow file (chokidar events, debounced), until SIGINT or SIGTERM. Our own writes are
 * recognised by their stat stamps and start no sync. Resolves once stopped, with no sync running.
 */
export async function watchLegacy(store: Store, options: SyncOptions, log: (line: string) => void, warn: (line: string) => void): Promise<void> {
  const { watch } = await import('chokidar');
  const watcher = watch(options.registryPath, { ignoreInitial: true, persistent: true });
  const watched = new Set<string>([options.registryPath]);
  const follow = async () => {
    const want = [options.registryPath];
    for (const p of await store.views.projects.list()) {
      const f = safeWorkflowFile(p.path);
      if (f) want.push(f);
    }
    const fresh = want.filter((f) => !watched.has(f));
    for (const f of fresh) watched.add(f);
    if (fresh.length > 0) watcher.add(fresh);
  };

  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const once = async (force: boolean) => {
    try {
      if (!force && !(await changedSinceSync(store, options.registryPath))) return;
      const report = await syncLegacy(store, options);
      for (const w of report.warnings) warn(w);
      log(watchLine(report));
      await follow();
    } catch (err) {
      if (!isStoreError(err)) throw err;
      log(`${clock()} sync failed: ${err.message} (${err.code}); will retry on the next change`);
    }
  };
  const run = (force = false) => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = once(force).finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        run();
      }
    });
  };

  let timer: NodeJS.Timeout | undefined;
  const poke = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => run(), WATCH_DEBOUNCE_MS);
  };
  watcher.on('all', poke);
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  // The first sync runs as `running`, so the events of its own writes wait for it and then find nothing new.
  run(true);
  await running;
  await follow();
  log(`${clock()} watching ${options.registryPath} and ${watched.size - 1} workflow files (Ctrl-C stops)`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void Promise.resolve(running)
        .then(() => watcher.close())
        .then(() => resolve(), () => resolve());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log(`${clock()} stopped`);
}
