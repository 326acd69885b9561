import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exportLegacy, importLegacy } from '../src/legacy/index.js';
import { parseRegistryModel, serializeRegistry } from '../src/legacy/model.js';
import { json, ROOT, run, tempDir, tempStore } from './helpers.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'lossless-files.py');
const WORKFLOWS = ['app', 'old', 'both'].map((d) => join(d, '.pygubu-workflow.json'));

/** The env of a spawned bin: its own HOME and PYGUBUAI_HOME in the temp dir, never the user's. */
const envOf = (dir: string) => ({ HOME: join(dir, 'home'), PYGUBUAI_HOME: join(dir, 'home', '.pygubuai'), PYGUBUAI_REGISTRY_PATH: join(dir, 'registry.json') });

async function pythonFiles(dir: string): Promise<Map<string, Buffer>> {
  execFileSync('python3', [FIXTURE, dir]);
  await mkdir(join(dir, 'home'), { recursive: true });
  const files = new Map<string, Buffer>();
  for (const f of ['registry.json', ...WORKFLOWS]) files.set(f, await readFile(join(dir, f)));
  return files;
}

test('files the Python tool wrote with every odd value: migrate, then export-json gives them back byte for byte', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const before = await pythonFiles(dir);
    await chmod(join(dir, 'registry.json'), 0o600);
    const env = envOf(dir);
    const migrated = await run('pygubu-db', ['migrate', '--json'], { env });
    assert.is(migrated.code, 0, migrated.stderr);
    const report = json(migrated);
    const reg = report.files.find((f: { kind: string }) => f.kind === 'registry');
    assert.match(reg.flagged.join('\n'), /project "nopath": "path" is missing/);
    assert.match(reg.flagged.join('\n'), /"created" is a number; kept as written/);
    const app = report.files.find((f: { project?: string }) => f.project === 'app');
    assert.is(app.status, 'imported');
    assert.is(app.imported, 9, 'all 8 history entries (odd ones too) and the top level');
    assert.match(app.flagged.join('\n'), /history entry 3: "action" is missing/);
    assert.match(app.flagged.join('\n'), /history entry 7 is a string/);
    for (const f of before.keys()) await rename(join(dir, f), join(dir, `${f}.orig`));
    for (const d of ['app', 'old', 'both']) await writeFile(join(dir, d, '.pygubu-workflow.json'), '{}');
    await writeFile(join(dir, 'registry.json'), '{}');
    await chmod(join(dir, 'registry.json'), 0o600);
    const exported = await run('pygubu-db', ['export-json'], { env });
    assert.is(exported.code, 0, exported.stderr);
    for (const [f, bytes] of before) {
      const now = await readFile(join(dir, f));
      assert.ok(now.equals(bytes), `${f} differs from what the Python tool wrote:\n${now.toString().slice(0, 400)}`);
    }
    assert.is((await stat(join(dir, 'registry.json'))).mode & 0o777, 0o600, "the registry's mode is kept");
    assert.ok((await readdir(dir)).every((f) => !f.endsWith('.tmp')), 'no temporary file left');
  } finally {
    await cleanup();
  }
});

