import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { daysInMonth } from '../lib/calendar.js';
import { StoreError } from '../errors.js';
import type { EventDataMap } from '../generated/events.js';
import type { EventMeta, NewEvent, StoredEvent } from '../log/envelope.js';
import { normaliseAt } from '../log/envelope.js';
import type { Transaction } from '../log/event-log.js';
import { metricStream, uiScanStream, type Rollup } from '../projections/analytics.js';
import type { ProjectRow } from '../projections/projects.js';
import type { Views } from '../queries/index.js';
import type { Store } from '../store.js';
import { isInside } from '../paths.js';
import { analyseUi, sha256, UiParseError } from '../analytics/ui-file.js';

/** Files bigger than this are reported, not parsed. */
export const MAX_UI_BYTES = 64 * 1024 * 1024;
/** Directories a scan does not enter. */
const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'venv', '.venv', 'env', 'site-packages']);
const BATCH = 200;

export interface ScanProblem {
  project: string;
  file?: string;
  reason: string;
}

export interface ScanProjectReport {
  project: string;
  path: string;
  files: number;
  recorded: number;
  unchanged: number;
}

export interface ScanReport {
  projects: ScanProjectReport[];
  files: number;
  recorded: number;
  unchanged: number;
  problems: ScanProblem[];
  ms: number;
}

export interface ScanOptions {
  /** Project names; all live projects when empty. */
  projects?: readonly string[];
  meta?: Partial<EventMeta>;
  onProgress?: (done: number, total: number) => void;
}

interface Target {
  project: ProjectRow;
  files: string[];
  report: ScanProjectReport;
}

