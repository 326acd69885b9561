/** Lookup by name: one project, with its tags, at random over the whole registry. */
import { rng } from './lib/dataset.js';
import { latency } from './lib/measure.js';
import { rawKey, rawPackr } from './lib/peers.js';
import type { Scenario } from './lib/context.js';

export const lookupByName: Scenario = {
  name: 'lookup by name',
  async run(ctx) {
    const r = rng(7);
    const names = Array.from({ length: 4096 }, () => ctx.data[Math.floor(r() * ctx.data.length)]!.name);
    const n = ctx.iters(20_000, 2_000);
    const name = (i: number) => names[i % names.length]!;

    // The floor uses the same synchronous point read the store uses (an async get costs a thread-pool hop).
    const level = await latency((i) => rawPackr.unpack(ctx.level.getSync(rawKey(name(i)))!), { iterations: n });
    const sqlite = await latency((i) => {
      const row = ctx.sqlite.byName.get(name(i)) as { id: number };
      return { ...row, tags: ctx.sqlite.tagsOf.pluck().all(row.id) };
    }, { iterations: n });
    const json = await latency((i) => ctx.json.load().projects[name(i)], { iterations: ctx.iters(200, 20), maxMs: 10_000 });

    // Read cache off: every lookup reads LevelDB (one get: the name index holds the row, format 3).
    let store = await ctx.reopenStore({ cacheSize: 0 });
    const cold = await latency((i) => store.views.projects.byName(name(i)), { iterations: n });
    // Read cache on and warm: a working set of 1,000 names, looked up once before timing.
    store = await ctx.reopenStore({});
    const hot = names.slice(0, 1000);
    for (const h of hot) await store.views.projects.byName(h);
    const warm = await latency((i) => store.views.projects.byName(hot[i % hot.length]!), { iterations: n });
    ctx.record({
      scenario: 'lookup by name',
      size: ctx.size,
      kind: 'latency',
      unit: 'lookup',
      figures: { store: cold, storeWarm: warm, json, sqlite, level },
      note: 'store: read cache off (1 LevelDB get: name → row); warm: cache on, 1,000 hot names; raw: 1 getSync + unpack',
    });
  },
};
