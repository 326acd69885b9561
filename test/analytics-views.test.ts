import fc from 'fast-check';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode } from '../src/log/codec.js';
import { prefixRange, viewPrefix } from '../src/log/keys.js';
import { addDays, recordMetric, scanProjects, trend } from '../src/domain/analytics.js';
import type { Store } from '../src/index.js';
import { ROOT, tempStore } from './helpers.js';

const DAY0 = '2026-03-01';
const METRICS = ['build_ms', 'ui.generated', 'errors'];
const ACTIONS = ['file_changed', 'ui_generated', 'synced'];

interface Op {
  kind: 'metric' | 'workflow';
  metric: string;
  action: string;
  value: number;
  day: number;
  hour: number;
  project: 0 | 1 | null;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('metric' as const, 'workflow' as const),
  metric: fc.constantFrom(...METRICS),
  action: fc.constantFrom(...ACTIONS),
  value: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })),
  day: fc.integer({ min: 0, max: 20 }),
  hour: fc.integer({ min: 0, max: 23 }),
  project: fc.constantFrom(0 as const, 1 as const, null),
});

const iso = (day: number, hour: number) => `${addDays(DAY0, day)}T${String(hour).padStart(2, '0')}:15:00.000Z`;

async function withProjects<T>(work: (store: Store, ids: [string, string]) => Promise<T>): Promise<T> {
  const { store, dir, cleanup } = await tempStore();
  try {
    const a = await store.projects.register({ name: 'alpha', path: join(dir, 'alpha') });
    const b = await store.projects.register({ name: 'beta', path: join(dir, 'beta') });
    return await work(store, [a.id, b.id]);
  } finally {
    await cleanup();
  }
}

async function apply(store: Store, ops: readonly Op[]): Promise<void> {
  const names = ['alpha', 'beta'];
  for (const op of ops) {
    if (op.kind === 'metric') {
      await store.transact((tx, views) =>
        recordMetric(tx, views, { metric: op.metric, value: op.value, at: iso(op.day, op.hour), ...(op.project !== null ? { project: names[op.project] } : {}) }),
      );
    } else {
      await store.history.record(names[op.project ?? 0]!, { action: op.action, timestamp: iso(op.day, op.hour) });
    }
  }
}

test('daily rollups equal a brute-force computation over the log (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), async (ops) =>
      withProjects(async (store, ids) => {
        await apply(store, ops);
        const last = addDays(DAY0, 20);
        // Brute force: read every event of the log and fold it here, in log order.
        const metricDays = new Map<string, { count: number; sum: number; min: number; max: number }>();
        const activity = new Map<string, number>();
        for await (const e of store.log.readAll()) {
          if (e.type === 'analytics.recorded') {
            const d = e.data as { metric: string; value: number; project_id?: string };
            for (const key of [`${d.metric}|*|${e.at.slice(0, 10)}`, ...(d.project_id ? [`${d.metric}|${d.project_id}|${e.at.slice(0, 10)}`] : [])]) {
              const r = metricDays.get(key);
              metricDays.set(key, r ? { count: r.count + 1, sum: r.sum + d.value, min: Math.min(r.min, d.value), max: Math.max(r.max, d.value) } : { count: 1, sum: d.value, min: d.value, max: d.value });
            }
          } else if (e.type === 'workflow.recorded') {
            const d = e.data as { action: string; timestamp: string };
            const pid = e.stream.slice('workflow-'.length);
            const day = new Date(d.timestamp).toISOString().slice(0, 10);
            for (const key of [`${pid}|*|${day}`, `${pid}|${d.action}|${day}`, `*|*|${day}`]) activity.set(key, (activity.get(key) ?? 0) + 1);
          }
        }
        const viewMetric = new Map<string, unknown>();
        for (const metric of METRICS) {
          for (const r of await store.views.analytics.metricDays(metric, DAY0, last)) viewMetric.set(`${metric}|*|${r.day}`, { count: r.count, sum: r.sum, min: r.min, max: r.max });
          for (const pid of ids) {
            for (const r of await store.views.analytics.metricDays(metric, DAY0, last, pid)) viewMetric.set(`${metric}|${pid}|${r.day}`, { count: r.count, sum: r.sum, min: r.min, max: r.max });
          }
        }
        assert.equal(Object.fromEntries([...viewMetric].sort()), Object.fromEntries([...metricDays].sort()));
        const viewActivity = new Map<string, number>();
        for (const r of await store.views.analytics.activityDays(DAY0, last)) viewActivity.set(`*|*|${r.day}`, r.count);
        for (const pid of ids) {
          for (const r of await store.views.analytics.activityDays(DAY0, last, pid)) viewActivity.set(`${pid}|*|${r.day}`, r.count);
          for (const action of ACTIONS) {
            for (const r of await store.views.analytics.actionDays(pid, action, DAY0, last)) viewActivity.set(`${pid}|${action}|${r.day}`, r.count);
          }
        }
        assert.equal(Object.fromEntries([...viewActivity].sort()), Object.fromEntries([...activity].sort()));
      }),
    ),
    { numRuns: 15 },
  );
});

