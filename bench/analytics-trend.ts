/**
 * A 365-day analytics trend (daily count/sum/min/max of one metric) over a year of recorded
 * values, in a store of its own (the same for every size, so it runs once, at the largest size).
 * The store reads 13 month rows of daily rollups; SQLite groups the raw values by day over an index on (metric, at);
 * the JSON peer reads a file of recorded values and groups them; raw classic-level reads 365 rows.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteDatabase } from './lib/sqlite-peer.js';
import { addDays, trend } from '../src/domain/analytics.js';
import { openStore, type NewEvent } from '../src/index.js';
import { metricStream } from '../src/projections/analytics.js';
import { latency } from './lib/measure.js';
import { openRawLevel, rawPackr } from './lib/peers.js';
import type { Scenario } from './lib/context.js';

const DAYS = 365;
const PER_DAY = 20;
const UNTIL = '2026-06-30';
const METRIC = 'build_ms';

export const analyticsTrend: Scenario = {
  name: '365-day trend',
  sizes: (ctx) => ctx.largest,
  async run(ctx) {
    const dir = join(ctx.dir, 'trend');
    mkdirSync(dir, { recursive: true });
    const from = addDays(UNTIL, -(DAYS - 1));
    const values: Array<{ metric: string; value: number; at: string }> = [];
    for (let d = 0; d < DAYS; d++) {
      const day = addDays(from, d);
      for (let i = 0; i < PER_DAY; i++) {
        values.push({ metric: METRIC, value: 50 + ((d * 31 + i * 17) % 200), at: `${day}T${String(i % 24).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}:00.000Z` });
      }
    }
    const n = ctx.iters(2_000, 200);

    const store = await openStore({ location: join(dir, 'store'), sync: false });
    for (let d = 0; d < DAYS; d++) {
      const batch: NewEvent[] = values
        .slice(d * PER_DAY, (d + 1) * PER_DAY)
        .map((v) => ({ stream: metricStream(METRIC), type: 'analytics.recorded', at: v.at, data: { metric: METRIC, value: v.value } }));
      await store.append(batch);
    }
    const storeFig = await latency(async () => {
      const t = await trend(store.views, { metric: METRIC, days: DAYS, until: UNTIL });
      if (t.points.length !== DAYS) throw new Error('wrong trend');
    }, { iterations: n });
    await store.close();

    const db = new (sqliteDatabase())(join(dir, 'trend.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE metrics (id INTEGER PRIMARY KEY, metric TEXT NOT NULL, value REAL NOT NULL, at TEXT NOT NULL); CREATE INDEX idx_metrics_metric_at ON metrics(metric, at);');
    const insert = db.prepare('INSERT INTO metrics (metric, value, at) VALUES (?, ?, ?)');
    db.transaction(() => values.forEach((v) => insert.run(v.metric, v.value, v.at)))();
    const byDay = db.prepare(
      'SELECT substr(at, 1, 10) AS day, count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max FROM metrics WHERE metric = ? AND at >= ? AND at < ? GROUP BY day ORDER BY day',
    );
    const sqliteFig = await latency(() => byDay.all(METRIC, from, `${addDays(UNTIL, 1)}`), { iterations: n });
    db.close();

    const jsonFile = join(dir, 'metrics.json');
    writeFileSync(jsonFile, JSON.stringify({ metrics: values }, null, 2));
    const jsonFig = await latency(() => {
      const { metrics } = JSON.parse(readFileSync(jsonFile, 'utf8')) as { metrics: typeof values };
      const days = new Map<string, { count: number; sum: number; min: number; max: number }>();
      for (const m of metrics) {
        if (m.metric !== METRIC) continue;
        const day = m.at.slice(0, 10);
        const r = days.get(day) ?? { count: 0, sum: 0, min: Infinity, max: -Infinity };
        r.count++;
        r.sum += m.value;
        r.min = Math.min(r.min, m.value);
        r.max = Math.max(r.max, m.value);
        days.set(day, r);
      }
      return days;
    }, { iterations: ctx.iters(200, 20), maxMs: 10_000 });

    const level = await openRawLevel(join(dir, 'level'));
    await level.batch(Array.from({ length: DAYS }, (_, d) => ({ type: 'put' as const, key: `d!${addDays(from, d)}`, value: rawPackr.pack({ count: PER_DAY, sum: 1, min: 1, max: 2 }) })));
    const levelFig = await latency(async () => (await level.values({ gte: 'd!', lt: 'd!\uffff' }).all()).map((v) => rawPackr.unpack(v)), { iterations: n });
    await level.close();

    ctx.record({
      scenario: '365-day trend',
      size: ctx.size,
      kind: 'latency',
      unit: 'query',
      figures: { store: storeFig, json: jsonFig, sqlite: sqliteFig, level: levelFig },
      note: `${DAYS * PER_DAY} recorded values over a year; store: 13 month rows of daily rollups; SQLite: GROUP BY day over (metric, at); raw: 365 rows in one range read`,
    });
  },
};
