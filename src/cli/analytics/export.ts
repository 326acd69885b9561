import { stringify } from 'csv-stringify/sync';
import { resolve } from 'node:path';
import type { MetricPoint } from '../../projections/analytics.js';
import type { Views } from '../../queries/index.js';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import { count } from '../../lib/text.js';
import { command } from '../command.js';
import { withAsOf } from '../context.js';
import { UsageError } from '../output.js';

/** The CSV columns of a metrics export, in order; `metadata` is a JSON text, empty when there is none. */
export const EXPORT_COLUMNS = ['seq', 'at', 'metric', 'value', 'project', 'project_id', 'metadata'] as const;

/** What `export --view` can write: one table per analytics view. */
export const EXPORT_VIEWS = ['metrics', 'widgets', 'complexity', 'activity'] as const;
export type ExportView = (typeof EXPORT_VIEWS)[number];

/** The columns of each view's table (CSV header; the keys of each JSON row). */
export const VIEW_COLUMNS: { readonly [V in ExportView]: readonly string[] } = {
  metrics: EXPORT_COLUMNS,
  widgets: ['project', 'project_id', 'class', 'count'],
  complexity: ['project', 'project_id', 'files', 'widgets', 'widget_classes', 'objects', 'max_depth', 'commands', 'bindings', 'callbacks', 'layouts', 'score'],
  activity: ['project', 'project_id', 'day', 'actions'],
};

type Row = Record<string, unknown>;

const csvCell = (v: unknown): unknown => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : v);

export function rowsToCsv(columns: readonly string[], rows: readonly Row[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => csvCell(r[c]))),
    { header: true, columns: [...columns], quoted_match: /^\s|\s$/ },
  );
}

export const pointsToCsv = (points: readonly MetricPoint[]): string => rowsToCsv(EXPORT_COLUMNS, points.map(pointRow));

const pointRow = (p: MetricPoint): Row => ({
  seq: p.seq,
  at: p.at,
  metric: p.metric,
  value: p.value,
  project: p.project ?? null,
  project_id: p.project_id ?? null,
  metadata: p.metadata,
});

export const parseSince = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since takes an ISO-8601 time, not ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
};

/** One view's rows, in a stable order. */
export async function viewRows(views: Views, view: ExportView, options: { metric?: string; since?: string; project?: string }): Promise<Row[]> {
  const projects = options.project !== undefined ? [await views.projects.require(options.project)] : await views.projects.list();
  switch (view) {
    case 'metrics': {
      const rows: Row[] = [];
      const pid = options.project !== undefined ? projects[0]?.id : undefined;
      for await (const p of views.analytics.points({ ...(options.metric !== undefined ? { metric: options.metric } : {}), ...(options.since ? { since: options.since } : {}) })) {
        if (pid === undefined || p.project_id === pid) rows.push(pointRow(p));
      }
      return rows;
    }
    case 'widgets': {
      if (options.project === undefined) {
        return (await views.analytics.widgetUsage()).map((w) => ({ project: null, project_id: null, class: w.class, count: w.count }));
      }
      const p = projects[0]!;
      return (await views.analytics.widgetUsage({ projectId: p.id })).map((w) => ({ project: p.name, project_id: p.id, class: w.class, count: w.count }));
    }
    case 'complexity': {
      const ranked = await views.analytics.complexityRanking();
      const ids = new Set(projects.map((p) => p.id));
      return ranked.filter((c) => ids.has(c.project_id)).map((c) => ({ ...c }));
    }
    case 'activity': {
      const from = options.since ? options.since.slice(0, 10) : '0000-01-01';
      const rows: Row[] = [];
      for (const p of projects) {
        for (const d of await views.analytics.activityDays(from, '9999-12-31', p.id)) rows.push({ project: p.name, project_id: p.id, day: d.day, actions: d.count });
      }
      return rows;
    }
  }
}

export const exportCommand = command({
  command: 'export',
  describe: 'Export an analytics view as CSV (header row) or JSON: metric measurements, widget usage, project complexity or workflow activity',
  builder: (y) =>
    withAsOf(y)
      .option('view', {
        alias: 'v',
        choices: EXPORT_VIEWS,
        default: 'metrics' as ExportView,
        describe: 'metrics (each measurement), widgets (use per class), complexity (per project), activity (workflow actions per project and day)',
      })
      .option('format', { alias: 'f', choices: ['csv', 'json'] as const, default: 'csv' as const })
      .option('out', { alias: 'o', type: 'string', default: '-', describe: 'file to write (atomically), or - for stdout' })
      .option('project', { alias: 'p', type: 'string', describe: 'only this project' })
      .option('metric', { alias: 'm', type: 'string', describe: 'only this metric (--view metrics)' })
      .option('since', { type: 'string', describe: 'only measurements (metrics) or days (activity) from this ISO-8601 time on' })
      .example('$0 export --view complexity --format json --out -', 'per-project complexity as JSON on stdout')
      .example('$0 export --view widgets --out widgets.csv', 'widget usage as CSV'),
  run: async (argv, ctx) => {
    const since = parseSince(argv.since);
    const view = argv.view as ExportView;
    if (argv.metric !== undefined && view !== 'metrics') throw new UsageError('--metric goes with --view metrics');
    await ctx.withViews(argv.asOf, async (views) => {
      const rows = await viewRows(views, view, {
        ...(argv.metric !== undefined ? { metric: argv.metric } : {}),
        ...(since ? { since } : {}),
        ...(argv.project !== undefined ? { project: argv.project } : {}),
      });
      const body = argv.format === 'csv' ? rowsToCsv(VIEW_COLUMNS[view], rows) : `${JSON.stringify(rows, null, 2)}\n`;
      if (argv.out === '-') {
        process.stdout.write(body);
        return;
      }
      const path = resolve(argv.out);
      await writeFileAtomic(path, body);
      ctx.out.result({ out: path, view, format: argv.format, rows: rows.length }, () =>
        ctx.out.line(`wrote ${count(rows.length, 'row')} of ${view} to ${path} (${argv.format})`),
      );
    });
  },
});
