import { fork } from 'node:child_process';
import { cp, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClassicLevel } from 'classic-level';
import { openStore, STORE_FORMAT } from '../src/index.js';
import { decode } from '../src/log/codec.js';
import { FORMAT_KEY } from '../src/log/keys.js';
import { readMarker } from '../src/store-location.js';
import { writeDump } from '../src/dump/dump.js';
import { fileSink } from '../src/dump/sink.js';
import { ROOT, run, sandboxEnv, tempDir } from './helpers.js';

/** A store written by the format-2 release (scripts/make-format2-fixture.sh), with its dump. */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'store-format2');
const CHILD = join(ROOT, 'dist', 'test', 'fixtures', 'upgrade-child.js');

/** A copy of the fixture store: the committed one is never opened. */
async function fixtureCopy(dir: string): Promise<string> {
  const location = join(dir, 'store');
  await cp(join(FIXTURE, 'store'), location, { recursive: true });
  return location;
}

/** The event lines of an ndjson dump (the header names the format and the time, so it differs). */
const eventLines = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('{"seq":'));

async function formatOf(location: string): Promise<number> {
  const db = new ClassicLevel<string, Buffer>(location, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.open({ createIfMissing: false });
  try {
    return decode<{ version: number }>((await db.get(FORMAT_KEY))!).version;
  } finally {
    await db.close();
  }
}

async function dumpLines(location: string, dir: string): Promise<string[]> {
  const store = await openStore({ location, createIfMissing: false });
  try {
    const out = join(dir, `dump-${Math.random().toString(36).slice(2)}.ndjson`);
    await writeDump(store, await fileSink(out));
    return eventLines(await readFile(out, 'utf8'));
  } finally {
    await store.close();
  }
}

const backupsOf = async (dir: string) => (await readdir(dir)).filter((n) => /^store\.v2-backup-\d{8}T\d{6}Z(?:-\d+)?$/.test(n));

test('opening a format-2 store upgrades it: a marked backup beside it, verify passes, every event byte-identical', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const location = await fixtureCopy(dir);
    const expected = eventLines(await readFile(join(FIXTURE, 'events.ndjson'), 'utf8'));
    assert.is(expected.length, 21);
    assert.is(await formatOf(location), 2);
    const labels = new Set<string>();
    const store = await openStore({ location, onProgress: (label) => labels.add(label.replace(/: .*/, '')) });
    try {
      assert.ok(labels.has('upgrading the store from format 2 to 3'), [...labels].join(', '));
      const report = await store.verify();
      assert.ok(report.ok, JSON.stringify(report.problems.slice(0, 3)));
      assert.is(report.events, 21);
      const login = await store.views.projects.byName('login');
      assert.is(login?.description, 'Login form, remember me');
      assert.equal(login?.tags, ['auth', 'web']);
      assert.is((await store.views.projects.byName('customers'))?.description, 'Customer records ünïcode ✓');
      assert.is(await store.views.projects.byName('notes'), undefined);
      assert.is((await store.views.projects.active())?.name, 'login');
      assert.equal((await store.views.projects.list()).map((p) => p.name), ['customers', 'login']);
      assert.is((await store.views.history.count()), 6);
    } finally {
      await store.close();
    }
    assert.is(await formatOf(location), STORE_FORMAT);
    const backups = await backupsOf(dir);
    assert.is(backups.length, 1, `one backup: ${backups}`);
    const backup = join(dir, backups[0]!);
    assert.ok((await readMarker(backup))?.pygubuai === 'store', 'the backup carries a store marker');
    assert.is((await readMarker(backup))?.sibling, undefined, 'the backup is no sibling recovery may delete');
    assert.is(await formatOf(backup), 2, 'the backup is the old store as it was');
    assert.equal(await dumpLines(location, dir), expected, 'every event byte-identical after the upgrade');
    // a second open finds format 3: no second backup
    await (await openStore({ location })).close();
    assert.is((await backupsOf(dir)).length, 1);
    assert.equal((await readdir(dir)).filter((n) => n.includes('.restor') || n.includes('.old-')), []);
  } finally {
    await cleanup();
  }
});

