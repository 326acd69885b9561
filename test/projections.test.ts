import { decodeEntry } from '../src/log/entry.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode } from '../src/log/codec.js';
import { HIGH, VIEW_PREFIX } from '../src/log/keys.js';
import { defineProjection, openStore, type Projection, type Rows, type Store, type StoredEvent } from '../src/index.js';
import { ROOT, tempStore } from './helpers.js';

async function viewRows(store: Store): Promise<Array<[string, unknown]>> {
  const rows: Array<[string, unknown]> = [];
  for await (const [k, v] of store.db.iterator({ gte: VIEW_PREFIX, lt: VIEW_PREFIX + HIGH })) rows.push([k, decode(v)]);
  return rows;
}

async function seed(store: Store) {
  const a = await store.projects.register({ name: 'login-app', path: '/p/login', description: 'Login form with remember-me', tags: ['forms', 'auth'] });
  const b = await store.projects.register({ name: 'settings', path: '/p/settings', description: 'Settings dialog', tags: ['forms'], created: '2024-01-01T00:00:00+00:00', modified: '2024-06-01T00:00:00+00:00' });
  const c = await store.projects.register({ name: 'Ünïcode 🚀', path: '/p/u', description: 'Emoji in the name', tags: ['fun'], created: null, modified: null });
  return { a, b, c };
}

test('projects: by name, by tag, by word (prefix, every word), by name prefix, sorted by time', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const { a, b, c } = await seed(store);
    assert.is((await store.views.projects.byName('settings'))!.id, b.id);
    assert.is(await store.views.projects.byName('nope'), undefined);
    assert.equal((await store.views.projects.list({ tag: 'forms' })).map((p) => p.name), ['login-app', 'settings']);
    assert.equal((await store.views.projects.search('log')).map((p) => p.name), ['login-app']);
    assert.equal((await store.views.projects.search('FORM remember')).map((p) => p.name), ['login-app']);
    assert.equal((await store.views.projects.search('forms')).map((p) => p.name).sort(), ['login-app', 'settings']);
    assert.equal((await store.views.projects.search('ünï')).map((p) => p.id), [c.id]);
    assert.equal(await store.views.projects.search('zzz'), []);
    assert.equal((await store.views.projects.namesStartingWith('log')).map((p) => p.id), [a.id]);
    assert.equal((await store.views.projects.list({ sort: 'modified' })).map((p) => p.name), ['login-app', 'settings', 'Ünïcode 🚀']);
    assert.equal((await store.views.projects.list({ sort: 'created', limit: 1 })).map((p) => p.name), ['login-app']);
    assert.equal((await store.views.projects.list({ limit: 2 })).map((p) => p.name), ['login-app', 'settings']);
    assert.is(await store.views.projects.count(), 3);
  } finally {
    await cleanup();
  }
});

test('projects: update, rename and remove move every index key; names are unique among live projects', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const { a } = await seed(store);
    await store.projects.activate('login-app');
    await store.projects.update('login-app', { tags: ['auth', 'web'], description: 'Sign-in screen' });
    assert.equal((await store.views.projects.list({ tag: 'forms' })).map((p) => p.name), ['settings']);
    assert.equal((await store.views.projects.list({ tag: 'web' })).map((p) => p.name), ['login-app']);
    assert.equal(await store.views.projects.search('remember'), [], 'old description words are gone');
    assert.equal((await store.views.projects.search('sign')).map((p) => p.name), ['login-app']);
    const err = await store.projects.rename('login-app', 'settings').catch((e) => e);
    assert.is(err.code, 'PROJECT_EXISTS');
    await store.projects.rename('login-app', 'signin');
    assert.is(await store.views.projects.byName('login-app'), undefined);
    assert.is((await store.views.projects.byName('signin'))!.id, a.id, 'the id is stable across a rename');
    assert.equal((await store.views.projects.list({ tag: 'web' })).map((p) => p.name), ['signin']);
    assert.is((await store.views.projects.active())!.name, 'signin');
    await store.projects.remove('signin');
    assert.is(await store.views.projects.active(), undefined, 'removing the active project clears it');
    assert.equal(await store.views.projects.search('sign'), []);
    assert.equal(await store.views.projects.list({ tag: 'web' }), []);
    assert.is(await store.views.projects.count(), 2);
    const again = await store.projects.register({ name: 'signin', path: '/p/new' });
    assert.is.not(again.id, a.id, 'a re-registered name is a new project');
    assert.is((await store.projects.update('nope', { description: 'x' }).catch((e) => e)).code, 'PROJECT_NOT_FOUND');
    assert.is((await store.projects.register({ name: 'settings', path: '/x' }).catch((e) => e)).code, 'PROJECT_EXISTS');
    assert.ok((await store.verify()).ok);
  } finally {
    await cleanup();
  }
});

