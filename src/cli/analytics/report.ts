import { count } from '../../lib/text.js';
import { resolve } from 'node:path';
import { gatherReport, renderReport } from '../../analytics/html-report.js';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import { command } from '../command.js';
import { withAsOf } from '../context.js';
import { UsageError } from '../output.js';
import { checkDay } from './project.js';

export const report = command({
  command: 'report',
  describe: 'Write one self-contained HTML report (inline SVG charts, no network): widget usage, trends, project complexity',
  builder: (y) =>
    withAsOf(y)
      .option('html', { type: 'string', demandOption: true, describe: 'the HTML file to write' })
      .option('days', { alias: 'd', type: 'number', default: 90, describe: 'trend window' })
      .option('until', { type: 'string', describe: 'last day of the trends, YYYY-MM-DD (default: today, UTC)' }),
  run: async (argv, ctx) => {
    if (!Number.isInteger(argv.days) || argv.days < 1 || argv.days > 3660) throw new UsageError(`--days takes 1..3660, not ${argv.days}`);
    const until = checkDay(argv.until);
    const path = resolve(argv.html);
    const data = await ctx.withViews(argv.asOf, (views) => gatherReport(views, { days: argv.days, ...(until ? { until } : {}) }));
    await writeFileAtomic(path, renderReport(data));
    ctx.out.result(
      { out: path, widgets: data.widgets.length, trends: data.trends.map((t) => t.metric), projects: data.projects.length },
      () => ctx.out.line(`wrote ${path}: ${count(data.widgets.length, 'widget class', 'widget classes')}, ${count(data.trends.length, 'trend')}, ${count(data.projects.length, 'project')}`),
    );
  },
});
