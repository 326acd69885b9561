import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exportLegacy, importLegacy } from '../src/legacy/index.js';
import { tempStore } from './helpers.js';

/** A registry file and project directories (with optional workflow files) in a temp dir. */
async function fixture(dir: string, registry: unknown, workflows: Record<string, unknown> = {}): Promise<string> {
  for (const [project, doc] of Object.entries(workflows)) {
    await mkdir(join(dir, project), { recursive: true });
    await writeFile(join(dir, project, '.pygubu-workflow.json'), typeof doc === 'string' ? doc : JSON.stringify(doc));
  }
  const path = join(dir, 'registry.json');
  await writeFile(path, typeof registry === 'string' ? registry : JSON.stringify(registry, null, 2));
  return path;
}

const entry = (timestamp: string, action: string, description = '', extra: object = {}) => ({ timestamp, action, description, ...extra });

test('the new format imports every field, with resolved paths and nonexistent directories flagged', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    await mkdir(join(dir, 'real', 'app'), { recursive: true });
    await symlink(join(dir, 'real', 'app'), join(dir, 'link'));
    const registryPath = await fixture(dir, {
      projects: {
        myapp: { path: `${join(dir, 'link')}/`, created: '2025-01-02T03:04:05.123456+00:00', modified: '2025-01-03T00:00:00+00:00', description: 'Login form', tags: ['forms', 'auth'] },
        away: { path: '/nowhere/at/all', created: '2025-01-01T00:00:00+00:00', modified: '2025-01-01T00:00:00+00:00', description: '', tags: [] },
        rel: { path: 'real/app', description: 'relative to the registry' },
      },
      active: 'myapp',
    });
    const report = await importLegacy(store, { registryPath });
    const p = await store.views.projects.byName('myapp');
    assert.equal(p?.path, join(dir, 'real', 'app'), 'symlink followed, trailing slash dropped');
    assert.equal(p?.created, '2025-01-02T03:04:05.123456+00:00');
    assert.equal(p?.modified, '2025-01-03T00:00:00+00:00');
    assert.equal(p?.tags, ['forms', 'auth']);
    assert.equal((await store.views.projects.byName('rel'))?.path, join(dir, 'real', 'app'));
    assert.equal((await store.views.projects.active())?.name, 'myapp');
    assert.equal(report.missingDirectories, [{ name: 'away', path: '/nowhere/at/all' }]);
    assert.ok(await store.views.projects.byName('away'), 'a project whose directory is missing still imports');
    const [registered] = await store.log.readByType('project.registered');
    assert.equal(registered?.meta.source, 'import');
    const provenance = await store.log.readByType('legacy.imported');
    const { createHash } = await import('node:crypto');
    assert.equal((provenance[0]?.data as { sha256: string }).sha256, createHash('sha256').update(await readFile(registryPath)).digest('hex'));
  } finally {
    await cleanup();
  }
});

test('old registries: string values, active_project over active, version, null times, missing keys', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const registryPath = await fixture(dir, {
      version: '1.0',
      projects: { old: '/srv/old', nulls: { path: '/srv/nulls', created: null, modified: null } },
      active: 'nulls',
      active_project: 'old',
    });
    await importLegacy(store, { registryPath });
    const old = await store.views.projects.byName('old');
    assert.equal([old?.path, old?.description, old?.tags, old?.created, old?.modified], ['/srv/old', '', [], null, null]);
    const nulls = await store.views.projects.byName('nulls');
    assert.equal([nulls?.created, nulls?.modified, nulls?.description, nulls?.tags], [null, null, '', []]);
    assert.equal((await store.views.projects.active())?.name, 'old', 'active_project wins');
  } finally {
    await cleanup();
  }
});

test("unknown project keys are kept with the entry as written and written back; pydantic's user: null survives the round trip", async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const registryPath = await fixture(
      dir,
      { version: '1.0', projects: { app: { path: join(dir, 'app'), created: null, modified: null, description: '', tags: [], colour: 'blue', pinned: true } } },
      { app: { project: 'app', history: [entry('2025-01-02T03:04:05+00:00', 'file_changed', 'd', { user: null })], last_sync: null, version: '1.0', file_hashes: {}, file_mtimes: {} } },
    );
    await importLegacy(store, { registryPath });
    assert.match((await store.views.projects.byName('app'))?.legacy?.entry ?? '', /"colour": "blue",\n  "pinned": true/);
    const out = join(dir, 'out.json');
    await exportLegacy(store.views, { registryPath: out });
    const reg = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(reg.projects.app.colour, 'blue');
    assert.equal(reg.projects.app.pinned, true);
    const wf = JSON.parse(await readFile(join(dir, 'app', '.pygubu-workflow.json'), 'utf8'));
    assert.equal(wf.history[0], { timestamp: '2025-01-02T03:04:05+00:00', action: 'file_changed', description: 'd', user: null });
  } finally {
    await cleanup();
  }
});

