import { stringify } from 'csv-stringify/sync';
import { resolve } from 'node:path';
import type { MetricPoint } from '../../projections/analytics.js';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import { command } from '../command.js';
import { withAsOf } from '../context.js';
import { UsageError } from '../output.js';

/** The CSV columns of an export, in order; `metadata` is a JSON text, empty when there is none. */
export const EXPORT_COLUMNS = ['seq', 'at', 'metric', 'value', 'project', 'project_id', 'metadata'] as const;

export function pointsToCsv(points: readonly MetricPoint[]): string {
  return stringify(
    points.map((p) => [p.seq, p.at, p.metric, p.value, p.project ?? '', p.project_id ?? '', p.metadata === null ? '' : JSON.stringify(p.metadata)]),
    { header: true, columns: [...EXPORT_COLUMNS], quoted_match: /^\s|\s$/ },
  );
}

export const parseSince = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since takes an ISO-8601 time, not ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
};

export const exportCommand = command({
  command: 'export',
  describe: 'Export metric measurements as CSV (header row) or JSON',
  builder: (y) =>
    withAsOf(y)
      .option('format', { alias: 'f', choices: ['csv', 'json'] as const, default: 'csv' as const })
      .option('out', { alias: 'o', type: 'string', default: '-', describe: 'file to write (atomically), or - for stdout' })
      .option('metric', { alias: 'm', type: 'string', describe: 'only this metric' })
      .option('since', { type: 'string', describe: 'only measurements from this ISO-8601 time on' }),
  run: async (argv, ctx) => {
    const since = parseSince(argv.since);
    await ctx.withViews(argv.asOf, async (views) => {
      const points: MetricPoint[] = [];
      for await (const p of views.analytics.points({ ...(argv.metric !== undefined ? { metric: argv.metric } : {}), ...(since ? { since } : {}) })) points.push(p);
      const body = argv.format === 'csv' ? pointsToCsv(points) : `${JSON.stringify(points, null, 2)}\n`;
      if (argv.out === '-') {
        process.stdout.write(body);
        return;
      }
      const path = resolve(argv.out);
      await writeFileAtomic(path, body);
      ctx.out.result({ out: path, format: argv.format, rows: points.length }, () => ctx.out.line(`wrote ${points.length} rows to ${path} (${argv.format})`));
    });
  },
});
