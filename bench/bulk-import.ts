/** Bulk import: the whole data set into each peer, in big batches (this also builds the data sets). */
import { join } from 'node:path';
import { openStore, type NewEvent, type Store } from '../src/index.js';
import { eventsPerProject, type BenchProject } from './lib/dataset.js';
import { recordBatches, writeBatches } from './lib/floor.js';
import { throughput } from './lib/measure.js';
import { JsonRegistry, openRawLevel, openSqlite, rawKey, rawPackr, type RawLevel, type SqlitePeer } from './lib/peers.js';

const BATCH_PROJECTS = 1000;

export function eventsOf(p: BenchProject): NewEvent[] {
  const out: NewEvent[] = [
    {
      stream: `project-${p.id}`,
      type: 'project.registered',
      at: p.created,
      meta: { source: 'import' },
      data: { name: p.name, path: p.path, description: p.description, tags: p.tags, created: p.created, modified: p.modified },
    },
  ];
  for (const h of p.history) {
    out.push({ stream: `workflow-${p.id}`, type: 'workflow.recorded', at: h.timestamp, meta: { source: 'import' }, data: h });
  }
  return out;
}

export async function importIntoStore(store: Store, data: readonly BenchProject[]): Promise<void> {
  for (let i = 0; i < data.length; i += BATCH_PROJECTS) {
    await store.append(data.slice(i, i + BATCH_PROJECTS).flatMap(eventsOf));
  }
}

/** The same rows, one key each (a row per project, an entry per history item), batched puts. */
export async function importIntoLevel(level: RawLevel, data: readonly BenchProject[]): Promise<void> {
  for (let i = 0; i < data.length; i += BATCH_PROJECTS) {
    const ops = [];
    for (const p of data.slice(i, i + BATCH_PROJECTS)) {
      const { history, ...row } = p;
      ops.push({ type: 'put' as const, key: rawKey(p.name), value: rawPackr.pack(row) });
      for (const h of history) ops.push({ type: 'put' as const, key: `h!${p.name}\0${h.timestamp}`, value: rawPackr.pack(h) });
    }
    await level.batch(ops);
  }
}

export interface Built {
  store: Store;
  json: JsonRegistry;
  sqlite: SqlitePeer;
  level: RawLevel;
}

export async function buildAll(
  dir: string,
  data: readonly BenchProject[],
  workflowSample: ReadonlySet<number>,
  record: (figures: Record<string, import('./lib/measure.js').Figure>) => void,
): Promise<Built> {
  const events = data.length * eventsPerProject;
  const store = await openStore({ location: join(dir, 'store'), sync: false });
  const recording = recordBatches(store.db);
  const storeFig = await throughput(events, () => importIntoStore(store, data));
  recording.stop();
  // the same batches again, into an empty raw LevelDB: what this layout costs with no store code
  const floorLevel = await openRawLevel(join(dir, 'floor'));
  const floorFig = await throughput(events, () => writeBatches(floorLevel, recording.batches), `${(recording.keys / events).toFixed(2)} keys and ${Math.round(recording.bytes / events)} B per event, ${recording.batches.length} batches`);
  recording.batches.length = 0;
  await floorLevel.close();
  let json!: JsonRegistry;
  const jsonFig = await throughput(events, () => {
    json = JsonRegistry.build(join(dir, 'json'), data, workflowSample);
  }, `registry + ${workflowSample.size} workflow files`);
  const sqlite = openSqlite(join(dir, 'bench.sqlite'), false);
  const sqliteFig = await throughput(events, () => sqlite.importAll(data), 'one transaction');
  const level = await openRawLevel(join(dir, 'level'));
  const levelFig = await throughput(events, () => importIntoLevel(level, data), 'batched puts, one key per row');
  record({ store: storeFig, floor: floorFig, json: jsonFig, sqlite: sqliteFig, level: levelFig });
  return { store, json, sqlite, level };
}
