import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ANY, NO_STREAM, STREAM_EXISTS, type EventOf, type StoredEvent, type Store } from '../src/index.js';
import { normaliseAt } from '../src/log/envelope.js';
import { tempStore } from './helpers.js';

const recorded = (stream: string, action: string, extra: Partial<{ id: string; at: string }> = {}) => ({
  stream,
  type: 'workflow.recorded' as const,
  data: { timestamp: '2025-01-02T03:04:05+00:00', action, description: '' },
  ...extra,
});

async function all(store: Store): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.log.readAll()) out.push(e);
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

test('concurrent appends in one process get gapless seqs and per-stream versions', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const appends = Array.from({ length: 600 }, (_, i) => store.append(recorded(`workflow-p${i % 7}`, `a${i}`)));
    const results = (await Promise.all(appends)).flat();
    assert.equal(results.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: 600 }, (_, i) => i + 1));
    const events = await all(store);
    assert.equal(events.length, 600);
    events.forEach((e, i) => assert.is(e.seq, i + 1));
    for (let s = 0; s < 7; s++) {
      const versions = events.filter((e) => e.stream === `workflow-p${s}`).map((e) => e.version);
      assert.equal(versions, versions.map((_, i) => i + 1), `stream p${s} versions are 1..n`);
    }
    assert.ok((await store.verify()).ok);
  } finally {
    await cleanup();
  }
});

test('expected stream versions: sentinels and numbers, ConcurrencyError writes nothing', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await store.append(recorded('workflow-x', 'one'), { expectedVersion: NO_STREAM });
    assert.is(await codeOf(store.append(recorded('workflow-x', 'two'), { expectedVersion: NO_STREAM })), 'CONCURRENCY_CONFLICT');
    assert.is(await codeOf(store.append(recorded('workflow-y', 'two'), { expectedVersion: STREAM_EXISTS })), 'CONCURRENCY_CONFLICT');
    assert.is(await codeOf(store.append(recorded('workflow-x', 'two'), { expectedVersion: 5 })), 'CONCURRENCY_CONFLICT');
    assert.is(store.log.head, 1, 'failed appends wrote nothing');
    const [e2] = await store.append(recorded('workflow-x', 'two'), { expectedVersion: 1 });
    const [e3] = await store.append(recorded('workflow-x', 'three'), { expectedVersion: STREAM_EXISTS });
    const [e4] = await store.append(recorded('workflow-x', 'four'), { expectedVersion: ANY });
    assert.equal([e2!.version, e3!.version, e4!.version], [2, 3, 4]);
    const err = await store.append(recorded('workflow-x', 'x'), { expectedVersion: 2 }).catch((e) => e);
    assert.is(err.name, 'ConcurrencyError');
    assert.is(err.actual, 4);
    assert.is(await codeOf(store.append([recorded('workflow-a', 'x'), recorded('workflow-b', 'y')], { expectedVersion: 0 })), 'INVALID_ARGUMENT');
    const [ok] = await store.append([recorded('workflow-a', 'x'), recorded('workflow-b', 'y')], {
      expectedVersion: { 'workflow-a': NO_STREAM, 'workflow-b': NO_STREAM },
    });
    assert.is(ok!.stream, 'workflow-a');
  } finally {
    await cleanup();
  }
});

test('an event id already in the log returns the stored event and writes nothing', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const [first] = await store.append(recorded('workflow-x', 'one', { id: 'evt-1' }));
    const [again] = await store.append(recorded('workflow-x', 'different payload', { id: 'evt-1' }), { expectedVersion: NO_STREAM });
    assert.equal(again, first, 'the retry returns the stored event, and skips the version check');
    assert.is(store.log.head, 1);
    const batch = await store.append([recorded('workflow-x', 'two', { id: 'evt-2' }), recorded('workflow-x', 'two again', { id: 'evt-2' })]);
    assert.is(batch[0]!.seq, batch[1]!.seq, 'a duplicate inside one batch is the same event');
    assert.is(store.log.head, 2);
    assert.is((await store.log.getById<EventOf<'workflow.recorded'>>('evt-2'))!.data.action, 'two');
  } finally {
    await cleanup();
  }
});

