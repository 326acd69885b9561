// Where the write path's CPU goes, thread by thread (Linux only: reads /proc/self/task), for one
// build: bulk import, concurrent appends and a rebuild in a store of its own in a temporary
// directory (docs/performance.md, "The write path at its floor"). Prints, per phase, the wall time
// and the CPU time per event of each group of threads:
//   main      the JavaScript thread (the store's own code, msgpack, the synchronous reads)
//   leveldb   the last thread to start, after the store opened: LevelDB's background compaction
//   other     every other thread: V8's platform workers (GC, compiling) and libuv's pool (the
//             batch writes; Node starts it while loading this script, so it cannot be told apart)
//   npm run build && node scripts/thread-cpu.mjs . 20000
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, nArg] = process.argv.slice(2);
const n = Number(nArg);
if (!root || !Number.isInteger(n) || n < 1000) {
  process.stderr.write('usage: node scripts/thread-cpu.mjs <built checkout> <projects, at least 1000>\n');
  process.exit(2);
}
if (process.platform !== 'linux') {
  process.stderr.write('thread-cpu: needs /proc/self/task (Linux)\n');
  process.exit(2);
}
const TICK_US = 10_000; // /proc reports CPU time in clock ticks of 1/100 s (USER_HZ)

/** CPU µs of each thread of this process, by thread id. */
function threadCpu() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * TICK_US);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

const before = new Set(threadCpu().keys()); // main, V8's workers and libuv's pool: before any LevelDB thread
const from = (file) => import(pathToFileURL(resolve(root, 'dist', file)).href);
const { projects, eventsPerProject } = await from('bench/lib/dataset.js');
const { eventsOf } = await from('bench/bulk-import.js');
const { openStore } = await from('src/index.js');
const dir = mkdtempSync(join(tmpdir(), 'thread-cpu-'));
const store = await openStore({ location: join(dir, 's'), sync: false });
const data = [...projects(n)];

async function phase(name, events, work) {
  const c0 = threadCpu();
  const t0 = performance.now();
  await work();
  const wall = (performance.now() - t0) * 1000;
  const c1 = threadCpu();
  const started = [...c1.keys()].filter((t) => !before.has(t)).sort((a, b) => a - b);
  const leveldb = started.at(-1);
  const groups = { main: 0, leveldb: 0, other: 0 };
  for (const [tid, us] of c1) {
    const d = us - (c0.get(tid) ?? 0);
    if (tid === process.pid) groups.main += d;
    else if (tid === leveldb) groups.leveldb += d;
    else groups.other += d;
  }
  const per = (v) => Math.round((v / events) * 10) / 10;
  const total = groups.main + groups.leveldb + groups.other;
  console.log(JSON.stringify({ phase: name, events, eventsPerSecond: Math.round(events / (wall / 1e6)), wallUsPerEvent: per(wall), cpuUsPerEvent: { main: per(groups.main), leveldb: per(groups.leveldb), other: per(groups.other), total: per(total) } }));
}

try {
  await phase('bulk import', data.length * eventsPerProject, async () => {
    for (let i = 0; i < n; i += 1000) await store.append(data.slice(i, i + 1000).flatMap(eventsOf));
  });
  const total = Math.min(20_000, n);
  const entry = (i) => ({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), action: 'file_changed', description: `concurrent ${i}`, user: 'bench' });
  await phase('concurrent appends', total, () =>
    Promise.all(Array.from({ length: total }, (_, i) => store.append({ stream: `workflow-${data[i % data.length].id}`, type: 'workflow.recorded', meta: { source: 'api' }, data: entry(i) }))),
  );
  await phase('rebuild', store.log.head, () => store.rebuild());
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
