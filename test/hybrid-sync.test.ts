import { spawn } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openStore } from '../src/index.js';
import { BIN, json, run } from './helpers.js';
import { hybridHome } from './hybrid-python.js';
import { sandboxEnv } from './sandbox.js';

type Registry = { projects: Record<string, { path: string; description: string; tags: string[]; modified: string | null }>; active: string | null };
const readRegistry = async (path: string): Promise<Registry> => JSON.parse(await readFile(path, 'utf8'));

test('a field the Python tool edited survives a store update of another field, fresh or from a stale cache', async () => {
  const h = await hybridHome();
  try {
    // Fresh: Python edits a's description, then the store updates a's tags.
    const py = h.python();
    await py.do('update', 'a', { description: 'a from python' });
    await h.ok('project', 'update', 'a', '--tags', 'from-store');
    let reg = await readRegistry(h.registry);
    assert.equal([reg.projects.a!.description, reg.projects.a!.tags], ['a from python', ['from-store']]);
    // Stale: this Python object read before the store's update of b's tags, and writes b's description after it.
    await py.do('read');
    await h.ok('project', 'update', 'b', '--tags', 'b-store');
    await py.do('update', 'b', { description: 'b from python' });
    reg = await readRegistry(h.registry);
    assert.equal(reg.projects.b!.tags, ['t'], 'the stale writer put the old tags back in the file');
    await py.quit();
    const r = await h.ok('sync', '--json');
    assert.equal(json(r).pulled.conflicts, []);
    reg = await readRegistry(h.registry);
    assert.equal([reg.projects.b!.description, reg.projects.b!.tags], ['b from python', ['b-store']]);
    const rows = await h.storeProjects();
    assert.equal(rows.map((p) => [p.name, p.description, p.tags]), [
      ['a', 'a from python', ['from-store']],
      ['b', 'b from python', ['b-store']],
      ['c', 'c v1', ['t']],
    ]);
  } finally {
    await h.cleanup();
  }
});

test('stale add: a project added through the store and dropped by a stale Python write is restored', async () => {
  const h = await hybridHome();
  try {
    const py = h.python();
    await py.do('read');
    await mkdir(h.projectDir('fresh'), { recursive: true });
    await h.ok('project', 'add', h.projectDir('fresh'), '-d', 'from the store');
    assert.ok('fresh' in (await readRegistry(h.registry)).projects, 'the store pushed it');
    await py.do('update', 'c', { description: 'c from python' });
    await py.quit();
    assert.not.ok('fresh' in (await readRegistry(h.registry)).projects, 'the stale writer dropped it');
    const r = json(await h.ok('sync', '--json'));
    assert.equal(r.pulled.restored, ['fresh']);
    assert.equal(r.pulled.removed, []);
    const reg = await readRegistry(h.registry);
    assert.equal(Object.keys(reg.projects).sort(), ['a', 'b', 'c', 'fresh']);
    assert.is(reg.projects.c!.description, 'c from python');
    assert.equal((await h.storeProjects()).map((p) => p.name), ['a', 'b', 'c', 'fresh']);
  } finally {
    await h.cleanup();
  }
});

test('stale remove: a project the store removed does not come back from a stale Python write', async () => {
  const h = await hybridHome();
  try {
    const py = h.python();
    await py.do('read');
    await h.ok('project', 'remove', 'b');
    await py.do('update', 'a', { description: 'a from python' });
    await py.quit();
    assert.ok('b' in (await readRegistry(h.registry)).projects, 'the stale writer wrote b back');
    const r = json(await h.ok('sync', '--json'));
    assert.equal(r.pulled.staleIgnored, ['b']);
    assert.is(r.pulled.registered, 0);
    const reg = await readRegistry(h.registry);
    assert.equal(Object.keys(reg.projects).sort(), ['a', 'c']);
    assert.is(reg.projects.a!.description, 'a from python');
    assert.equal((await h.storeProjects()).map((p) => p.name), ['a', 'c']);
  } finally {
    await h.cleanup();
  }
});