test('ids probed in bulk: stored ids, ids repeated in a batch and ids shared by requests of one group commit', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const [stored] = await store.append(recorded('workflow-x', 'stored', { id: 'evt-stored' }));
    const mixed = await store.append([
      recorded('workflow-x', 'new', { id: 'evt-new' }),
      recorded('workflow-x', 'retry', { id: 'evt-stored' }),
      recorded('workflow-x', 'no id'),
      recorded('workflow-x', 'new again', { id: 'evt-new' }),
    ]);
    assert.equal(mixed[1], stored, 'the stored id returns the stored event');
    assert.is(mixed[3]!.seq, mixed[0]!.seq, 'a repeat inside the batch is the event appended earlier in it');
    assert.is(store.log.head, 3);
    // Concurrent requests share one group commit: the second sees the first's pending id.
    const [a, b] = await Promise.all([
      store.append([recorded('workflow-y', 'a1', { id: 'evt-shared' }), recorded('workflow-y', 'a2')]),
      store.append([recorded('workflow-y', 'b1'), recorded('workflow-y', 'b2', { id: 'evt-shared' })]),
    ]);
    assert.is(b[1]!.seq, a[0]!.seq, 'the id the other request appended is not appended twice');
    assert.is(store.log.head, 6);
    assert.equal((await store.log.readStream<EventOf<'workflow.recorded'>>('workflow-y')).map((e) => e.data.action), ['a1', 'a2', 'b1']);
  } finally {
    await cleanup();
  }
});

test('times already in the envelope form are kept, every other form goes through Date', async () => {
  const slow = (v: string) => {
    const d = new Date(v);
    return Number.isFinite(d.getTime()) ? d.toISOString() : undefined;
  };
  const samples = ['2024-02-29T23:59:59.999Z', '2023-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2000-02-29T12:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-13-01T00:00:00.000Z', '2024-00-10T00:00:00.000Z', '2024-01-00T00:00:00.000Z', '2024-01-01T24:00:00.000Z', '2024-01-01T23:60:00.000Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000+01:00', 'yesterday'];
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  for (let i = 0; i < 5000; i++) {
    samples.push(`${pad(rand(10000), 4)}-${pad(rand(14), 2)}-${pad(rand(33), 2)}T${pad(rand(25), 2)}:${pad(rand(61), 2)}:${pad(rand(61), 2)}.${pad(rand(1000), 3)}Z`);
  }
  for (const v of samples) assert.is(normaliseAt(v), slow(v), v);
  const { store, cleanup } = await tempStore();
  try {
    for (const v of samples.slice(0, 15)) {
      const at = await store.append({ ...recorded('workflow-t', 'x'), at: v }).then(([e]) => e!.at, () => undefined);
      assert.is(at, slow(v), `appended at ${v}`);
    }
  } finally {
    await cleanup();
  }
});

test('a batch with one invalid event is refused whole, naming the type and the JSON path', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await store.append(recorded('workflow-x', 'before'));
    const bad = { ...recorded('workflow-x', 'bad'), data: { timestamp: '2025-01-02T03:04:05Z', action: 'x', description: 'd', user: 42 } };
    const err = await store.append([recorded('workflow-x', 'good'), bad as never]).catch((e) => e);
    assert.is(err.code, 'VALIDATION_FAILED');
    assert.is(err.eventType, 'workflow.recorded');
    assert.is(err.path, '/data/user');
    assert.match(err.message, /workflow\.recorded.*\/data\/user/);
    assert.is(store.log.head, 1);
    assert.is((await store.log.readStream('workflow-x')).length, 1, 'the good half was not written');
    assert.is(await store.views.history.count(), 1, 'no view row from the refused batch');
    const missing = await store.append({ stream: 'workflow-x', type: 'workflow.recorded', data: { action: 'x', description: '' } } as never).catch((e) => e);
    assert.is(missing.path, '/data/timestamp');
    assert.is(await codeOf(store.append({ stream: 'x-1', type: 'no.such_type', data: {} } as never)), 'UNKNOWN_EVENT_TYPE');
    assert.is(await codeOf(store.append({ ...recorded('workflow-x', 'x'), at: 'yesterday' })), 'VALIDATION_FAILED');
    assert.is(await codeOf(store.append({ ...recorded('workflow-x', 'x'), stream: 'no stream' })), 'VALIDATION_FAILED');
    assert.is(await codeOf(store.append({ ...recorded('workflow-x', 'x'), data: { ...recorded('w-1', 'x').data, when: new Date() } } as never)), 'VALIDATION_FAILED');
    assert.is(store.log.head, 1);
  } finally {
    await cleanup();
  }
});

