import type { EventOf } from '../log/envelope.js';
import { normaliseAt } from '../log/envelope.js';
import { seqHex, SEP } from '../log/keys.js';
import { projectIdOf } from './projects.js';
import { defineProjection, type Rows } from './projection.js';

export const ANALYTICS = 'analytics';
export const uiScanStream = (projectId: string): string => `uiscan-${projectId}`;
export const metricStream = (metric: string): string => `metric-${metric}`;

/** The counts of one file's latest scan, kept so that a rescan can subtract them. */
export interface ScanRow {
  file: string;
  sha256: string;
  bytes: number;
  widgets: Record<string, number>;
  objects: number;
  max_depth: number;
  layouts: Record<string, number>;
  commands: number;
  bindings: number;
  handlers: string[];
  seq: number;
  at: string;
}

/** A project's complexity inputs, summed over the latest scan of each of its files. */
export interface ComplexityRow {
  project_id: string;
  project: string;
  /** How many of its files have a scan (the files themselves are the `scan!` rows: a list here made every scan cost as much as the project's file count). */
  files: number;
  widgets: number;
  objects: number;
  commands: number;
  bindings: number;
  /** depth → number of files whose deepest nesting is that depth (so a rescan can subtract). */
  depths: Record<string, number>;
  layouts: Record<string, number>;
  widget_classes: number;
}

