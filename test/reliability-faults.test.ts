import { chmod, copyFile, mkdtemp, readdir, rm, truncate, writeFile, open as openFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isStoreError, openStore } from '../src/index.js';
import { storeDigest } from './reliability/fuzz-targets.js';
import { readJournal } from './reliability/journal.js';
import { limitedSpace, readOnlyDir, runCommand } from './reliability/limits.js';
import { BIN, ROOT, tempDir } from './helpers.js';

const FILL = join(ROOT, 'dist', 'test', 'reliability', 'fill-child.js');
const CODED = /^error: .+ \((STORE_[A-Z_]+)\)$/m;

/** The bin under a limit: exit 0, or exit 1 with one coded `error:` line and no stack trace. */
function assertClearOutcome(r: { code: number | null; stderr: string }, what: string): string | undefined {
  assert.not.match(r.stderr, /\n\s+at /, `${what}: no stack trace`);
  assert.not.match(r.stderr, /INTERNAL/, `${what}: not an uncoded error`);
  if (r.code === 0) return undefined;
  assert.is(r.code, 1, `${what}: exit code`);
  const m = CODED.exec(r.stderr);
  assert.ok(m, `${what}: one coded error line, got ${r.stderr}`);
  return m![1];
}

test('disk full during appends: STORE_IO, then the store opens, verifies and holds every acknowledged batch', async () => {
  const space = await limitedSpace(1024 * 1024);
  const { dir: side, cleanup } = await tempDir();
  const location = join(space.dir, 'store');
  const journalPath = join(side, 'journal');
  try {
    const r = await runCommand(space.command(FILL, [location, journalPath]));
    assert.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { batches: number; first?: { code: string; message: string }; second: unknown; closed: unknown };
    assert.ok(out.batches > 0, `${space.mechanism}: some batches landed before the disk filled`);
    assert.is(out.first?.code, 'STORE_IO', `${space.mechanism}: ${JSON.stringify(out.first)}`);
    assert.match(out.first!.message, /No space left on device|File too large/);
    assert.equal((out.second as { code?: string }).code, 'STORE_IO', 'the next append is refused the same way');

    // while still full, the bin refuses with a clear code or works; it never crashes
    const stillFull = await runCommand(space.command(BIN('pygubu-db'), ['--store', location, 'verify']));
    const code = assertClearOutcome(stillFull, `verify on a full disk (${space.mechanism})`);
    if (code !== undefined) assert.is(code, 'STORE_IO');

    space.grow();
    const store = await openStore({ location, createIfMissing: false });
    try {
      const report = await store.verify();
      assert.ok(report.ok, JSON.stringify(report.problems.slice(0, 3)));
      const journal = readJournal(journalPath);
      const present = new Set<string>();
      for await (const e of store.log.readAll()) present.add(e.id);
      for (const id of journal.acknowledged) assert.ok(present.has(id), `acknowledged ${id} survived the full disk`);
      for (const id of present) assert.ok(journal.attempted.has(id), `${id} was attempted`);
      for (const b of journal.batches) {
        const n = b.filter((id) => present.has(id)).length;
        assert.ok(n === 0 || n === b.length, 'no batch is half there');
      }
      assert.is(journal.acknowledged.size, out.batches * 20);
      // and it takes writes again
      await store.append({ stream: 'workflow-fill', type: 'workflow.recorded', data: { timestamp: '2025-01-01T00:00:00Z', action: 'after', description: '' } });
    } finally {
      await store.close();
    }
  } finally {
    await cleanup();
    await space.cleanup();
  }
});

test('read-only store directory: reads and writes fail with STORE_IO naming the store; nothing changes', async () => {
  const ro = await readOnlyDir();
  const location = join(ro.dir, 'store');
  try {
    await chmod(ro.dir, 0o755); // another user may look in; only writing is denied
    const store = await openStore({ location });
    await store.projects.register({ name: 'app', path: '/srv/app' });
    const before = await storeDigest(store);
    await store.close();
    ro.freeze();
    for (const args of [['stats', '--json'], ['history', 'record', 'app', 'x']]) {
      const r = await runCommand(ro.command(BIN('pygubu-db'), ['--store', location, ...args]));
      const code = assertClearOutcome(r, `${args[0]} on a read-only store (${ro.mechanism})`);
      assert.is(code, 'STORE_IO', `${args[0]} (${ro.mechanism}): ${r.stderr}`);
      assert.ok(r.stderr.includes(location), 'the error names the store');
    }
    ro.thaw();
    const again = await openStore({ location, createIfMissing: false });
    try {
      assert.is(await storeDigest(again), before);
      assert.ok((await again.verify()).ok);
    } finally {
      await again.close();
    }
  } finally {
    await ro.cleanup();
  }
});

test('regression: a store the user may not look into is STORE_IO (permission), not STORE_NOT_FOUND', async () => {
  const { dir, cleanup } = await tempDir();
  const location = join(dir, 'store');
  try {
    const store = await openStore({ location });
    await store.close();
    await chmod(dir, 0o700);
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) await chmod(dir, 0o000);
    const argv: [string, string[]] = asRoot
      ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN('pygubu-db'), '--store', location, 'stats']]
      : [process.execPath, [BIN('pygubu-db'), '--store', location, 'stats']];
    // the other user gets a home it can read (the sandbox home is root's own, 0700)
    const home = await mkdtemp(join(tmpdir(), 'pygubuai-other-user-'));
    await chmod(home, 0o755);
    const r = await runCommand(argv, { HOME: home, PYGUBUAI_HOME: join(home, '.pygubuai') }).finally(() => rm(home, { recursive: true, force: true }));
    assert.is(assertClearOutcome(r, 'stats on an unreadable store'), 'STORE_IO', r.stderr);
    assert.match(r.stderr, /permission denied/i);
  } finally {
    await chmod(dir, 0o700);
    await cleanup();
  }
});

