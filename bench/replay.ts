/** Full replay (read + decode the whole log) and rebuild of every projection. */
import { latency, medianOf, throughput } from './lib/measure.js';
import { rawPackr } from './lib/peers.js';
import type { Scenario } from './lib/context.js';

export const replay: Scenario = {
  name: 'replay and rebuild',
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const events = ctx.store.log.head;
    const store = await medianOf(runs, () =>
      throughput(events, async () => {
        let n = 0;
        for await (const _ of ctx.store.log.readAll()) n++;
        if (n !== events) throw new Error(`replay read ${n} of ${events} events`);
      }),
    );
    let rawKeys = 0;
    const level = await medianOf(runs, async () => {
      let n = 0;
      const t0 = performance.now();
      const it = ctx.level.iterator({ highWaterMarkBytes: 1 << 20 } as never);
      for (;;) {
        const entries = await it.nextv(1000);
        if (entries.length === 0) break;
        for (const [, v] of entries) rawPackr.unpack(v as Buffer);
        n += entries.length;
      }
      await it.close();
      rawKeys = n;
      const ms = performance.now() - t0;
      return { ops: (n / ms) * 1000, n, ms };
    });
    const sqlite = await medianOf(runs, () =>
      throughput(events, () => {
        let n = 0;
        for (const _ of ctx.sqlite.db.prepare('SELECT * FROM projects').iterate()) n++;
        for (const _ of ctx.sqlite.db.prepare('SELECT * FROM workflow_history').iterate()) n++;
        return n;
      }, 'every row of projects and workflow_history'),
    );
    const json = await latency(() => ctx.json.load(), { iterations: ctx.iters(5, 2), warmup: 0 });
    ctx.record({
      scenario: 'full replay (read + decode)',
      size: ctx.size,
      kind: 'throughput',
      unit: 'events/s',
      figures: { store, level: { ...level, note: `${rawKeys} keys` }, sqlite, json: { ...json, ops: (json.ops * events) } },
      note: 'raw: iterate every key with a 1 MiB read buffer + unpack; JSON: parse the whole registry (rate in projects+entries/s)',
    });

    const rebuild = await medianOf(runs, async () => {
      const report = await ctx.store.rebuild();
      return { ops: (report.events / report.ms) * 1000, n: report.events, ms: report.ms };
    });
    ctx.record({ scenario: 'rebuild all projections', size: ctx.size, kind: 'throughput', unit: 'events/s', figures: { store: rebuild } });
  },
};
