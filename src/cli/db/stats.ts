import { command } from '../command.js';
import { withAsOf } from '../context.js';

export const stats = command({
  command: 'stats',
  describe: 'Counts of events, projects and workflow entries (read from counter rows, not scans)',
  builder: (y) => withAsOf(y),
  run: async (argv, ctx) => {
    await ctx.withViews(argv.asOf, async (views, store) => {
      const s = await store.stats(views);
      const { pairedWith } = await import('./legacy.js');
      const doc = { ...s, pairedRegistry: await pairedWith(ctx, store) };
      ctx.out.result(doc, () =>
        ctx.out.record([
          ['store', doc.location],
          ['paired registry', doc.pairedRegistry],
          ['events', doc.events],
          ['projects', doc.projects],
          ['workflow entries', doc.workflowEvents],
          ['active project', doc.activeProject ?? '-'],
          ['projections', Object.entries(doc.projections).map(([n, v]) => `${n} v${v}`).join(', ')],
          ['size on disk', `~${Math.round(doc.approximateBytes / 1024)} KiB`],
        ]),
      );
    });
  },
});
