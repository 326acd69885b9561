import type { Argv } from 'yargs';
import { normaliseAt } from '../../log/envelope.js';
import { pythonIso } from '../../lib/time.js';
import { command } from '../command.js';
import { withAsOf, type GlobalArgs } from '../context.js';
import { UsageError } from '../output.js';
import { shortTime } from './format.js';

const show = command({
  command: '$0 <project>',
  describe: "Show a project's workflow history (oldest first)",
  builder: (y) =>
    withAsOf(y)
      .positional('project', { type: 'string', demandOption: true })
      .option('limit', { alias: 'n', type: 'number', describe: 'only the most recent N entries' }),
  run: async (argv, ctx) => {
    await ctx.withViews(argv.asOf, async (views) => {
      const p = await views.projects.require(argv.project);
      const entries = await views.history.list(p.id, argv.limit === undefined ? {} : { limit: argv.limit });
      ctx.out.result({ project: p.name, entries }, () =>
        ctx.out.table(
          ['TIME', 'ACTION', 'USER', 'DESCRIPTION'],
          entries.map((e) => [shortTime(e.timestamp), e.action, e.user ?? '', e.description]),
          { empty: `no history for ${p.name}` },
        ),
      );
    });
  },
});

const record = command({
  command: 'record <project> <action>',
  describe: 'Add a workflow history entry',
  builder: (y) =>
    y
      .positional('project', { type: 'string', demandOption: true })
      .positional('action', { type: 'string', demandOption: true, describe: 'e.g. file_changed, ui_generated' })
      .option('description', { alias: 'd', type: 'string', default: '', describe: 'what happened, e.g. "login.ui changed"' })
      .option('at', { type: 'string', describe: 'ISO-8601 time it happened (default: now)' })
      .option('user', { type: 'string', describe: 'who did it' }),
  run: async (argv, ctx) => {
    if (argv.at !== undefined && normaliseAt(argv.at) === undefined) throw new UsageError(`--at takes an ISO-8601 time, not ${JSON.stringify(argv.at)}`);
    const event = await ctx.withStore((store) =>
      store.history.record(argv.project, {
        action: argv.action,
        description: argv.description,
        ...(argv.at !== undefined ? { at: argv.at, timestamp: pythonIso(argv.at) } : {}),
        ...(argv.user !== undefined ? { user: argv.user } : {}),
        meta: ctx.meta,
      }),
    );
    ctx.out.result(event, () => ctx.out.line(`recorded ${argv.action} for ${argv.project} (seq ${event.seq})`));
  },
});

export const history = {
  command: 'history',
  describe: "A project's workflow history: `history <project>`, `history record <project> <action>`",
  builder: (y: Argv<GlobalArgs>) => y.command(record).command(show),
  handler: () => {},
};