test('history keeps the original timestamps as `at`; `changes` files import as file_changed, and win over `history`', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const registryPath = await fixture(
      dir,
      { projects: { a: join(dir, 'a'), b: join(dir, 'b') } },
      {
        a: { history: [entry('2024-03-01T09:00:00.250000+00:00', 'ui_generated', 'made it', { mood: 'ok' })] },
        b: { changes: [{ file: 'x.ui', timestamp: '2024-03-02T10:00:00Z' }], history: [entry('2024-01-01T00:00:00+00:00', 'ignored')] },
      },
    );
    await importLegacy(store, { registryPath });
    const a = (await store.views.projects.byName('a'))!;
    const b = (await store.views.projects.byName('b'))!;
    const [ea] = await store.views.history.list(a.id);
    assert.equal([ea?.timestamp, ea?.action], ['2024-03-01T09:00:00.250000+00:00', 'ui_generated']);
    assert.match(ea?.legacy?.entry ?? '', /"mood": "ok"/);
    const hb = await store.views.history.list(b.id);
    assert.equal(hb.map((e) => [e.action, e.description, e.timestamp]), [['file_changed', 'File x.ui changed', '2024-03-02T10:00:00Z']]);
    const recorded = await store.log.readByType('workflow.recorded');
    assert.equal(recorded.map((e) => e.at).sort(), ['2024-03-01T09:00:00.250Z', '2024-03-02T10:00:00.000Z']);
    assert.ok(recorded.every((e) => e.meta.source === 'import'));
  } finally {
    await cleanup();
  }
});

test('an entry its schema refuses fails its file alone, with the same error whether checked up front (dry run) or by the append', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const huge = entry('2025-01-01T00:00:02+00:00', 'x'.repeat(70_000));
    const registryPath = await fixture(
      dir,
      { projects: { good: join(dir, 'good'), huge: join(dir, 'huge') } },
      { good: { history: [entry('2025-01-01T00:00:00+00:00', 'ok')] }, huge: { history: [entry('2025-01-01T00:00:01+00:00', 'fine'), huge] } },
    );
    const dry = await importLegacy(store, { registryPath, dryRun: true });
    const real = await importLegacy(store, { registryPath });
    const errorOf = (r: typeof real) => r.files.find((f) => f.project === 'huge')?.error;
    assert.equal(errorOf(real)?.code, 'LEGACY_BAD_SHAPE');
    assert.match(errorOf(real)?.message ?? '', /history entry at 2025-01-01T00:00:02\+00:00 .*maxLength|must NOT have more than 65536 characters/);
    assert.equal(errorOf(real), errorOf(dry), 'the append reports what the up-front check reports');
    assert.equal(await store.views.history.count(), 1, "only good's entry: nothing of the refused file landed");
    assert.equal(real.files.find((f) => f.project === 'good')?.status, 'imported');
  } finally {
    await cleanup();
  }
});

test('re-running migrate imports nothing; after the Python tool appends, only the new entries (identical ones counted by ordinal)', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const same = entry('2025-01-01T00:00:00+00:00', 'file_changed', 'same');
    const registryPath = await fixture(dir, { projects: { a: join(dir, 'a') }, active: 'a' }, { a: { history: [same, same] } });
    const first = await importLegacy(store, { registryPath });
    assert.equal(first.totals.imported, 6, "project, activation, the registry's layout, two identical entries, the workflow file's top level");
    const head = store.log.head;
    const again = await importLegacy(store, { registryPath });
    assert.equal([again.totals.imported, store.log.head], [0, head]);
    await fixture(dir, { projects: { a: join(dir, 'a') }, active: 'a' }, { a: { history: [same, same, same, entry('2025-01-02T00:00:00+00:00', 'x')] } });
    const third = await importLegacy(store, { registryPath });
    assert.equal(third.totals.imported, 2);
    assert.equal(await store.views.history.count(), 4);
  } finally {
    await cleanup();
  }
});

test('a broken workflow file gets its own error and nothing of it lands; the others import', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const registryPath = await fixture(
      dir,
      { projects: { good: join(dir, 'good'), list: join(dir, 'list'), noaction: join(dir, 'noaction'), cut: join(dir, 'cut'), dirfile: join(dir, 'dirfile') } },
      {
        good: { history: [entry('2025-01-01T00:00:00+00:00', 'ok')] },
        list: [entry('2025-01-01T00:00:00+00:00', 'ok')],
        noaction: { history: [entry('2025-01-01T00:00:00+00:00', 'fine'), { timestamp: '2025-01-01T00:00:01+00:00', description: 'no action' }] },
        cut: '{"history": [{"timestamp": "2025-01-01T00:00:00+00:00", "act',
      },
    );
    await mkdir(join(dir, 'dirfile', '.pygubu-workflow.json'), { recursive: true });
    const report = await importLegacy(store, { registryPath });
    const byProject = Object.fromEntries(report.files.map((f) => [f.project ?? 'registry', f]));
    assert.equal(byProject.good?.status, 'imported');
    assert.equal(byProject.list?.error?.code, 'LEGACY_BAD_SHAPE');
    assert.match(byProject.list?.error?.message ?? '', /JSON list/);
    assert.equal(byProject.noaction?.status, 'imported', 'an odd entry does not stop its neighbours');
    assert.match(byProject.noaction?.flagged?.join('\n') ?? '', /history entry 2: "action" is missing; kept as written/);
    assert.equal(byProject.cut?.error?.code, 'LEGACY_INVALID_JSON');
    assert.equal(byProject.dirfile?.error?.code, 'LEGACY_UNREADABLE');
    assert.equal(report.totals.errors, 3);
    assert.equal(await store.views.history.count(), 3, 'good, and both entries of noaction');
  } finally {
    await cleanup();
  }
});