test('a trend over N days reads the rollup rows and fills the days without data', async () => {
  await withProjects(async (store) => {
    const values: Array<[number, number]> = [[0, 10], [0, 20], [2, 5], [6, 7]];
    for (const [day, value] of values) await store.transact((tx, v) => recordMetric(tx, v, { metric: 'build_ms', value, at: iso(day, 9) }));
    const t = await trend(store.views, { metric: 'build_ms', days: 10, until: addDays(DAY0, 7) });
    assert.is(t.from, addDays(DAY0, -2));
    assert.is(t.points.length, 10);
    assert.equal(
      t.points.map((p) => [p.day, p.count, p.sum, p.min, p.max, p.avg]),
      [
        [addDays(DAY0, -2), 0, 0, null, null, null],
        [addDays(DAY0, -1), 0, 0, null, null, null],
        [DAY0, 2, 30, 10, 20, 15],
        [addDays(DAY0, 1), 0, 0, null, null, null],
        [addDays(DAY0, 2), 1, 5, 5, 5, 5],
        [addDays(DAY0, 3), 0, 0, null, null, null],
        [addDays(DAY0, 4), 0, 0, null, null, null],
        [addDays(DAY0, 5), 0, 0, null, null, null],
        [addDays(DAY0, 6), 1, 7, 7, 7, 7],
        [addDays(DAY0, 7), 0, 0, null, null, null],
      ],
    );
    // 2026-03-01 is a Sunday: weeks start on the Mondays 02-23, 03-02.
    const weekly = await trend(store.views, { metric: 'build_ms', days: 10, until: addDays(DAY0, 7), by: 'week' });
    assert.equal(
      weekly.points.map((p) => [p.day, p.count, p.sum, p.min, p.max]),
      [
        ['2026-02-23', 2, 30, 10, 20],
        ['2026-03-02', 2, 12, 5, 7],
      ],
    );
    const empty = await trend(store.views, { metric: 'nothing', days: 3, until: DAY0 });
    assert.equal(empty.points.map((p) => p.count), [0, 0, 0]);
  });
});

test('workflow activity is the default trend, per project or for all', async () => {
  await withProjects(async (store, [alpha]) => {
    await store.history.record('alpha', { action: 'file_changed', timestamp: iso(1, 8) });
    await store.history.record('alpha', { action: 'file_changed', timestamp: iso(1, 9) });
    await store.history.record('beta', { action: 'synced', timestamp: iso(2, 9) });
    const all = await trend(store.views, { days: 3, until: addDays(DAY0, 2) });
    assert.is(all.metric, 'workflow.actions');
    assert.equal(all.points.map((p) => p.count), [0, 2, 1]);
    const one = await trend(store.views, { days: 3, until: addDays(DAY0, 2), projectId: alpha });
    assert.equal(one.points.map((p) => p.count), [0, 2, 0]);
    assert.equal(await store.views.analytics.actions(alpha), [{ action: 'file_changed', count: 2, last: iso(1, 9) }]);
  });
});

async function viewRows(store: Store): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for await (const [k, v] of store.db.iterator(prefixRange(viewPrefix('analytics')))) out[k] = decode(v);
  return out;
}

test('as-of shows the analytics as they stood; a rebuild gives identical rows; verify is ok', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const app = join(dir, 'app');
    await mkdir(app);
    const fixtures = join(ROOT, 'test', 'fixtures', 'ui');
    await copyFile(join(fixtures, 'nested.ui'), join(app, 'main.ui'));
    await store.projects.register({ name: 'app', path: app });
    await scanProjects(store);
    await store.transact((tx, v) => recordMetric(tx, v, { metric: 'build_ms', value: 3, project: 'app', at: iso(0, 1) }));
    const point = store.log.head;
    await copyFile(join(fixtures, 'menu.ui'), join(app, 'main.ui'));
    await scanProjects(store);
    await store.transact((tx, v) => recordMetric(tx, v, { metric: 'build_ms', value: 9, at: iso(0, 2) }));

    const then = await store.asOf(point);
    try {
      assert.is((await then.analytics.widgetUsage({ top: 1 }))[0]?.class, 'ttk.Frame');
      assert.equal((await then.analytics.metricDays('build_ms', DAY0, DAY0)).map((r) => r.sum), [3]);
    } finally {
      await then.close();
    }
    assert.is((await store.views.analytics.widgetUsage({ top: 1 }))[0]?.class, 'tk.Menuitem.Command');
    assert.equal((await store.views.analytics.metricDays('build_ms', DAY0, DAY0)).map((r) => r.sum), [12]);

    const before = await viewRows(store);
    assert.ok(Object.keys(before).length > 20);
    await store.rebuild(['analytics']);
    assert.equal(await viewRows(store), before);
    const report = await store.verify();
    assert.ok(report.ok, JSON.stringify(report.problems));
  } finally {
    await cleanup();
  }
});

test('record refuses bad input with a code and writes nothing', async () => {
  await withProjects(async (store) => {
    const head = store.log.head;
    const codeOf = async (input: Parameters<typeof recordMetric>[2]) => {
      try {
        await store.transact((tx, v) => recordMetric(tx, v, input));
        return 'none';
      } catch (err) {
        return (err as { code?: string }).code;
      }
    };
    assert.is(await codeOf({ metric: 'x', value: Number.NaN }), 'INVALID_ARGUMENT');
    assert.is(await codeOf({ metric: 'x', value: 1, at: 'yesterday' }), 'INVALID_ARGUMENT');
    assert.is(await codeOf({ metric: 'x', value: 1, project: 'nope' }), 'PROJECT_NOT_FOUND');
    assert.is(await codeOf({ metric: 'bad name!', value: 1 }), 'VALIDATION_FAILED');
    assert.is(store.log.head, head);
  });
});

test.run();
