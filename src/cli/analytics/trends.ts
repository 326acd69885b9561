import { trend, WORKFLOW_METRIC, type TrendStat } from '../../domain/analytics.js';
import { command } from '../command.js';
import { withAsOf } from '../context.js';
import { UsageError } from '../output.js';
import { formatNumber, lineChart } from './charts.js';
import { checkDay } from './project.js';

export const trends = command({
  command: 'trends',
  describe: `A metric per day or week as a line chart (default: workflow activity, ${WORKFLOW_METRIC})`,
  builder: (y) =>
    withAsOf(y)
      .option('metric', { alias: 'm', type: 'string', describe: 'the metric (see `export` or `record`)' })
      .option('project', { alias: 'p', type: 'string', describe: 'only this project' })
      .option('days', { alias: 'd', type: 'number', default: 30, describe: 'how many days back' })
      .option('until', { type: 'string', describe: 'last day, YYYY-MM-DD (default: today, UTC)' })
      .option('by', { choices: ['day', 'week'] as const, default: 'day' as const })
      .option('stat', { choices: ['count', 'sum', 'avg', 'min', 'max'] as const, describe: 'what the chart plots (default: avg; count for workflow activity)' }),
  run: async (argv, ctx) => {
    if (!Number.isInteger(argv.days) || argv.days < 1 || argv.days > 3660) throw new UsageError(`--days takes 1..3660, not ${argv.days}`);
    const until = checkDay(argv.until);
    await ctx.withViews(argv.asOf, async (views) => {
      const project = argv.project === undefined ? undefined : await views.projects.require(argv.project);
      const t = await trend(views, {
        days: argv.days,
        by: argv.by,
        ...(argv.metric !== undefined ? { metric: argv.metric } : {}),
        ...(project ? { projectId: project.id, project: project.name } : {}),
        ...(until ? { until } : {}),
      });
      const stat: TrendStat = argv.stat ?? (t.metric === WORKFLOW_METRIC ? 'count' : 'avg');
      ctx.out.result(t, () => {
        const total = t.points.reduce((n, p) => n + p.count, 0);
        ctx.out.info(`${t.metric}${t.project ? ` for ${t.project}` : ''}: ${stat} per ${t.by}, ${t.from} .. ${t.to} (${total} measurements)`);
        if (total === 0) {
          ctx.out.line(ctx.out.paint('dim', 'no data in this window'));
          return;
        }
        const width = Math.max(20, (process.stdout.columns || 100) - 14);
        // An average, min or max has no value before the first measurement: the chart starts there.
        const first = additive(stat) ? 0 : t.points.findIndex((p) => p.count > 0);
        const shown = t.points.slice(first);
        const { chart, perColumn } = lineChart(plotted(shown.map((p) => p[stat]), stat), { width });
        ctx.out.line(chart);
        ctx.out.info(
          `${shown[0]!.day}${' '.repeat(Math.max(1, Math.min(width, Math.ceil(shown.length / perColumn)) - 10))}${shown[shown.length - 1]!.day}` +
            (perColumn > 1 ? `  (each column averages ${perColumn} ${t.by}s)` : '') +
            `  (${t.by}s without data ${additive(stat) ? 'plot as 0' : 'hold the last value'}${first > 0 ? `; no data before ${shown[0]!.day}` : ''})`,
        );
        const known = t.points.filter((p) => p.count > 0);
        const max = Math.max(...known.map((p) => p.max ?? -Infinity));
        const min = Math.min(...known.map((p) => p.min ?? Infinity));
        ctx.out.info(`min ${formatNumber(min)}  max ${formatNumber(max)}  ${known.length} of ${t.points.length} ${t.by}s with data`);
      });
    });
  },
});

const additive = (stat: TrendStat): boolean => stat === 'count' || stat === 'sum';

/**
 * The values a chart draws: a count or sum is 0 on a day without data; an average, min or max has
 * no value then, so the line holds the last one. The caller starts the series at its first value.
 */
export function plotted(values: ReadonlyArray<number | null>, stat: TrendStat): number[] {
  if (additive(stat)) return values.map((v) => v ?? 0);
  let last = values.find((v): v is number => v !== null) ?? 0;
  return values.map((v) => (v === null ? last : (last = v)));
}
