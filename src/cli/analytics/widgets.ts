import { command } from '../command.js';
import { withAsOf } from '../context.js';
import { UsageError } from '../output.js';
import { barChart } from './charts.js';

export const widgets = command({
  command: 'widgets',
  describe: 'Widget classes by use, across all projects or one (latest scan of each file)',
  builder: (y) =>
    withAsOf(y)
      .option('project', { alias: 'p', type: 'string', describe: 'one project' })
      .option('top', { alias: 'n', type: 'number', default: 15, describe: 'show the N most used classes' }),
  run: async (argv, ctx) => {
    if (!Number.isInteger(argv.top) || argv.top < 1) throw new UsageError(`--top takes a positive whole number, not ${argv.top}`);
    await ctx.withViews(argv.asOf, async (views) => {
      const project = argv.project === undefined ? undefined : await views.projects.require(argv.project);
      const usage = await views.analytics.widgetUsage({ top: argv.top, ...(project ? { projectId: project.id } : {}) });
      const total = project ? ((await views.analytics.complexity(project.id))?.widgets ?? 0) : (await views.analytics.totals()).widgets;
      ctx.out.result({ project: project?.name ?? null, total, widgets: usage }, () => {
        if (usage.length === 0) {
          ctx.out.line(ctx.out.paint('dim', 'no widgets scanned yet (run `pygubu-analytics scan`)'));
          return;
        }
        ctx.out.info(`${total} widgets${project ? ` in ${project.name}` : ' in all projects'}; top ${usage.length} classes:`);
        ctx.out.line(barChart(usage.map((w) => ({ label: w.class, value: w.count }))));
      });
    });
  },
});
