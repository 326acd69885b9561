// The performance changes to the core keep its behaviour: stream versions found by point reads,
// the read cache never serves a stale row, and the Bloom-filtered rebuild writes the same views.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openStore } from '../src/index.js';
import { DELETED, KeyFilter, RowCache } from '../src/log/overlay.js';
import { tempStore } from './helpers.js';

const recorded = (stream: string, action: string) => ({
  stream,
  type: 'workflow.recorded' as const,
  data: { timestamp: '2025-01-02T03:04:05+00:00', action, description: '' },
});

test('stream versions after reopening: 0 for a new stream, the last version for long and short streams', async () => {
  const { store, location, cleanup } = await tempStore();
  try {
    for (const [stream, n] of [['workflow-a', 1], ['workflow-b', 37], ['workflow-c', 64], ['workflow-d', 65]] as const) {
      await store.append(Array.from({ length: n }, (_, i) => recorded(stream, `e${i}`)));
    }
    await store.close();
    const reopened = await openStore({ location, sync: false });
    try {
      for (const [stream, n] of [['workflow-a', 1], ['workflow-b', 37], ['workflow-c', 64], ['workflow-d', 65], ['workflow-none', 0]] as const) {
        assert.is(await reopened.log.streamVersion(stream), n, stream);
      }
      const [next] = await reopened.append(recorded('workflow-b', 'next'), { expectedVersion: 37 });
      assert.is(next!.version, 38);
    } finally {
      await reopened.close();
    }
  } finally {
    await cleanup();
  }
});

test('read cache: a fill that began before a publish is dropped; publishes and hits are exact', () => {
  const cache = new RowCache(4);
  const stamp = cache.stamp;
  cache.invalidate(); // a batch was published while the reader was reading
  cache.fill('v!p!a', 'stale', stamp);
  assert.is(cache.get('v!p!a'), undefined);
  cache.fill('v!p!a', 'fresh', cache.stamp);
  assert.is(cache.get('v!p!a'), 'fresh');
  cache.set('v!p!a', DELETED);
  assert.is(cache.get('v!p!a'), DELETED);
  for (let i = 0; i < 20; i++) cache.set(`v!p!k${i}`, i);
  assert.is(cache.get('v!p!k19'), 19, 'the newest rows stay');
  assert.is(cache.get('v!p!k0'), undefined, 'old rows are evicted: the cache stays bounded');
});

test('the store read cache shows every committed change, also to reads racing the writer', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await store.projects.register({ name: 'racy', path: '/tmp/racy', description: 'one' });
    const updates = Array.from({ length: 30 }, (_, i) => store.projects.update('racy', { description: `v${i}` }));
    const reads = Array.from({ length: 60 }, () => store.views.projects.byName('racy'));
    await Promise.all([...updates, ...reads]);
    assert.is((await store.views.projects.byName('racy'))!.description, 'v29');
  } finally {
    await cleanup();
  }
});

test('key filter: never a false negative, few false positives', () => {
  const filter = new KeyFilter(20_000);
  for (let i = 0; i < 20_000; i++) filter.add(`v!projects!id!${i}`);
  for (let i = 0; i < 20_000; i++) assert.ok(filter.mayHave(`v!projects!id!${i}`));
  let positives = 0;
  for (let i = 0; i < 20_000; i++) if (filter.mayHave(`v!projects!id!x${i}`)) positives++;
  assert.ok(positives < 1000, `${positives} false positives of 20000`);
});

test('rebuild over more rows than one flush keeps counters and rows exact', async () => {
  const { store, cleanup } = await tempStore();
  try {
    for (let i = 0; i < 60; i++) {
      await store.projects.register({ name: `p${i}`, path: `/tmp/p${i}`, description: `word${i % 7} shared`, tags: [`t${i % 3}`] });
      await store.history.record(`p${i}`, { action: 'file_changed', description: `d${i}` });
    }
    await store.projects.remove('p3');
    const before = { count: await store.views.projects.count(), history: await store.views.history.count(), tag: await store.views.projects.list({ tag: 't1' }) };
    // A tiny flush interval forces reads of rows written by earlier flushes through the filter.
    const { replayInto } = await import('../src/projections/replay.js');
    for (const p of ['projects', 'workflow']) await store.db.clear({ gte: `v!${p}!`, lt: `v!${p}!\u{10FFFF}` });
    await replayInto(store.log, store.db, store.projections, { targetEmpty: true, flushEvery: 7 });
    await store.rebuild(); // and the store's own rebuild on top
    assert.is(await store.views.projects.count(), before.count);
    assert.is(await store.views.history.count(), before.history);
    assert.equal(await store.views.projects.list({ tag: 't1' }), before.tag);
    assert.ok((await store.verify()).ok);
  } finally {
    await cleanup();
  }
});

test.run();
