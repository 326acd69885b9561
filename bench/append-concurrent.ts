/** Many concurrent appends (group commit), non-durable: events per second. */
import { join } from 'node:path';
import { recordBatches, writeBatches } from './lib/floor.js';
import { throughput } from './lib/measure.js';
import { openRawLevel, rawPackr } from './lib/peers.js';
import type { Scenario } from './lib/context.js';

export const appendConcurrent: Scenario = {
  name: 'concurrent appends',
  async run(ctx) {
    const total = ctx.iters(20_000, 2_000);
    const project = (i: number) => ctx.data[i % ctx.data.length]!;
    const entry = (i: number) => ({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), action: 'file_changed', description: `concurrent ${i}`, user: 'bench' });
    const store = await ctx.reopenStore({ sync: false });
    const recording = recordBatches(store.db);
    const storeFig = await throughput(total, () =>
      Promise.all(
        Array.from({ length: total }, (_, i) =>
          store.append({ stream: `workflow-${project(i).id}`, type: 'workflow.recorded', meta: { source: 'api' }, data: entry(i) }),
        ),
      ),
    );
    recording.stop();
    // the floor: the group commits' own batches, written again into an empty raw LevelDB
    const floorLevel = await openRawLevel(join(ctx.dir, 'concurrent-floor'));
    const floorFig = await throughput(total, () => writeBatches(floorLevel, recording.batches), `the store's ${recording.batches.length} group-commit batches, ${(recording.keys / total).toFixed(2)} keys per event`);
    await floorLevel.close();
    const levelFig = await throughput(total, () =>
      Promise.all(Array.from({ length: total }, (_, i) => ctx.level.put(`h!${project(i).name}\0${entry(i).timestamp}`, rawPackr.pack(entry(i))))),
    );
    // better-sqlite3 is synchronous: concurrent callers in one process serialise; each insert commits on its own.
    const ids = new Map<string, number>();
    const sqliteFig = await throughput(total, () => {
      for (let i = 0; i < total; i++) {
        const p = project(i);
        let id = ids.get(p.name);
        if (id === undefined) ids.set(p.name, (id = (ctx.sqlite.byName.get(p.name) as { id: number }).id));
        const e = entry(i);
        ctx.sqlite.insertHistory.run(id, e.timestamp, e.action, e.description, e.user);
      }
    }, 'one autocommit insert each (synchronous driver)');
    ctx.record({
      scenario: 'concurrent appends',
      size: ctx.size,
      kind: 'throughput',
      unit: 'events/s',
      figures: { store: storeFig, floor: floorFig, sqlite: sqliteFig, level: levelFig },
      note: `${total} appends in flight at once, non-durable`,
    });
  },
};
