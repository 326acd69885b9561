import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode } from '../src/log/codec.js';
import { encodeEntry } from '../src/log/entry.js';
import type { StoredEvent } from '../src/log/envelope.js';
import { FORMAT_KEY, idKey, logKey, streamKey } from '../src/log/keys.js';
import { loadDump, openStore, restoreStore, StoreError, type Store } from '../src/index.js';
import { json, run, tempDir, tempStore } from './helpers.js';
import { storeDigest } from './reliability/fuzz-targets.js';
import { craft, envelopes, patchedMsgpack, published, registered, UI, type Crafted } from './safety-fixtures.js';

// Issue 11, "every way in enforces the same rules": what a command refuses, a dump (load) and a
// backup (restore) are refused too, naming the line or byte offset and the rule; nothing changes.

async function refused(work: () => Promise<unknown>): Promise<StoreError> {
  try {
    await work();
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error('expected a StoreError, it succeeded');
}

/** A store with one project, and the digest of all its keys. */
async function liveStore(): Promise<{ store: Store; dir: string; location: string; cleanup: () => Promise<void>; digest: string }> {
  const t = await tempStore();
  await t.store.projects.register({ name: 'keep', path: '/srv/keep' });
  return { ...t, digest: await storeDigest(t.store) };
}

/**
 * Load the events as an ndjson dump and restore them as an ndjson and a msgpack backup: each is
 * refused with DUMP_CORRUPT naming the record and `rule`, and the store is unchanged.
 */
async function refusedEverywhere(events: Crafted[], rule: string, where: { line: number }, msgpackRule = rule): Promise<void> {
  const t = await liveStore();
  try {
    const dump = join(t.dir, 'crafted.ndjson');
    await craft(dump, 'dump', 'ndjson', events);
    const load = await refused(() => loadDump(t.store, dump));
    assert.is(load.code, 'DUMP_CORRUPT', load.message);
    assert.is(load.details?.rule, rule, load.message);
    assert.is(load.details?.line, where.line, load.message);
    assert.ok(load.message.startsWith(`line ${where.line}: `), load.message);
    assert.is(await storeDigest(t.store), t.digest, 'a refused load changed nothing');
    await t.store.close();

    for (const encoding of ['ndjson', 'msgpack'] as const) {
      const backup = join(t.dir, `crafted.${encoding}.backup`);
      await craft(backup, 'backup', encoding, events);
      const err = await refused(() => restoreStore(t.location, backup));
      assert.is(err.code, 'DUMP_CORRUPT', err.message);
      assert.is(err.details?.rule, encoding === 'msgpack' ? msgpackRule : rule, `${encoding}: ${err.message}`);
      if (encoding === 'ndjson') assert.ok(err.message.startsWith(`line ${where.line}: `), err.message);
      else assert.match(err.message, /^byte offset \d+: /);
      const again = await openStore({ location: t.location, sync: false });
      assert.is(await storeDigest(again), t.digest, `a refused ${encoding} restore changed nothing`);
      await again.close();
    }
  } finally {
    await t.cleanup();
  }
}

test('two live projects with one name: refused by append, load and restore', async () => {
  const events = envelopes([
    { stream: 'project-a1', type: 'project.registered', data: registered('twin') },
    { stream: 'project-a2', type: 'project.registered', data: registered('twin') },
  ]);
  await refusedEverywhere(events, 'PROJECT_EXISTS', { line: 3 });
  const { store, cleanup } = await tempStore();
  try {
    await store.append({ stream: 'project-b1', type: 'project.registered', data: registered('twin') });
    const err = await refused(() => store.append({ stream: 'project-b2', type: 'project.registered', data: registered('twin') }));
    assert.is(err.code, 'PROJECT_EXISTS');
    assert.is(store.log.head, 1);
    assert.is(await store.views.projects.count(), 1);
  } finally {
    await cleanup();
  }
});

test('a rename onto a taken name: refused by load and restore', async () => {
  const events = envelopes([
    { stream: 'project-a1', type: 'project.registered', data: registered('first') },
    { stream: 'project-a2', type: 'project.registered', data: registered('second') },
    { stream: 'project-a2', type: 'project.renamed', data: { from: 'second', to: 'first' } },
  ]);
  await refusedEverywhere(events, 'PROJECT_EXISTS', { line: 4 });
});

test('a dump that only re-registers an existing project under its own name is still accepted', async () => {
  const t = await liveStore();
  try {
    const row = (await t.store.views.projects.byName('keep'))!;
    const dump = join(t.dir, 'same.ndjson');
    await craft(dump, 'dump', 'ndjson', envelopes([{ stream: 'project-new', type: 'project.registered', data: registered('fresh') }]));
    const report = await loadDump(t.store, dump);
    assert.is(report.loaded, 1);
    assert.is((await t.store.views.projects.byName('keep'))?.id, row.id);
    assert.ok((await t.store.verify()).ok);
  } finally {
    await t.cleanup();
  }
});

test('template versions that are not strict semver are refused by load and restore', async () => {
  for (const version of ['1.0.0garbage', '1.0.0\u0000x', '01.0.0', '1.0.0+build', '1.0.99999999999999999']) {
    const events = envelopes([{ stream: 'template-demo', type: 'template.published', data: published('demo', version) }]);
    const t = await liveStore();
    try {
      const dump = join(t.dir, 'v.ndjson');
      await craft(dump, 'dump', 'ndjson', events);
      const err = await refused(() => loadDump(t.store, dump));
      assert.is(err.code, 'DUMP_CORRUPT', `${JSON.stringify(version)}: ${err.message}`);
      assert.ok(['VALIDATION_FAILED', 'TEMPLATE_VERSION_INVALID'].includes(String(err.details?.rule)), err.message);
      assert.is(await storeDigest(t.store), t.digest);
    } finally {
      await t.cleanup();
    }
  }
  await refusedEverywhere(
    envelopes([{ stream: 'template-demo', type: 'template.published', data: published('demo', '1.0.99999999999999999') }]),
    'TEMPLATE_VERSION_INVALID',
    { line: 2 },
  );
});

test('template versions out of order (2.0.0, then 1.0.0) and a version published twice are refused', async () => {
  await refusedEverywhere(
    envelopes([
      { stream: 'template-demo', type: 'template.published', data: published('demo', '2.0.0') },
      { stream: 'template-demo', type: 'template.published', data: published('demo', '1.0.0') },
    ]),
    'TEMPLATE_VERSION_NOT_NEWER',
    { line: 3 },
  );
  await refusedEverywhere(
    envelopes([
      { stream: 'template-demo', type: 'template.published', data: published('demo', '1.0.0') },
      { stream: 'template-demo', type: 'template.published', data: published('demo', '1.0.0', [{ path: 'main.ui', content: UI.replace('main', 'other') }]) },
    ]),
    'TEMPLATE_VERSION_EXISTS',
    { line: 3 },
  );
});

test("a template's files: size limit, XML, sha256, hash and unique names hold through load and restore", async () => {
  const half = '# padding\n'.repeat(60_000); // 600,000 bytes: each file within its schema limit, together over 1 MiB
  const cases: Array<[string, ReturnType<typeof published>]> = [
    ['TEMPLATE_TOO_LARGE', published('demo', '1.0.0', [{ path: 'README.md', content: half }, { path: 'main.ui', content: UI }, { path: 'notes.py', content: half }])],
    ['TEMPLATE_UI_INVALID', published('demo', '1.0.0', [{ path: 'main.ui', content: '<interface><object>' }])],
    ['TEMPLATE_UI_INVALID', published('demo', '1.0.0', [{ path: 'main.ui', content: '<!DOCTYPE interface [<!ENTITY x SYSTEM "file:///etc/passwd">]><interface>&x;</interface>' }])],
    ['TEMPLATE_UI_INVALID', published('demo', '1.0.0', [{ path: 'notes.py', content: 'print(1)\n' }])],
    ['TEMPLATE_FILE_INVALID', published('demo', '1.0.0', [{ path: 'main.ui', content: UI }, { path: 'main.ui', content: UI }])],
  ];
  const tampered = published('demo', '1.0.0');
  tampered.files[0]!.content = UI.replace('main', 'evil');
  cases.push(['TEMPLATE_CONTENT_MISMATCH', tampered]);
  const rehashed = published('demo', '1.0.0');
  rehashed.hash = '0'.repeat(64);
  cases.push(['TEMPLATE_CONTENT_MISMATCH', rehashed]);
  for (const [rule, data] of cases) {
    await refusedEverywhere(envelopes([{ stream: 'template-demo', type: 'template.published', data }]), rule, { line: 2 });
  }
});

test('restore makes the checks load makes: duplicate ids, lone surrogates, __proto__ keys, nesting', async () => {
  const wf = (extra: unknown, id?: string, description = '') => ({
    stream: 'workflow-w1',
    type: 'workflow.recorded',
    ...(id ? { id } : {}),
    data: { timestamp: '2025-03-01T10:00:00', action: 'build', description, extra },
  });
  await refusedEverywhere(envelopes([wf({}, 'same-id'), wf({}, 'same-id')]), 'DUMP_CORRUPT', { line: 3 });
  let deep: unknown = 1;
  for (let i = 0; i < 70; i++) deep = [deep];
  await refusedEverywhere(envelopes([wf({ deep })]), 'VALIDATION_FAILED', { line: 2 });
  // (msgpack has no form for it: the encoder writes WTF-8 bytes, which the byte check refuses)
  await refusedEverywhere(envelopes([wf({}, undefined, 'half \uD800 pair')]), 'VALIDATION_FAILED', { line: 2 }, 'DUMP_CORRUPT');
  await refusedEverywhere(envelopes([wf(JSON.parse('{"__proto__": {"polluted": true}}'))]), 'VALIDATION_FAILED', { line: 2 }, 'DUMP_CORRUPT');

  // msgpack: the decoder would turn bad UTF-8 (a lone surrogate as WTF-8) into U+FFFD and rename
  // __proto__ to __proto_; both are refused rather than stored as something else
  const t = await liveStore();
  try {
    const [surrogate] = envelopes([wf({}, undefined, 'half XXX pair')]);
    const [proto] = envelopes([wf(JSON.parse('{"__proto__": 1}'))]);
    for (const [name, bytes] of [
      ['surrogate', patchedMsgpack(surrogate, 'XXX', [0xed, 0xa0, 0x80])],
      ['proto', Buffer.from((await import('msgpackr')).pack(proto))],
    ] as const) {
      const backup = join(t.dir, `${name}.backup`);
      await craft(backup, 'backup', 'msgpack', [bytes]);
      await t.store.close();
      const err = await refused(() => restoreStore(t.location, backup));
      assert.is(err.code, 'DUMP_CORRUPT', err.message);
      assert.match(err.message, /^byte offset \d+: .*(U\+FFFD|__proto_)/);
      const dump = join(t.dir, `${name}.dump`);
      await craft(dump, 'dump', 'msgpack', [bytes]);
      t.store = await openStore({ location: t.location, sync: false });
      assert.is((await refused(() => loadDump(t.store, dump))).code, 'DUMP_CORRUPT');
      assert.is(await storeDigest(t.store), t.digest);
    }
  } finally {
    await t.cleanup();
  }
});

test('64-bit integers from msgpack: within 2^53 restored as numbers (log, dump, export-json work), beyond refused', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { HOME: dir, PYGUBUAI_HOME: join(dir, 'home'), PYGUBUAI_REGISTRY_PATH: join(dir, 'registry.json') };
    const location = join(dir, 'store');
    const reg = (n: bigint) =>
      envelopes([
        { stream: 'project-p1', type: 'project.registered', data: { ...registered('big', join(dir, 'app')), extra: { size: n } } },
        { stream: 'workflow-p1', type: 'workflow.recorded', data: { timestamp: '2025-03-01T10:00:00', action: 'build', description: '', extra: { n } } },
      ]);
    const huge = join(dir, 'huge.backup');
    await craft(huge, 'backup', 'msgpack', reg(2n ** 60n));
    const err = await refused(() => restoreStore(location, huge));
    assert.is(err.code, 'DUMP_CORRUPT');
    assert.match(err.message, /^byte offset \d+: .*beyond ±2\^53/);

    const fine = join(dir, 'fine.backup');
    await craft(fine, 'backup', 'msgpack', reg(2n ** 40n));
    assert.is((await restoreStore(location, fine)).restored, true);
    const db = (...args: string[]) => run('pygubu-db', ['--store', location, ...args], { env });
    const log = await db('log', '--json');
    assert.is(log.code, 0, log.stderr);
    // v1's `extra` is upcast into the lossless legacy entry text; the number survives exactly
    assert.ok(JSON.stringify(json(log)[0].data).includes(String(2 ** 40)), JSON.stringify(json(log)[0].data));
    const dump = await db('dump', join(dir, 'out.ndjson'));
    assert.is(dump.code, 0, dump.stderr);
    const exported = await db('export-json', '--no-workflows', '--registry', join(dir, 'registry.json'));
    assert.is(exported.code, 0, exported.stderr);
    assert.is((await db('verify')).code, 0);
  } finally {
    await cleanup();
  }
});

