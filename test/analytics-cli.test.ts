import { parse } from 'csv-parse/sync';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { json, ROOT, run, tempDir } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'ui');

let home = '';
let cleanup: () => Promise<void> = async () => {};
let env: Record<string, string> = {};

const db = (...args: string[]) => run('pygubu-db', args, { env });
const an = (...args: string[]) => run('pygubu-analytics', args, { env });
const events = async (): Promise<number> => json((await db('stats', '--json'))).events;

test.before(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  home = join(t.dir, 'home');
  env = { PYGUBUAI_HOME: home, HOME: t.dir };
  const app = join(t.dir, 'app');
  await mkdir(app);
  await copyFile(join(FIXTURES, 'nested.ui'), join(app, 'main.ui'));
  await copyFile(join(FIXTURES, 'malformed.ui'), join(app, 'broken.ui'));
  assert.is((await db('init')).code, 0);
  assert.is((await db('project', 'add', app, '--name', 'app')).code, 0);
});

test.after(() => cleanup());

test('scan --json reports recorded files and problems; a rescan records nothing', async () => {
  const r = await an('scan', '--json');
  assert.is(r.code, 0, r.stderr);
  const report = json(r);
  assert.is(report.recorded, 1);
  assert.equal(report.problems.map((p: { file: string }) => p.file), ['broken.ui']);
  const before = await events();
  const again = json(await an('scan', '--all', '--json'));
  assert.is(again.recorded, 0);
  assert.is(again.unchanged, 1);
  assert.is(await events(), before);
  const human = await an('scan');
  assert.match(human.stdout, /broken\.ui\s+malformed XML/);
});

test('widgets shows a bar chart; --json the counts', async () => {
  const r = await an('widgets', '--top', '3');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /ttk\.Frame\s+2\s+█+/);
  const doc = json(await an('widgets', '--project', 'app', '--json'));
  assert.is(doc.total, 8);
  assert.is(doc.widgets.length, 7);
  const bad = await an('widgets', '--project', 'nope');
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^error: no project named "nope" \(PROJECT_NOT_FOUND\)/);
});

test('record, trends and export: CSV parsed back equals the JSON export', async () => {
  const tricky = 'q "x", y';
  assert.is((await db('project', 'add', home, '--name', tricky)).code, 0);
  for (const [value, at] of [['12.5', '2026-01-01T10:00:00Z'], ['7', '2026-01-01T11:00:00Z'], ['-3', '2026-01-04T09:00:00Z']] as const) {
    const r = await an('record', 'build_ms', value, '--project', 'app', '--at', at, '--json');
    assert.is(r.code, 0, r.stderr);
  }
  assert.is((await an('record', 'other', '1', '--project', tricky, '--at', '2026-01-02T00:00:00Z')).code, 0);
  const notNumber = await an('record', 'build_ms', 'abc');
  assert.is(notNumber.code, 2);
  assert.match(notNumber.stderr, /\(USAGE\)/);
  const badName = await an('record', 'bad name', '1');
  assert.is(badName.code, 1);
  assert.match(badName.stderr, /\(VALIDATION_FAILED\)/);

  const t = json(await an('trends', '--metric', 'build_ms', '--days', '5', '--until', '2026-01-05', '--json'));
  assert.equal(t.points.map((p: { count: number }) => p.count), [2, 0, 0, 1, 0]);
  assert.equal(t.points[0], { day: '2026-01-01', count: 2, sum: 19.5, min: 7, max: 12.5, avg: 9.75 });
  assert.equal(t.points[1], { day: '2026-01-02', count: 0, sum: 0, min: null, max: null, avg: null });
  const chart = await an('trends', '--metric', 'build_ms', '--days', '5', '--until', '2026-01-05');
  assert.is(chart.code, 0, chart.stderr);
  assert.match(chart.stdout, /[┼┤]/);

  const csvOut = await an('export', '--format', 'csv');
  const jsonOut = await an('export', '--format', 'json');
  assert.is(csvOut.code, 0, csvOut.stderr);
  const fromJson = JSON.parse(jsonOut.stdout) as Array<Record<string, unknown>>;
  const fromCsv = (parse(csvOut.stdout, { columns: true }) as Array<Record<string, string>>).map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    metric: r.metric,
    value: Number(r.value),
    project: r.project === '' ? null : r.project,
    project_id: r.project_id === '' ? null : r.project_id,
    metadata: r.metadata === '' ? null : JSON.parse(r.metadata!),
  }));
  assert.is(fromJson.length, 4);
  assert.equal(fromCsv, fromJson);
  assert.ok(csvOut.stdout.startsWith('seq,at,metric,value,project,project_id,metadata\n'));
  assert.ok(csvOut.stdout.includes('"q ""x"", y"'), 'a name with quotes and a comma is quoted');

  const since = json(await an('export', '--format', 'json', '--metric', 'build_ms', '--since', '2026-01-02T00:00:00Z'));
  assert.equal(since.map((p: { value: number }) => p.value), [-3]);
  const file = join(home, 'out.csv');
  const written = json(await an('export', '--out', file, '--json'));
  assert.is(written.rows, 4);
  assert.is(await readFile(file, 'utf8'), csvOut.stdout);
});

