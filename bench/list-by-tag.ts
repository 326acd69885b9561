/** List by tag: the first 10 projects (by name) carrying a tag. */
import { TAGS } from './lib/dataset.js';
import { latency } from './lib/measure.js';
import { rawPackr } from './lib/peers.js';
import type { Scenario } from './lib/context.js';

export const listByTag: Scenario = {
  name: 'list by tag',
  async run(ctx) {
    const n = ctx.iters(5_000, 500);
    const tag = (i: number) => TAGS[i % TAGS.length]!;
    const store = await latency((i) => ctx.store.views.projects.list({ tag: tag(i), limit: 10 }), { iterations: n });
    const sqlite = await latency((i) => ctx.sqlite.byTag.all(tag(i), 10), { iterations: n });
    const json = await latency((i) => {
      const t = tag(i);
      const { projects } = ctx.json.load();
      return Object.entries(projects)
        .filter(([, p]) => p.tags.includes(t))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, 10);
    }, { iterations: ctx.iters(100, 10), maxMs: 10_000 });
    // The floor of any 10-row answer: one range read of 10 adjacent rows.
    const level = await latency(async () => (await ctx.level.values({ gte: 'p!', lt: 'p!\uffff', limit: 10 }).all()).map((v) => rawPackr.unpack(v)), { iterations: n });
    ctx.record({ scenario: 'list by tag (10 hits)', size: ctx.size, kind: 'latency', unit: 'query', figures: { store, json, sqlite, level }, note: 'raw: 10 adjacent rows read by one range scan' });
  },
};
