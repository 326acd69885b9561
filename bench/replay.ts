/** Full replay (read + decode the whole log) and rebuild of every projection. */
import { latency, medianOf, throughput } from './lib/measure.js';
import { join } from 'node:path';
import { recordBatches, writeBatches } from './lib/floor.js';
import { openRawLevel, rawPackr } from './lib/peers.js';
import type { Db } from '../src/log/db.js';

/** Every log entry of the store's own database, read raw with the store's read buffer; `decode` unpacks each body. */
async function readLogRaw(db: Db, decode: boolean): Promise<number> {
  let n = 0;
  const it = db.iterator({ gte: 'e!', lt: 'e!\u{10FFFF}', highWaterMarkBytes: 1 << 20 } as never);
  try {
    for (;;) {
      const entries = await it.nextv(1000);
      if (entries.length === 0) break;
      // an entry is a 5-byte head (tag + CRC-32) and the msgpack envelope (src/log/entry.ts)
      if (decode) for (const [, v] of entries) rawPackr.unpack((v as Buffer).subarray(5));
      n += entries.length;
    }
  } finally {
    await it.close();
  }
  return n;
}
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
    // the floor: the store's own log entries, read and unpacked, no checksum, no upcast, no envelope checks
    const floor = await medianOf(runs, () => throughput(events, () => readLogRaw(ctx.store.db, true), "the store's own entries: iterate + unpack"));
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
      figures: { store, floor, level: { ...level, note: `${rawKeys} keys` }, sqlite, json: { ...json, ops: (json.ops * events) } },
      note: 'raw: iterate every key with a 1 MiB read buffer + unpack; JSON: parse the whole registry (rate in projects+entries/s)',
    });

    let recording: ReturnType<typeof recordBatches> | undefined;
    const rebuild = await medianOf(runs, async () => {
      // the first run's batches are kept for the floor below
      recording ??= recordBatches(ctx.store.db);
      const report = await ctx.store.rebuild();
      recording.stop();
      return { ops: (report.events / report.ms) * 1000, n: report.events, ms: report.ms };
    });
    // the floor: read the log raw and write the view rows the rebuild wrote, batch by batch, into an empty raw LevelDB
    const floorLevel = await openRawLevel(join(ctx.dir, 'rebuild-floor'));
    const batches = recording!.batches;
    const rows = recording!.keys;
    const rebuildFloor = await throughput(events, async () => {
      await readLogRaw(ctx.store.db, false);
      await writeBatches(floorLevel, batches);
    }, `read the log raw + write the rebuild's ${(rows / events).toFixed(2)} view rows per event in ${batches.length} batches`);
    batches.length = 0;
    await floorLevel.close();
    ctx.record({ scenario: 'rebuild all projections', size: ctx.size, kind: 'throughput', unit: 'events/s', figures: { store: rebuild, floor: rebuildFloor } });
  },
};
