// Whole-process A/B of commands (docs/performance.md, "Cold start"): each round runs every command
// once, in an order that rotates from round to round, so a slow spell of a shared machine falls on
// all of them alike; prints p50, p20 and min of the wall time of each.
//   node scripts/ab-processes.mjs 40 -- old node ../old/dist/src/bin/pygubu-db.js --version -- new node dist/src/bin/pygubu-db.js --version
// Commands run with this process's environment: point HOME and PYGUBUAI_HOME at a temporary
// directory first. A command that exits non-zero stops the run (a failing start is not a timing).
import { spawnSync } from 'node:child_process';

const [count, ...rest] = process.argv.slice(2);
const rounds = Number(count);
const subjects = [];
for (const a of rest) {
  if (a === '--') subjects.push([]);
  else if (subjects.length > 0) subjects.at(-1).push(a);
}
if (!Number.isInteger(rounds) || rounds < 1 || rest[0] !== '--' || subjects.length === 0 || subjects.some((s) => s.length < 2)) {
  process.stderr.write('usage: node scripts/ab-processes.mjs <rounds> -- <label> <command> [args…] [-- <label> <command> [args…]]…\n');
  process.exit(2);
}
const times = subjects.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < subjects.length; k++) {
    const j = (round + k) % subjects.length;
    const [label, command, ...args] = subjects[j];
    const started = process.hrtime.bigint();
    const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) {
      process.stderr.write(`${label}: ${command} ${args.join(' ')} exited ${r.status ?? r.signal}: ${String(r.stderr).trim()}\n`);
      process.exit(1);
    }
    times[j].push(ms);
  }
}
const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const width = Math.max(...subjects.map((s) => s[0].length));
for (let j = 0; j < subjects.length; j++) {
  const sorted = [...times[j]].sort((x, y) => x - y);
  console.log(`${subjects[j][0].padEnd(width)}  p50 ${at(sorted, 0.5).toFixed(1)} ms  p20 ${at(sorted, 0.2).toFixed(1)} ms  min ${sorted[0].toFixed(1)} ms  (${sorted.length} runs)`);
}
