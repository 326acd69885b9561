import { fileURLToPath } from 'node:url';
import { FUZZ_TARGETS } from './fuzz-registry.js';
import type { FuzzFigures } from './fuzz-targets.js';

/**
 * The long fuzz run: `npm run fuzz [-- --runs N] [--cli-runs N] [--only name,…] [--seed N]`.
 * Every library target runs N cases (default 10,000); targets that spawn a process per case run
 * their own, smaller default.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i === -1 ? undefined : args[i + 1];
  };
  const runs = Number(value('--runs') ?? 10_000);
  const spawnRuns = Number(value('--spawn-runs') ?? 300);
  const seed = value('--seed') === undefined ? Date.now() % 1e9 : Number(value('--seed'));
  const only = value('--only')?.split(',');
  const results: FuzzFigures[] = [];
  let failed = 0;
  for (const t of FUZZ_TARGETS) {
    if (only && !only.includes(t.name)) continue;
    const numRuns = t.spawns ? spawnRuns : runs;
    process.stderr.write(`fuzz ${t.name}: ${numRuns} cases (seed ${seed})\n`);
    try {
      const r = await t.run({ numRuns, seed });
      results.push(r);
      process.stdout.write(`  ${t.name.padEnd(16)} ${String(r.cases).padStart(6)} cases  ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    } catch (err) {
      failed++;
      const cause = (err as Error).cause as Error | undefined;
      process.stdout.write(`  ${t.name.padEnd(16)} FAILED\n${(err as Error).message}\n${cause ? `cause: ${cause.message}\n` : ""}`);
    }
  }
  const total = results.reduce((a, r) => a + r.cases, 0);
  process.stdout.write(`fuzz: ${results.length + failed} targets, ${total} cases, ${failed} failed (seed ${seed})\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