test("the store's views work on such data: the empty name, a tab in a name, 10,000 tags, search; an edit changes only its fields", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await pythonFiles(dir);
    const env = envOf(dir);
    assert.is((await run('pygubu-db', ['migrate'], { env })).code, 0);
    const empty = await run('pygubu-db', ['project', 'show', '', '--json'], { env });
    assert.is(empty.code, 0, empty.stderr);
    assert.is(json(empty).name, '');
    const tab = await run('pygubu-db', ['project', 'show', 'tab\there', '--json'], { env });
    assert.is(json(tab).description, 'keys in another order');
    const long = json(await run('pygubu-db', ['project', 'show', 'n'.repeat(4096), '--json'], { env }));
    assert.is(long.tags.length, 10_006, 'duplicate and empty tags are kept');
    assert.is(long.tags[10_005].length, 5000, 'a long tag');
    assert.is(long.description.length, 1024 * 1024);
    const found = json(await run('pygubu-db', ['project', 'search', 't8999', '--json'], { env }));
    assert.equal(found.map((p: { name: string }) => p.name.length), [4096]);
    const ordered = json(await run('pygubu-db', ['project', 'list', '--sort', 'order', '--json'], { env }));
    assert.equal(ordered.slice(0, 3).map((p: { name: string }) => p.name), ['app', '', 'tab\there'], "the registry's insertion order");
    const tagged = json(await run('pygubu-db', ['project', 'list', '--tag', 'forms', '--json'], { env }));
    assert.equal(tagged.map((p: { name: string }) => p.name), ['app']);
    const updated = await run('pygubu-db', ['project', 'update', 'tab\there', '--description', 'edited'], { env });
    assert.is(updated.code, 0, updated.stderr);
    assert.is((await run('pygubu-db', ['export-json'], { env })).code, 0);
    const text = await readFile(join(dir, 'registry.json'), 'utf8');
    const entry = /"tab\\there": (\{[^}]*\})/.exec(text)?.[1] ?? '';
    assert.match(entry, /^\{\n      "tags": \[\n        "x"\n      \],\n      "path": "[^"]+",\n      "description": "edited",\n      "modified": "\d{4}-[^"]+"\n    \}$/, 'set in place, the missing "modified" goes last, key order kept');
    assert.match(text, /"rel": "p\/real",/, 'an untouched old string path is written as it was');
    assert.match(text, /"active": "ghost",\n  "active_project": null,/, 'a dangling active is kept');
  } finally {
    await cleanup();
  }
});

test('export writes through a symlinked registry to its target, atomically at the target', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const before = await pythonFiles(dir);
    await mkdir(join(dir, 'real'));
    await rename(join(dir, 'registry.json'), join(dir, 'real', 'registry.json'));
    await symlink(join('real', 'registry.json'), join(dir, 'registry.json'));
    await chmod(join(dir, 'real', 'registry.json'), 0o640);
    const env = envOf(dir);
    assert.is((await run('pygubu-db', ['migrate'], { env })).code, 0);
    await writeFile(join(dir, 'real', 'registry.json'), '{"projects": {}}');
    assert.is((await run('pygubu-db', ['export-json', '--no-workflows'], { env })).code, 0);
    assert.ok((await lstat(join(dir, 'registry.json'))).isSymbolicLink(), 'the link is still a link');
    assert.is(await readlink(join(dir, 'registry.json')), join('real', 'registry.json'));
    assert.ok((await readFile(join(dir, 'real', 'registry.json'))).equals(before.get('registry.json')!));
    assert.is((await stat(join(dir, 'real', 'registry.json'))).mode & 0o777, 0o640);
    assert.equal((await readdir(join(dir, 'real'))).sort(), ['registry.json'], 'the temporary file was beside the target');
  } finally {
    await cleanup();
  }
});

