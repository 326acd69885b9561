// Regressions for defects a review of the merged tree found (dump through a symlink, scan hanging
// on a device file, raw file-system errors reported as INTERNAL).
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { json, run, tempDir } from './helpers.js';

test('dump onto a path that is a symlink replaces the link, never writes through it', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { HOME: dir, PYGUBUAI_HOME: join(dir, 'home') };
    assert.is((await run('pygubu-db', ['init', '--no-starters'], { env })).code, 0);
    const victim = join(dir, 'victim.txt');
    await writeFile(victim, 'precious');
    const out = join(dir, 'out.dump');
    await symlink(victim, out);
    const r = await run('pygubu-db', ['dump', out], { env });
    assert.is(r.code, 0, r.stderr);
    assert.is(await readFile(victim, 'utf8'), 'precious');
    assert.match(await readFile(out, 'utf8'), /^\{/);
    assert.equal((await readdir(dir)).filter((f) => f.includes('.tmp')), [], 'no temporary file left behind');
  } finally {
    await cleanup();
  }
});

test('scan reports a .ui link to a device (outside the project) as a problem and goes on instead of hanging', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { HOME: dir, PYGUBUAI_HOME: join(dir, 'home') };
    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'main.ui'), '<interface><object class="ttk.Frame" id="f"/></interface>');
    await symlink('/dev/zero', join(app, 'zero.ui'));
    assert.is((await run('pygubu-db', ['project', 'add', app, '--name', 'app'], { env })).code, 0);
    const r = await run('pygubu-analytics', ['scan', '--all', '--json'], { env, timeoutMs: 20_000 });
    assert.is(r.signal, null, 'the scan finished by itself');
    const report = json(r);
    assert.is(report.recorded, 1);
    assert.equal(report.problems.map((p: { file: string; reason: string }) => [p.file, p.reason]), [['zero.ui', 'a symbolic link to a file outside the project; not followed']]);
  } finally {
    await cleanup();
  }
});

test('a file that cannot be written is FILE_IO, not INTERNAL, and names no temporary file', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { HOME: dir, PYGUBUAI_HOME: join(dir, 'home') };
    assert.is((await run('pygubu-db', ['init', '--no-starters'], { env })).code, 0);
    const r = await run('pygubu-db', ['export-json', '--registry', join(dir, 'no-such-dir', 'reg.json')], { env });
    assert.is(r.code, 1);
    assert.match(r.stderr, /^error: cannot write .*reg\.json: ENOENT \(FILE_IO\)$/m);
    assert.not.match(r.stderr, /\.tmp|INTERNAL/);
  } finally {
    await cleanup();
  }
});

test.run();