test('rename with a stale writer: the renamed project survives, its old name does not come back', async () => {
  const h = await hybridHome();
  try {
    const py = h.python();
    await py.do('read');
    await h.ok('project', 'rename', 'a', 'a2');
    await py.do('update', 'b', { tags: ['from-python'] });
    await py.quit();
    const stale = await readRegistry(h.registry);
    assert.equal(Object.keys(stale.projects).sort(), ['a', 'b', 'c'], 'the stale write has a, not a2');
    const r = json(await h.ok('sync', '--json'));
    assert.equal([r.pulled.restored, r.pulled.staleIgnored], [['a2'], ['a']]);
    const reg = await readRegistry(h.registry);
    assert.equal(Object.keys(reg.projects).sort(), ['a2', 'b', 'c']);
    assert.equal(reg.projects.b!.tags, ['from-python']);
    const rows = await h.storeProjects();
    assert.equal(rows.map((p) => p.name), ['a2', 'b', 'c']);
  } finally {
    await h.cleanup();
  }
});

test('the same field changed on both sides: the later change wins, the report lists it, the log keeps the loser', async () => {
  const h = await hybridHome();
  try {
    // The store changes c outside hybrid mode (no push), then the Python tool changes it later.
    await h.ok('config', 'set', 'storage_mode', 'db');
    await h.ok('project', 'update', 'c', '-d', 'c from the store');
    await h.ok('config', 'set', 'storage_mode', 'hybrid');
    const py = h.python();
    await py.do('update', 'c', { description: 'c from python' });
    await py.quit();
    const r = json(await h.ok('sync', '--json'));
    assert.equal(r.pulled.conflicts, [{ project: 'c', field: 'description', winner: 'json', kept: 'c from python', lost: 'c from the store' }]);
    assert.is((await readRegistry(h.registry)).projects.c!.description, 'c from python');
    const log = json(await h.ok('log', '--type', 'legacy.conflict', '--json'));
    assert.equal(log.map((e: { data: { lost: string } }) => e.data.lost), ['c from the store']);
  } finally {
    await h.cleanup();
  }
});

test('a store write waits for the Python lock: LEGACY_LOCKED after the bound with nothing changed, success when released in time', async () => {
  const h = await hybridHome();
  try {
    const py = h.python();
    await py.do('hold_lock');
    const before = await readFile(h.registry, 'utf8');
    const refused = await run('pygubu-db', ['project', 'update', 'a', '-d', 'while locked'], { env: { ...h.env, PYGUBUAI_LEGACY_LOCK_TIMEOUT_MS: '400' } });
    assert.is(refused.code, 1);
    assert.match(refused.stderr, /^error: the Python tool holds .*\.pygubu-registry\.json\.lock \(waited \d+ ms\); nothing was changed \(LEGACY_LOCKED\)/m);
    assert.is(await readFile(h.registry, 'utf8'), before);
    // A writer that starts while the lock is held waits; the file stays untouched until the release.
    const waiting = run('pygubu-db', ['project', 'update', 'a', '-d', 'after the lock'], { env: { ...h.env, PYGUBUAI_LEGACY_LOCK_TIMEOUT_MS: '60000' } });
    await new Promise((r) => setTimeout(r, 1500));
    assert.is(await readFile(h.registry, 'utf8'), before, 'nothing was written while Python held the lock');
    await py.do('release');
    const done = await waiting;
    assert.is(done.code, 0, done.stderr);
    assert.is((await readRegistry(h.registry)).projects.a!.description, 'after the lock');
    await py.quit();
    const rows = await h.storeProjects();
    assert.is(rows.find((p) => p.name === 'a')!.description, 'after the lock', 'the refused write left nothing in the store');
    const log = json(await h.ok('log', '--type', 'project.updated', '--json'));
    assert.equal(log.map((e: { data: { description?: string } }) => e.data.description), ['after the lock']);
  } finally {
    await h.cleanup();
  }
});

