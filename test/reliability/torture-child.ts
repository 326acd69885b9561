import { Journal } from './journal.js';
import { workloadNamed } from './workloads.js';
import { rng } from '../../bench/lib/random.js';

/**
 * A torture child: `node torture-child.js <workload> <store dir> <journal> <seed> <package root>`.
 * It works until the driver kills it; it never exits on its own unless something broke.
 */
const [name, location, journalPath, seedText, root] = process.argv.slice(2);
if (!name || !location || !journalPath || !seedText || !root) {
  process.stderr.write('usage: torture-child <workload> <store> <journal> <seed> <root>\n');
  process.exit(2);
}

// seeded, so a failing round can be replayed with its seed
const random = rng(Number(seedText));

const journal = new Journal(journalPath);
try {
  await workloadNamed(name).work({ location, journal, random, root, ready: () => process.stdout.write('ready\n') });
} catch (err) {
  const e = err as { code?: string; message?: string; stack?: string };
  process.stderr.write(`torture child ${name} failed: ${e.code ?? ''} ${e.stack ?? e.message}\n`);
  process.exit(1);
}
