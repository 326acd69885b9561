import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { json, run, tempDir } from './helpers.js';

const UI = `<?xml version='1.0' encoding='utf-8'?>
<interface version="1.3">
  <object class="tk.Toplevel" id="main"><property name="title">Demo</property></object>
</interface>
`;

let home = '';
let work = '';
let cleanup: () => Promise<void> = async () => {};
const env = () => ({ PYGUBUAI_HOME: home, USER: 'tester' });
const tpl = (args: string[], cwd?: string) => run('pygubu-template', args, { env: env(), ...(cwd ? { cwd } : {}) });

test.before(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  home = join(t.dir, 'home');
  work = join(t.dir, 'work');
  await mkdir(home);
  await mkdir(work);
});
test.after(() => cleanup());

test('pygubu-db init publishes the three starters once', async () => {
  const first = json(await run('pygubu-db', ['init', '--json'], { env: env() }));
  assert.equal(first.starters.published, ['login@1.0.0', 'crud@1.0.0', 'settings@1.0.0']);
  const second = json(await run('pygubu-db', ['init', '--json'], { env: env() }));
  assert.equal(second.starters.published, []);
  assert.is(second.events, first.events);
  const seed = json(await tpl(['seed', '--json']));
  assert.equal(seed.published, []);
  const empty = json(await run('pygubu-db', ['init', '--no-starters', '--json', '--store', join(work, 'empty-store')], { env: env() }));
  assert.equal([empty.events, empty.starters.published], [0, []]);
  const list = json(await tpl(['list', '--json']));
  assert.equal(list.map((t: { name: string; author: string }) => [t.name, t.author]), [['crud', 'pygubuai'], ['login', 'pygubuai'], ['settings', 'pygubuai']]);
});

test('publish a directory, search it, install it byte-identical, rate, review, deprecate', async () => {
  const src = join(work, 'src');
  await mkdir(src);
  await writeFile(join(src, 'demo.ui'), UI);
  await writeFile(join(src, 'demo.py'), 'import pygubu\n');
  await writeFile(join(src, 'README.md'), '# Demo\n');
  await writeFile(join(src, 'notes.txt'), 'not part of a template');
  const pub = await tpl(['publish', src, '--name', 'demo', '--version', '1.0.0', '--description', 'Demo window', '--tags', 'demo,window', '--json']);
  assert.is(pub.code, 0, pub.stderr);
  const doc = json(pub);
  assert.ok(doc.published);
  assert.equal(doc.version.files.map((f: { path: string }) => f.path), ['README.md', 'demo.py', 'demo.ui']);
  assert.is(doc.template.author, 'tester', 'author defaults to $USER');
  const same = json(await tpl(['publish', src, '--name', 'demo', '--version', '1.0.0', '--json']));
  assert.not.ok(same.published, 'same version, same content: no-op');

  const found = json(await tpl(['search', 'demo', '--tag', 'window', '--author', 'tester', '--sort', 'recent', '--json']));
  assert.equal(found.map((t: { name: string }) => t.name), ['demo']);
  const human = await tpl(['search', 'window']);
  assert.match(human.stdout, /NAME\s+VERSION\s+DOWNLOADS/);
  assert.match(human.stdout, /demo\s+1\.0\.0\s+0/);

  const dest = join(work, 'out');
  const inst = await tpl(['install', 'demo@^1.0.0', '--dest', dest, '--json']);
  assert.is(inst.code, 0, inst.stderr);
  assert.is(json(inst).downloads, 1);
  for (const f of ['demo.ui', 'demo.py', 'README.md']) {
    assert.ok((await readFile(join(dest, 'demo', f))).equals(await readFile(join(src, f))), f);
  }
  assert.equal((await readdir(join(dest, 'demo'))).sort(), ['README.md', 'demo.py', 'demo.ui']);
  const again = await tpl(['install', 'demo', '--dest', dest]);
  assert.is(again.code, 1);
  assert.match(again.stderr, /\(TEMPLATE_FILE_EXISTS\)/);
  const forced = await tpl(['install', 'demo', '--force'], dest);
  assert.is(forced.code, 0, forced.stderr);

  await writeFile(join(home, 'config.json'), JSON.stringify({ user: 'from-config' }));
  const rated = json(await tpl(['rate', 'demo', '4', '--review', 'solid', '--json']));
  assert.is(rated.rating.user, 'from-config', 'user comes from config.json first');
  json(await tpl(['rate', 'demo', '2', '--user', 'zed', '--review', 'meh', '--json']));
  json(await tpl(['rate', 'demo', '5', '--review', 'even better', '--json']));
  const reviews = json(await tpl(['reviews', 'demo', '--json']));
  assert.is(reviews.rating, 3.5);
  assert.equal(reviews.reviews.map((r: { user: string; review: string }) => [r.user, r.review]), [['from-config', 'even better'], ['zed', 'meh']]);

  const info = json(await tpl(['info', 'demo', '--json']));
  assert.equal([info.downloads, info.ratings, info.latest], [2, 2, '1.0.0']);

  const dep = await tpl(['deprecate', 'demo@1.0.0', '--reason', 'superseded']);
  assert.is(dep.code, 0, dep.stderr);
  assert.equal(json(await tpl(['search', 'demo', '--json'])), []);
  assert.is(json(await tpl(['search', 'demo', '--all', '--json'])).length, 1);
  const warned = await tpl(['install', 'demo', '--dest', join(work, 'out2')]);
  assert.is(warned.code, 0);
  assert.match(warned.stderr, /warning: demo@1\.0\.0 is deprecated: superseded/);
  const versions = json(await tpl(['versions', 'demo', '--json']));
  assert.equal(versions.map((v: { version: string; downloads: number; deprecated: string }) => [v.version, v.downloads, v.deprecated]), [['1.0.0', 3, 'superseded']]);
});