/** A store with a compacted table (.ldb), a live write-ahead log (.log), a MANIFEST and CURRENT. */
async function storeWithFiles(location: string): Promise<void> {
  const store = await openStore({ location });
  for (let i = 0; i < 30; i++) await store.projects.register({ name: `p${i}`, path: `/srv/p${i}`, description: 'x'.repeat(200) });
  await store.compact();
  await store.history.record('p1', { action: 'after-compaction' });
  await store.close();
}

const damage: Record<string, (dir: string, files: string[]) => Promise<void>> = {
  'CURRENT deleted': (dir) => unlink(join(dir, 'CURRENT')),
  'CURRENT emptied': (dir) => truncate(join(dir, 'CURRENT'), 0),
  'CURRENT names a missing MANIFEST': (dir) => writeFile(join(dir, 'CURRENT'), 'MANIFEST-999999\n'),
  'MANIFEST deleted': async (dir, files) => { for (const f of files.filter((n) => n.startsWith('MANIFEST-'))) await unlink(join(dir, f)); },
  'MANIFEST truncated': async (dir, files) => { for (const f of files.filter((n) => n.startsWith('MANIFEST-'))) await truncate(join(dir, f), 20); },
  'table deleted': async (dir, files) => { for (const f of files.filter((n) => n.endsWith('.ldb'))) await unlink(join(dir, f)); },
  'table truncated': async (dir, files) => { for (const f of files.filter((n) => n.endsWith('.ldb'))) await truncate(join(dir, f), 100); },
  'table overwritten with garbage': async (dir, files) => {
    for (const f of files.filter((n) => n.endsWith('.ldb'))) {
      const fh = await openFile(join(dir, f), 'r+');
      await fh.write(Buffer.alloc(600, 0xa5), 0, 600, 100);
      await fh.close();
    }
  },
  'write-ahead log truncated': async (dir, files) => { for (const f of files.filter((n) => n.endsWith('.log') && n !== 'LOG')) await truncate(join(dir, f), 10); },
  'write-ahead log deleted': async (dir, files) => { for (const f of files.filter((n) => n.endsWith('.log') && n !== 'LOG')) await unlink(join(dir, f)); },
};

test('files deleted or damaged by hand: open reports STORE_CORRUPT / STORE_IO, or opens and verifies — never a crash', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (const [name, harm] of Object.entries(damage)) {
      const location = join(dir, name.replace(/\W+/g, '-'));
      await storeWithFiles(location);
      await harm(location, await readdir(location));
      try {
        const store = await openStore({ location, createIfMissing: false });
        try {
          const report = await store.verify();
          assert.ok(report.ok, `${name}: a store that opens verifies clean`);
        } finally {
          await store.close();
        }
      } catch (err) {
        assert.ok(isStoreError(err), `${name}: ${(err as Error).stack}`);
        assert.ok(['STORE_CORRUPT', 'STORE_IO'].includes(err.code), `${name}: ${err.code} ${err.message}`);
        assert.ok(err.message.includes(location), `${name}: the error names the store`);
      }
    }
    // the bin says the same in one line
    const garbled = join(dir, 'table-overwritten-with-garbage');
    const r = await runCommand([process.execPath, [BIN('pygubu-db'), '--store', garbled, 'verify']]);
    assert.is(assertClearOutcome(r, 'verify on a garbled table'), 'STORE_CORRUPT');
  } finally {
    await cleanup();
  }
});

test('regression: a store that lost CURRENT is refused, and a creating command does not wipe its tables', async () => {
  const { dir, cleanup } = await tempDir();
  const location = join(dir, 'store');
  try {
    await storeWithFiles(location);
    await copyFile(join(location, 'CURRENT'), join(dir, 'CURRENT.saved'));
    await unlink(join(location, 'CURRENT'));
    const files = (await readdir(location)).sort();
    const app = join(dir, 'app');
    await (await import('node:fs/promises')).mkdir(app);
    // `project add` opens with create: LevelDB used to start a new database here and delete the old tables
    const add = await runCommand([process.execPath, [BIN('pygubu-db'), '--store', location, 'project', 'add', app]]);
    assert.is(assertClearOutcome(add, 'project add on a store without CURRENT'), 'STORE_CORRUPT');
    assert.match(add.stderr, /lost its CURRENT file/);
    const list = await runCommand([process.execPath, [BIN('pygubu-db'), '--store', location, 'project', 'list']]);
    assert.is(assertClearOutcome(list, 'project list on a store without CURRENT'), 'STORE_CORRUPT');
    assert.equal((await readdir(location)).sort(), files, 'no file was created or deleted');
    // put CURRENT back by hand: everything is still there
    await copyFile(join(dir, 'CURRENT.saved'), join(location, 'CURRENT'));
    const store = await openStore({ location, createIfMissing: false });
    try {
      assert.is(await store.views.projects.count(), 30);
      assert.ok((await store.verify()).ok);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await cleanup();
  }
});

test.run();
