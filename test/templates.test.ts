import { lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { STARTER_TEMPLATES } from '../src/domain/template-starters.js';
import type { Store } from '../src/index.js';
import { tempDir, tempStore } from './helpers.js';

const UI = (title: string) => `<?xml version='1.0' encoding='utf-8'?>
<interface version="1.3">
  <object class="tk.Toplevel" id="w"><property name="title">${title}</property></object>
</interface>
`;

const files = (title = 'T', extra: Record<string, string> = {}) => [
  { path: 'main.ui', content: UI(title) },
  ...Object.entries(extra).map(([path, content]) => ({ path, content })),
];

const publish = (store: Store, name: string, version: string, more: Partial<Parameters<Store['templates']['publish']>[0]> = {}) =>
  store.templates.publish({ name, version, author: 'ann', files: files(`${name} ${version}`), ...more });

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
}

/** Every row of the store under v!templates!, to compare before/after a failed command or a rebuild. */
async function viewRows(store: Store): Promise<string> {
  const out: string[] = [];
  for await (const [k, v] of store.db.iterator({ gte: 'v!templates!', lt: 'v!templates!\u{10FFFF}' })) out.push(`${k}=${Buffer.from(v).toString('hex')}`);
  return out.join('\n');
}

test('publish → search by every filter and sort → versions', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await publish(store, 'login-form', '1.0.0', { description: 'A login dialog', tags: ['auth', 'form'] });
    await publish(store, 'crud-grid', '0.1.0', { description: 'Records table with buttons', tags: ['table'], author: 'bob' });
    await publish(store, 'settings-box', '2.0.0', { description: 'Theme and login options', tags: ['form'] });
    const v = store.views.templates;

    assert.equal((await v.search('login')).map((t) => t.name).sort(), ['login-form', 'settings-box']);
    assert.equal((await v.search('log dia')).map((t) => t.name), ['login-form'], 'every word must match as a prefix');
    assert.equal((await v.search('', { tag: 'form', sort: 'name' })).map((t) => t.name), ['login-form', 'settings-box']);
    assert.equal((await v.search('', { author: 'bob' })).map((t) => t.name), ['crud-grid']);
    assert.equal((await v.search('nothing-like-this')).length, 0);

    // downloads: crud 2, settings 1, login 0
    const { dir, cleanup: rm } = await tempDir();
    try {
      await store.templates.install({ spec: 'crud-grid', dest: dir });
      await store.templates.install({ spec: 'crud-grid', dest: dir, force: true });
      await store.templates.install({ spec: 'settings-box', dest: dir });
    } finally {
      await rm();
    }
    assert.equal((await v.list({ sort: 'downloads' })).map((t) => t.name), ['crud-grid', 'settings-box', 'login-form']);
    assert.equal((await v.list({ sort: 'recent' })).map((t) => t.name), ['settings-box', 'crud-grid', 'login-form']);
    assert.equal((await v.list({ sort: 'name' })).map((t) => t.name), ['crud-grid', 'login-form', 'settings-box']);
    assert.equal((await v.list({ sort: 'name', limit: 2 })).map((t) => t.name), ['crud-grid', 'login-form']);

    await store.templates.rate({ name: 'login-form', user: 'u1', stars: 5 });
    await store.templates.rate({ name: 'crud-grid', user: 'u1', stars: 3 });
    await store.templates.rate({ name: 'crud-grid', user: 'u2', stars: 4 });
    assert.equal((await v.list({ sort: 'rating' })).map((t) => t.name), ['login-form', 'crud-grid', 'settings-box']);
    assert.equal((await v.list({ sort: 'rating', minRating: 4 })).map((t) => t.name), ['login-form']);
    assert.equal((await v.list({ sort: 'downloads', minRating: 3.5 })).map((t) => t.name), ['crud-grid', 'login-form']);
    assert.equal((await v.search('form', { tag: 'form', sort: 'rating' })).map((t) => t.name), ['login-form', 'settings-box']);

    await publish(store, 'crud-grid', '0.2.0', { description: 'Records table v2', tags: ['table'], author: 'bob' });
    await publish(store, 'crud-grid', '1.0.0-beta.1', { description: 'Records table beta', tags: ['table'], author: 'bob' });
    const t = (await v.get('crud-grid'))!;
    assert.is(t.latest, '1.0.0-beta.1');
    assert.is(t.downloads, 2, 'downloads survive a new version');
    assert.is(t.ratingCount, 2);
    assert.equal((await v.versions('crud-grid')).map((x) => [x.version, x.downloads]), [['1.0.0-beta.1', 0], ['0.2.0', 0], ['0.1.0', 2]]);
    assert.equal((await v.search('v2')).length, 0, 'old descriptions leave the word index');
    assert.equal((await v.search('beta')).map((x) => x.name), ['crud-grid']);
    assert.is(await v.count(), 3);
  } finally {
    await cleanup();
  }
});

