import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyseUi, UiParseError } from '../src/analytics/ui-file.js';
import { scanEventId, scanProjects } from '../src/domain/analytics.js';
import { ROOT, tempStore } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'ui');
const fixture = (name: string) => readFile(join(FIXTURES, name));

// Counted by hand from the fixture files in test/fixtures/ui.
const NESTED = {
  widgets: { 'tk.Button': 1, 'tk.Frame': 1, 'tk.Toplevel': 1, 'ttk.Button': 1, 'ttk.Entry': 1, 'ttk.Frame': 2, 'ttk.Label': 1 },
  objects: 8,
  max_depth: 5, // Toplevel > outer > middle > inner > buttons
  layouts: { grid: 4, pack: 2, place: 1 },
  commands: 3, // command (typed), command (untyped), validatecommand type="command"
  bindings: 3,
  handlers: ['check_name', 'on_cancel', 'on_leave', 'on_ok'],
};
const NOTEBOOK = {
  widgets: { 'ttk.Checkbutton': 1, 'ttk.Frame': 3, 'ttk.Label': 2, 'ttk.Notebook': 1, 'ttk.Notebook.Tab': 2 },
  objects: 9,
  max_depth: 5, // root > tabs > tab > page > checkbutton
  layouts: { grid: 3, pack: 2 },
  commands: 1,
  bindings: 0,
  handlers: ['toggle_autosave'],
};
const MENU = {
  widgets: { 'tk.Menu': 1, 'tk.Menuitem.Command': 3, 'tk.Menuitem.Separator': 1, 'tk.Menuitem.Submenu': 1 },
  objects: 6,
  max_depth: 3,
  layouts: {},
  commands: 2, // the help item's command is empty: not a callback
  bindings: 0,
  handlers: ['on_open', 'on_quit'],
};

const pick = (s: ReturnType<typeof analyseUi>) => ({
  widgets: s.widgets,
  objects: s.objects,
  max_depth: s.max_depth,
  layouts: s.layouts,
  commands: s.commands,
  bindings: s.bindings,
  handlers: s.handlers,
});

test('nested frames: every layout manager, commands and bindings, tk and ttk kept apart', async () => {
  const s = analyseUi(await fixture('nested.ui'));
  assert.equal(pick(s), NESTED);
  assert.is(s.sha256.length, 64);
});

test('notebook tabs and menus count as the classes pygubu names them', async () => {
  assert.equal(pick(analyseUi(await fixture('notebook.ui'))), NOTEBOOK);
  assert.equal(pick(analyseUi(await fixture('menu.ui'))), MENU);
});

test('objects without an id are objects, not widgets', async () => {
  const s = analyseUi(await fixture('noids.ui'));
  assert.equal(s.widgets, {});
  assert.is(s.objects, 2);
  assert.is(s.max_depth, 2);
  assert.equal(s.layouts, { pack: 2 });
});

test('malformed XML and a non-pygubu root are refused with the reason', async () => {
  try {
    analyseUi(await fixture('malformed.ui'));
    assert.unreachable('malformed XML parsed');
  } catch (err) {
    assert.instance(err, UiParseError);
    assert.match((err as Error).message, /^malformed XML: .*line 6/);
  }
  assert.throws(() => analyseUi('<?xml version="1.0"?><html><body/></html>'), (e: Error) => /not a pygubu interface/.test(e.message));
});

/** A .ui file of `frames` frames, each holding `buttons` buttons with a command and a binding. */
function bigUi(frames: number, buttons: number): string {
  const parts = ['<?xml version="1.0" encoding="utf-8"?>\n<interface version="1.3">\n<object class="tk.Toplevel" id="top">\n'];
  for (let f = 0; f < frames; f++) {
    parts.push(`<child><object class="ttk.Frame" id="frame_${f}"><layout manager="grid"><property name="row">${f}</property></layout>\n`);
    for (let b = 0; b < buttons; b++) {
      parts.push(
        `<child><object class="ttk.Button" id="button_${f}_${b}"><property name="text">Button ${f}/${b} with a longer label</property>` +
          `<property name="command" type="command">on_button_${b}</property><bind sequence="&lt;Enter&gt;" handler="on_enter" add="" />` +
          `<layout manager="pack"><property name="side">left</property></layout></object></child>\n`,
      );
    }
    parts.push('</object></child>\n');
  }
  parts.push('</object>\n</interface>\n');
  return parts.join('');
}

