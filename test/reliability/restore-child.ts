import { isStoreError, restoreStore } from '../../src/index.js';

/** `node restore-child.js <store> <backup>`: restore (no confirmation asked) and print the outcome as JSON. */
const [location, backup] = process.argv.slice(2);
try {
  const r = await restoreStore(location!, backup!);
  process.stdout.write(`${JSON.stringify({ ok: true, restored: r.restored })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, code: isStoreError(err) ? err.code : 'UNCODED', message: (err as Error).message })}\n`);
}