test('concurrent registrations of one name: exactly one wins', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.projects.register({ name: 'same', path: `/p/${i}` })));
    assert.is(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.every((r) => r.status === 'fulfilled' || (r.reason as { code: string }).code === 'PROJECT_EXISTS'));
    assert.is(await store.views.projects.count(), 1);
  } finally {
    await cleanup();
  }
});

test('workflow history is in write order (as the Python tool keeps it), counted, and limited to the most recent', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const { a } = await seed(store);
    for (const [ts, action] of [['2025-03-01T00:00:00+00:00', 'c'], ['2025-01-01T00:00:00.5+00:00', 'a'], ['2025-02-01T00:00:00Z', 'b']] as const) {
      await store.history.record('login-app', { action, timestamp: ts, user: 'me' });
    }
    assert.equal((await store.views.history.list(a.id)).map((e) => e.action), ['c', 'a', 'b'], 'write order, whatever the timestamps');
    assert.equal((await store.views.history.list(a.id, { limit: 2 })).map((e) => e.action), ['a', 'b'], 'the last written');
    assert.is(await store.views.history.count(a.id), 3);
    assert.is(await store.views.history.count(), 3);
    assert.is((await store.history.record('nope', { action: 'x' }).catch((e) => e)).code, 'PROJECT_NOT_FOUND');
  } finally {
    await cleanup();
  }
});

test('rebuild produces exactly the rows the inline projections wrote', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await seed(store);
    await store.projects.rename('settings', 'prefs');
    await store.projects.remove('Ünïcode 🚀');
    await store.history.record('prefs', { action: 'file_changed', description: 'x' });
    await store.accounts.add({ name: 'ann', admin: true });
    await store.accounts.add({ name: 'bo' });
    await store.accounts.rotate('ann');
    await store.accounts.remove('bo');
    const before = await viewRows(store);
    assert.ok(before.length > 10);
    assert.ok(before.some(([k]) => String(k).startsWith('v!accounts!a!ann')), 'the accounts view has rows');
    const report = await store.rebuild();
    assert.equal(report.projections, ['projects', 'workflow', 'analytics', 'templates', 'accounts']);
    assert.equal(await viewRows(store), before);
    await store.rebuild(['workflow']);
    assert.equal(await viewRows(store), before);
    assert.throws(() => store.rebuild(['nope']), (e: { code: string }) => e.code === 'UNKNOWN_PROJECTION');
  } finally {
    await cleanup();
  }
});

test('--as-of: views materialised at a seq and at a time', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await store.projects.register({ name: 'one', path: '/1', at: '2025-01-01T00:00:00Z' });
    await store.projects.register({ name: 'two', path: '/2', at: '2025-02-01T00:00:00Z' });
    await store.projects.rename('one', 'uno', { at: '2025-03-01T00:00:00Z' });
    const atSeq2 = await store.asOf(2);
    assert.equal((await atSeq2.projects.list()).map((p) => p.name), ['one', 'two']);
    await atSeq2.close();
    const inJanuary = await store.asOf('2025-01-15T00:00:00Z');
    assert.equal((await inJanuary.projects.list()).map((p) => p.name), ['one']);
    assert.equal((await inJanuary.projects.search('one')).map((p) => p.name), ['one']);
    await inJanuary.close();
    assert.equal((await store.views.projects.list()).map((p) => p.name), ['two', 'uno']);
  } finally {
    await cleanup();
  }
});

test('verify reports a corrupted, an extra and a missing view row, and passes after rebuild', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const { a } = await seed(store);
    assert.ok((await store.verify()).ok);
    const { encode } = await import('../src/log/codec.js');
    await store.db.put(`v!projects!id!${a.id}`, encode({ ...a, description: 'tampered' }));
    await store.db.put('v!projects!name!ghost', encode({ id: 'no-such-id', name: 'ghost' }));
    await store.db.del('v!projects!tag!fun\u0000Ünïcode 🚀');
    const report = await store.verify();
    assert.not.ok(report.ok);
    const kinds = report.problems.map((p) => `${p.kind} ${p.key}`).sort();
    assert.equal(kinds, [`extra v!projects!name!ghost`, `mismatch v!projects!id!${a.id}`, 'missing v!projects!tag!fun␀Ünïcode 🚀']);
    await store.db.del('e!000000000002');
    const gap = await store.verify();
    assert.ok(gap.problems.some((p) => p.kind === 'gap'));
  } finally {
    await cleanup();
  }
});

