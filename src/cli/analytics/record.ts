import { recordMetric } from '../../domain/analytics.js';
import { command } from '../command.js';
import { UsageError } from '../output.js';

export const record = command({
  command: 'record <metric> <value>',
  describe: 'Record one measurement of a metric',
  builder: (y) =>
    y
      .positional('metric', { type: 'string', demandOption: true, describe: 'letters, digits and _ . : -' })
      .positional('value', { type: 'string', demandOption: true, describe: 'a number' })
      .option('project', { alias: 'p', type: 'string', describe: 'the project it belongs to' })
      .option('at', { type: 'string', describe: 'ISO-8601 time it happened (default: now)' }),
  run: async (argv, ctx) => {
    const value = Number(argv.value);
    if (String(argv.value).trim() === '' || !Number.isFinite(value)) throw new UsageError(`<value> must be a number, not ${JSON.stringify(argv.value)}`);
    if (argv.at !== undefined && Number.isNaN(Date.parse(argv.at))) throw new UsageError(`--at takes an ISO-8601 time, not ${JSON.stringify(argv.at)}`);
    const event = await ctx.withStore((store) =>
      store.transact((tx, views) =>
        recordMetric(tx, views, {
          metric: argv.metric,
          value,
          meta: ctx.meta,
          ...(argv.project !== undefined ? { project: argv.project } : {}),
          ...(argv.at !== undefined ? { at: argv.at } : {}),
        }),
      ),
    );
    ctx.out.result(event, () => ctx.out.line(`recorded ${argv.metric} = ${value} at ${event.at} (seq ${event.seq})`));
  },
});