/** count/sum/min/max of a metric over one UTC day. */
export interface Rollup {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface MetricSummary extends Rollup {
  metric: string;
  first: string;
  last: string;
}

/** One measurement, as export prints it. */
export interface MetricPoint {
  seq: number;
  at: string;
  metric: string;
  value: number;
  project: string | null;
  project_id: string | null;
  metadata: Record<string, unknown> | null;
}

export interface ActionSummary {
  action: string;
  count: number;
  last: string;
}

const RANK_TOP = 0xffffffff;
/** Fixed-width inverted count: ascending key order is descending count. */
export const rankHex = (n: number): string => (RANK_TOP - Math.min(Math.max(0, Math.round(n)), RANK_TOP)).toString(16).padStart(8, '0');
export const rankValue = (hex: string): number => RANK_TOP - parseInt(hex, 16);

/** The UTC day (YYYY-MM-DD) of an ISO time. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/**
 * One month of daily values (a rollup, or a count): slot d − 1 holds day d, null (or 0) a day
 * without data; the array is as long as the last day that has some.
 */
export type MonthRow<T> = Array<T | null>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The month (YYYY-MM) of a day and the day's slot in the month row; undefined for a year beyond 0000–9999, which no range of days reaches. */
export const monthSlot = (day: string): [string, number] | undefined => (DAY.test(day) ? [day.slice(0, 7), Number(day.slice(8, 10)) - 1] : undefined);

/**
 * Row keys of the analytics view (inside `v!analytics!`). Daily series are kept one row per month
 * (`YYYY-MM`), so a trend over 365 days is 13 point reads (analytics projection v3; v2 had one
 * row per day).
 */
export const analyticsKeys = {
  scan: (pid: string, file: string) => `scan!${pid}${SEP}${file}${SEP}`,
  scanPrefix: (pid: string) => `scan!${pid}${SEP}`,
  widget: (cls: string) => `w!${cls}${SEP}`,
  widgetRank: (count: number, cls: string) => `wr!${rankHex(count)}${SEP}${cls}${SEP}`,
  widgetRankPrefix: 'wr!',
  projectWidget: (pid: string, cls: string) => `pw!${pid}${SEP}${cls}${SEP}`,
  projectWidgetRank: (pid: string, count: number, cls: string) => `pwr!${pid}${SEP}${rankHex(count)}${SEP}${cls}${SEP}`,
  projectWidgetRankPrefix: (pid: string) => `pwr!${pid}${SEP}`,
  complexity: (pid: string) => `pc!${pid}${SEP}`,
  complexityPrefix: 'pc!',
  complexityRank: (score: number, pid: string) => `pcr!${rankHex(score)}${SEP}${pid}${SEP}`,
  complexityRankPrefix: 'pcr!',
  totals: 'totals',
  metric: (metric: string) => `m!${metric}${SEP}`,
  metricPrefix: 'm!',
  month: (metric: string, month: string) => `mm!${metric}${SEP}${month}`,
  monthPrefix: (metric: string) => `mm!${metric}${SEP}`,
  projectMonth: (metric: string, pid: string, month: string) => `mmp!${metric}${SEP}${pid}${SEP}${month}`,
  projectMonthPrefix: (metric: string, pid: string) => `mmp!${metric}${SEP}${pid}${SEP}`,
  point: (metric: string, at: string, seq: number) => `ms!${metric}${SEP}${at}${SEP}${seqHex(seq)}`,
  pointPrefix: (metric: string) => `ms!${metric}${SEP}`,
  pointsPrefix: 'ms!',
  activityMonth: (pid: string, month: string) => `wam!${pid}${SEP}${month}`,
  activityMonthPrefix: (pid: string) => `wam!${pid}${SEP}`,
  allActivityMonth: (month: string) => `waam!${month}`,
  allActivityMonthPrefix: 'waam!',
  actionDay: (pid: string, action: string, day: string) => `wad!${pid}${SEP}${action}${SEP}${day}`,
  actionDayPrefix: (pid: string, action: string) => `wad!${pid}${SEP}${action}${SEP}`,
  action: (pid: string, action: string) => `wact!${pid}${SEP}${action}${SEP}`,
  actionPrefix: (pid: string) => `wact!${pid}${SEP}`,
} as const;

export interface Totals {
  files: number;
  widgets: number;
  objects: number;
  callbacks: number;
}

/** The documented complexity score of a project (README: Analytics). */
export function complexityScore(c: Pick<ComplexityRow, 'widgets' | 'commands' | 'bindings' | 'depths' | 'layouts'>): number {
  return c.widgets + 2 * (c.commands + c.bindings) + 5 * maxDepth(c.depths) + 3 * Math.max(0, Object.keys(c.layouts).length - 1);
}

export const maxDepth = (depths: Record<string, number>): number =>
  Object.entries(depths).reduce((m, [d, n]) => (n > 0 && Number(d) > m ? Number(d) : m), 0);

const bump = (map: Record<string, number>, key: string, by: number): void => {
  const next = (map[key] ?? 0) + by;
  if (next === 0) delete map[key];
  else map[key] = next;
};

async function addCount(rows: Rows, key: string, by: number): Promise<[number, number]> {
  const before = (await rows.get<number>(key)) ?? 0;
  const after = before + by;
  if (after === 0) rows.del(key);
  else rows.put(key, after);
  return [before, after];
}

function moveRank(rows: Rows, before: number, after: number, rankKey: (n: number) => string): void {
  if (before === after) return;
  if (before > 0) rows.del(rankKey(before));
  if (after > 0) rows.put(rankKey(after), null);
}

/** Add (sign 1) or take away (sign -1) one file's scan from the widget counts and its project. */
async function applyScan(rows: Rows, pid: string, project: string, scan: ScanRow, sign: 1 | -1): Promise<void> {
  for (const [cls, n] of Object.entries(scan.widgets)) {
    const [gb, ga] = await addCount(rows, analyticsKeys.widget(cls), sign * n);
    moveRank(rows, gb, ga, (c) => analyticsKeys.widgetRank(c, cls));
    const [pb, pa] = await addCount(rows, analyticsKeys.projectWidget(pid, cls), sign * n);
    moveRank(rows, pb, pa, (c) => analyticsKeys.projectWidgetRank(pid, c, cls));
  }
  const key = analyticsKeys.complexity(pid);
  const old = await rows.get<ComplexityRow>(key);
  const c: ComplexityRow = old
    ? { ...old, depths: { ...old.depths }, layouts: { ...old.layouts } }
    : { project_id: pid, project, files: 0, widgets: 0, objects: 0, commands: 0, bindings: 0, depths: {}, layouts: {}, widget_classes: 0 };
  c.project = project;
  const widgetCount = Object.values(scan.widgets).reduce((a, b) => a + b, 0);
  c.widgets += sign * widgetCount;
  c.objects += sign * scan.objects;
  c.commands += sign * scan.commands;
  c.bindings += sign * scan.bindings;
  bump(c.depths, String(scan.max_depth), sign);
  for (const [m, n] of Object.entries(scan.layouts)) bump(c.layouts, m, sign * n);
  c.files += sign;
  if (old) rows.del(analyticsKeys.complexityRank(complexityScore(old), pid));
  const totals = (await rows.get<Totals>(analyticsKeys.totals)) ?? { files: 0, widgets: 0, objects: 0, callbacks: 0 };
  rows.put(analyticsKeys.totals, {
    files: totals.files + sign,
    widgets: totals.widgets + sign * widgetCount,
    objects: totals.objects + sign * scan.objects,
    callbacks: totals.callbacks + sign * (scan.commands + scan.bindings),
  });
  if (c.files <= 0) {
    rows.del(key);
    return;
  }
  c.widget_classes = await countProjectClasses(rows, pid, c, scan, sign);
  rows.put(key, c);
  rows.put(analyticsKeys.complexityRank(complexityScore(c), pid), null);
}

/** Distinct widget classes of a project: adjusted by the classes this scan made appear or vanish. */
async function countProjectClasses(rows: Rows, pid: string, c: ComplexityRow, scan: ScanRow, sign: 1 | -1): Promise<number> {
  let n = c.widget_classes;
  for (const [cls, k] of Object.entries(scan.widgets)) {
    const now = (await rows.get<number>(analyticsKeys.projectWidget(pid, cls))) ?? 0;
    const before = now - sign * k;
    if (before === 0 && now > 0) n++;
    if (before > 0 && now === 0) n--;
  }
  return n;
}

async function foldScan(event: EventOf<'analytics.ui_scanned'>, rows: Rows): Promise<void> {
  const d = event.data;
  const key = analyticsKeys.scan(d.project_id, d.file);
  const previous = await rows.get<ScanRow>(key);
  if (previous) await applyScan(rows, d.project_id, d.project, previous, -1);
  const scan: ScanRow = {
    file: d.file,
    sha256: d.sha256,
    bytes: d.bytes,
    widgets: d.widgets,
    objects: d.objects,
    max_depth: d.max_depth,
    layouts: d.layouts,
    commands: d.commands,
    bindings: d.bindings,
    handlers: d.handlers,
    seq: event.seq,
    at: event.at,
  };
  rows.put(key, scan);
  await applyScan(rows, d.project_id, d.project, scan, 1);
}

/** A copy of a month row with `slot` changed (rows read are shared: never changed in place). */
async function updateMonth<T>(rows: Rows, key: string, slot: number, change: (old: T | null) => T): Promise<void> {
  const next = [...((await rows.get<MonthRow<T>>(key)) ?? [])];
  while (next.length <= slot) next.push(null);
  next[slot] = change(next[slot] ?? null);
  rows.put(key, next);
}

const addToRollup = (value: number) => (r: Rollup | null): Rollup =>
  r ? { count: r.count + 1, sum: r.sum + value, min: Math.min(r.min, value), max: Math.max(r.max, value) } : { count: 1, sum: value, min: value, max: value };
const addOne = (n: number | null): number => (n ?? 0) + 1;

async function foldMetric(event: EventOf<'analytics.recorded'>, rows: Rows): Promise<void> {
  const d = event.data;
  const at = monthSlot(dayOf(event.at));
  if (at) {
    await updateMonth(rows, analyticsKeys.month(d.metric, at[0]), at[1], addToRollup(d.value));
    if (d.project_id) await updateMonth(rows, analyticsKeys.projectMonth(d.metric, d.project_id, at[0]), at[1], addToRollup(d.value));
  }
  const mk = analyticsKeys.metric(d.metric);
  const s = await rows.get<MetricSummary>(mk);
  rows.put(
    mk,
    s
      ? { ...s, count: s.count + 1, sum: s.sum + d.value, min: Math.min(s.min, d.value), max: Math.max(s.max, d.value), first: s.first < event.at ? s.first : event.at, last: s.last > event.at ? s.last : event.at }
      : { metric: d.metric, count: 1, sum: d.value, min: d.value, max: d.value, first: event.at, last: event.at },
  );
  const point: MetricPoint = {
    seq: event.seq,
    at: event.at,
    metric: d.metric,
    value: d.value,
    project: d.project ?? null,
    project_id: d.project_id ?? null,
    metadata: d.metadata ?? null,
  };
  rows.put(analyticsKeys.point(d.metric, event.at, event.seq), point);
}

async function foldWorkflow(event: EventOf<'workflow.recorded'>, rows: Rows): Promise<void> {
  const pid = projectIdOf(event.stream);
  const when = (event.data.timestamp === null ? undefined : normaliseAt(event.data.timestamp)) ?? event.at;
  const day = dayOf(when);
  const action = event.data.action;
  const at = monthSlot(day);
  if (at) {
    await updateMonth(rows, analyticsKeys.activityMonth(pid, at[0]), at[1], addOne);
    await updateMonth(rows, analyticsKeys.allActivityMonth(at[0]), at[1], addOne);
  }
  await addCount(rows, analyticsKeys.actionDay(pid, action, day), 1);
  const ak = analyticsKeys.action(pid, action);
  const a = await rows.get<ActionSummary>(ak);
  rows.put(ak, { action, count: (a?.count ?? 0) + 1, last: a && a.last > when ? a.last : when });
}

/** A removed project leaves widget usage and the complexity ranking; its activity stays history. */
async function foldProjectRemoved(pid: string, rows: Rows): Promise<void> {
  const c = await rows.get<ComplexityRow>(analyticsKeys.complexity(pid));
  if (!c) return;
  for (const key of await rows.keys(analyticsKeys.scanPrefix(pid))) {
    const scan = await rows.get<ScanRow>(key);
    if (!scan) continue;
    await applyScan(rows, pid, c.project, scan, -1);
    rows.del(key);
  }
}

/**
 * Widget usage (all projects, and per project, from the latest scan of each file), per-project
 * complexity, metric series with daily rollups (a row per month), and workflow activity per
 * project, action and day.
 */
export const analyticsProjection = defineProjection({
  name: ANALYTICS,
  // 2: the complexity row counts its files instead of listing them; 3: daily series in month rows
  version: 3,
  handles: ['analytics.ui_scanned', 'analytics.recorded', 'workflow.recorded', 'project.removed', 'project.renamed'],
  async fold(event, rows) {
    switch (event.type) {
      case 'analytics.ui_scanned':
        return foldScan(event, rows);
      case 'analytics.recorded':
        return foldMetric(event, rows);
      case 'workflow.recorded':
        return foldWorkflow(event, rows);
      case 'project.removed':
        return foldProjectRemoved(projectIdOf(event.stream), rows);
      case 'project.renamed': {
        const key = analyticsKeys.complexity(projectIdOf(event.stream));
        const c = await rows.get<ComplexityRow>(key);
        if (c) rows.put(key, { ...c, project: event.data.to });
        return;
      }
    }
  },
});
