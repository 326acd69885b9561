import { isStoreError, openStore } from '../../src/index.js';
import { Journal } from './journal.js';

/**
 * `node fill-child.js <store> <journal>`: append 20-event batches until the disk (or the file-size
 * limit) says no, then try once more, close, and print `{batches, first, second, closed}` as JSON.
 */
const [location, journalPath] = process.argv.slice(2);
const journal = new Journal(journalPath!);
const store = await openStore({ location: location! });
const describe = (err: unknown) => ({ code: isStoreError(err) ? err.code : 'UNCODED', message: (err as Error).message });
const batch = (n: number) =>
  Array.from({ length: 20 }, (_, i) => ({
    id: `fill-${n}-${i}`,
    stream: 'workflow-fill',
    type: 'workflow.recorded' as const,
    data: { timestamp: '2025-01-01T00:00:00Z', action: 'fill', description: 'y'.repeat(4000 + n) },
  }));
let batches = 0;
let first: ReturnType<typeof describe> | undefined;
for (; batches < 100_000; batches++) {
  const events = batch(batches);
  journal.attempted(events.map((e) => e.id));
  try {
    await store.append(events);
  } catch (err) {
    first = describe(err);
    break;
  }
  journal.acknowledged(events.map((e) => e.id));
}
let second: ReturnType<typeof describe> | 'ok' = 'ok';
try {
  const one = batch(-1).slice(0, 1);
  journal.attempted(one.map((e) => e.id));
  await store.append(one);
  journal.acknowledged(one.map((e) => e.id));
} catch (err) {
  second = describe(err);
}
let closed: ReturnType<typeof describe> | 'ok' = 'ok';
try {
  await store.close();
} catch (err) {
  closed = describe(err);
}
process.stdout.write(`${JSON.stringify({ batches, first, second, closed })}\n`);
