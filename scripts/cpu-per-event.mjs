// CPU µs per event of one build's bulk import, replay (3 passes), 3,000 concurrent appends and rebuild,
// in a store of its own in a temporary directory (docs/performance.md). Run builds as separate
// processes, alternating, so one build's garbage and msgpackr instance never meet the other's:
//   for r in 1 2 3 4; do for root in ../old .; do node scripts/cpu-per-event.mjs $root 4000; done; done
// Each <root> must hold a built dist/ (npm run build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [root, nArg] = process.argv.slice(2);
const n = Number(nArg);
if (!root || !Number.isInteger(n) || n < 1) {
  process.stderr.write('usage: node scripts/cpu-per-event.mjs <built checkout> <projects>\n');
  process.exit(2);
}
const from = (file) => import(pathToFileURL(resolve(root, 'dist', file)).href);
const { projects } = await from('bench/lib/dataset.js');
const { eventsOf } = await from('bench/bulk-import.js');
const { openStore } = await from('src/index.js');
const dir = mkdtempSync(join(tmpdir(), 'cpuab-'));
const store = await openStore({ location: join(dir, 's'), sync: false });
const data = [...projects(n)];
const cpu = async (fn) => { const c0 = process.cpuUsage(); await fn(); const c = process.cpuUsage(c0); return (c.user + c.system); };
let events = 0;
const imp = await cpu(async () => { for (let i = 0; i < n; i += 1000) { const b = data.slice(i, i + 1000).flatMap(eventsOf); events += b.length; await store.append(b); } });
let m = 0;
const rep = await cpu(async () => { for (let r = 0; r < 3; r++) for await (const _ of store.log.readAll()) m++; });
const total = 3000;
const entry = (i) => ({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), action: 'file_changed', description: `concurrent ${i}`, user: 'bench' });
const con = await cpu(() => Promise.all(Array.from({ length: total }, (_, i) => store.append({ stream: `workflow-${data[i % data.length].id}`, type: 'workflow.recorded', meta: { source: 'api' }, data: entry(i) }))));
const head = store.log.head;
const reb = await cpu(() => store.rebuild());
await store.close();
rmSync(dir, { recursive: true, force: true });
const round = (v) => Math.round(v * 100) / 100;
console.log(JSON.stringify({ root, import: round(imp / events), replay: round(rep / m), concurrent: round(con / total), rebuild: round(reb / head) }));