test('150 Python adds racing 20 store writes: no project lost by the store', async () => {
  const h = await hybridHome([]);
  try {
    const pyDir = join(h.dir, 'py');
    await mkdir(pyDir, { recursive: true });
    for (let i = 0; i < 20; i++) await mkdir(h.projectDir(`cli${i}`), { recursive: true });
    const py = h.python();
    const adding = py.do('adds', 'py', 150, pyDir);
    const cli: Array<Promise<unknown>> = [];
    for (let lane = 0; lane < 4; lane++) {
      cli.push(
        (async () => {
          for (let i = lane; i < 20; i += 4) {
            const r = await h.db('project', 'add', h.projectDir(`cli${i}`));
            if (r.code !== 0) throw new Error(`project add cli${i}: ${r.stderr}`);
          }
        })(),
      );
    }
    await Promise.all([adding, ...cli]);
    await py.quit();
    await h.ok('sync');
    const expected = [...Array.from({ length: 150 }, (_, i) => `py${i}`), ...Array.from({ length: 20 }, (_, i) => `cli${i}`)].sort();
    assert.equal(Object.keys((await readRegistry(h.registry)).projects).sort(), expected);
    assert.equal((await h.storeProjects()).map((p) => p.name).sort(), expected);
  } finally {
    await h.cleanup();
  }
});

test('a registry torn by an in-place write is read again; one that stays torn is LEGACY_INVALID_JSON and untouched', async () => {
  const h = await hybridHome();
  try {
    const py = h.python({ noLock: true });
    await py.do('update', 'a', { description: 'a, written in place' });
    // The double writes half the file, waits until the store holds the lock (and is reading), then finishes.
    const tearing = py.do('torn_write', 800);
    const r = await h.db('sync', '--json');
    await tearing;
    await py.quit();
    assert.is(r.code, 0, r.stderr);
    assert.ok(json(r).pulled.tornReads >= 1, 'the store met the half-written file and read it again');
    await h.ok('project', 'update', 'b', '-d', 'b after the tear');
    const reg = await readRegistry(h.registry);
    assert.equal(Object.keys(reg.projects).sort(), ['a', 'b', 'c']);
    assert.equal([reg.projects.a!.description, reg.projects.b!.description], ['a, written in place', 'b after the tear']);
    const torn = (await readFile(h.registry, 'utf8')).slice(0, 100);
    await writeFile(h.registry, torn);
    const broken = await h.db('project', 'update', 'c', '-d', 'never');
    assert.is(broken.code, 1);
    assert.match(broken.stderr, /is not valid JSON.*nothing was changed \(LEGACY_INVALID_JSON\)/);
    assert.is(await readFile(h.registry, 'utf8'), torn);
    await writeFile(h.registry, JSON.stringify(reg, null, 2));
    assert.is((await h.storeProjects()).find((p) => p.name === 'c')!.description, 'c v1');
  } finally {
    await h.cleanup();
  }
});

test('stuck: an entry the store cannot hold stays in the file as it was and does not wedge hybrid writes', async () => {
  const h = await hybridHome();
  try {
    const huge = 'n'.repeat(100_000);
    await mkdir(h.projectDir('huge'), { recursive: true });
    const py = h.python();
    await py.do('add', huge, h.projectDir('huge'));
    await py.quit();
    const first = await h.db('project', 'update', 'a', '-d', 'still works');
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stderr, /the store cannot hold this registry entry/);
    const again = await h.db('project', 'update', 'b', '-d', 'still works');
    assert.is(again.code, 0, again.stderr);
    assert.not.match(again.stderr, /cannot hold/, 'warned once, not on every write');
    const s = await h.db('sync', '--json');
    assert.is(s.code, 0, s.stderr);
    assert.equal(json(s).pulled.refused.map((r: { name: string }) => r.name.length), [100_000]);
    const reg = await readRegistry(h.registry);
    assert.ok(huge in reg.projects, 'kept in the file');
    assert.equal([reg.projects.a!.description, reg.projects.b!.description], ['still works', 'still works']);
  } finally {
    await h.cleanup();
  }
});

