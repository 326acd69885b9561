/** A project's workflow history, by project name. */
import { latency } from './lib/measure.js';
import { rawPackr } from './lib/peers.js';
import type { Scenario } from './lib/context.js';

export const projectHistory: Scenario = {
  name: 'project history',
  async run(ctx) {
    const n = ctx.iters(5_000, 500);
    const name = (i: number) => ctx.data[ctx.workflowSample[i % ctx.workflowSample.length]!]!.name;
    const store = await latency(async (i) => {
      const p = await ctx.store.views.projects.require(name(i));
      return ctx.store.views.history.list(p.id);
    }, { iterations: n });
    const sqlite = await latency((i) => ctx.sqlite.history.all(name(i)), { iterations: n });
    // The Python tool finds the project's path in the registry, then reads its workflow file.
    const json = await latency((i) => {
      const reg = ctx.json.load();
      if (!reg.projects[name(i)]) throw new Error('missing project');
      return ctx.json.loadWorkflow(name(i)).history;
    }, { iterations: ctx.iters(100, 10), maxMs: 10_000 });
    const level = await latency(async (i) => (await ctx.level.values({ gte: `h!${name(i)}\0`, lt: `h!${name(i)}\0\uffff` }).all()).map((v) => rawPackr.unpack(v)), { iterations: n });
    ctx.record({ scenario: 'project history', size: ctx.size, kind: 'latency', unit: 'query', figures: { store, json, sqlite, level }, note: 'JSON: registry read for the path, then the workflow file' });
  },
};
