import { addDays, today } from '../../domain/analytics.js';
import { command } from '../command.js';
import { withAsOf } from '../context.js';
import { UsageError } from '../output.js';
import { barChart, sparkline } from './charts.js';

export const project = command({
  command: 'project <name>',
  describe: "A project's complexity, widget mix, workflow activity and a sparkline of recent activity",
  builder: (y) =>
    withAsOf(y)
      .positional('name', { type: 'string', demandOption: true })
      .option('days', { type: 'number', default: 30, describe: 'activity window for the sparkline' })
      .option('until', { type: 'string', describe: 'last day of the window, YYYY-MM-DD (default: today, UTC)' }),
  run: async (argv, ctx) => {
    if (!Number.isInteger(argv.days) || argv.days < 1 || argv.days > 3660) throw new UsageError(`--days takes 1..3660, not ${argv.days}`);
    const until = checkDay(argv.until);
    await ctx.withViews(argv.asOf, async (views) => {
      const p = await views.projects.require(argv.name);
      const complexity = (await views.analytics.complexity(p.id)) ?? null;
      const widgets = await views.analytics.widgetUsage({ projectId: p.id });
      const actions = await views.analytics.actions(p.id);
      const to = until ?? today();
      const from = addDays(to, -(argv.days - 1));
      const counts = new Map((await views.analytics.activityDays(from, to, p.id)).map((d) => [d.day, d.count]));
      const activity: Array<{ day: string; count: number }> = [];
      for (let day = from; day <= to; day = addDays(day, 1)) activity.push({ day, count: counts.get(day) ?? 0 });
      ctx.out.result({ project: p.name, id: p.id, complexity, widgets, actions, activity }, () => {
        ctx.out.record([
          ['project', p.name],
          ['path', p.path],
          ['files', complexity?.files ?? 0],
          ['widgets', complexity ? `${complexity.widgets} (${complexity.widget_classes} classes, ${complexity.objects} objects)` : 0],
          ['max depth', complexity?.max_depth ?? 0],
          ['callbacks', complexity ? `${complexity.callbacks} (${complexity.commands} commands, ${complexity.bindings} bindings)` : 0],
          ['layouts', complexity ? Object.entries(complexity.layouts).map(([m, n]) => `${m} ${n}`).join(', ') : ''],
          ['complexity', complexity?.score ?? 0],
          [`activity ${from}..${to}`, `${sparkline(activity.map((a) => a.count))} (${activity.reduce((n, a) => n + a.count, 0)} actions)`],
        ]);
        if (widgets.length > 0) {
          ctx.out.line();
          ctx.out.line(barChart(widgets.slice(0, 15).map((w) => ({ label: w.class, value: w.count })), 30));
        }
        if (actions.length > 0) {
          ctx.out.line();
          ctx.out.table(['ACTION', 'COUNT', 'LAST'], actions.map((a) => [a.action, a.count, a.last]));
        }
      });
    });
  },
});

export function checkDay(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`--until takes a day as YYYY-MM-DD, not ${JSON.stringify(value)}`);
  }
  return value;
}