test('a dump with .. in a project path makes no write through it (issue 11 item 4)', async () => {
  const h = await hybridHome();
  try {
    const victim = join(h.dir, 'victim');
    await mkdir(victim, { recursive: true });
    const victimFile = join(victim, '.pygubu-workflow.json');
    const victimText = JSON.stringify({ project: 'victim', history: [{ timestamp: '2024-01-01T00:00:00+00:00', action: 'mine', description: 'not yours' }] }, null, 2);
    await writeFile(victimFile, victimText);
    const source = join(h.dir, 'source-store');
    const s = await openStore({ location: source });
    const sneaky = `${h.projectDir('a')}/../../victim`;
    await s.projects.register({ name: 'sneaky', path: sneaky });
    await s.history.record('sneaky', { action: 'file_changed', description: 'through ..' });
    await s.close();
    const dumpFile = join(h.dir, 'sneaky.ndjson');
    await h.ok('--store', source, 'dump', dumpFile);
    const loaded = await h.db('load', dumpFile);
    assert.is(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stderr, /not a plain absolute path/);
    await h.ok('history', 'record', 'sneaky', 'file_changed', '-d', 'again');
    await h.ok('sync');
    assert.is(await readFile(victimFile, 'utf8'), victimText, "the other directory's workflow file is untouched");
    const history = json(await h.ok('history', 'sneaky', '--json'));
    assert.not.ok(JSON.stringify(history).includes('not yours'), "nothing was pulled from the other directory's file");
  } finally {
    await h.cleanup();
  }
});

test('sync --watch syncs a Python write within moments, logs one line per sync, stops on SIGTERM with the store closed', async () => {
  const h = await hybridHome();
  try {
    const child = spawn(process.execPath, [BIN('pygubu-db'), 'sync', '--watch'], { env: sandboxEnv(h.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => (out += d));
    const waitFor = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.stdout.off('data', check);
          reject(new Error(`no ${re} in: ${out}\n${err}`));
        }, 30_000);
        const check = () => {
          if (!re.test(out)) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        };
        child.stdout.on('data', check);
        check();
      });
    await waitFor(/watching /);
    await mkdir(h.projectDir('watched'), { recursive: true });
    const py = h.python();
    await py.do('add', 'watched', h.projectDir('watched'), 'added while watching');
    await py.quit();
    await waitFor(/synced .*: 1 new/);
    const syncLines = out.split('\n').filter((l) => / synced /.test(l));
    assert.is(syncLines.length, 2, `one line for the first sync, one for the Python write:\n${out}`);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.is(await exited, 0, err);
    assert.match(out, /stopped\n$/);
    const store = await openStore({ location: join(h.home, '.pygubuai', 'store'), createIfMissing: false });
    try {
      assert.is((await store.views.projects.byName('watched'))?.description, 'added while watching');
    } finally {
      await store.close();
    }
  } finally {
    await h.cleanup();
  }
});

test('a read in hybrid mode pulls first when the registry changed, and costs nothing when it did not', async () => {
  const h = await hybridHome();
  try {
    const head = json(await h.ok('stats', '--json')).events;
    assert.is(json(await h.ok('stats', '--json')).events, head, 'an unchanged registry: no sync');
    const py = h.python();
    await py.do('update', 'c', { tags: ['seen'] });
    await py.quit();
    const shown = json(await h.ok('project', 'show', 'c', '--json'));
    assert.equal(shown.tags, ['seen']);
    const mtime = (await stat(h.registry)).mtimeMs;
    const again = json(await h.ok('stats', '--json'));
    assert.is((await stat(h.registry)).mtimeMs, mtime, 'no second sync');
    assert.match(again.pairedRegistry, /\.pygubu-registry\.json \(the Python tool's registry\)/);
  } finally {
    await h.cleanup();
  }
});

test.run();
