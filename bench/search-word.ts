/** Word search returning 10 hits: a word that exactly ten projects carry in their description. */
import { rareWord, rareWordCount } from './lib/dataset.js';
import { latency } from './lib/measure.js';
import { rawPackr } from './lib/peers.js';
import type { Scenario } from './lib/context.js';

export const searchWord: Scenario = {
  name: 'word search',
  async run(ctx) {
    const n = ctx.iters(5_000, 500);
    const rare = rareWordCount(ctx.size);
    const word = (i: number) => rareWord((i * 7919) % rare);
    const store = await latency((i) => ctx.store.views.projects.search(word(i), { limit: 10 }), { iterations: n });
    const sqlite = await latency((i) => ctx.sqlite.search.all({ w: word(i), n: 10 }), { iterations: ctx.iters(300, 30), maxMs: 15_000 });
    const json = await latency((i) => {
      const w = word(i);
      const { projects } = ctx.json.load();
      const hits = [];
      for (const [name, p] of Object.entries(projects)) {
        if (name.toLowerCase().includes(w) || p.description.toLowerCase().includes(w) || p.tags.some((t) => t.toLowerCase().includes(w))) {
          hits.push(name);
          if (hits.length === 10) break;
        }
      }
      return hits;
    }, { iterations: ctx.iters(100, 10), maxMs: 10_000 });
    const level = await latency(async () => (await ctx.level.values({ gte: 'p!', lt: 'p!\uffff', limit: 10 }).all()).map((v) => rawPackr.unpack(v)), { iterations: n });
    ctx.record({
      scenario: 'word search (10 hits)',
      size: ctx.size,
      kind: 'latency',
      unit: 'query',
      figures: { store, json, sqlite, level },
      note: 'a word carried by exactly 10 projects; SQLite: LIKE on name and description; raw: 10 adjacent rows',
    });
  },
};
