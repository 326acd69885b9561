import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupStore, fileSink, loadDump, openStore, restoreStore, writeDump, type Store } from '../../src/index.js';
import type { Journal } from './journal.js';
import type { Workload } from './workloads.js';

/** A source store of a few thousand events, dumped and backed up once per torture run (cached on disk). */
interface Source {
  dump: string;
  backup: string;
  ids: string[];
}

/** The driver sets PYGUBUAI_TORTURE_DIR (its scratch directory, removed at the end) for itself and its children. */
const scratch = () => process.env.PYGUBUAI_TORTURE_DIR ?? tmpdir();
const cacheFile = () => join(scratch(), 'dump-source.json');

async function source(): Promise<Source> {
  const cached = await readFile(cacheFile(), 'utf8').catch(() => undefined);
  if (cached) return JSON.parse(cached) as Source;
  const dir = await mkdtemp(join(scratch(), 'dump-source-'));
  const store = await openStore({ location: join(dir, 'store'), sync: false });
  try {
    for (let i = 0; i < 60; i++) {
      const p = await store.projects.register({ name: `src-${i}`, path: `/srv/src-${i}`, tags: ['src'], eventId: randomUUID() });
      await store.append(
        Array.from({ length: 40 }, (_, k) => ({
          id: randomUUID(),
          stream: `workflow-${p.id}`,
          type: 'workflow.recorded' as const,
          data: { timestamp: new Date(Date.UTC(2025, 0, 1, 0, k)).toISOString(), action: 'file_changed', description: `edit ${k} `.repeat(20) },
        })),
      );
    }
    const ids: string[] = [];
    for await (const e of store.log.readAll()) ids.push(e.id);
    const dump = join(dir, 'source.ndjson');
    await writeDump(store, await fileSink(dump));
    const backup = join(dir, 'source.backup');
    await backupStore(store, backup);
    const s: Source = { dump, backup, ids };
    await writeFile(cacheFile(), JSON.stringify(s));
    return s;
  } finally {
    await store.close();
  }
}

async function seedSmall(store: Store, journal: Journal): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const eventId = randomUUID();
    await store.projects.register({ name: `old-${i}`, path: `/srv/old-${i}`, eventId });
    ids.push(eventId);
  }
  journal.seeded(ids);
  await source(); // built by the driver, never inside a child that may be killed
}

const sleepForever = async (): Promise<never> => {
  for (;;) await new Promise((r) => setTimeout(r, 1000));
};

/** `load` of a ~2,500-event dump: one batch, so all of it or none of it. */
export const loadWorkload: Workload = {
  name: 'load',
  killWindowMs: 1200,
  resetEvery: 1,
  seed: seedSmall,
  async work({ location, journal, ready }) {
    const src = await source();
    const store = await openStore({ location });
    ready();
    journal.attempted(src.ids, true);
    await loadDump(store, src.dump);
    journal.acknowledged(src.ids);
    return sleepForever();
  },
};

/** `restore` of a ~2,500-event backup over a small store: afterwards the store is the old one or the backup, whole. */
export const restoreWorkload: Workload = {
  name: 'restore',
  killWindowMs: 1500,
  resetEvery: 1,
  seed: seedSmall,
  async work({ location, journal, ready }) {
    const src = await source();
    ready();
    journal.attempted(src.ids, true);
    await restoreStore(location, src.backup);
    journal.acknowledged(src.ids);
    return sleepForever();
  },
  async extraCheck(store, journal) {
    const present = new Set<string>();
    for await (const e of store.log.readAll()) present.add(e.id);
    const restored = [...journal.attempted].some((id) => present.has(id));
    const old = [...journal.seeded];
    if (restored && old.some((id) => present.has(id))) return ['the restored store still holds events of the old one'];
    if (!restored && !old.every((id) => present.has(id))) return ['an interrupted restore lost events of the old store'];
    return [];
  },
};
