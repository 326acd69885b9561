// Where the write path's CPU goes (docs/performance.md, issue 14): the same bulk import, each variant
// with parts of the write path switched off, each in a process of its own (GC is per process: in one
// process, one variant's garbage is collected on another's time), variants interleaved over rounds.
// Prints the median CPU µs per event of each variant.
//   npm run build && node scripts/write-path-parts.mjs [projects=6000] [rounds=3]
// A measuring instrument only: the switched-off stores are not valid stores.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const root = new URL('..', import.meta.url).pathname;
const { openStore } = await import(`${root}/dist/src/index.js`);
const { ProjectionSet } = await import(`${root}/dist/src/projections/projection.js`);
const { projects } = await import(`${root}/dist/bench/lib/dataset.js`);
const { eventsOf } = await import(`${root}/dist/bench/bulk-import.js`);
const n = Number(process.argv[2] ?? 6000);
const dir = mkdtempSync(join(tmpdir(), 'wparts-'));
const data = [...projects(n)];
const keep = (names) => (s) => { s.log.options.projections = new ProjectionSet(s.log.options.projections.all.filter((p) => names.includes(p.name))); };
const noRules = (s) => { s.log.options.rules = undefined; };
const noValidation = (s) => { s.log.options.registry.validate = () => {}; };
const variants = {
  'everything': [],
  'no domain rules': [noRules],
  'no rules, no validation': [noRules, noValidation],
  'log only (no rules, validation, views)': [noRules, noValidation, keep([])],
  'log + projects view': [noRules, noValidation, keep(['projects'])],
  'log + workflow view': [noRules, noValidation, keep(['workflow'])],
  'log + analytics view': [noRules, noValidation, keep(['analytics'])],
};
const only = process.env.WPARTS_VARIANT;
if (only === undefined) {
  const rounds = Number(process.argv[3] ?? 3);
  const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(variants);
    if (r % 2) order.reverse();
    for (const k of order) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(n)], { env: { ...process.env, WPARTS_VARIANT: k } });
      results[k].push(Number(out.toString().trim()));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [k, xs] of Object.entries(results)) console.log(`${k.padEnd(40)} ${median(xs).toFixed(1).padStart(6)} µs CPU per event  (${xs.map((x) => x.toFixed(0)).join(', ')})`);
  rmSync(dir, { recursive: true, force: true });
} else {
  const store = await openStore({ location: join(dir, 'store'), sync: false });
  for (const f of variants[only]) f(store);
  let events = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < data.length; i += 1000) {
    const batch = data.slice(i, i + 1000).flatMap(eventsOf);
    await store.append(batch);
    events += batch.length;
  }
  const c = process.cpuUsage(c0);
  await store.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${(c.user + c.system) / events}\n`);
}
