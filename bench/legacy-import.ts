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
import { recordBatches, writeBatches } from './lib/floor.js';
import { openRawLevel } from './lib/peers.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// --floor: also record the store's batches and write them again into an empty raw LevelDB (fsync on,
// as migrate writes): the floor of the same job. It holds every batch in memory (~2 KB per event):
// at 10k × 100 run it as `node --max-old-space-size=16384 dist/bench/legacy-import.js 10000 100 1 --floor`.
const withFloor = process.argv.includes('--floor');
const [projects = '1000', history = '100', runsArg = '3'] = positional;
const runs = Number(runsArg);
const dir = await mkdtemp(join(tmpdir(), 'pygubu-bench-legacy-'));
try {
  const gen = await generateLegacy(join(dir, 'legacy'), { projects: Number(projects), historyPerProject: Number(history) });
  type Floor = { ms: number; eventsPerSecond: number; keysPerEvent: number; bytesPerEvent: number; batches: number };
  const results: Array<{ events: number; ms: number; eventsPerSecond: number; cpuMs: number; reimportMs: number; loadAverage: number; floor?: Floor }> = [];
  for (let r = 0; r < runs; r++) {
    const store = await openStore({ location: join(dir, `store-${r}`), cacheSize: 0 }); // as `pygubu-db migrate` opens it
    const recording = withFloor ? recordBatches(store.db) : undefined;
    const cpu = process.cpuUsage();
    const report = await importLegacy(store, { registryPath: gen.registryPath });
    const used = process.cpuUsage(cpu);
    recording?.stop();
    if (report.totals.errors > 0) throw new Error(JSON.stringify(report.files.find((f) => f.error)));
    const again = await importLegacy(store, { registryPath: gen.registryPath });
    await store.close();
    await rm(join(dir, `store-${r}`), { recursive: true, force: true });
    const events = report.totals.imported;
    let floor: Floor | undefined;
    if (recording) {
      const level = await openRawLevel(join(dir, `floor-${r}`));
      const t0 = performance.now();
      await writeBatches(level, recording.batches, { sync: true });
      const ms = Math.round(performance.now() - t0);
      await level.close();
      await rm(join(dir, `floor-${r}`), { recursive: true, force: true });
      floor = {
        ms,
        eventsPerSecond: Math.round(events / (ms / 1000)),
        keysPerEvent: Math.round((recording.keys / events) * 100) / 100,
        bytesPerEvent: Math.round(recording.bytes / events),
        batches: recording.batches.length,
      };
      recording.batches.length = 0;
    }
    // The machine may be shared: CPU time and the load average say how much of the wall time was ours.
    results.push({
      events,
      ms: report.ms,
      eventsPerSecond: Math.round(events / (report.ms / 1000)),
      cpuMs: Math.round((used.user + used.system) / 1000),
      reimportMs: again.ms,
      loadAverage: loadavg()[0]!,
      ...(floor ? { floor } : {}),
    });
    console.error(
      `run ${r + 1}: ${events} events in ${report.ms} ms (${results[r]!.eventsPerSecond} events/s); re-import ${again.ms} ms` +
        (floor ? `; floor (the same batches on raw LevelDB) ${floor.ms} ms (${floor.eventsPerSecond} events/s, ${floor.keysPerEvent} keys and ${floor.bytesPerEvent} B per event)` : ''),
    );
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
    ...(withFloor ? { medianFloorEventsPerSecond: median(results, (r) => r.floor!.eventsPerSecond) } : {}),
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