test('versions must grow; the same version and content again is a no-op; ranges resolve', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const first = await publish(store, 'x', '1.0.0');
    assert.ok(first.published);
    const again = await publish(store, 'x', '1.0.0');
    assert.not.ok(again.published);
    assert.is(store.log.head, 1, 'nothing appended for an identical re-publish');
    assert.is(await code(store.templates.publish({ name: 'x', version: '1.0.0', author: 'a', files: files('other') })), 'TEMPLATE_VERSION_EXISTS');
    assert.is(await code(publish(store, 'x', '0.9.0')), 'TEMPLATE_VERSION_NOT_NEWER');
    assert.is(await code(publish(store, 'x', '1.0.0-rc.1')), 'TEMPLATE_VERSION_NOT_NEWER', 'a prerelease of 1.0.0 is older than 1.0.0');
    for (const bad of ['1.0', 'v1.2.0', '1.2.x', '', 'latest']) assert.is(await code(publish(store, 'x', bad)), 'TEMPLATE_VERSION_INVALID', bad);
    await publish(store, 'x', '1.1.0');
    await publish(store, 'x', '1.10.0');
    await publish(store, 'x', '2.0.0');
    assert.is(store.log.head, 4);
    const v = store.views.templates;
    assert.is((await v.resolve('x')).version, '2.0.0');
    assert.is((await v.resolve('x', '^1.0.0')).version, '1.10.0', 'semver order, not string order');
    assert.is((await v.resolve('x', '~1.1')).version, '1.1.0');
    assert.is((await v.resolve('x', '1.0.0')).version, '1.0.0');
    assert.is((await v.resolve('x', '>=1.0.0 <1.5.0')).version, '1.1.0');
    assert.is(await code(v.resolve('x', '^3.0.0')), 'TEMPLATE_NOT_FOUND');
    assert.is(await code(v.resolve('x', 'not a range')), 'TEMPLATE_VERSION_INVALID');
    assert.is(await code(v.resolve('nope')), 'TEMPLATE_NOT_FOUND');
    // a deprecated version is skipped when another one matches
    await store.templates.deprecate({ name: 'x', version: '2.0.0', reason: 'broken' });
    assert.is((await v.resolve('x')).version, '1.10.0');
    assert.is((await v.resolve('x', '2.0.0')).version, '2.0.0', 'asked for exactly, it is still given');
  } finally {
    await cleanup();
  }
});