test('a malformed m!format is STORE_CORRUPT for every command, and restore can still replace the store', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { HOME: dir, PYGUBUAI_HOME: join(dir, 'home') };
    const location = join(dir, 'store');
    const source = await openStore({ location: join(dir, 'source'), sync: false });
    await source.projects.register({ name: 'saved', path: '/srv/saved' });
    const { backupStore } = await import('../src/index.js');
    await backupStore(source, join(dir, 'good.backup'));
    await source.close();

    for (const bad of [null, 7, { version: 'one' }, {}]) {
      const store = await openStore({ location, sync: false });
      await store.projects.register({ name: 'doomed', path: '/srv/doomed' });
      await store.db.put(FORMAT_KEY, encode(bad));
      await store.close();
      for (const args of [['stats'], ['project', 'list'], ['log']]) {
        const r = await run('pygubu-db', ['--store', location, ...args], { env });
        assert.is(r.code, 1, `${JSON.stringify(bad)} ${args}`);
        assert.match(r.stderr, /^error: store .* is damaged: its format key m!format holds .*\(STORE_CORRUPT\)\n/);
      }
      const restored = await run('pygubu-db', ['--store', location, 'restore', join(dir, 'good.backup'), '--yes', '--json'], { env });
      assert.is(restored.code, 0, restored.stderr);
      const list = await run('pygubu-db', ['--store', location, 'project', 'list', '--json'], { env });
      assert.equal(json(list).map((p: { name: string }) => p.name), ['saved']);
    }
  } finally {
    await cleanup();
  }
});

