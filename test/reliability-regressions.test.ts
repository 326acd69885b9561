import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyseUi, scanProjects, UiParseError } from '../src/index.js';
import { tempStore } from './helpers.js';

// Bugs the reliability fuzzers found in the .ui scanner, each pinned by the smallest input that showed it.

const nested = (depth: number) =>
  `<interface>${'<object class="ttk.Frame" id="f"><child>'.repeat(depth)}<object class="tk.Button" id="b" />${'</child></object>'.repeat(depth)}</interface>`;

async function scanned(files: Record<string, string>) {
  const t = await tempStore();
  const dir = join(t.dir, 'app');
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const project = await t.store.projects.register({ name: 'app', path: dir });
  return { ...t, dir, project };
}

test('regression: a .ui file nested past the XML parser limit is a scan problem, not an aborted scan', async () => {
  assert.throws(() => analyseUi(nested(80)), (err: unknown) => err instanceof UiParseError);
  const { store, cleanup } = await scanned({ 'deep.ui': nested(80), 'ok.ui': nested(3) });
  try {
    const report = await scanProjects(store);
    assert.is(report.recorded, 1);
    assert.is(report.problems.length, 1);
    assert.match(report.problems[0]!.reason, /nested/);
  } finally {
    await cleanup();
  }
});

test('regression: widget classes and layout managers named like Object.prototype members count from zero', async () => {
  const stats = analyseUi(
    '<interface><object class="constructor" id="a"><layout manager="toString" /></object><object class="hasOwnProperty" id="b" /></interface>',
  );
  assert.equal(stats.widgets, { constructor: 1, hasOwnProperty: 1 });
  assert.equal(stats.layouts, { toString: 1 });
  for (const bad of ['<layout manager="" />', '<layout manager="__proto__" />', '<layout manager="&#xD800;" />']) {
    assert.throws(() => analyseUi(`<interface><object class="tk.Button" id="a">${bad}</object></interface>`), (e: unknown) => e instanceof UiParseError, bad);
  }
  const { store, cleanup } = await scanned({ 'a.ui': '<interface><object class="tk.Button" id="a"><layout manager=" " /></object></interface>', 'b.ui': nested(2) });
  try {
    const report = await scanProjects(store);
    assert.is(report.recorded, 1, 'the good file is recorded');
    assert.is(report.problems.length, 1, 'the bad one is a problem');
    assert.ok((await store.verify()).ok);
  } finally {
    await cleanup();
  }
});

test('regression: a file toggled A → B → A → B records every change (the second B was a duplicate id)', async () => {
  const A = nested(1);
  const B = nested(2);
  const { store, dir, project, cleanup } = await scanned({ 'main.ui': A });
  try {
    await scanProjects(store);
    for (const content of [B, A, B]) {
      await writeFile(join(dir, 'main.ui'), content);
      const report = await scanProjects(store);
      assert.is(report.recorded, 1);
    }
    assert.is((await store.views.analytics.scan(project.id, 'main.ui'))?.max_depth, 3, 'the view shows B');
    assert.is((await store.log.readByType('analytics.ui_scanned')).length, 4);
  } finally {
    await cleanup();
  }
});

test.run();
