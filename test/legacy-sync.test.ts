import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importLegacy } from '../src/legacy/index.js';
import { syncLegacy } from '../src/legacy/sync.js';
import { json, run, tempDir, tempStore } from './helpers.js';

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const writeJson = (path: string, doc: unknown) => writeFile(path, JSON.stringify(doc, null, 2));

async function setUp(dir: string) {
  for (const p of ['a', 'b', 'c']) await mkdir(join(dir, p), { recursive: true });
  const registryPath = join(dir, 'registry.json');
  const project = (p: string, modified: string) => ({ path: join(dir, p), created: '2025-01-01T00:00:00+00:00', modified, description: `${p} v1`, tags: [] });
  await writeJson(registryPath, {
    projects: { a: project('a', '2025-01-01T00:00:00+00:00'), b: project('b', '2025-01-01T00:00:00+00:00'), c: project('c', '2025-01-01T00:00:00+00:00') },
    active: 'a',
  });
  await writeJson(join(dir, 'a', '.pygubu-workflow.json'), { project: 'a', history: [{ timestamp: '2025-01-01T00:00:00+00:00', action: 'file_changed', description: 'one' }] });
  return registryPath;
}

test('sync merges both sides against the last sync: a dropped project is restored, a same-field conflict goes to the later change', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const registryPath = await setUp(dir);
    await importLegacy(store, { registryPath });
    await syncLegacy(store, { registryPath }); // the first sync sets the base later syncs compare with
    // The store: a new project, a history entry on a, and b's description (now, so newer than the JSON's).
    await mkdir(join(dir, 'd'));
    await store.projects.register({ name: 'd', path: join(dir, 'd') });
    await store.history.record('a', { action: 'ui_generated', description: 'from the store' });
    await store.projects.update('b', { description: 'b from the store' });
    // The Python tool: c removed, e added, a changed (newer), b changed (older than the store's change), history appended.
    const reg = await readJson(registryPath);
    delete reg.projects.c;
    reg.projects.e = { path: join(dir, 'e'), created: '2025-06-01T00:00:00+00:00', modified: '2025-06-01T00:00:00+00:00', description: 'new in python', tags: [] };
    reg.projects.a.description = 'a from python';
    reg.projects.a.modified = '2099-01-01T00:00:00+00:00';
    reg.projects.b.description = 'b from python';
    reg.projects.b.modified = '2025-02-01T00:00:00+00:00';
    await writeJson(registryPath, reg);
    const wfPath = join(dir, 'a', '.pygubu-workflow.json');
    const wf = await readJson(wfPath);
    wf.history.push({ timestamp: '2025-03-01T00:00:00+00:00', action: 'file_changed', description: 'python appended', user: null });
    await writeJson(wfPath, wf);

    const report = await syncLegacy(store, { registryPath });
    assert.equal(report.pulled.removed, []);
    assert.equal(report.pulled.restored, ['c'], 'the tool has no remove: a missing project is a lost update');
    assert.equal([report.pulled.registered, report.pulled.updated, report.pulled.history], [1, 1, 1]);
    assert.equal(report.pulled.conflicts.map((c) => [c.project, c.field, c.winner, c.lost]), [['b', 'description', 'store', 'b from python']]);
    assert.match(report.warnings.join('\n'), /b: description changed on both sides/);
    const names = (await store.views.projects.list()).map((p) => p.name);
    assert.equal(names, ['a', 'b', 'c', 'd', 'e']);
    assert.is((await store.views.projects.byName('a'))?.description, 'a from python');
    assert.is((await store.views.projects.byName('b'))?.description, 'b from the store');
    const a = (await store.views.projects.byName('a'))!;
    assert.equal((await store.views.history.list(a.id)).map((e) => e.description).sort(), ['from the store', 'one', 'python appended']);
    const lost = await store.log.readByType('legacy.conflict');
    assert.equal(lost.map((e) => (e.data as { lost: unknown }).lost), ['b from python'], 'the losing value stays in the log');
    // Pushed back: the JSON now holds the store's state, and the store's own entry is not imported back.
    const after = await readJson(registryPath);
    assert.equal(Object.keys(after.projects).sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.is(after.projects.b.description, 'b from the store');
    assert.equal((await readJson(wfPath)).history.length, 3);
    const head = store.log.head;
    const quiet = await syncLegacy(store, { registryPath });
    assert.equal([quiet.pulled.registered, quiet.pulled.updated, quiet.pulled.removed.length, quiet.pulled.history], [0, 0, 0, 0]);
    assert.is(store.log.head, head + 1, 'only the base of the sync itself');
    const removals = await syncLegacy(store, { registryPath, acceptRemovals: true });
    assert.equal(removals.pulled.removed, [], 'nothing is missing any more');
  } finally {
    await cleanup();
  }
});

test('a tie keeps the store version with a warning; a project removed in the store stays removed', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const registryPath = await setUp(dir);
    await importLegacy(store, { registryPath });
    await syncLegacy(store, { registryPath });
    await store.projects.remove('c');
    const reg = await readJson(registryPath);
    reg.projects.a.description = 'same time, other text'; // modified unchanged: a tie
    await writeJson(registryPath, reg);
    const report = await syncLegacy(store, { registryPath });
    assert.equal(report.pulled.staleOverwritten, ['a'], 'a change without a newer modified is a stale copy');
    assert.is((await store.views.projects.byName('a'))?.description, 'a v1');
    assert.is(await store.views.projects.byName('c'), undefined);
    assert.equal(Object.keys((await readJson(registryPath)).projects), ['a', 'b']);
  } finally {
    await cleanup();
  }
});

