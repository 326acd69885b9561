/** One append with its view rows: non-durable (no fsync) and durable (fsync per commit). */
import { join } from 'node:path';
import { recordBatches, writeBatch } from './lib/floor.js';
import { openRawLevel, openSqlite, rawPackr } from './lib/peers.js';
import { latency } from './lib/measure.js';
import type { BenchContext, Scenario } from './lib/context.js';

const entry = (i: number) => ({ timestamp: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(), action: 'file_changed', description: `bench edit ${i}`, user: 'bench' });

async function measure(ctx: BenchContext, durable: boolean): Promise<void> {
  const n = durable ? ctx.iters(300, 30) : ctx.iters(5_000, 500);
  const project = (i: number) => ctx.data[ctx.workflowSample[i % ctx.workflowSample.length]!]!;
  const offset = durable ? 1_000_000 : 0;

  const store = await ctx.reopenStore({ sync: durable });
  const recording = recordBatches(store.db);
  const storeFig = await latency(
    (i) => store.append({ stream: `workflow-${project(i).id}`, type: 'workflow.recorded', meta: { source: 'api' }, data: entry(offset + i) }),
    { iterations: n },
  );
  recording.stop();
  // The floor: each of those appends' own batch (its keys and bytes) written again, one by one, into
  // an empty raw LevelDB with the same sync option — one append with no store code.
  const floorLevel = await openRawLevel(join(ctx.dir, durable ? 'floor-durable' : 'floor-append'));
  const batches = recording.batches;
  const perBatch = batches.reduce((a, b) => a + b.length, 0) / Math.max(1, batches.length);
  const floorFig = {
    ...(await latency((i) => writeBatch(floorLevel, batches[i % batches.length]!, { sync: durable }), { iterations: Math.min(n, batches.length) })),
    note: `the store's own batch of each append (${perBatch.toFixed(1)} keys), raw`,
  };
  await floorLevel.close();
  const sqlite = openSqlite(ctx.sqliteFile, durable);
  const ids = new Map<string, number>();
  const sqliteFig = await latency((i) => {
    const p = project(i);
    let id = ids.get(p.name);
    if (id === undefined) ids.set(p.name, (id = (ctx.sqlite.byName.get(p.name) as { id: number }).id));
    const e = entry(offset + i);
    return sqlite.insertHistory.run(id, e.timestamp, e.action, e.description, e.user);
  }, { iterations: n });
  sqlite.close();
  const put = { sync: durable } as object;
  const levelFig = await latency((i) => {
    const e = entry(offset + i);
    return ctx.level.put(`h!${project(i).name}\0${e.timestamp}`, rawPackr.pack(e), put);
  }, { iterations: n });
  // The Python tool: read the workflow file, append, rewrite it atomically (temp file + rename, no fsync).
  const json = durable
    ? undefined
    : await latency((i) => {
        const name = project(i).name;
        const wf = ctx.json.loadWorkflow(name);
        wf.history.push(entry(offset + i));
        ctx.json.saveWorkflow(name, wf);
      }, { iterations: ctx.iters(500, 50), maxMs: 10_000 });
  ctx.record({
    scenario: durable ? 'single append, durable' : 'single append, non-durable',
    size: ctx.size,
    kind: 'latency',
    unit: 'append',
    figures: { store: storeFig, floor: floorFig, sqlite: sqliteFig, level: levelFig, ...(json ? { json } : {}) },
    note: durable
      ? 'store: fsync per batch; SQLite WAL synchronous=FULL; raw: put {sync: true}'
      : 'store: workflow.recorded with its 3 view rows; SQLite WAL synchronous=NORMAL; raw: one put; JSON: rewrite the workflow file',
  });
}

export const appendSingle: Scenario = {
  name: 'single append',
  async run(ctx) {
    await measure(ctx, false);
    await measure(ctx, true);
    await ctx.reopenStore({});
  },
};