test('a broken registry is refused with a specific code and nothing is written', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const cases: Array<[unknown, string, RegExp]> = [
      [[{ path: '/x' }], 'LEGACY_BAD_SHAPE', /JSON list/],
      [{ active: 'x' }, 'LEGACY_BAD_SHAPE', /no "projects"/],
      ['{"projects": {"a": {"path": "/x"', 'LEGACY_INVALID_JSON', /not valid JSON/],
      [{ projects: [] }, 'LEGACY_BAD_SHAPE', /"projects" is a list/],
    ];
    for (const [doc, code, message] of cases) {
      const registryPath = await fixture(dir, doc);
      const err = await importLegacy(store, { registryPath }).then(() => undefined, (e: { code: string; message: string }) => e);
      assert.equal(err?.code, code, JSON.stringify(doc));
      assert.match(err?.message ?? '', message);
    }
    const missing = await importLegacy(store, { registryPath: join(dir, 'nope.json') }).catch((e: { code: string }) => e);
    assert.equal((missing as { code: string }).code, 'LEGACY_NOT_FOUND');
    assert.equal(store.log.head, 0);
  } finally {
    await cleanup();
  }
});

test('--dry-run appends nothing and reports what a real run imports; --strict imports nothing when one file is broken', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const registryPath = await fixture(
      dir,
      { projects: { a: join(dir, 'a'), b: join(dir, 'b') } },
      { a: { history: [entry('2025-01-01T00:00:00+00:00', 'x'), entry('2025-01-02T00:00:00+00:00', 'y')] }, b: [] },
    );
    const dry = await importLegacy(store, { registryPath, dryRun: true });
    assert.equal(store.log.head, 0);
    const strict = await importLegacy(store, { registryPath, strict: true });
    assert.equal([strict.aborted, strict.totals.errors, store.log.head], [true, 1, 0]);
    const real = await importLegacy(store, { registryPath });
    assert.equal(real.totals.imported, dry.totals.imported);
    assert.equal(real.files.map((f) => f.imported), dry.files.map((f) => f.imported));
  } finally {
    await cleanup();
  }
});

test("export writes Python's json.dumps(indent=2) byte for byte, the last 100 entries, atomically", async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const name = 'caf\u00e9 \u{1F600}';
    const history = Array.from({ length: 120 }, (_, i) => entry(`2025-01-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}+00:00`, `a${i}`));
    const registryPath = await fixture(
      dir,
      { projects: { [name]: { path: join(dir, 'p'), created: null, modified: null, description: 'ü "q" \\ \n', tags: ['t'] } }, active: name },
      { p: { history, last_sync: '2025-01-01T00:00:00+00:00', file_hashes: { 'a.ui': 'ab' }, file_mtimes: { 'a.ui': 1735787045, 'b.ui': 1735787045.5 } } },
    );
    await importLegacy(store, { registryPath });
    const out = join(dir, 'out', 'registry.json');
    await mkdir(join(dir, 'out'));
    await exportLegacy(store.views, { registryPath: out });
    const text = await readFile(out, 'utf8');
    // What python3 -c 'json.dumps(doc, indent=2)' prints for this registry:
    const expected = `{\n  "projects": {\n    "caf\\u00e9 \\ud83d\\ude00": {\n      "path": ${JSON.stringify(join(dir, 'p'))},\n      "created": null,\n      "modified": null,\n      "description": "\\u00fc \\"q\\" \\\\ \\n",\n      "tags": [\n        "t"\n      ]\n    }\n  },\n  "active": "caf\\u00e9 \\ud83d\\ude00"\n}`;
    assert.is(text, expected);
    const wfText = await readFile(join(dir, 'p', '.pygubu-workflow.json'), 'utf8');
    assert.ok(!wfText.endsWith('\n'));
    assert.ok(/^[\x00-\x7f]*$/.test(wfText), 'ASCII only');
    assert.match(wfText, /"file_mtimes": \{\n    "a.ui": 1735787045,\n    "b.ui": 1735787045.5\n  \}/, 'numbers as written (an int stays an int)');
    const wf = JSON.parse(wfText);
    assert.equal(wf.history.length, 100);
    assert.equal(wf.history[0].action, 'a20');
    assert.equal(wf.history[99].action, 'a119');
    assert.equal(Object.keys(wf), ['history', 'last_sync', 'file_hashes', 'file_mtimes'], 'the top-level keys the file had, in its order');
    assert.equal(await store.views.history.count(), 120, 'the store keeps every entry');
    assert.equal((await readdir(join(dir, 'out'))).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
  } finally {
    await cleanup();
  }
});

test.run();