test('the Python tool rewriting with pydantic (user: null added, unknown keys dropped, version) is not a change', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const registryPath = await setUp(dir);
    const reg0 = await readJson(registryPath);
    reg0.projects.a.colour = 'blue';
    await writeJson(registryPath, reg0);
    await importLegacy(store, { registryPath });
    await store.history.record('a', { action: 'ui_generated', description: 'no user key' });
    await syncLegacy(store, { registryPath });
    const reg = await readJson(registryPath);
    delete reg.projects.a.colour;
    reg.version = '1.0';
    await writeJson(registryPath, reg);
    const wfPath = join(dir, 'a', '.pygubu-workflow.json');
    const wf = await readJson(wfPath);
    wf.history = wf.history.map((h: Record<string, unknown>) => ({ timestamp: h.timestamp, action: h.action, description: h.description, user: null }));
    await writeJson(wfPath, wf);
    const head = store.log.head;
    const report = await syncLegacy(store, { registryPath });
    assert.equal([report.pulled.registered, report.pulled.updated, report.pulled.history, report.warnings], [0, 0, 0, []]);
    assert.is(store.log.head, head + 2, "the registry's new top level (its version key) and the base of the sync itself");
    const back = await readJson(registryPath);
    assert.is(back.projects.a.colour, 'blue', 'the unknown key is written back');
    assert.is(back.version, '1.0', 'the version key pydantic added is kept');
  } finally {
    await cleanup();
  }
});

test('config set keeps the Python tool keys; hybrid mode updates the JSON after every write command', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { PYGUBUAI_HOME: join(dir, 'home'), PYGUBUAI_REGISTRY_PATH: join(dir, 'registry.json'), HOME: dir };
    await mkdir(join(dir, 'home'));
    await writeFile(join(dir, 'home', 'config.json'), JSON.stringify({ api_key_env: 'X', theme: { dark: true } }));
    const bad = await run('pygubu-db', ['config', 'set', 'storage_mode', 'sqlite'], { env });
    assert.is(bad.code, 1);
    assert.match(bad.stderr, /CONFIG_INVALID/);
    assert.is((await run('pygubu-db', ['config', 'get', 'storage_mode'], { env })).stdout.trim(), 'db');
    assert.is((await run('pygubu-db', ['config', 'set', 'storage_mode', 'hybrid'], { env })).code, 0);
    const config = await readJson(join(dir, 'home', 'config.json'));
    assert.equal(config, { api_key_env: 'X', theme: { dark: true }, storage_mode: 'hybrid' });
    await mkdir(join(dir, 'proj'));
    const add = await run('pygubu-db', ['project', 'add', join(dir, 'proj'), '--name', 'hy\u00e9'], { env });
    assert.is(add.code, 0, add.stderr);
    const raw = await readFile(join(dir, 'registry.json'), 'utf8');
    assert.match(raw, /"hy\\u00e9": \{/);
    const rec = await run('pygubu-db', ['history', 'record', 'hy\u00e9', 'file_changed', '-d', 'edited'], { env });
    assert.is(rec.code, 0, rec.stderr);
    const wf = await readJson(join(dir, 'proj', '.pygubu-workflow.json'));
    assert.equal(wf.history.map((h: { description: string }) => h.description), ['edited']);
    const listed = json(await run('pygubu-db', ['config', 'list', '--json'], { env }));
    assert.is(listed.storage_mode, 'hybrid');
  } finally {
    await cleanup();
  }
});

test('migrate on the command line: a report, exit 1 with a coded line when a file is broken, --strict writes nothing', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { PYGUBUAI_HOME: join(dir, 'home'), HOME: dir };
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await writeJson(join(dir, 'reg.json'), { projects: { a: join(dir, 'a'), b: join(dir, 'b') } });
    await writeJson(join(dir, 'a', '.pygubu-workflow.json'), { history: [{ timestamp: '2025-01-01T00:00:00+00:00', action: 'x' }] });
    await writeFile(join(dir, 'b', '.pygubu-workflow.json'), '[]');
    const strict = await run('pygubu-db', ['migrate', '--registry', join(dir, 'reg.json'), '--strict'], { env });
    assert.is(strict.code, 1);
    assert.match(strict.stderr, /error: --strict: 1 broken legacy file; nothing was imported \(LEGACY_IMPORT_FAILED\)/);
    assert.is(await stat(join(dir, 'home')).catch(() => undefined), undefined, 'a refused migrate leaves no store directory');
    const r = await run('pygubu-db', ['migrate', '--registry', join(dir, 'reg.json'), '--json'], { env });
    assert.is(r.code, 1);
    const report = json(r);
    assert.equal(report.files.map((f: { status: string }) => f.status), ['imported', 'imported', 'error']);
    assert.match(r.stderr, /LEGACY_IMPORT_INCOMPLETE/);
  } finally {
    await cleanup();
  }
});

test.run();