test('install writes byte-identical files into DIR/<name>/ and counts a download per version', async () => {
  const { store, cleanup } = await tempStore();
  const { dir, cleanup: rm } = await tempDir();
  try {
    const readme = '# Ünïcode ✓\r\nline two\n';
    await store.templates.publish({ name: 'demo', version: '1.0.0', author: 'a', files: files('D', { 'README.md': readme, 'app.py': 'print("hi")\n' }) });
    await store.templates.publish({ name: 'demo', version: '1.1.0', author: 'a', files: files('D2') });
    const r = await store.templates.install({ spec: 'demo@~1.0', dest: dir });
    assert.is(r.version.version, '1.0.0');
    assert.is(r.dir, join(dir, 'demo'));
    assert.equal((await readdir(r.dir)).sort(), ['README.md', 'app.py', 'main.ui']);
    assert.is(await readFile(join(r.dir, 'README.md'), 'utf8'), readme);
    assert.ok((await readFile(join(r.dir, 'main.ui'))).equals(Buffer.from(UI('D'), 'utf8')));
    assert.is(r.deprecated, null);
    const v = store.views.templates;
    assert.is((await v.version('demo', '1.0.0'))!.downloads, 1);
    assert.is((await v.version('demo', '1.1.0'))!.downloads, 0);
    assert.is((await v.get('demo'))!.downloads, 1);

    // nothing is overwritten without force, and nothing is counted then
    assert.is(await code(store.templates.install({ spec: 'demo@1.1.0', dest: dir })), 'TEMPLATE_FILE_EXISTS');
    assert.is((await v.get('demo'))!.downloads, 1);
    await writeFile(join(r.dir, 'mine.txt'), 'keep me');
    const forced = await store.templates.install({ spec: 'demo', dest: dir, force: true });
    assert.equal(forced.replaced, ['main.ui']);
    assert.is(await readFile(join(r.dir, 'main.ui'), 'utf8'), UI('D2'));
    assert.is(await readFile(join(r.dir, 'mine.txt'), 'utf8'), 'keep me');
    assert.is((await v.get('demo'))!.downloads, 2);

    // deprecated: installed, with the reason handed back for a warning
    await store.templates.deprecate({ name: 'demo', reason: 'use crud' });
    const dep = await store.templates.install({ spec: 'demo', dest: join(dir, 'other') });
    assert.is(dep.deprecated, 'use crud');
  } finally {
    await rm();
    await cleanup();
  }
});

test('install never writes through a symbolic link or outside DIR/<name>/', async () => {
  const { store, cleanup } = await tempStore();
  const { dir, cleanup: rm } = await tempDir();
  try {
    await publish(store, 'demo', '1.0.0');
    const outside = join(dir, 'outside');
    await mkdir(outside);
    const dest = join(dir, 'dest');
    await mkdir(dest);
    // DIR/<name> is a symlink to somewhere else
    await symlink(outside, join(dest, 'demo'));
    assert.is(await code(store.templates.install({ spec: 'demo', dest })), 'TEMPLATE_DEST_UNSAFE');
    assert.is(await code(store.templates.install({ spec: 'demo', dest, force: true })), 'TEMPLATE_DEST_UNSAFE');
    assert.equal(await readdir(outside), [], 'nothing written through the link');

    // a file inside DIR/<name> is a symlink (even --force does not follow or replace it)
    const dest2 = join(dir, 'dest2');
    await mkdir(join(dest2, 'demo'), { recursive: true });
    await writeFile(join(outside, 'victim'), 'original');
    await symlink(join(outside, 'victim'), join(dest2, 'demo', 'main.ui'));
    assert.is(await code(store.templates.install({ spec: 'demo', dest: dest2, force: true })), 'TEMPLATE_DEST_UNSAFE');
    assert.is(await readFile(join(outside, 'victim'), 'utf8'), 'original');
    assert.ok((await lstat(join(dest2, 'demo', 'main.ui'))).isSymbolicLink());

    // DIR/<name> is a file
    const dest3 = join(dir, 'dest3');
    await mkdir(dest3);
    await writeFile(join(dest3, 'demo'), 'a file');
    assert.is(await code(store.templates.install({ spec: 'demo', dest: dest3 })), 'TEMPLATE_DEST_UNSAFE');
    assert.is((await store.views.templates.get('demo'))!.downloads, 0, 'failed installs count nothing');

    // hostile names in the spec
    for (const spec of ['../demo', '/etc', '..', '.hidden', 'a\\b']) {
      assert.is(await code(store.templates.install({ spec, dest })), 'TEMPLATE_NAME_INVALID', spec);
    }
    assert.is(await code(store.templates.install({ spec: 'demo@not-a-range', dest })), 'TEMPLATE_VERSION_INVALID');
  } finally {
    await rm();
    await cleanup();
  }
});

