import { decode } from '../log/codec.js';
import { SEP } from '../log/keys.js';
import {
  ANALYTICS,
  analyticsKeys,
  complexityScore,
  maxDepth,
  rankValue,
  type ActionSummary,
  type ComplexityRow,
  type MetricPoint,
  type MetricSummary,
  type MonthRow,
  type Rollup,
  type ScanRow,
  type Totals,
} from '../projections/analytics.js';
import { ViewReader, type ViewSource } from './source.js';

export interface WidgetCount {
  class: string;
  count: number;
}

/** A project's complexity as the commands show it, with the score (README: Analytics). */
export interface Complexity {
  project_id: string;
  project: string;
  files: number;
  widgets: number;
  widget_classes: number;
  objects: number;
  max_depth: number;
  commands: number;
  bindings: number;
  callbacks: number;
  layouts: Record<string, number>;
  score: number;
}

export interface DayRollup extends Rollup {
  day: string;
}

export interface DayCount {
  day: string;
  count: number;
}

export const toComplexity = (c: ComplexityRow): Complexity => ({
  project_id: c.project_id,
  project: c.project,
  files: c.files,
  widgets: c.widgets,
  widget_classes: c.widget_classes,
  objects: c.objects,
  max_depth: maxDepth(c.depths),
  commands: c.commands,
  bindings: c.bindings,
  callbacks: c.commands + c.bindings,
  layouts: c.layouts,
  score: complexityScore(c),
});

const parts = (key: string): string[] => key.split(SEP);