test('a read command of the bin upgrades the store it reads, and reads the upgraded views', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const location = await fixtureCopy(dir);
    const r = await run('pygubu-db', ['--store', location, 'project', 'show', 'customers', '--json']);
    assert.is(r.code, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).name, 'customers');
    assert.is(await formatOf(location), STORE_FORMAT);
    assert.is((await backupsOf(dir)).length, 1);
    const v = await run('pygubu-db', ['--store', location, 'verify']);
    assert.is(v.code, 0, v.stderr);
    assert.match(v.stdout, /^ok: 21 events/);
  } finally {
    await cleanup();
  }
});

test('SIGKILL at random moments of the upgrade leaves the old store or the whole new one, and the next open finishes', async () => {
  const { dir, cleanup } = await tempDir();
  const expected = eventLines(await readFile(join(FIXTURE, 'events.ndjson'), 'utf8'));
  const outcomes = { old: 0, upgraded: 0, swapping: 0 };
  try {
    // how long an unkilled upgrade runs once it has begun (not asserted: it spreads the kill points)
    let span = 0;
    {
      const location = await fixtureCopy(join(dir));
      const child = fork(CHILD, [location], { stdio: 'ignore', env: sandboxEnv() });
      let began = 0;
      await new Promise<void>((resolve, reject) => {
        child.on('message', (m) => (m === 'upgrading' ? (began = performance.now()) : resolve()));
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${code}`))));
      });
      span = Math.max(20, performance.now() - began);
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    }
    const rounds = 16;
    for (let round = 0; round < rounds; round++) {
      const roundDir = join(dir, `r${round}`);
      const location = await fixtureCopy(roundDir);
      const child = fork(CHILD, [location], { stdio: 'ignore', env: sandboxEnv() });
      let gone = false;
      const exited = new Promise((r) => child.once('exit', () => r((gone = true))));
      await new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        void exited.then(() => resolve());
      });
      // kill from the first step of the upgrade to past its end
      await new Promise((r) => setTimeout(r, Math.random() * span * 1.3));
      if (!gone) child.kill('SIGKILL');
      await exited;

      // what the kill left at the path: the old store, the new one, or (mid-swap) a complete copy
      if (existsSync(join(location, 'CURRENT'))) {
        const format = await formatOf(location);
        assert.ok(format === 2 || format === STORE_FORMAT, `round ${round}: format ${format}`);
        if (format === 2) outcomes.old++;
        else outcomes.upgraded++;
      } else {
        const restored = (await readdir(roundDir)).filter((n) => n.startsWith('store.restored-'));
        assert.is(restored.length, 1, `round ${round}: no store at the path and no complete copy: ${await readdir(roundDir)}`);
        assert.is(await formatOf(join(roundDir, restored[0]!)), STORE_FORMAT);
        outcomes.swapping++;
      }
      const store = await openStore({ location });
      try {
        const report = await store.verify();
        assert.ok(report.ok, `round ${round}: ${JSON.stringify(report.problems.slice(0, 3))}`);
        assert.is(report.events, 21);
      } finally {
        await store.close();
      }
      assert.is(await formatOf(location), STORE_FORMAT);
      assert.equal(await dumpLines(location, roundDir), expected, `round ${round}: events byte-identical`);
      const left = (await readdir(roundDir)).filter((n) => n !== 'store' && !/^dump-/.test(n));
      assert.ok(left.every((n) => /^store\.v2-backup-/.test(n)), `round ${round}: only backups beside the store: ${left}`);
      for (const b of left) assert.is(await formatOf(join(roundDir, b)), 2, `round ${round}: ${b} is the old store`);
    }
    process.stderr.write(`upgrade kills: ${JSON.stringify(outcomes)} (span ${Math.round(span)} ms)\n`);
  } finally {
    await cleanup();
  }
});

test.run();
