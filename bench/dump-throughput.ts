/**
 * Dump / load / backup / restore throughput on a store of `projects × (1 + entries)` events.
 *
 *   node dist/bench/dump-throughput.js [--projects 10000] [--entries 99] [--runs 3] [--out file.json]
 *
 * Each figure is the median of `runs` runs; every load (one batch, and beside-and-swap) goes into a
 * fresh store, every restore replaces a store that holds the whole log (so it also counts what would
 * be lost). Loads run in a child process each and report that process's peak RSS (maxRSS);
 * restore's figure is RSS growth in this process, sampled every 50 ms.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { sandboxEnv } from '../test/sandbox.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { backupStore, fileSink, loadDump, loadDumpBeside, openStore, restoreStore, writeDump, type DumpEncoding, type NewEvent, type Store } from '../src/index.js';
import { pathArgOrExit } from '../src/lib/path-arg.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'child-load': { type: 'string' },
    projects: { type: 'string', default: '10000' },
    entries: { type: 'string', default: '99' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string' },
    dir: { type: 'string' },
  },
});
if (values.out !== undefined) pathArgOrExit(values.out, 'dump-throughput --out');
if (values.dir !== undefined) pathArgOrExit(values.dir, 'dump-throughput --dir');
const projects = Number(values.projects);
const entries = Number(values.entries);
const runs = Number(values.runs);
const events = projects * (1 + entries);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (s: string) => process.stderr.write(`${s}\n`);

async function seed(store: Store): Promise<void> {
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  let batch: NewEvent[] = [];
  for (let p = 0; p < projects; p++) {
    const at = new Date(base + p * 60_000).toISOString();
    batch.push({
      id: `p${p}-reg`,
      stream: `project-p${p}`,
      type: 'project.registered',
      at,
      data: { name: `app-${p}`, path: `/home/me/app-${p}`, description: `Project ${p}`, tags: ['ui', `t${p % 10}`], created: at, modified: at },
    });
    for (let e = 0; e < entries; e++) {
      const when = new Date(base + p * 60_000 + (e + 1) * 100).toISOString();
      batch.push({
        id: `p${p}-w${e}`,
        stream: `workflow-p${p}`,
        type: 'workflow.recorded',
        at: when,
        data: { timestamp: when, action: e % 3 ? 'file_changed' : 'build', description: `File app-${p}.ui changed (${e})` },
        meta: { source: 'import' },
      });
    }
    if (batch.length >= 5000) {
      await store.append(batch);
      batch = [];
      if (p % 1000 === 0) log(`  seeded ${store.log.head} events`);
    }
  }
  if (batch.length > 0) await store.append(batch);
}

/** Runs `work` while sampling RSS; returns ms and the peak RSS growth in MiB. */
async function measure(work: () => Promise<unknown>): Promise<{ ms: number; peakMiB: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, peakMiB: Math.round((peak - base) / 2 ** 20) };
}

if (values['child-load']) {
  // one load in a process of its own, so that maxRSS is that load's
  const [location, file] = positionals as [string, string];
  const started = performance.now();
  if (values['child-load'] === 'beside') await loadDumpBeside(location, file);
  else {
    const target = await openStore({ location, sync: false });
    await loadDump(target, file);
    await target.close();
  }
  process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
  process.exit(0);
}

/** A load in a child process: its time and its peak RSS. */
function childLoad(strategy: 'batch' | 'beside', location: string, file: string): { ms: number; peakMiB: number } {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child-load', strategy, location, file], { encoding: 'utf8', env: sandboxEnv() });
  if (r.status !== 0) throw new Error(`child load failed: ${r.stderr}`);
  const { ms, maxRssMiB } = JSON.parse(r.stdout) as { ms: number; maxRssMiB: number };
  return { ms, peakMiB: maxRssMiB };
}

const dir = await mkdtemp(join(values.dir ?? tmpdir(), 'pygubuai-bench-dumps-'));
try {
  log(`building a store of ${events} events (${projects} projects × ${1 + entries})`);
  const source = join(dir, 'source');
  const store = await openStore({ location: source, sync: false });
  const seeded = await measure(() => seed(store));
  log(`  ${Math.round(events / (seeded.ms / 1000))} events/s`);

  const result: Record<string, unknown> = { events, projects, entriesPerProject: entries, runs, seedEventsPerSecond: Math.round(events / (seeded.ms / 1000)) };
  for (const encoding of ['ndjson', 'msgpack'] as DumpEncoding[]) {
    const file = join(dir, `all.${encoding}`);
    const dumps: number[] = [];
    for (let i = 0; i < runs; i++) dumps.push((await measure(async () => writeDump(store, await fileSink(file), { encoding }))).ms);
    const loads: { ms: number; peakMiB: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const location = join(dir, `load-${encoding}-${i}`);
      loads.push(childLoad('batch', location, file));
      const target = await openStore({ location, createIfMissing: false });
      if (target.log.head !== events) throw new Error(`loaded ${target.log.head} of ${events}`);
      await target.close();
      await rm(location, { recursive: true, force: true });
    }
    const besides: { ms: number; peakMiB: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const location = join(dir, `beside-${encoding}-${i}`);
      besides.push(childLoad('beside', location, file));
      await rm(location, { recursive: true, force: true });
    }
    const dumpMs = median(dumps);
    const loadMs = median(loads.map((l) => l.ms));
    result[encoding] = {
      bytes: (await stat(file)).size,
      dumpMs: Math.round(dumpMs),
      dumpEventsPerSecond: Math.round(events / (dumpMs / 1000)),
      loadMs: Math.round(loadMs),
      loadEventsPerSecond: Math.round(events / (loadMs / 1000)),
      loadPeakRssMiB: Math.max(...loads.map((l) => l.peakMiB)),
      loadBesideMs: Math.round(median(besides.map((l) => l.ms))),
      loadBesideEventsPerSecond: Math.round(events / (median(besides.map((l) => l.ms)) / 1000)),
      loadBesidePeakRssMiB: Math.max(...besides.map((l) => l.peakMiB)),
    };
    log(`${encoding}: ${JSON.stringify(result[encoding])}`);
  }

  const backupFile = join(dir, 'store.backup');
  const backups: number[] = [];
  for (let i = 0; i < runs; i++) backups.push((await measure(() => backupStore(store, backupFile))).ms);
  await store.close();
  const restores: { ms: number; peakMiB: number }[] = [];
  for (let i = 0; i < runs; i++) restores.push(await measure(() => restoreStore(source, backupFile)));
  result.backup = { bytes: (await stat(backupFile)).size, ms: Math.round(median(backups)), eventsPerSecond: Math.round(events / (median(backups) / 1000)) };
  result.restore = {
    ms: Math.round(median(restores.map((r) => r.ms))),
    eventsPerSecond: Math.round(events / (median(restores.map((r) => r.ms)) / 1000)),
    peakRssMiB: Math.max(...restores.map((r) => r.peakMiB)),
  };
  log(`backup: ${JSON.stringify(result.backup)}\nrestore: ${JSON.stringify(result.restore)}`);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (values.out) await writeFile(values.out, text);
  process.stdout.write(text);
} finally {
  await rm(dir, { recursive: true, force: true });
}