test('the write side refuses hostile file names even when they are already in the log', async () => {
  const { writeTemplateFiles } = await import('../src/domain/template-files.js');
  const { dir, cleanup } = await tempDir();
  try {
    for (const path of ['../../x', '/etc/passwd', 'a/b.ui', '..', '.bashrc', 'c:\\x']) {
      const err = await code(writeTemplateFiles(dir, 'demo', [{ path, content: 'x', sha256: '0'.repeat(64) }]));
      assert.is(err, 'TEMPLATE_FILE_INVALID', path);
    }
    assert.equal(await readdir(dir), [], 'nothing created');
  } finally {
    await cleanup();
  }
});

test('bad input gets a coded error and writes nothing', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await publish(store, 'ok', '1.0.0');
    const head = store.log.head;
    const before = await viewRows(store);
    const bad: Array<[string, Promise<unknown>]> = [];
    for (const name of ['', ' ', 'a/b', 'a\\b', '..', 'a..b', '.hidden', 'x\u0000y', 'tab\there', 'a@b', ' pad', 'x'.repeat(101)]) {
      bad.push(['TEMPLATE_NAME_INVALID', publish(store, name, '1.0.0')]);
    }
    for (const path of ['../../x.ui', '/abs/x.ui', 'sub/x.ui', '.x.ui', 'a\\b.ui', 'x\u0001.ui', '..']) {
      bad.push(['TEMPLATE_FILE_INVALID', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: [{ path, content: UI('x') }] })]);
    }
    bad.push(['TEMPLATE_FILE_NOT_TEXT', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: [...files(), { path: 'b.py', content: new Uint8Array([0xff, 0xfe, 0x00]) }] })]);
    bad.push(['TEMPLATE_FILE_NOT_TEXT', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: [{ path: 'a.ui', content: 'bad \ud800' }] })]);
    bad.push(['TEMPLATE_UI_INVALID', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: [{ path: 'a.ui', content: '<interface><object></interface>' }] })]);
    bad.push(['TEMPLATE_UI_INVALID', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: [{ path: 'a.ui', content: '<html></html>' }] })]);
    bad.push(['TEMPLATE_UI_INVALID', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: [{ path: 'a.py', content: 'x = 1' }] })]);
    bad.push(['TEMPLATE_UI_INVALID', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: [] })]);
    bad.push(['TEMPLATE_FILE_INVALID', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: [...files(), ...files()] })]);
    bad.push(['TEMPLATE_TOO_LARGE', store.templates.publish({ name: 'f', version: '1.0.0', author: 'a', files: files('x', { 'README.md': 'x'.repeat(1024 * 1024) }) })]);
    for (const stars of [0, 6, 2.5, Number.NaN, '3' as unknown as number]) bad.push(['TEMPLATE_RATING_INVALID', store.templates.rate({ name: 'ok', user: 'u', stars })]);
    bad.push(['TEMPLATE_NOT_FOUND', store.templates.rate({ name: 'missing', user: 'u', stars: 3 })]);
    bad.push(['INVALID_ARGUMENT', store.templates.rate({ name: 'ok', user: ' ', stars: 3 })]);
    bad.push(['TEMPLATE_NOT_FOUND', store.templates.deprecate({ name: 'ok', version: '9.9.9' })]);
    bad.push(['TEMPLATE_VERSION_INVALID', store.templates.deprecate({ name: 'ok', version: '^1.0.0' })]);
    bad.push(['TEMPLATE_NOT_FOUND', store.templates.deprecate({ name: 'missing' })]);
    for (const [expected, p] of bad) assert.is(await code(p), expected);
    assert.is(store.log.head, head, 'no event appended');
    assert.is(await viewRows(store), before, 'no view row changed');
  } finally {
    await cleanup();
  }
});

