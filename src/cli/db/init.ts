import { command } from '../command.js';

export const init = command({
  command: 'init',
  describe: 'Create the store (if missing), publish the starter templates it lacks, and show where it is',
  run: async (_argv, ctx) => {
    await ctx.withStore(
      async (store) => {
        const before = await store.stats();
        const starters = await store.templates.seed({ meta: ctx.meta });
        const stats = await store.stats();
        ctx.out.result({ location: store.location, events: stats.events, created: before.events === 0, starters }, () => {
          ctx.out.line(`store ready at ${store.location} (${stats.events} events)`);
          if (starters.published.length > 0) ctx.out.info(`published starter templates: ${starters.published.join(', ')}`);
        });
      },
      { create: true },
    );
  },
});