/** A span of up to this many months is read as point reads of its month rows. */
const MONTH_READS = 36;
const MONTH = /^(\d{4})-(\d{2})$/;
/** Months from `a` to `b` inclusive (YYYY-MM each), or undefined if either is not a plain month. */
const monthSpan = (a: string, b: string): number | undefined => {
  const x = MONTH.exec(a);
  const y = MONTH.exec(b);
  return x && y ? (Number(y[1]) - Number(x[1])) * 12 + Number(y[2]) - Number(x[2]) + 1 : undefined;
};
const nextMonth = (m: string): string => {
  const y = Number(m.slice(0, 4));
  const mo = Number(m.slice(5, 7));
  return mo === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${m.slice(0, 4)}-${String(mo + 1).padStart(2, '0')}`;
};

/** Queries over the analytics view; each reads only the keys it needs (ranks are index keys). */
export class AnalyticsViews {
  private readonly rows: ViewReader;
  constructor(source: ViewSource) {
    this.rows = new ViewReader(source, ANALYTICS);
  }

  /** Widget classes by count, most used first: across all projects, or one project's. */
  async widgetUsage(options: { projectId?: string; top?: number } = {}): Promise<WidgetCount[]> {
    const limit = options.top ?? -1;
    if (options.projectId === undefined) {
      const keys = await this.rows.keys(analyticsKeys.widgetRankPrefix, { limit });
      return keys.map((k) => {
        const [rank, cls] = parts(k.slice(analyticsKeys.widgetRankPrefix.length));
        return { class: cls!, count: rankValue(rank!) };
      });
    }
    const prefix = analyticsKeys.projectWidgetRankPrefix(options.projectId);
    const keys = await this.rows.keys(prefix, { limit });
    return keys.map((k) => {
      const [rank, cls] = parts(k.slice(prefix.length));
      return { class: cls!, count: rankValue(rank!) };
    });
  }

  async totals(): Promise<Totals> {
    return (await this.rows.get<Totals>(analyticsKeys.totals)) ?? { files: 0, widgets: 0, objects: 0, callbacks: 0 };
  }

  async complexity(projectId: string): Promise<Complexity | undefined> {
    const row = await this.rows.get<ComplexityRow>(analyticsKeys.complexity(projectId));
    return row ? toComplexity(row) : undefined;
  }

  /** Projects by complexity score, highest first. */
  async complexityRanking(limit = -1): Promise<Complexity[]> {
    const keys = await this.rows.keys(analyticsKeys.complexityRankPrefix, { limit });
    const ids = keys.map((k) => parts(k)[1]!);
    const rows = await this.rows.getAll<ComplexityRow>(ids.map(analyticsKeys.complexity));
    return rows.map(toComplexity);
  }

  /** The stored latest scan of one file (what a rescan compares its sha256 with). */
  scan(projectId: string, file: string): Promise<ScanRow | undefined> {
    return this.rows.get<ScanRow>(analyticsKeys.scan(projectId, file));
  }

  scans(projectId: string): Promise<ScanRow[]> {
    return this.rows.values<ScanRow>(analyticsKeys.scanPrefix(projectId));
  }

  /** Every metric that has been recorded, by name. */
  metrics(): Promise<MetricSummary[]> {
    return this.rows.values<MetricSummary>(analyticsKeys.metricPrefix);
  }

  metric(name: string): Promise<MetricSummary | undefined> {
    return this.rows.get<MetricSummary>(analyticsKeys.metric(name));
  }

  /** Daily rollups of a metric from `from` to `to` (days, inclusive), days with data only: a point read per month. */
  async metricDays(metric: string, from: string, to: string, projectId?: string): Promise<DayRollup[]> {
    const prefix = projectId === undefined ? analyticsKeys.monthPrefix(metric) : analyticsKeys.projectMonthPrefix(metric, projectId);
    const out: DayRollup[] = [];
    for (const [day, r] of await this.days<Rollup>(prefix, from, to)) out.push({ day, count: r.count, sum: r.sum, min: r.min, max: r.max });
    return out;
  }

  /** Workflow actions per day (one project, or all), from `from` to `to` inclusive. */
  async activityDays(from: string, to: string, projectId?: string): Promise<DayCount[]> {
    const prefix = projectId === undefined ? analyticsKeys.allActivityMonthPrefix : analyticsKeys.activityMonthPrefix(projectId);
    return (await this.days<number>(prefix, from, to)).map(([day, count]) => ({ day, count }));
  }

  /**
   * The days from `from` to `to` (inclusive) that have a value in the month rows under `prefix`,
   * in order: a point read per month when the span is up to MONTH_READS months, else one range read.
   */
  private async days<T>(prefix: string, from: string, to: string): Promise<Array<[string, T]>> {
    const first = from.slice(0, 7);
    const last = to.slice(0, 7);
    if (first > last) return [];
    let months: Array<[string, MonthRow<T> | undefined]>;
    const span = monthSpan(first, last);
    if (span !== undefined && span <= MONTH_READS) {
      const keys: string[] = [];
      for (let i = 0, m = first; i < span; i++, m = nextMonth(m)) keys.push(m);
      const rows = await Promise.all(keys.map((m) => this.rows.get<MonthRow<T>>(prefix + m)));
      months = keys.map((m, i) => [m, rows[i]]);
    } else {
      months = await this.range<MonthRow<T>>(prefix, first, last);
    }
    const out: Array<[string, T]> = [];
    for (const [month, row] of months) {
      if (!row) continue;
      for (let d = 0; d < row.length; d++) {
        const v = row[d];
        if (v === null || v === undefined || v === 0) continue;
        const day = `${month}-${d < 9 ? '0' : ''}${d + 1}`;
        if (day >= from && day <= to) out.push([day, v]);
      }
    }
    return out;
  }

  /** One action of one project per day. */
  async actionDays(projectId: string, action: string, from: string, to: string): Promise<DayCount[]> {
    return (await this.range<number>(analyticsKeys.actionDayPrefix(projectId, action), from, to)).map(([day, count]) => ({ day, count }));
  }

  /** A project's workflow actions with their counts and last time, by action name. */
  actions(projectId: string): Promise<ActionSummary[]> {
    return this.rows.values<ActionSummary>(analyticsKeys.actionPrefix(projectId));
  }

  /** Measurements in (metric, time) order; one metric's, optionally from `since` on. */
  async *points(options: { metric?: string; since?: string } = {}): AsyncGenerator<MetricPoint> {
    const metrics = options.metric !== undefined ? [options.metric] : (await this.metrics()).map((m) => m.metric);
    for (const metric of metrics) {
      const prefix = this.rows.prefix + analyticsKeys.pointPrefix(metric);
      const gte = prefix + (options.since ?? '');
      for await (const v of this.rows.source.db.values({ gte, lt: `${prefix}\u{10FFFF}` })) yield decode<MetricPoint>(v);
    }
  }

  private async range<T>(prefix: string, from: string, to: string): Promise<Array<[string, T]>> {
    const base = this.rows.prefix + prefix;
    const entries = await this.rows.source.db.iterator({ gte: base + from, lte: base + to }).all();
    return entries.map(([k, v]) => [k.slice(base.length), decode<T>(v)]);
  }
}