test('ratings: one per user, re-rating replaces, average kept; reviews newest first', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await publish(store, 't', '1.0.0');
    await store.templates.rate({ name: 't', user: 'ann', stars: 2, review: 'meh' });
    await store.templates.rate({ name: 't', user: 'bob', stars: 4, review: 'good' });
    await store.templates.rate({ name: 't', user: 'cy', stars: 5 });
    const v = store.views.templates;
    let t = (await v.get('t'))!;
    assert.equal([t.ratingSum, t.ratingCount], [11, 3]);
    assert.equal((await v.reviews('t')).map((r) => r.user), ['bob', 'ann']);
    const again = await store.templates.rate({ name: 't', user: 'ann', stars: 5, review: 'better now' });
    assert.ok(again.rated);
    t = (await v.get('t'))!;
    assert.equal([t.ratingSum, t.ratingCount], [14, 3], 'the old rating is replaced, not added');
    assert.equal((await v.reviews('t')).map((r) => [r.user, r.review]), [['ann', 'better now'], ['bob', 'good']]);
    const head = store.log.head;
    assert.not.ok((await store.templates.rate({ name: 't', user: 'ann', stars: 5, review: 'better now' })).rated);
    assert.is(store.log.head, head, 'the same rating again appends nothing');
    await store.templates.rate({ name: 't', user: 'bob', stars: 1 });
    assert.equal((await v.reviews('t')).map((r) => r.user), ['ann'], 're-rating without a review drops the old review');
    assert.equal((await v.list({ sort: 'rating' }))[0]!.ratingSum, 11);
  } finally {
    await cleanup();
  }
});

test('deprecate hides from search unless all; a new publish lifts it; repeats are no-ops', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await publish(store, 'old', '1.0.0', { description: 'widget' });
    await publish(store, 'new', '1.0.0', { description: 'widget' });
    const v = store.views.templates;
    const r = await store.templates.deprecate({ name: 'old', reason: 'use new' });
    assert.ok(r.deprecated);
    assert.not.ok((await store.templates.deprecate({ name: 'old', reason: 'use new' })).deprecated);
    assert.equal((await v.search('widget')).map((t) => t.name), ['new']);
    assert.equal((await v.search('widget', { all: true, sort: 'name' })).map((t) => t.name), ['new', 'old']);
    await store.templates.deprecate({ name: 'new', version: '1.0.0', reason: 'bug' });
    assert.equal((await v.search('widget')).map((t) => t.name), []);
    assert.is((await v.version('new', '1.0.0'))!.deprecated, 'bug');
    await publish(store, 'new', '1.0.1', { description: 'widget' });
    await publish(store, 'old', '1.1.0', { description: 'widget' });
    assert.equal((await v.search('widget', { sort: 'name' })).map((t) => t.name), ['new', 'old']);
    assert.is((await v.version('new', '1.0.0'))!.deprecated, 'bug', 'the old version stays deprecated');
  } finally {
    await cleanup();
  }
});

test('--as-of before and after a publish; rebuild gives identical views; verify is ok', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const seeded = await store.templates.seed();
    assert.equal(seeded.published, STARTER_TEMPLATES.map((t) => `${t.name}@${t.version}`));
    const again = await store.templates.seed();
    assert.equal(again.published, []);
    assert.is(store.log.head, 3, 'seeding twice publishes nothing new');
    const before = store.log.head;
    await publish(store, 'late', '1.0.0', { description: 'published later' });
    await store.templates.rate({ name: 'login', user: 'u', stars: 4, review: 'fine' });
    const { dir, cleanup: rm } = await tempDir();
    await store.templates.install({ spec: 'crud', dest: dir });
    await rm();

    const then = await store.asOf(before);
    try {
      assert.is(await then.templates.get('late'), undefined);
      assert.equal((await then.templates.search('published')).length, 0);
      assert.is((await then.templates.get('crud'))!.downloads, 0);
      assert.is(await then.templates.count(), 3);
    } finally {
      await then.close();
    }
    const after = await store.asOf(before + 1);
    try {
      assert.is((await after.templates.get('late'))!.latest, '1.0.0');
      assert.equal((await after.templates.search('published')).map((t) => t.name), ['late']);
    } finally {
      await after.close();
    }

    const rows = await viewRows(store);
    await store.rebuild(['templates']);
    assert.is(await viewRows(store), rows, 'rebuild gives byte-identical rows');
    const report = await store.verify();
    assert.ok(report.ok, JSON.stringify(report.problems ?? report));
  } finally {
    await cleanup();
  }
});

