import { command } from '../command.js';

export const init = command({
  command: 'init',
  describe: 'Create the store (if missing) and show where it is',
  run: async (_argv, ctx) => {
    await ctx.withStore(
      async (store) => {
        const stats = await store.stats();
        ctx.out.result({ location: store.location, events: stats.events, created: stats.events === 0 }, () => {
          ctx.out.line(`store ready at ${store.location} (${stats.events} events)`);
        });
      },
      { create: true },
    );
  },
});
