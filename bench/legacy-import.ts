/**
 * Import throughput of `pygubu-db migrate`: a generated legacy registry (see gen-legacy.ts) imported
 * into a fresh store, several runs, median events/s. Writes bench/results/legacy-import.json.
 *
 *   node dist/bench/legacy-import.js [projects=1000] [history=100] [runs=3]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { importLegacy } from '../src/legacy/index.js';
import { openStore } from '../src/index.js';
import { generateLegacy } from './gen-legacy.js';

const [projects = '1000', history = '100', runsArg = '3'] = process.argv.slice(2);
const runs = Number(runsArg);
const dir = await mkdtemp(join(tmpdir(), 'pygubu-bench-legacy-'));
try {
  const gen = await generateLegacy(join(dir, 'legacy'), { projects: Number(projects), historyPerProject: Number(history) });
  const results: Array<{ events: number; ms: number; eventsPerSecond: number; cpuMs: number; reimportMs: number; loadAverage: number }> = [];
  for (let r = 0; r < runs; r++) {
    const store = await openStore({ location: join(dir, `store-${r}`), cacheSize: 0 }); // as `pygubu-db migrate` opens it
    const cpu = process.cpuUsage();
    const report = await importLegacy(store, { registryPath: gen.registryPath });
    const used = process.cpuUsage(cpu);
    if (report.totals.errors > 0) throw new Error(JSON.stringify(report.files.find((f) => f.error)));
    const again = await importLegacy(store, { registryPath: gen.registryPath });
    await store.close();
    await rm(join(dir, `store-${r}`), { recursive: true, force: true });
    const events = report.totals.imported;
    // The machine may be shared: CPU time and the load average say how much of the wall time was ours.
    results.push({
      events,
      ms: report.ms,
      eventsPerSecond: Math.round(events / (report.ms / 1000)),
      cpuMs: Math.round((used.user + used.system) / 1000),
      reimportMs: again.ms,
      loadAverage: loadavg()[0]!,
    });
    console.error(`run ${r + 1}: ${events} events in ${report.ms} ms (${results[r]!.eventsPerSecond} events/s); re-import ${again.ms} ms`);
  }
  const median = <T>(xs: T[], f: (x: T) => number) => xs.map(f).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = {
    scenario: 'legacy-import',
    projects: gen.projects,
    historyPerProject: Number(history),
    legacyBytes: gen.bytes,
    runs: results,
    medianEventsPerSecond: median(results, (r) => r.eventsPerSecond),
    medianMs: median(results, (r) => r.ms),
    medianReimportMs: median(results, (r) => r.reimportMs),
    medianEventsPerCpuSecond: median(results, (r) => Math.round(r.events / (r.cpuMs / 1000))),
    node: process.version,
    at: new Date().toISOString(),
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile(join('bench/results', `legacy-import-${projects}x${history}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
} finally {
  await rm(dir, { recursive: true, force: true });
}
