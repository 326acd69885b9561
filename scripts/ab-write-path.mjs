// Same-process A/B of two builds' write path and name lookup (docs/performance.md, issue 14):
//   A=/path/to/old/checkout B=/path/to/new/checkout node scripts/ab-write-path.mjs 5000 rebuild,concurrent,lookup
// Each root must hold a built dist/ (npm run build). CPU-time rates: the machine may be shared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const builds = { A: process.env.A, B: process.env.B };
if (!builds.A || !builds.B) throw new Error('set A and B to two built checkouts');
const { projects } = await import(`${builds.B}/dist/bench/lib/dataset.js`);
const { eventsOf } = await import(`${builds.B}/dist/bench/bulk-import.js`);
const dir = mkdtempSync(join(tmpdir(), 'wpab-'));
const n = Number(process.argv[2] ?? 10000);
const mode = process.argv[3] ?? 'import';
const data = [...projects(n)];
const stores = {};
for (const [k, root] of Object.entries(builds)) stores[k] = await (await import(`${root}/dist/src/index.js`)).openStore({ location: join(dir, k), sync: false });
const cpu = { A: 0, B: 0 }, wall = { A: 0, B: 0 };
const timed = async (k, fn) => { const c0 = process.cpuUsage(); const t0 = performance.now(); await fn(); const c = process.cpuUsage(c0); cpu[k] += (c.user + c.system) / 1e3; wall[k] += performance.now() - t0; };
let events = 0;
for (let i = 0, r = 0; i < n; i += 1000, r++) {
  const batch = data.slice(i, i + 1000).flatMap(eventsOf);
  for (const k of r % 2 ? ['A', 'B'] : ['B', 'A']) await timed(k, () => stores[k].append(batch));
  events += batch.length;
}
const report = (label, ev) => { for (const k of ['A', 'B']) console.log(`${label} ${k}: ${Math.round(ev / cpu[k] * 1000)} ev/cpu-s, ${Math.round(ev / wall[k] * 1000)} ev/s wall`); cpu.A = cpu.B = wall.A = wall.B = 0; };
report('import', events);
if (mode.includes('concurrent')) {
  const total = 5000;
  const entry = (i) => ({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), action: 'file_changed', description: `concurrent ${i}`, user: 'bench' });
  for (let r = 0; r < 6; r++) for (const k of r % 2 ? ['A', 'B'] : ['B', 'A'])
    await timed(k, () => Promise.all(Array.from({ length: total }, (_, i) => stores[k].append({ stream: `workflow-${data[(i + r * total) % data.length].id}`, type: 'workflow.recorded', meta: { source: 'api' }, data: entry(i + r * total) }))));
  report('concurrent', total * 6);
}
if (mode.includes('rebuild')) {
  for (let r = 0; r < 4; r++) for (const k of r % 2 ? ['A', 'B'] : ['B', 'A']) await timed(k, () => stores[k].rebuild());
  report('rebuild', stores.A.log.head * 4);
}
if (mode.includes('lookup')) {
  for (const k of ['A','B']) stores[k] = await (await import(`${builds[k]}/dist/src/index.js`)).openStore({ location: join(dir, k), sync: false, cacheSize: 0 }).catch(async () => { await stores[k].close(); return (await import(`${builds[k]}/dist/src/index.js`)).openStore({ location: join(dir, k), sync: false, cacheSize: 0 }); });
  const names = data.slice(0, 4096).map((p) => p.name);
  for (let r = 0; r < 6; r++) for (const k of r % 2 ? ['A', 'B'] : ['B', 'A']) await timed(k, async () => { for (let i = 0; i < 20000; i++) await stores[k].views.projects.byName(names[i % names.length]); });
  report('byName', 120000);
}
for (const s of Object.values(stores)) await s.close();
rmSync(dir, { recursive: true, force: true });