test('a malformed checkpoint makes open rebuild the views instead of failing', async () => {
  const { store, location, cleanup } = await tempStore();
  try {
    await store.projects.register({ name: 'one', path: '/srv/one' });
    await store.db.put('c!inline', encode({ seq: 1 })); // no projections: the old open threw a TypeError
    await store.close();
    const again = await openStore({ location, sync: false });
    assert.is((await again.views.projects.byName('one'))?.name, 'one');
    assert.ok((await again.verify()).ok);
    await again.close();
  } finally {
    await cleanup();
  }
});

test('a log that already breaks a rule (written before this version checked it): verify names the seq, rebuild reports it and still folds', async () => {
  const { store, location, cleanup } = await tempStore();
  try {
    await store.projects.register({ name: 'twin', path: '/srv/a' });
    // what an older version let in: a second registration of the name, written as raw log keys
    const [ev] = envelopes([{ stream: 'project-zz', type: 'project.registered', data: registered('twin') }]);
    const bad: Crafted = { ...ev!, seq: 2 };
    await store.db.batch([
      { type: 'put', key: logKey(2), value: encodeEntry(bad as unknown as StoredEvent) }, // checksummed, as the store writes entries
      { type: 'put', key: idKey(bad.id as string), value: encode(2) },
      { type: 'put', key: streamKey('project-zz', 1), value: encode(2) },
    ]);
    await store.close();
    const reopened = await openStore({ location, sync: false });
    const report = await reopened.rebuild();
    assert.equal(report.broken.map((b) => [b.seq, b.rule]), [[2, 'PROJECT_EXISTS']]);
    const verify = await reopened.verify();
    assert.is(verify.ok, false);
    assert.ok(verify.problems.some((p) => p.kind === 'rule' && p.message.startsWith('seq 2: ') && p.message.includes('PROJECT_EXISTS')));
    assert.is((await refused(() => reopened.rebuild(undefined, undefined, { strict: true }))).details?.seq, 2);
    await reopened.close();
  } finally {
    await cleanup();
  }
});

