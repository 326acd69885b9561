import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backupStore, fileSink, markSibling, openStore, restoreStore, StoreError, writeDump, type RestorePlan } from '../src/index.js';
import { tempDir } from './helpers.js';
import { logOf, seed } from './dumps-fixtures.js';

async function rejects(work: () => Promise<unknown>): Promise<StoreError> {
  try {
    await work();
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error('expected a StoreError');
}

/** A pid that belonged to a process which has exited. */
// even a process that only exits gets a home of its own (no spawned process sees the user's home)
const deadPid = (): number => {
  const home = join(tmpdir(), 'pygubuai-dead-pid');
  return spawnSync(process.execPath, ['-e', ''], { env: { PATH: process.env.PATH ?? '', HOME: home, PYGUBUAI_HOME: join(home, '.pygubuai') } }).pid!;
};

test('a backup taken while appends run is one consistent snapshot, and restores to exactly that log', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await openStore({ location: join(dir, 'live'), sync: false });
    await seed(store, 100, 10);
    const before = store.log.head;
    const appending = (async () => {
      for (let i = 0; i < 40; i++) await seed(store, 1, 4, { prefix: `during${i}-`, start: 50 + i });
    })();
    const report = await backupStore(store, join(dir, 'live.backup'));
    await appending;
    assert.is(store.log.head, before + 200);
    assert.ok(report.head >= before && report.head <= before + 200, `backup head ${report.head}`);
    assert.is(report.count, report.head);
    const full = await logOf(store);
    await store.close();

    const restored = await restoreStore(join(dir, 'copy'), join(dir, 'live.backup'));
    assert.equal([restored.restored, restored.backup.events, restored.lost, restored.current.exists], [true, report.count, 0, false]);
    const copy = await openStore({ location: join(dir, 'copy'), createIfMissing: false });
    try {
      assert.equal(await logOf(copy), full.slice(0, report.count));
      const verify = await copy.verify();
      assert.ok(verify.ok, JSON.stringify(verify.problems));
      assert.ok((await copy.views.projects.count()) >= 100);
    } finally {
      await copy.close();
    }
    assert.equal((await readdir(dir)).sort(), ['copy', 'live', 'live.backup']);
  } finally {
    await cleanup();
  }
});

test('restore over a store with newer events says how many will be lost, and a no changes nothing', async () => {
  const { dir, cleanup } = await tempDir();
  const location = join(dir, 'store');
  try {
    const store = await openStore({ location, sync: false });
    await seed(store, 10, 3);
    await backupStore(store, join(dir, 'b.backup'), { encoding: 'ndjson' });
    await seed(store, 4, 1, { prefix: 'newer', start: 20 });
    const before = await logOf(store);
    await store.close();

    const plans: RestorePlan[] = [];
    const declined = await restoreStore(location, join(dir, 'b.backup'), { confirm: (plan) => (plans.push(plan), false) });
    assert.is(declined.restored, false);
    assert.equal([plans[0]!.lost, plans[0]!.current.events, plans[0]!.backup.events], [8, 48, 40]);
    let reopened = await openStore({ location, createIfMissing: false });
    assert.equal(await logOf(reopened), before);
    await reopened.close();
    assert.equal((await readdir(dir)).sort(), ['b.backup', 'store']);

    const err = await rejects(() => restoreStore(location, join(dir, 'b.backup'), { confirm: 'refuse' }));
    assert.is(err.code, 'CONFIRMATION_REQUIRED');

    const done = await restoreStore(location, join(dir, 'b.backup'), { confirm: () => true });
    assert.equal([done.restored, done.lost], [true, 8]);
    reopened = await openStore({ location, createIfMissing: false });
    assert.equal(await logOf(reopened), before.slice(0, 40));
    assert.is(await reopened.views.projects.byName('newer-app-0'), undefined);
    assert.ok((await reopened.verify()).ok);
    await reopened.close();
  } finally {
    await cleanup();
  }
});