test('a failing request in a group commit leaves the other requests of the group intact', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const results = await Promise.allSettled([
      store.append(recorded('workflow-a', 'ok1')),
      store.append(recorded('workflow-a', 'conflict'), { expectedVersion: 7 }),
      store.append(recorded('workflow-a', 'ok2')),
    ]);
    assert.equal(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((await all(store)).map((e) => [e.seq, e.data.action]), [[1, 'ok1'], [2, 'ok2']]);
  } finally {
    await cleanup();
  }
});

test('a request that wrote rows and then failed takes them all back, first in its group or after others', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const doomed = (tag: string) =>
      store.log.transact(async (tx) => {
        // overwrites rows the group already holds (workflow-a's counters) and adds new ones
        await tx.append([recorded('workflow-a', `${tag}-a`), recorded(`workflow-${tag}`, `${tag}-own`)]);
        throw new Error(`${tag} changed its mind`);
      });
    // the first request drains alone; the next four form one group, led by a failing request
    const results = await Promise.allSettled([
      store.append(recorded('workflow-a', 'ok0')),
      doomed('first'),
      store.append(recorded('workflow-a', 'ok1')),
      doomed('middle'),
      store.append(recorded('workflow-a', 'ok2')),
    ]);
    assert.equal(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    assert.equal((await all(store)).map((e) => [e.seq, e.stream, e.version, e.data.action]), [
      [1, 'workflow-a', 1, 'ok0'],
      [2, 'workflow-a', 2, 'ok1'],
      [3, 'workflow-a', 3, 'ok2'],
    ]);
    assert.equal(await store.log.streamVersion('workflow-first'), 0);
    assert.equal((await store.views.history.list('a')).map((e) => e.action), ['ok0', 'ok1', 'ok2']);
    assert.equal(await store.views.history.count('first'), 0);
    assert.equal(await store.views.history.count(), 3);
    const report = await store.verify();
    assert.ok(report.ok, JSON.stringify(report.problems));
    // the next append continues from what was kept
    const [next] = await store.append(recorded('workflow-a', 'ok3'));
    assert.equal([next!.seq, next!.version], [4, 4]);
  } finally {
    await cleanup();
  }
});

test('reads: a stream forward and backward, the log from a seq, by type, by time range', async () => {
  const { store, cleanup } = await tempStore();
  try {
    for (let i = 1; i <= 5; i++) await store.append(recorded('workflow-a', `a${i}`, { at: `2025-01-0${i}T00:00:00Z` }));
    await store.append({ stream: 'workflow-b', type: 'workflow.synced', data: { file_hashes: {}, file_mtimes: {}, last_sync: null }, at: '2024-12-31T00:00:00Z' });
    assert.equal((await store.log.readStream('workflow-a')).map((e) => e.version), [1, 2, 3, 4, 5]);
    assert.equal((await store.log.readStream('workflow-a', { direction: 'backward', limit: 2 })).map((e) => e.version), [5, 4]);
    assert.equal((await store.log.readStream('workflow-a', { fromVersion: 4 })).map((e) => e.version), [4, 5]);
    assert.equal((await store.log.readStream('workflow-a', { direction: 'backward', fromVersion: 2 })).map((e) => e.version), [2, 1]);
    const fromThree: number[] = [];
    for await (const e of store.log.readAll({ fromSeq: 3 })) fromThree.push(e.seq);
    assert.equal(fromThree, [3, 4, 5, 6]);
    assert.equal((await store.log.readByType('workflow.synced')).map((e) => e.seq), [6]);
    assert.equal((await store.log.readByType('workflow.recorded', { fromSeq: 4 })).map((e) => e.seq), [4, 5]);
    const window = await store.log.readByTime<EventOf<'workflow.recorded'>>({ since: '2025-01-02T00:00:00Z', until: '2025-01-04T00:00:00Z' });
    assert.equal(window.map((e) => e.data.action), ['a2', 'a3']);
    assert.equal((await store.log.readByTime({ until: '2025-01-01T00:00:00Z' })).map((e) => e.seq), [6], 'time order, not log order');
    assert.is(await store.log.get(99), undefined);
  } finally {
    await cleanup();
  }
});

test('stored events cannot be changed through the objects passed in or returned', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const input = recorded('workflow-a', 'original');
    const [stored] = await store.append(input);
    input.data.action = 'mutated after append';
    assert.is((await store.log.get<EventOf<'workflow.recorded'>>(stored!.seq))!.data.action, 'original');
  } finally {
    await cleanup();
  }
});

test.run();
