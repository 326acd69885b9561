// Analytics figures for the README and the issue: scan throughput, `trends --days 365` latency
// (in-process query and whole process), and the size of a year of daily rollups (13 month rows).
// Run: npm run build && node dist/bench/analytics.js [--files 600] [--per-day 20]
import { execFileSync } from 'node:child_process';
import { sandboxEnv } from '../test/sandbox.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN, ROOT } from './lib/paths.js';
import { addDays, scanProjects, trend } from '../src/domain/analytics.js';
import { openStore, type NewEvent } from '../src/index.js';
import { prefixRange, viewPrefix } from '../src/log/keys.js';
import { analyticsKeys, metricStream } from '../src/projections/analytics.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const FILES = arg('files', 600);
const PROJECTS = 6;
const PER_DAY = arg('per-day', 20);
const DAYS = 365;
const UNTIL = '2026-06-30';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

/** A plausible pygubu file: a toplevel, `frames` frames of mixed widgets with layouts and callbacks. */
function uiFile(seed: number): string {
  const classes = ['ttk.Button', 'ttk.Label', 'ttk.Entry', 'tk.Text', 'ttk.Combobox', 'ttk.Checkbutton', 'tk.Canvas', 'ttk.Treeview'];
  const frames = 3 + (seed % 8);
  const out = [`<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.3">\n<object class="tk.Toplevel" id="top${seed}">\n`];
  for (let f = 0; f < frames; f++) {
    out.push(`<child><object class="ttk.Frame" id="frame_${f}"><layout manager="${f % 2 ? 'pack' : 'grid'}"/>\n`);
    for (let w = 0; w < 6 + ((seed + f) % 10); w++) {
      const cls = classes[(seed + f + w) % classes.length];
      out.push(
        `<child><object class="${cls}" id="w_${f}_${w}"><property name="text">Item ${w}</property>` +
          (w % 3 === 0 ? `<property name="command" type="command">on_${f}_${w}</property>` : '') +
          (w % 5 === 0 ? `<bind sequence="&lt;Return&gt;" handler="on_return" add=""/>` : '') +
          `<layout manager="grid"><property name="row">${w}</property></layout></object></child>\n`,
      );
    }
    out.push('</object></child>\n');
  }
  out.push('</object>\n</interface>\n');
  return out.join('');
}

async function benchScan(base: string): Promise<{ filesPerSecond: number[]; bytes: number }> {
  const projects: string[] = [];
  let bytes = 0;
  for (let p = 0; p < PROJECTS; p++) {
    const dir = join(base, `project${p}`, 'ui');
    await mkdir(dir, { recursive: true });
    projects.push(dirname(dir));
  }
  for (let i = 0; i < FILES; i++) {
    const content = uiFile(i);
    bytes += Buffer.byteLength(content);
    await writeFile(join(projects[i % PROJECTS]!, 'ui', `form${i}.ui`), content);
  }
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const store = await openStore({ location: join(base, `scan-store-${run}`), sync: true });
    try {
      for (let p = 0; p < PROJECTS; p++) await store.projects.register({ name: `project${p}`, path: projects[p]! });
      const report = await scanProjects(store);
      if (report.recorded !== FILES) throw new Error(`recorded ${report.recorded} of ${FILES}`);
      rates.push(FILES / (report.ms / 1000));
    } finally {
      await store.close();
    }
  }
  return { filesPerSecond: rates, bytes };
}

async function benchTrends(base: string) {
  const location = join(base, 'trend-store');
  const store = await openStore({ location, sync: false });
  const from = addDays(UNTIL, -(DAYS - 1));
  let events = 0;
  try {
    for (let d = 0; d < DAYS; d++) {
      const day = addDays(from, d);
      const batch: NewEvent[] = [];
      for (let i = 0; i < PER_DAY; i++) {
        const at = `${day}T${String(i % 24).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}:00.000Z`;
        batch.push({ stream: metricStream('build_ms'), type: 'analytics.recorded', at, data: { metric: 'build_ms', value: 50 + ((d * 31 + i * 17) % 200) } });
      }
      await store.append(batch);
      events += batch.length;
    }
    const inProcess: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      const t = await trend(store.views, { metric: 'build_ms', days: DAYS, until: UNTIL });
      inProcess.push(performance.now() - t0);
      if (t.points.length !== DAYS || t.points.some((p) => p.count !== PER_DAY)) throw new Error('wrong trend');
    }
    // The year of rollup rows: encoded keys + values, summed from the rows themselves.
    const range = prefixRange(viewPrefix('analytics') + analyticsKeys.monthPrefix('build_ms'));
    let rows = 0;
    let rowBytes = 0;
    for await (const [k, v] of store.db.iterator(range)) {
      rows++;
      rowBytes += Buffer.byteLength(k) + v.length;
    }
    await store.compact();
    const onDisk = await store.db.approximateSize(range.gte, range.lt);
    await store.close();
    const bin = BIN('pygubu-analytics');
    const wholeProcess: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [bin, 'trends', '--metric', 'build_ms', '--days', String(DAYS), '--until', UNTIL, '--store', location, '--json'], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: sandboxEnv(),
      });
      wholeProcess.push(performance.now() - t0);
    }
    return { events, inProcess, wholeProcess, rows, rowBytes, onDisk };
  } finally {
    await store.close();
  }
}

const base = await mkdtemp(join(tmpdir(), 'pygubuai-bench-analytics-'));
try {
  const scan = await benchScan(base);
  const trends = await benchTrends(base);
  const result = {
    at: new Date().toISOString(),
    node: process.version,
    scan: {
      files: FILES,
      projects: PROJECTS,
      bytes: scan.bytes,
      filesPerSecondRuns: scan.filesPerSecond.map((r) => Math.round(r)),
      filesPerSecondMedian: Math.round(median(scan.filesPerSecond)),
    },
    trends365: {
      events: trends.events,
      inProcessMs: { p50: +median(trends.inProcess).toFixed(3), p95: +pct(trends.inProcess, 95).toFixed(3) },
      wholeProcessMs: { median: Math.round(median(trends.wholeProcess)), runs: trends.wholeProcess.map(Math.round) },
    },
    rollupYear: { rows: trends.rows, encodedBytes: trends.rowBytes, bytesPerRow: +(trends.rowBytes / trends.rows).toFixed(1), approximateSizeOnDisk: trends.onDisk },
  };
  const out = join(ROOT, 'bench', 'results', 'analytics.json');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${out}`);
} finally {
  await rm(base, { recursive: true, force: true });
}