const errText = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}` : String(e.message ?? err);
};

/** The .ui files under `dir`, relative, `/`-separated, sorted; hidden and tool directories skipped. */
async function findUiFiles(dir: string, problems: ScanProblem[], project: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      problems.push({ project, file: relative(dir, d).split(sep).join('/') || '.', reason: `unreadable directory (${errText(err)})` });
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) await walk(join(d, e.name));
      } else if (e.name.toLowerCase().endsWith('.ui') && (e.isFile() || e.isSymbolicLink())) {
        out.push(relative(dir, join(d, e.name)).split(sep).join('/'));
      }
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * A deterministic event id: the same project, file, previous scan and new content always give the
 * same id, so a retried scan appends nothing twice. `previous` names the stored scan the new one
 * follows (its sha256 and seq): a file toggled A → B → A → B must record the second B too, which an
 * id made of the previous sha alone would swallow as a duplicate of the first.
 */
export const scanEventId = (projectId: string, file: string, previous: string | undefined, sha: string): string =>
  `uis-${createHash('sha256').update(`${projectId}\0${file}\0${previous ?? ''}\0${sha}`).digest('hex').slice(0, 48)}`;

/**
 * Scan the projects' pygubu `.ui` files and record one `analytics.ui_scanned` event per new or
 * changed file. Missing directories, unreadable files and malformed XML go into the report's
 * problems; the scan goes on.
 */
export async function scanProjects(store: Store, options: ScanOptions = {}): Promise<ScanReport> {
  const started = performance.now();
  const views = store.views;
  const names = options.projects ?? [];
  const rows = names.length > 0 ? await Promise.all(names.map((n) => views.projects.require(n))) : await views.projects.list();
  const problems: ScanProblem[] = [];
  const targets: Target[] = [];
  for (const project of rows) {
    const report: ScanProjectReport = { project: project.name, path: project.path, files: 0, recorded: 0, unchanged: 0 };
    let problem: string | undefined;
    try {
      if (!(await stat(project.path)).isDirectory()) problem = `project path ${project.path} is not a directory`;
    } catch (err) {
      problem = `project directory ${project.path} is missing (${errText(err)})`;
    }
    if (problem) {
      problems.push({ project: project.name, reason: problem });
      targets.push({ project, files: [], report });
      continue;
    }
    const files = await findUiFiles(project.path, problems, project.name);
    report.files = files.length;
    targets.push({ project, files, report });
  }
  const total = targets.reduce((n, t) => n + t.files.length, 0);
  let done = 0;
  let pending: NewEvent[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    await store.append(batch);
  };
  for (const { project, files, report } of targets) {
    for (const file of files) {
      done++;
      const event = await scanFile(project, file, views, problems, options.meta);
      if (event === 'unchanged') report.unchanged++;
      else if (event) {
        report.recorded++;
        pending.push(event);
        if (pending.length >= BATCH) await flush();
      }
      options.onProgress?.(done, total);
    }
  }
  await flush();
  return {
    projects: targets.map((t) => t.report),
    files: total,
    recorded: targets.reduce((n, t) => n + t.report.recorded, 0),
    unchanged: targets.reduce((n, t) => n + t.report.unchanged, 0),
    problems,
    ms: performance.now() - started,
  };
}

async function scanFile(
  project: ProjectRow,
  file: string,
  views: Views,
  problems: ScanProblem[],
  meta: Partial<EventMeta> | undefined,
): Promise<NewEvent | 'unchanged' | undefined> {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(file) || file.length > 4096) {
    problems.push({ project: project.name, file: JSON.stringify(file).slice(1, -1), reason: 'the file name has control characters or is too long' });
    return undefined;
  }
  const full = join(project.path, ...file.split('/'));
  let content: Buffer;
  try {
    if ((await lstat(full)).isSymbolicLink() && !isInside(await realpath(full), await realpath(project.path))) {
      // never read it: its content (or the parser's complaint about it) would leak into the report
      problems.push({ project: project.name, file, reason: 'a symbolic link to a file outside the project; not followed' });
      return undefined;
    }
    const s = await stat(full);
    if (!s.isFile()) {
      problems.push({ project: project.name, file, reason: 'not a regular file' });
      return undefined;
    }
    if (s.size > MAX_UI_BYTES) {
      problems.push({ project: project.name, file, reason: `too large (${s.size} bytes; the limit is ${MAX_UI_BYTES})` });
      return undefined;
    }
    content = await readFile(full);
  } catch (err) {
    problems.push({ project: project.name, file, reason: `unreadable (${errText(err)})` });
    return undefined;
  }
  const sha = sha256(content);
  const previous = await views.analytics.scan(project.id, file);
  if (previous?.sha256 === sha) return 'unchanged';
  let stats;
  try {
    stats = analyseUi(content);
  } catch (err) {
    if (!(err instanceof UiParseError)) throw err;
    problems.push({ project: project.name, file, reason: err.message });
    return undefined;
  }
  return {
    id: scanEventId(project.id, file, previous ? `${previous.sha256}@${previous.seq}` : undefined, sha),
    stream: uiScanStream(project.id),
    type: 'analytics.ui_scanned',
    data: { project_id: project.id, project: project.name, file, ...stats },
    ...(meta ? { meta } : {}),
  };
}

export interface RecordMetricInput {
  metric: string;
  value: number;
  project?: string;
  at?: string;
  metadata?: Record<string, unknown>;
  meta?: Partial<EventMeta>;
  eventId?: string;
}

/** Record one measurement of a metric (optionally for a project). */
export async function recordMetric(tx: Transaction, views: Views, input: RecordMetricInput): Promise<StoredEvent> {
  if (!Number.isFinite(input.value)) throw new StoreError('INVALID_ARGUMENT', `a metric value must be a finite number, not ${input.value}`);
  let at: string | undefined;
  if (input.at !== undefined) {
    at = normaliseAt(input.at);
    if (at === undefined) throw new StoreError('INVALID_ARGUMENT', `not an ISO-8601 time: ${JSON.stringify(input.at)}`);
  }
  const project = input.project === undefined ? undefined : await views.projects.require(input.project);
  const data: EventDataMap['analytics.recorded'] = {
    metric: input.metric,
    value: input.value,
    ...(project ? { project_id: project.id, project: project.name } : {}),
    ...(input.metadata ? { metadata: input.metadata } : {}),
  };
  const [event] = await tx.append({
    ...(input.eventId !== undefined ? { id: input.eventId } : {}),
    stream: metricStream(input.metric),
    type: 'analytics.recorded',
    data,
    ...(at ? { at } : {}),
    ...(input.meta ? { meta: input.meta } : {}),
  });
  return event!;
}

// ---- trends ---------------------------------------------------------------------------------

export type TrendStat = 'count' | 'sum' | 'avg' | 'min' | 'max';

export interface TrendPoint {
  /** The day, or with `by: week` the Monday that starts the week. */
  day: string;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  avg: number | null;
}

export interface Trend {
  /** The metric, or `workflow.actions` for workflow activity. */
  metric: string;
  project: string | null;
  from: string;
  to: string;
  by: 'day' | 'week';
  points: TrendPoint[];
}

/** The pseudo-metric `trends` shows without --metric: workflow actions per day. */
export const WORKFLOW_METRIC = 'workflow.actions';

/** What a trend's chart plots: workflow actions are counted per day, measured metrics averaged. */
export const trendStat = (t: Trend): 'count' | 'avg' => (t.metric === WORKFLOW_METRIC ? 'count' : 'avg');

const DAY_MS = 86_400_000;
export const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
export const today = (): string => new Date().toISOString().slice(0, 10);
const mondayOf = (day: string): string => {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
};
const isMonday = (day: string): boolean => new Date(`${day}T00:00:00Z`).getUTCDay() === 1;

const PLAIN_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * The days from `from` to `to` inclusive, in order — counted on integers (a Date parse per day was
 * most of a 365-day trend's time); stops after 9999-12-31.
 */
export function daysFrom(from: string, to: string): string[] {
  const out: string[] = [];
  const m = PLAIN_DAY.exec(from);
  if (!m) {
    for (let day = from; day <= to; day = addDays(day, 1)) out.push(day);
    return out;
  }
  let y = Number(m[1]);
  let mo = Number(m[2]);
  let d = Number(m[3]);
  let ys = m[1]!;
  for (let day = from; day <= to; ) {
    out.push(day);
    if (++d > daysInMonth(y, mo)) {
      d = 1;
      if (++mo > 12) {
        mo = 1;
        y++;
        if (y > 9999) return out; // '+010000-01-01' sorts before every plain day: a day loop would never end
        ys = String(y).padStart(4, '0');
      }
    }
    day = `${ys}-${pad2(mo)}-${pad2(d)}`;
  }
  return out;
}

export interface TrendOptions {
  metric?: string;
  projectId?: string;
  project?: string;
  days: number;
  /** Last day of the window (YYYY-MM-DD, UTC); default today. */
  until?: string;
  by?: 'day' | 'week';
}

/**
 * A metric's (or workflow activity's) series over the last `days` days ending `until`: one range
 * read of the daily rollup rows; days without data are filled in as gaps (count 0, no min/max).
 */
export async function trend(views: Views, options: TrendOptions): Promise<Trend> {
  const to = options.until ?? today();
  const from = addDays(to, -(options.days - 1));
  const metric = options.metric ?? WORKFLOW_METRIC;
  const byDay = new Map<string, Rollup>();
  if (metric === WORKFLOW_METRIC) {
    // Workflow activity has one value per day, its count: min/max are of the daily counts.
    for (const d of await views.analytics.activityDays(from, to, options.projectId)) byDay.set(d.day, { count: d.count, sum: d.count, min: d.count, max: d.count });
  } else {
    for (const d of await views.analytics.metricDays(metric, from, to, options.projectId)) byDay.set(d.day, d);
  }
  const by = options.by ?? 'day';
  const points: TrendPoint[] = [];
  let current: TrendPoint | undefined;
  let monday = by === 'week' ? mondayOf(from) : '';
  for (const day of daysFrom(from, to)) {
    if (by === 'week' && day !== from && isMonday(day)) monday = day;
    const key = by === 'week' ? monday : day;
    if (!current || current.day !== key) {
      current = { day: key, count: 0, sum: 0, min: null, max: null, avg: null };
      points.push(current);
    }
    const r = byDay.get(day);
    if (!r) continue;
    current.count += r.count;
    current.sum += r.sum;
    current.min = current.min === null ? r.min : Math.min(current.min, r.min);
    current.max = current.max === null ? r.max : Math.max(current.max, r.max);
  }
  for (const p of points) p.avg = p.count > 0 ? p.sum / p.count : null;
  return { metric, project: options.project ?? null, from, to, by, points };
}

// ---- perf -----------------------------------------------------------------------------------

export const PERF_PREFIX = 'perf.';

export interface PerfRow {
  operation: string;
  runs: number;
  p50: number;
  p95: number;
  max: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/**
 * p50/p95 per operation over the recorded `perf.<command>` events: the whole run as
 * `<command>`, each timed step as `<command>:<step>`.
 */
export async function perfSummary(views: Views, options: { since?: string } = {}): Promise<PerfRow[]> {
  const samples = new Map<string, number[]>();
  const add = (op: string, ms: number) => {
    const list = samples.get(op) ?? [];
    list.push(ms);
    samples.set(op, list);
  };
  for (const m of await views.analytics.metrics()) {
    if (!m.metric.startsWith(PERF_PREFIX)) continue;
    const command = m.metric.slice(PERF_PREFIX.length);
    for await (const p of views.analytics.points({ metric: m.metric, ...(options.since ? { since: options.since } : {}) })) {
      add(command, p.value);
      const ops = (p.metadata?.operations ?? {}) as Record<string, unknown>;
      for (const [op, ms] of Object.entries(ops)) if (typeof ms === 'number') add(`${command}:${op}`, ms);
    }
  }
  return [...samples]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([operation, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return { operation, runs: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1]! };
    });
}
