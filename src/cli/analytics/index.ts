/** Every `pygubu-analytics` command, in the order --help lists them (how to add one: src/cli/db/index.ts). */
import type { CommandEntry } from '../command.js';

export const analyticsCommands: readonly CommandEntry[] = [
  { command: 'scan [projects..]', describe: "Parse the projects' pygubu .ui files and record widget usage and complexity (new or changed files only)", load: () => import('./scan.js').then((m) => m.scan) },
  { command: 'widgets', describe: 'Widget classes by use, across all projects or one (latest scan of each file)', load: () => import('./widgets.js').then((m) => m.widgets) },
  { command: 'project <name>', describe: "A project's complexity, widget mix, workflow activity and a sparkline of recent activity", load: () => import('./project.js').then((m) => m.project) },
  { command: 'trends', describe: 'A metric per day or week as a line chart (default: workflow activity, workflow.actions)', load: () => import('./trends.js').then((m) => m.trends) },
  { command: 'record <metric> <value>', describe: 'Record one measurement of a metric', load: () => import('./record.js').then((m) => m.record) },
  { command: 'perf', describe: "The store's own command timings: p50/p95 per operation (recording is opt-in: PYGUBUAI_RECORD_PERF=1 or record_perf in config.json)", load: () => import('./perf.js').then((m) => m.perf) },
  { command: 'export', describe: 'Export an analytics view as CSV (header row) or JSON: metric measurements, widget usage, project complexity or workflow activity', load: () => import('./export.js').then((m) => m.exportCommand) },
  { command: 'report', describe: 'Write one self-contained HTML report (inline SVG charts, no network): widget usage, trends, project complexity', load: () => import('./report.js').then((m) => m.report) },
];
