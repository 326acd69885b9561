import { command } from '../command.js';

export const init = command({
  command: 'init',
  describe: 'Create the store (if missing), publish the starter templates it lacks, and show where it is',
  builder: (y) => y.option('starters', { type: 'boolean', default: true, describe: 'publish the starter templates (--no-starters: an empty store)' }),
  run: async (argv, ctx) => {
    await ctx.withStore(
      async (store) => {
        const before = await store.stats();
        const starters = argv.starters ? await store.templates.seed({ meta: ctx.meta }) : { published: [], skipped: [] };
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