test('raw appends keep the template rules too: a bad version, a bad file, a version not newer', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const pub = (data: unknown) => store.append({ stream: 'template-demo', type: 'template.published', data } as never);
    assert.is((await refused(() => pub(published('demo', '1.0.0garbage')))).code, 'VALIDATION_FAILED');
    assert.is((await refused(() => pub(published('demo', '1.0.0', [{ path: 'main.ui', content: '<nope' }])))).code, 'TEMPLATE_UI_INVALID');
    await pub(published('demo', '2.0.0'));
    assert.is((await refused(() => pub(published('demo', '1.5.0')))).code, 'TEMPLATE_VERSION_NOT_NEWER');
    assert.is(store.log.head, 1);
    assert.is((await store.views.templates.get('demo'))?.latest, '2.0.0');
  } finally {
    await cleanup();
  }
});

test('publish: entities, parameter entities, oversized entities and deep nesting are TEMPLATE_UI_INVALID, not INTERNAL', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { HOME: dir, PYGUBUAI_HOME: join(dir, 'home') };
    const cases = {
      external: '<?xml version="1.0"?><!DOCTYPE interface [<!ENTITY x SYSTEM "file:///etc/passwd">]><interface>&x;</interface>',
      parameter: '<?xml version="1.0"?><!DOCTYPE interface [<!ENTITY % p "x">]><interface/>',
      oversized: `<?xml version="1.0"?><!DOCTYPE interface [<!ENTITY b "${'x'.repeat(20_000)}">]><interface>&b;</interface>`,
      deep: `<interface>${'<a>'.repeat(150)}${'</a>'.repeat(150)}</interface>`,
    };
    for (const [name, content] of Object.entries(cases)) {
      const file = join(dir, `${name}.ui`);
      await writeFile(file, content);
      const r = await run('pygubu-template', ['--store', join(dir, 'store'), 'publish', file, '--name', name, '--version', '1.0.0'], { env });
      assert.is(r.code, 1, name);
      assert.match(r.stderr, /^error: .*\(TEMPLATE_UI_INVALID\)\n$/, `${name}: ${r.stderr}`);
    }
  } finally {
    await cleanup();
  }
});