test('a projection whose version changed is rebuilt when the store opens', async () => {
  const { store, location, cleanup } = await tempStore();
  const counter = (version: number, weight: number): Projection =>
    defineProjection({
      name: 'names_counted',
      version,
      handles: ['project.registered'],
      async fold(event, rows) {
        if (event.data.name === '') throw new Error('a typed event: data.name is a string');
        rows.put('total', ((await rows.get<number>('total')) ?? 0) + weight);
      },
    });
  try {
    await seed(store);
    await store.close();
    const v1 = await openStore({ location, projections: [counter(1, 1)] });
    assert.is(decode(await v1.db.get('v!names_counted!total') as Buffer), 3, 'a new projection is folded from the whole log on open');
    await v1.projects.register({ name: 'four', path: '/4' });
    assert.is(decode(await v1.db.get('v!names_counted!total') as Buffer), 4, 'and then kept inline');
    await v1.close();
    const v2 = await openStore({ location, projections: [counter(2, 10)] });
    assert.is(decode(await v2.db.get('v!names_counted!total') as Buffer), 40, 'version 2 replaced version 1 rows');
    assert.is((await v2.log.checkpoint())!.projections.names_counted, 2);
    assert.ok((await v2.verify()).ok);
    await v2.close();
  } finally {
    await cleanup();
  }
});

test('upcasting: v1 events stored in the log are read as v2; the log is never rewritten', async () => {
  const schema = async (v: number) => JSON.parse(await readFile(join(ROOT, 'test', 'fixtures', 'schemas', `note.added.v${v}.schema.json`), 'utf8'));
  const v1 = await schema(1);
  const v2 = await schema(2);
  const { store, location, cleanup } = await tempStore({ configure: async (r) => r.registerSchema('note.added', 1, v1) });
  try {
    await store.appendCustom({ stream: 'note-1', type: 'note.added', data: { text: 'Buy milk #home #errand' } });
    await store.close();
    const byTag = defineProjection({
      name: 'notes_by_tag',
      version: 1,
      handles: ['note.added'],
      fold(event, rows) {
        const data = event.data as { title: string; tags: string[] }; // a plug-in type: its schema, not TypeScript, knows the shape
        for (const tag of data.tags) rows.put(`${tag}\u0000${event.seq}`, data.title);
      },
    });
    const reopened = await openStore({
      location,
      projections: [byTag],
      configure: async (r) => {
        await r.registerSchema('note.added', 1, v1);
        await r.registerSchema('note.added', 2, v2);
        r.registerUpcaster('note.added', 1, (data) => {
          const text = String(data.text);
          return { title: text.replace(/\s*#\w+/g, '').trim(), tags: [...text.matchAll(/#(\w+)/g)].map((m) => m[1]!) };
        });
      },
    });
    await reopened.appendCustom({ stream: 'note-2', type: 'note.added', data: { title: 'Call mum', tags: ['home'] } });
    const read = await reopened.log.get(1);
    assert.equal(read!.v, 2);
    assert.equal(read!.data, { title: 'Buy milk', tags: ['home', 'errand'] });
    assert.equal(decodeEntry((await reopened.db.get('e!000000000001'))!, 1).data, { text: 'Buy milk #home #errand' }, 'stored bytes unchanged');
    const home: string[] = [];
    for await (const v of reopened.db.values({ gte: 'v!notes_by_tag!home\u0000', lt: 'v!notes_by_tag!home\u0001' })) home.push(decode(v));
    assert.equal(home, ['Buy milk', 'Call mum'], 'the projection saw the v2 shape of the old event');
    assert.is((await reopened.appendCustom({ stream: 'note-3', type: 'note.added', data: { text: 'old shape' }, v: 2 }).catch((e) => e)).code, 'VALIDATION_FAILED');
    assert.ok((await reopened.verify()).ok);
    await reopened.close();
  } finally {
    await cleanup();
  }
});

test.run();