test('a 2 MB .ui file parses with exact counts', () => {
  const frames = 330;
  const buttons = 20;
  const xml = bigUi(frames, buttons);
  assert.ok(Buffer.byteLength(xml) > 2 * 1024 * 1024, `only ${Buffer.byteLength(xml)} bytes`);
  const s = analyseUi(xml);
  assert.equal(s.widgets, { 'tk.Toplevel': 1, 'ttk.Button': frames * buttons, 'ttk.Frame': frames });
  assert.is(s.objects, 1 + frames + frames * buttons);
  assert.is(s.max_depth, 3);
  assert.equal(s.layouts, { grid: frames, pack: frames * buttons });
  assert.is(s.commands, frames * buttons);
  assert.is(s.bindings, frames * buttons);
  assert.is(s.handlers.length, buttons + 1);
});

async function projectDirs(dir: string) {
  const app = join(dir, 'app');
  await mkdir(join(app, 'sub'), { recursive: true });
  await mkdir(join(app, '.git'), { recursive: true });
  await copyFile(join(FIXTURES, 'nested.ui'), join(app, 'main.ui'));
  await copyFile(join(FIXTURES, 'notebook.ui'), join(app, 'sub', 'settings.ui'));
  await copyFile(join(FIXTURES, 'malformed.ui'), join(app, 'sub', 'broken.ui'));
  await copyFile(join(FIXTURES, 'menu.ui'), join(app, '.git', 'ignored.ui'));
  await symlink(join(app, 'nowhere.ui'), join(app, 'dangling.ui'));
  const tools = join(dir, 'tools');
  await mkdir(tools);
  await copyFile(join(FIXTURES, 'menu.ui'), join(tools, 'menu.ui'));
  await copyFile(join(FIXTURES, 'noids.ui'), join(tools, 'noids.ui'));
  return { app, tools };
}

const sumWidgets = (...maps: Array<Record<string, number>>) => {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
};
const asMap = (rows: Array<{ class: string; count: number }>) => Object.fromEntries(rows.map((r) => [r.class, r.count]));

test('scan: records each file once, reports problems, and the views count the latest scans', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const { app, tools } = await projectDirs(dir);
    const a = await store.projects.register({ name: 'app', path: app });
    const t = await store.projects.register({ name: 'tools', path: tools });
    await store.projects.register({ name: 'ghost', path: join(dir, 'missing') });
    const first = await scanProjects(store);
    assert.is(first.files, 6); // app: main, dangling, sub/broken, sub/settings; tools: 2 (.git skipped)
    assert.is(first.recorded, 4);
    assert.equal(first.problems.map((p) => [p.project, p.file ?? null, p.reason.split(' ')[0]]).sort(), [
      ['app', 'dangling.ui', 'unreadable'],
      ['app', 'sub/broken.ui', 'malformed'],
      ['ghost', null, 'project'],
    ]);
    assert.equal(asMap(await store.views.analytics.widgetUsage()), sumWidgets(NESTED.widgets, NOTEBOOK.widgets, MENU.widgets));
    assert.equal(asMap(await store.views.analytics.widgetUsage({ projectId: t.id })), MENU.widgets);
    const top = await store.views.analytics.widgetUsage({ top: 2 });
    assert.equal(top, [{ class: 'ttk.Frame', count: 5 }, { class: 'tk.Menuitem.Command', count: 3 }]);
    const c = await store.views.analytics.complexity(a.id);
    assert.ok(c);
    assert.is(c.files, 2);
    assert.is(c.widgets, 8 + 9);
    assert.is(c.max_depth, 5);
    assert.is(c.callbacks, 3 + 3 + 1);
    assert.equal(c.layouts, { grid: 7, pack: 4, place: 1 });
    // score = widgets + 2 × callbacks + 5 × max depth + 3 × (layout managers − 1)
    assert.is(c.score, 17 + 2 * 7 + 5 * 5 + 3 * 2);
    const ranking = await store.views.analytics.complexityRanking();
    assert.equal(ranking.map((r) => r.project), ['app', 'tools']);

    const head = store.log.head;
    const again = await scanProjects(store);
    assert.is(again.recorded, 0);
    assert.is(again.unchanged, 4);
    assert.is(store.log.head, head, 'an unchanged rescan appends nothing');
  } finally {
    await cleanup();
  }
});