test('a damaged backup, or a dump given as a backup, is refused before anything is built', async () => {
  const { dir, cleanup } = await tempDir();
  const location = join(dir, 'store');
  try {
    const store = await openStore({ location, sync: false });
    await seed(store, 5, 2);
    await backupStore(store, join(dir, 'b.backup'));
    await writeDump(store, await fileSink(join(dir, 'plain.dump')));
    const before = await logOf(store);
    await store.close();
    const buf = await readFile(join(dir, 'b.backup'));
    const at = buf.indexOf('entry 1 of');
    buf.write('entry 8 of', at);
    await writeFile(join(dir, 'bad.backup'), buf);

    const mismatch = await rejects(() => restoreStore(location, join(dir, 'bad.backup')));
    assert.is(mismatch.code, 'BACKUP_CHECKSUM_MISMATCH');
    const notBackup = await rejects(() => restoreStore(location, join(dir, 'plain.dump')));
    assert.is(notBackup.code, 'NOT_A_BACKUP');
    await writeFile(join(dir, 'short.backup'), buf.subarray(0, buf.length - 50));
    assert.is((await rejects(() => restoreStore(location, join(dir, 'short.backup')))).code, 'DUMP_TRUNCATED');

    assert.equal((await readdir(dir)).sort(), ['b.backup', 'bad.backup', 'plain.dump', 'short.backup', 'store']);
    const reopened = await openStore({ location, createIfMissing: false });
    assert.equal(await logOf(reopened), before);
    await reopened.close();
  } finally {
    await cleanup();
  }
});

test('opening a store finishes or rolls back a restore killed at each step of the swap', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const oldLoc = join(dir, 'old-src');
    const newLoc = join(dir, 'new-src');
    const a = await openStore({ location: oldLoc, sync: false });
    await seed(a, 3, 1, { prefix: 'old' });
    await a.close();
    const b = await openStore({ location: newLoc, sync: false });
    await seed(b, 5, 1, { prefix: 'new' });
    await b.close();
    const pid = deadPid();
    const headOf = async (location: string) => {
      const s = await openStore({ location, createIfMissing: false });
      const head = s.log.head;
      await s.close();
      return head;
    };
    const cases: Array<{ name: string; layout: Record<string, string>; head: number }> = [
      { name: 'killed while building', layout: { store: oldLoc, [`store.restoring-${pid}`]: newLoc }, head: 6 },
      { name: 'built, not yet swapped', layout: { store: oldLoc, [`store.restored-${pid}`]: newLoc }, head: 6 },
      { name: 'old moved away, new not yet in', layout: { [`store.old-${pid}`]: oldLoc, [`store.restored-${pid}`]: newLoc }, head: 10 },
      { name: 'swapped, old not yet deleted', layout: { store: newLoc, [`store.old-${pid}`]: oldLoc }, head: 10 },
    ];
    for (const [i, c] of cases.entries()) {
      const root = join(dir, `case${i}`);
      for (const [name, src] of Object.entries(c.layout)) {
        await cp(src, join(root, name), { recursive: true });
        // what a restore leaves beside the store carries its marker; a copy with the name alone is not ours
        if (name !== 'store') await markSibling(join(root, name), join(root, 'store'), name.includes('.old-') ? 'old' : 'restored');
      }
      assert.is(await headOf(join(root, 'store')), c.head, c.name);
      assert.equal(await readdir(root), ['store'], c.name);
    }
    // Leftovers of a restore that is still running (a live pid) are not touched.
    const live = join(dir, 'live');
    await cp(oldLoc, join(live, 'store'), { recursive: true });
    await cp(newLoc, join(live, `store.restoring-${process.ppid}`), { recursive: true });
    await markSibling(join(live, `store.restoring-${process.ppid}`), join(live, 'store'), 'restoring');
    assert.is(await headOf(join(live, 'store')), 6);
    assert.ok(existsSync(join(live, `store.restoring-${process.ppid}`)));
  } finally {
    await cleanup();
  }
});

test.run();