test('--as-of answers as the store stood then', async () => {
  const seq = await events();
  assert.is((await an('record', 'late', '5', '--at', '2026-01-03T00:00:00Z')).code, 0);
  const now = json(await an('export', '--format', 'json', '--metric', 'late'));
  const then = json(await an('export', '--format', 'json', '--metric', 'late', '--as-of', String(seq)));
  assert.is(now.length, 1);
  assert.is(then.length, 0);
  const bad = await an('widgets', '--as-of', 'not-a-time');
  assert.is(bad.code, 2);
});

test('project shows complexity, widgets and activity', async () => {
  await db('history', 'record', 'app', 'file_changed', '--at', '2026-01-05T10:00:00Z');
  const doc = json(await an('project', 'app', '--days', '7', '--until', '2026-01-05', '--json'));
  assert.is(doc.complexity.widgets, 8);
  assert.is(doc.complexity.score, 8 + 2 * 6 + 5 * 5 + 3 * 2);
  assert.equal(doc.activity.map((a: { count: number }) => a.count), [0, 0, 0, 0, 0, 0, 1]);
  const human = await an('project', 'app', '--days', '7', '--until', '2026-01-05');
  assert.match(human.stdout, /complexity\s+51/);
  assert.match(human.stdout, /activity 2025-12-30\.\.2026-01-05\s+ +█ \(1 actions\)/);
});

test('perf timings are opt-in: one event per run when on, none when off', async () => {
  const before = await events();
  await an('widgets');
  await an('trends');
  assert.is(await events(), before, 'read commands write nothing by default');
  const on = { ...env, PYGUBUAI_RECORD_PERF: '1' };
  for (let i = 0; i < 3; i++) assert.is((await run('pygubu-analytics', ['widgets'], { env: on })).code, 0);
  assert.is(await events(), before + 3, 'one analytics.recorded event per run');
  await writeFile(join(home, 'config.json'), JSON.stringify({ record_perf: true, other: 'kept' }));
  await an('trends');
  assert.is(await events(), before + 4, 'the config key turns it on too');
  await writeFile(join(home, 'config.json'), JSON.stringify({ record_perf: false }));
  const perf = json(await an('perf', '--json'));
  assert.is(perf.recording, false);
  const ops = Object.fromEntries(perf.operations.map((o: { operation: string }) => [o.operation, o]));
  assert.is(ops.widgets.runs, 3);
  assert.is(ops['widgets:open'].runs, 3);
  assert.is(ops['widgets:work'].runs, 3);
  assert.ok(ops.widgets.p50 <= ops.widgets.p95);
  assert.is(ops.trends.runs, 1);
  const human = await an('perf');
  assert.match(human.stdout, /OPERATION\s+RUNS\s+P50 MS\s+P95 MS/);
});

test('usage errors exit 2 with one line', async () => {
  const r = await an('trends', '--days', '0');
  assert.is(r.code, 2);
  assert.is(r.stderr, 'error: --days takes 1..3660, not 0; see `pygubu-analytics trends --help` (USAGE)\n');
  const s = await an('scan', 'app', '--all');
  assert.is(s.code, 2);
});

test.run();