test('search plans (candidate rows vs sort-index walk) agree with a plain sort of every row', async () => {
  const { contentHash, sha256 } = await import('../src/domain/templates.js');
  const { store, cleanup } = await tempStore();
  try {
    const names = Array.from({ length: 300 }, (_, i) => `common-${String(i).padStart(3, '0')}`);
    const tags = ['odd', 'even'];
    await store.append(
      names.map((name, i) => {
        const content = UI(name);
        const f: [{ path: string; content: string; sha256: string }] = [{ path: 'a.ui', content, sha256: sha256(content) }];
        const description = i % 10 === 0 ? 'rare word here' : 'plain';
        return { stream: `template-${name}`, type: 'template.published' as const, data: { name, version: '1.0.0', description, author: `a${i % 3}`, tags: [tags[i % 2]!], files: f, hash: contentHash(f) } };
      }),
    );
    const extra = [];
    for (let i = 0; i < 900; i++) {
      const name = names[(i * 7919) % 97]!;
      extra.push({ stream: `template-${name}`, type: 'template.downloaded' as const, data: { name, version: '1.0.0' } });
    }
    for (let i = 0; i < 200; i++) {
      const name = names[(i * 31) % 150]!;
      extra.push({ stream: `template-${name}`, type: 'template.rated' as const, data: { name, user: `u${i % 7}`, stars: 1 + ((i * 13) % 5) }});
    }
    await store.append(extra);
    const v = store.views.templates;
    const every = (await Promise.all(names.map((n) => v.get(n)))).map((t) => t!);
    const avg = (t: (typeof every)[number]) => (t.ratingCount === 0 ? 0 : t.ratingSum / t.ratingCount);
    const by: Record<string, (a: (typeof every)[number], b: (typeof every)[number]) => number> = {
      downloads: (a, b) => b.downloads - a.downloads || (a.name < b.name ? -1 : 1),
      rating: (a, b) => avg(b) - avg(a) || b.ratingCount - a.ratingCount || (a.name < b.name ? -1 : 1),
      recent: (a, b) => b.publishedSeq - a.publishedSeq,
      name: (a, b) => (a.name < b.name ? -1 : 1),
    };
    for (const sort of ['downloads', 'rating', 'recent', 'name'] as const) {
      for (const [query, filter, options] of [
        ['common', () => true, {}],
        ['rare', (t: (typeof every)[number]) => t.description.includes('rare'), {}],
        ['common', (t: (typeof every)[number]) => t.tags.includes('odd'), { tag: 'odd' }],
        ['', (t: (typeof every)[number]) => t.author === 'a1', { author: 'a1' }],
        ['', (t: (typeof every)[number]) => avg(t) >= 3 && t.ratingCount > 0, { minRating: 3 }],
      ] as const) {
        for (const limit of [20, -1]) {
          // limit 20 walks the sort index; -1 (all) fetches the candidates and orders them by index key
          const expected = every.filter(filter).sort(by[sort]).slice(0, limit < 0 ? undefined : limit).map((t) => t.name);
          const got = (await v.search(query, { sort, limit, ...options })).map((t) => t.name);
          assert.equal(got, expected, `${sort} ${query} ${JSON.stringify(options)} limit ${limit}`);
        }
      }
    }
  } finally {
    await cleanup();
  }
});

test('starters are real pygubu interfaces with the widgets the Python tool ships', async () => {
  const byName = Object.fromEntries(STARTER_TEMPLATES.map((t) => [t.name, t.files.find((f) => f.path.endsWith('.ui'))!.content]));
  assert.match(byName.login!, /ttk\.Entry" id="username_entry"/);
  assert.match(byName.login!, /<property name="show">\*<\/property>/);
  assert.match(byName.login!, /ttk\.Button" id="login_button"/);
  for (const id of ['name_entry', 'add_button', 'update_button', 'delete_button', 'records_tree', 'id_column', 'name_column']) assert.match(byName.crud!, new RegExp(`id="${id}"`));
  assert.match(byName.settings!, /<property name="values">Light Dark<\/property>/);
  for (const id of ['autosave_check', 'notifications_check', 'save_button', 'cancel_button']) assert.match(byName.settings!, new RegExp(`id="${id}"`));
  const { checkUi } = await import('../src/domain/templates.js');
  for (const [name, content] of Object.entries(byName)) checkUi(`${name}.ui`, content);
});

test.run();
