// Whole-process A/B of commands (docs/performance.md, "Cold start"): each round runs every command
// once, in an order that rotates from round to round (the bench's timeInterleaved), so a slow spell
// of a shared machine falls on all of them alike; prints p50, p20 and min of the wall time of each.
//   node scripts/ab-processes.mjs 40 -- old node ../old/dist/src/bin/pygubu-db.js --version -- new node dist/src/bin/pygubu-db.js --version
// Needs a build (npm run build). Commands run with this process's environment: point HOME and
// PYGUBUAI_HOME at a temporary directory first. A command that exits non-zero stops the run (a
// failing start is not a timing).
import { spawnSync } from 'node:child_process';
import { quantile, timeInterleaved } from '../dist/bench/lib/measure.js';

const [count, ...rest] = process.argv.slice(2);
const rounds = Number(count);
const subjects = [];
for (const a of rest) {
  if (a === '--') subjects.push([]);
  else if (subjects.length > 0) subjects.at(-1).push(a);
}
const labels = subjects.map((s) => s[0]);
if (!Number.isInteger(rounds) || rounds < 1 || rest[0] !== '--' || subjects.length === 0 || subjects.some((s) => s.length < 2) || new Set(labels).size !== labels.length) {
  process.stderr.write('usage: node scripts/ab-processes.mjs <rounds> -- <label> <command> [args…] [-- <label> <command> [args…]]…  (labels differ)\n');
  process.exit(2);
}
const run = ([label, command, ...args]) => () => {
  const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) {
    process.stderr.write(`${label}: ${command} ${args.join(' ')} exited ${r.status ?? r.signal}: ${String(r.stderr).trim()}\n`);
    process.exit(1);
  }
};
const times = await timeInterleaved(Object.fromEntries(subjects.map((s) => [s[0], run(s)])), { iterations: rounds, warmup: 0 });
const width = Math.max(...labels.map((l) => l.length));
for (const label of labels) {
  const sorted = times[label];
  console.log(`${label.padEnd(width)}  p50 ${quantile(sorted, 0.5).toFixed(1)} ms  p20 ${quantile(sorted, 0.2).toFixed(1)} ms  min ${sorted[0].toFixed(1)} ms  (${sorted.length} runs)`);
}
