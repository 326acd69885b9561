import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backupStore, openStore } from '../src/index.js';
import { storeDigest } from './reliability/fuzz-targets.js';
import { limitedSpace, runCommand } from './reliability/limits.js';
import { ROOT, tempDir } from './helpers.js';

const RESTORE = join(ROOT, 'dist', 'test', 'reliability', 'restore-child.js');

test('disk full during restore: a coded error, and the old store is untouched, opens and verifies', async () => {
  const space = await limitedSpace(2 * 1024 * 1024);
  const { dir: side, cleanup } = await tempDir();
  const location = join(space.dir, 'store');
  try {
    // the old store: small, on the limited disk
    const old = await openStore({ location });
    for (let i = 0; i < 20; i++) await old.projects.register({ name: `old-${i}`, path: `/srv/old-${i}` });
    const before = await storeDigest(old);
    await old.close();
    // the backup: far larger than the room left
    const big = await openStore({ location: join(side, 'big'), sync: false });
    for (let i = 0; i < 40; i++) {
      const p = await big.projects.register({ name: `big-${i}`, path: `/srv/big-${i}` });
      await big.append(Array.from({ length: 50 }, (_, k) => ({ stream: `workflow-${p.id}`, type: 'workflow.recorded' as const, data: { timestamp: '2025-01-01T00:00:00Z', action: 'a', description: `${k} `.repeat(400) } })));
    }
    const backup = join(side, 'big.backup');
    await backupStore(big, backup);
    await big.close();

    const r = await runCommand(space.command(RESTORE, [location, backup]));
    const out = JSON.parse(r.stdout || '{}') as { ok: boolean; code?: string; message?: string };
    assert.is(out.ok, false, `${space.mechanism}: the restore cannot fit`);
    assert.ok(out.code && out.code !== 'UNCODED', `${space.mechanism}: a coded error, got ${JSON.stringify(out)} ${r.stderr}`);
    assert.is(out.code, 'STORE_IO', out.message);

    space.grow();
    const store = await openStore({ location, createIfMissing: false });
    try {
      assert.is(await storeDigest(store), before, 'the old store is byte-for-byte what it was');
      assert.ok((await store.verify()).ok);
    } finally {
      await store.close();
    }
  } finally {
    await cleanup();
    await space.cleanup();
  }
});

test.run();