test('--as-of before and after a publish', async () => {
  const file = join(work, 'solo.ui');
  await writeFile(file, UI);
  const head = json(await run('pygubu-db', ['stats', '--json'], { env: env() })).events as number;
  assert.is((await tpl(['publish', file, '--name', 'solo', '--version', '0.1.0'])).code, 0);
  const before = await tpl(['info', 'solo', '--as-of', String(head), '--json']);
  assert.is(before.code, 1);
  assert.is(json(before).error.code, 'TEMPLATE_NOT_FOUND');
  const after = json(await tpl(['info', 'solo', '--as-of', String(head + 1), '--json']));
  assert.is(after.latest, '0.1.0');
  assert.equal(json(await tpl(['search', 'solo', '--as-of', String(head), '--json'])), []);
});

test('bad input: one coded error line, exit 1 (2 for usage), nothing written', async () => {
  const head = () => run('pygubu-db', ['stats', '--json'], { env: env() }).then((r) => json(r).events as number);
  const start = await head();
  const notUi = join(work, 'x.ui');
  await writeFile(notUi, '<html><body/></html>');
  const binary = join(work, 'bin');
  await mkdir(binary);
  await writeFile(join(binary, 'a.ui'), UI);
  await writeFile(join(binary, 'b.py'), Buffer.from([0x80, 0x81, 0xfe]));
  const big = join(work, 'big');
  await mkdir(big);
  await writeFile(join(big, 'a.ui'), UI);
  await writeFile(join(big, 'README.md'), 'x'.repeat(1024 * 1024 + 1));
  const cases: Array<[string[], string]> = [
    [['publish', notUi, '--name', 'x', '--version', '1.0.0'], 'TEMPLATE_UI_INVALID'],
    [['publish', binary, '--name', 'x', '--version', '1.0.0'], 'TEMPLATE_FILE_NOT_TEXT'],
    [['publish', big, '--name', 'x', '--version', '1.0.0'], 'TEMPLATE_TOO_LARGE'],
    [['publish', join(work, 'missing'), '--name', 'x', '--version', '1.0.0'], 'PATH_NOT_FOUND'],
    [['publish', join(work, 'solo.ui'), '--name', '../evil', '--version', '1.0.0'], 'TEMPLATE_NAME_INVALID'],
    [['publish', join(work, 'solo.ui'), '--name', 'solo', '--version', 'one'], 'TEMPLATE_VERSION_INVALID'],
    [['publish', join(work, 'solo.ui'), '--name', 'solo', '--version', '0.0.9'], 'TEMPLATE_VERSION_NOT_NEWER'],
    [['install', 'nope'], 'TEMPLATE_NOT_FOUND'],
    [['install', 'login@???'], 'TEMPLATE_VERSION_INVALID'],
    [['install', '../../etc'], 'TEMPLATE_NAME_INVALID'],
    [['rate', 'login', '4.5'], 'TEMPLATE_RATING_INVALID'],
    [['rate', 'login', 'five'], 'TEMPLATE_RATING_INVALID'],
  ];
  for (const [args, expected] of cases) {
    const r = await tpl(args);
    assert.is(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^error: .*\\(${expected}\\)\\n`), args.join(' '));
    assert.not.match(r.stderr, /    at /, 'no stack trace');
  }
  const usage = await tpl(['search', 'x', '--sort', 'stars']);
  assert.is(usage.code, 2);
  assert.is(await head(), start, 'no event appended by any of them');

  // symlinked destination: DIR/<name> points elsewhere
  const outside = join(work, 'outside');
  await mkdir(outside);
  const dest = join(work, 'linked');
  await mkdir(dest);
  await symlink(outside, join(dest, 'login'));
  const r = await tpl(['install', 'login', '--dest', dest, '--force']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /\(TEMPLATE_DEST_UNSAFE\)/);
  assert.equal(await readdir(outside), []);
  assert.is(await head(), start, 'a refused install counts no download');
});

test('rebuild and verify agree with the templates view', async () => {
  const rebuilt = await run('pygubu-db', ['rebuild', 'templates', '--json'], { env: env() });
  assert.is(rebuilt.code, 0, rebuilt.stderr);
  const verify = await run('pygubu-db', ['verify', '--json'], { env: env() });
  assert.is(verify.code, 0, verify.stderr);
  assert.ok(json(verify).ok);
});

test.run();