test('a .ui symlink pointing outside the project: scan and publish do not follow it nor echo its content', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const env = { HOME: dir, PYGUBUAI_HOME: join(dir, 'home') };
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, 'Zsecret-token-42\n');
    const app = join(dir, 'app');
    await mkdir(join(app, 'ui'), { recursive: true });
    await writeFile(join(app, 'ui', 'main.ui'), UI);
    await symlink(secret, join(app, 'ui', 'leak.ui'));
    await symlink(join(app, 'ui', 'main.ui'), join(app, 'inside.ui')); // a link within the project is fine
    const store = ['--store', join(dir, 'store')];
    assert.is((await run('pygubu-db', [...store, 'project', 'add', app, '--name', 'app'], { env })).code, 0);
    const scan = await run('pygubu-analytics', [...store, 'scan', '--all', '--json'], { env });
    assert.is(scan.code, 0, scan.stderr);
    const report = json(scan);
    assert.is(report.recorded, 2);
    assert.equal(report.problems.map((p: { file: string; reason: string }) => [p.file, p.reason]), [['ui/leak.ui', 'a symbolic link to a file outside the project; not followed']]);
    assert.not.match(scan.stdout + scan.stderr, /secret|Z'/);

    const pub = await run('pygubu-template', [...store, 'publish', join(app, 'ui', 'leak.ui'), '--name', 'leak', '--version', '1.0.0'], { env });
    assert.is(pub.code, 1);
    assert.match(pub.stderr, /symbolic link to a file outside its directory.*\(TEMPLATE_FILE_INVALID\)/);
    assert.not.match(pub.stdout + pub.stderr, /secret|'Z'/);
  } finally {
    await cleanup();
  }
});

test('complexity stays right without a file list in its row: rescans, removal, and a rebuild agree', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const p = await store.projects.register({ name: 'app', path: '/srv/app' });
    const scan = (file: string, widgets: Record<string, number>, id: string) => ({
      id,
      stream: `uiscan-${p.id}`,
      type: 'analytics.ui_scanned' as const,
      data: { project_id: p.id, project: 'app', file, sha256: 'a'.repeat(64), bytes: 10, widgets, objects: 1, max_depth: 1, layouts: {}, commands: 0, bindings: 0, handlers: [] },
    });
    await store.append([scan('a.ui', { 'ttk.Button': 2 }, 's1'), scan('b.ui', { 'ttk.Label': 1 }, 's2'), scan('a.ui', { 'ttk.Button': 1 }, 's3')]);
    const c = await store.views.analytics.complexity(p.id);
    assert.is(c?.files, 2);
    assert.is(c?.widgets, 2);
    await store.projects.remove('app');
    assert.is(await store.views.analytics.complexity(p.id), undefined);
    assert.is((await store.views.analytics.totals()).files, 0);
    await store.rebuild();
    assert.ok((await store.verify()).ok);
  } finally {
    await cleanup();
  }
});

test.run();