test('a refused migrate or load creates no store directory; a FIFO or /dev/zero registry is refused without hanging', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = envOf(dir);
    await mkdir(join(dir, 'home'));
    const store = join(dir, 'home', '.pygubuai');
    await writeFile(join(dir, 'registry.json'), '{"projects": {"a": {"path": "/x"');
    const broken = await run('pygubu-db', ['migrate'], { env });
    assert.is(broken.code, 1);
    assert.match(broken.stderr, /\(LEGACY_INVALID_JSON\)/);
    assert.is(await stat(store).catch(() => undefined), undefined, 'no store directory after a refused migrate');
    const strict = await run('pygubu-db', ['migrate', '--json', '--strict'], { env: { ...env, PYGUBUAI_REGISTRY_PATH: join(dir, 'missing.json') } });
    assert.is(strict.code, 1);
    assert.is(await stat(store).catch(() => undefined), undefined);
    await writeFile(join(dir, 'bad.ndjson'), '{"not": "a dump"}\n');
    const load = await run('pygubu-db', ['load', join(dir, 'bad.ndjson')], { env });
    assert.is(load.code, 1);
    assert.is(await stat(store).catch(() => undefined), undefined, 'no store directory after a refused load');
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    const fifo = await run('pygubu-db', ['migrate', '--registry', join(dir, 'fifo.json')], { env, timeoutMs: 20_000 });
    assert.is(fifo.signal, null, 'did not hang on a FIFO');
    assert.match(fifo.stderr, /not a regular file \(LEGACY_UNREADABLE\)/);
    await symlink('/dev/zero', join(dir, 'zero.json'));
    const zero = await run('pygubu-db', ['migrate', '--registry', join(dir, 'zero.json')], { env, timeoutMs: 20_000 });
    assert.is(zero.signal, null, 'did not read /dev/zero for ever');
    assert.match(zero.stderr, /not a regular file \(LEGACY_UNREADABLE\)/);
    assert.is(await stat(store).catch(() => undefined), undefined);
  } finally {
    await cleanup();
  }
});

test('a v1 event with unknown keys (an older store) is upcast: its row and export keep those keys', async () => {
  const { store, dir, cleanup } = await tempStore();
  try {
    await store.append({
      stream: 'project-p1',
      type: 'project.registered',
      v: 1,
      data: { name: 'old', path: join(dir, 'old'), description: 'd', tags: ['a'], created: null, modified: null, extra: { colour: 'blue' } },
    } as never);
    await store.append({ stream: 'workflow-p1', type: 'workflow.recorded', v: 1, data: { timestamp: '2024-01-01T00:00:00+00:00', action: 'x', description: '', extra: { mood: 1 } } } as never);
    const row = await store.views.projects.byName('old');
    assert.is(row?.legacy?.entry, `{\n  "path": ${JSON.stringify(join(dir, 'old'))},\n  "created": null,\n  "modified": null,\n  "description": "d",\n  "tags": [\n    "a"\n  ],\n  "colour": "blue"\n}`);
    const [entry] = await store.views.history.list('p1');
    assert.match(entry?.legacy?.entry ?? '', /"mood": 1\n\}$/);
    await exportLegacy(store.views, { registryPath: join(dir, 'out.json'), workflows: false });
    assert.match(await readFile(join(dir, 'out.json'), 'utf8'), /"colour": "blue"/);
  } finally {
    await cleanup();
  }
});

test('parse → serialize is the identity on what Python wrote (big ints, 2.0, NaN, repeated keys as Python reads them)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const text = execFileSync('python3', ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read()), indent=2))'], {
      input: '{"projects": {"b": {"n": 12345678901234567890, "f": 2.0, "x": NaN, "e": 1E5, "z": -0, "k": 1, "k": 2}, "a": "p"}, "active": null}',
    }).toString();
    assert.ok(text.includes('"k": 2') && text.includes('100000.0') && text.includes('"z": 0'));
    const model = parseRegistryModel(text, 'r.json');
    assert.is(serializeRegistry(model), text);
    const odd = parseRegistryModel('{"projects": {"b": {"n": 1E5, "z": -0, "k": 1, "k": 2}, "a": "p"}}', 'r.json');
    assert.is(serializeRegistry(odd), '{\n  "projects": {\n    "b": {\n      "n": 100000.0,\n      "z": 0,\n      "k": 2\n    },\n    "a": "p"\n  }\n}', 'what Python writes after reading it');
    const { store, cleanup: close } = await tempStore();
    try {
      await writeFile(join(dir, 'r.json'), text);
      await importLegacy(store, { registryPath: join(dir, 'r.json') });
      await exportLegacy(store.views, { registryPath: join(dir, 'out.json') });
      assert.is(await readFile(join(dir, 'out.json'), 'utf8'), text);
    } finally {
      await close();
    }
  } finally {
    await cleanup();
  }
});

test.run();