test('scan: a changed file replaces its old counts; changing it back records again', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const { app } = await projectDirs(dir);
    const a = await store.projects.register({ name: 'app', path: app });
    await scanProjects(store, { projects: ['app'] });
    const main = join(app, 'main.ui');
    const original = await readFile(main);
    await copyFile(join(FIXTURES, 'menu.ui'), main);
    const changed = await scanProjects(store, { projects: ['app'] });
    assert.is(changed.recorded, 1);
    assert.equal(asMap(await store.views.analytics.widgetUsage({ projectId: a.id })), sumWidgets(MENU.widgets, NOTEBOOK.widgets));
    const c = await store.views.analytics.complexity(a.id);
    assert.is(c?.max_depth, 5); // the notebook file is still 5 deep
    assert.is(c?.callbacks, 2 + 1);
    assert.equal(c?.layouts, NOTEBOOK.layouts);
    assert.is((await store.views.analytics.totals()).files, 2);

    await writeFile(main, original);
    const back = await scanProjects(store, { projects: ['app'] });
    assert.is(back.recorded, 1, 'A → B → A is a change, not a retry');
    assert.equal(asMap(await store.views.analytics.widgetUsage({ projectId: a.id })), sumWidgets(NESTED.widgets, NOTEBOOK.widgets));
    assert.is((await store.views.analytics.scan(a.id, 'main.ui'))?.objects, 8);
  } finally {
    await cleanup();
  }
});

test('scan: event ids are deterministic, so a retried append writes nothing', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const { tools } = await projectDirs(dir);
    const t = await store.projects.register({ name: 'tools', path: tools });
    await scanProjects(store);
    const sha = (await store.views.analytics.scan(t.id, 'menu.ui'))!.sha256;
    const id = scanEventId(t.id, 'menu.ui', undefined, sha);
    const stored = await store.log.getById(id);
    assert.ok(stored, 'the scan event has the derived id');
    const head = store.log.head;
    const [again] = await store.append({ id, stream: stored.stream, type: 'analytics.ui_scanned', data: stored.data as never });
    assert.is(again!.seq, stored.seq);
    assert.is(store.log.head, head);
    assert.is.not(scanEventId(t.id, 'menu.ui', 'a'.repeat(64), sha), id);
  } finally {
    await cleanup();
  }
});

test('scan: a removed project leaves widget usage; a renamed one keeps its counts under the new name', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const { app, tools } = await projectDirs(dir);
    await store.projects.register({ name: 'app', path: app });
    const t = await store.projects.register({ name: 'tools', path: tools });
    await scanProjects(store);
    await store.projects.rename('tools', 'toolbox');
    assert.is((await store.views.analytics.complexity(t.id))?.project, 'toolbox');
    await store.projects.remove('app');
    assert.equal(asMap(await store.views.analytics.widgetUsage()), MENU.widgets);
    assert.equal((await store.views.analytics.complexityRanking()).map((r) => r.project), ['toolbox']);
    assert.is((await store.views.analytics.totals()).files, 2);
    const verify = await store.verify();
    assert.ok(verify.ok, JSON.stringify(verify.problems));
  } finally {
    await cleanup();
  }
});

test('scan: a file name or widget class the events cannot carry is a problem, not an aborted scan', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    const app = join(dir, 'app');
    await mkdir(app);
    await copyFile(join(FIXTURES, 'menu.ui'), join(app, 'good.ui'));
    await copyFile(join(FIXTURES, 'menu.ui'), join(app, 'bad\nname.ui'));
    await writeFile(join(app, 'long.ui'), `<interface><object class="${'x'.repeat(201)}" id="a"/></interface>`);
    await store.projects.register({ name: 'app', path: app });
    const report = await scanProjects(store);
    assert.is(report.recorded, 1);
    assert.equal(report.problems.map((p) => p.file).sort(), ['bad\\nname.ui', 'long.ui']);
    assert.match(report.problems.find((p) => p.file === 'long.ui')!.reason, /longer than 200/);
  } finally {
    await cleanup();
  }
});

test('scan: unknown project names are an error, nothing recorded', async () => {
  const { store, cleanup } = await tempStore();
  try {
    try {
      await scanProjects(store, { projects: ['nope'] });
      assert.unreachable('scanned an unknown project');
    } catch (err) {
      assert.is((err as { code?: string }).code, 'PROJECT_NOT_FOUND');
    }
    assert.is(store.log.head, 0);
  } finally {
    await cleanup();
  }
});

test.run();
