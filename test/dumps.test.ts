import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileSink, loadDump, loadDumpBeside, openStore, readDump, StoreError, writeDump, type DumpEncoding, type Store } from '../src/index.js';
import { tempDir, tempStore } from './helpers.js';
import { logOf, portable, seed } from './dumps-fixtures.js';

async function dumpTo(store: Store, file: string, options: Parameters<typeof writeDump>[2] = {}) {
  return writeDump(store, await fileSink(file), options);
}

async function rejects(work: () => Promise<unknown>): Promise<StoreError> {
  try {
    await work();
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error('expected a StoreError');
}

for (const encoding of ['ndjson', 'msgpack'] as DumpEncoding[]) {
  test(`${encoding}: dump → load into a fresh store gives the same log and views`, async () => {
    const a = await tempStore();
    const b = await tempStore();
    try {
      await seed(a.store, 20, 5);
      await a.store.projects.update('p-app-3', { description: 'changed', tags: ['x'] });
      const file = join(a.dir, `all.${encoding}`);
      const report = await dumpTo(a.store, file, { encoding });
      assert.is(report.count, 121);
      assert.is(report.head, 121);
      const loaded = await loadDump(b.store, file);
      assert.equal([loaded.events, loaded.loaded, loaded.skipped, loaded.firstSeq, loaded.lastSeq], [121, 121, 0, 1, 121]);
      assert.equal(await logOf(b.store), await logOf(a.store));
      assert.equal(await b.store.views.projects.byName('p-app-3'), await a.store.views.projects.byName('p-app-3'));
      assert.is(await b.store.views.history.count(), 100);
      const verify = await b.store.verify();
      assert.ok(verify.ok, JSON.stringify(verify.problems));
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
}

test('filters: --stream, --type, --since select exactly the matching events, in seq order', async () => {
  const a = await tempStore();
  try {
    await seed(a.store, 10, 4);
    const all = await logOf(a.store);
    const cases = [
      { stream: 'workflow-p2' },
      { type: 'project.registered' },
      { since: '2025-01-01T00:05:00.000Z' },
      { stream: 'workflow-p7', type: 'workflow.recorded', since: '2025-01-01T00:07:03.000Z' },
    ];
    for (const [i, filters] of cases.entries()) {
      for (const encoding of ['ndjson', 'msgpack'] as DumpEncoding[]) {
        const file = join(a.dir, `f${i}.${encoding}`);
        const report = await dumpTo(a.store, file, { ...filters, encoding });
        const expected = all.filter(
          (e) => (!filters.stream || e.stream === filters.stream) && (!filters.type || e.type === filters.type) && (!filters.since || e.at >= filters.since),
        );
        assert.ok(expected.length > 0 && expected.length < all.length);
        assert.is(report.count, expected.length, JSON.stringify(filters));
        const seen: unknown[] = [];
        const summary = await readDump(file, { onEvent: (e) => void seen.push(e) });
        assert.equal(summary.header.filters, filters);
        assert.equal(seen, expected);
      }
    }
  } finally {
    await a.cleanup();
  }
});

test('a filtered dump loads into a fresh store; its streams start at version 1 there', async () => {
  const a = await tempStore();
  const b = await tempStore();
  try {
    await seed(a.store, 3, 6);
    const file = join(a.dir, 'since.ndjson');
    await dumpTo(a.store, file, { stream: 'workflow-p1', since: '2025-01-01T00:01:04.000Z' });
    const r = await loadDump(b.store, file);
    assert.is(r.loaded, 3);
    assert.equal((await logOf(b.store)).map((e) => [e.id, e.version]), [['p1-w3', 1], ['p1-w4', 2], ['p1-w5', 3]]);
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

test('events already present are skipped; only the new ones are appended, with new seqs', async () => {
  const a = await tempStore();
  const b = await tempStore();
  try {
    await seed(a.store, 5, 2);
    const first = join(a.dir, 'first.ndjson');
    await dumpTo(a.store, first);
    await loadDump(b.store, first);
    await seed(b.store, 1, 1, { prefix: 'local' }); // b's own events, in their own streams
    await seed(a.store, 2, 2, { prefix: 'later', start: 10 });
    await a.store.history.record('p-app-1', { action: 'more', description: 'after the first dump', eventId: 'p1-extra' });
    const second = join(a.dir, 'second.msgpack');
    await dumpTo(a.store, second, { encoding: 'msgpack' });
    const again = await loadDump(b.store, first);
    assert.equal([again.loaded, again.skipped], [0, 15]);
    const r = await loadDump(b.store, second);
    assert.equal([r.events, r.loaded, r.skipped, r.firstSeq, r.lastSeq], [22, 7, 15, 18, 24]);
    const loaded = (await logOf(b.store)).slice(17);
    const source = (await logOf(a.store)).slice(15);
    assert.equal(loaded.map(portable), source.map(portable));
    assert.is((await b.store.log.getById('p1-extra'))?.version, 3);
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

test('a stream that diverged here is refused with LOAD_CONFLICT and nothing is written', async () => {
  const a = await tempStore();
  const b = await tempStore();
  try {
    await seed(a.store, 2, 2);
    const base = join(a.dir, 'base.ndjson');
    await dumpTo(a.store, base);
    await loadDump(b.store, base);
    await a.store.history.record('p-app-0', { action: 'in-a', eventId: 'only-in-a' });
    await b.store.history.record('p-app-0', { action: 'in-b', eventId: 'only-in-b' });
    await seed(a.store, 1, 0, { prefix: 'fresh' });
    const file = join(a.dir, 'diverged.ndjson');
    await dumpTo(a.store, file);
    const before = await logOf(b.store);
    const err = await rejects(() => loadDump(b.store, file));
    assert.is(err.code, 'LOAD_CONFLICT');
    assert.match(err.message, /stream workflow-p0 is at version 3 here/);
    assert.equal(await logOf(b.store), before);
    assert.is(await b.store.views.projects.byName('fresh-app-0'), undefined);
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

/** Damage a good dump in one way; the load must name the place and write nothing. */
async function expectRefused(
  store: Store,
  file: string,
  damage: (text: Buffer) => Buffer,
  code: string,
  where: RegExp,
): Promise<void> {
  const good = await readFile(file);
  const bad = `${file}.bad`;
  await writeFile(bad, damage(good));
  const before = await logOf(store);
  const err = await rejects(() => loadDump(store, bad));
  assert.is(err.code, code, err.message);
  assert.match(err.message, where);
  assert.equal(await logOf(store), before);
}

test('ndjson: corrupt and truncated dumps are refused with the line number, nothing written', async () => {
  const a = await tempStore();
  const b = await tempStore();
  try {
    await seed(a.store, 4, 3);
    await seed(b.store, 1, 1, { prefix: 'mine' });
    const file = join(a.dir, 'good.ndjson');
    await dumpTo(a.store, file);
    const lines = (buf: Buffer) => buf.toString().split('\n');
    const edit = (fn: (l: string[]) => void) => (buf: Buffer) => {
      const l = lines(buf);
      fn(l);
      return Buffer.from(l.join('\n'));
    };
    await expectRefused(b.store, file, edit((l) => (l[4] = l[4]!.slice(0, 30))), 'DUMP_CORRUPT', /^line 5: not valid JSON/);
    await expectRefused(b.store, file, edit((l) => (l[6] = l[6]!.replace('"action":', '"acton":'))), 'DUMP_CORRUPT', /^line 7: invalid workflow\.recorded event: \/data\/action is required/);
    await expectRefused(b.store, file, edit((l) => (l[2] = l[2]!.replace('"type":"workflow.recorded"', '"type":"nope.unknown"'))), 'DUMP_CORRUPT', /^line 3: no schema for event type nope\.unknown/);
    await expectRefused(b.store, file, edit((l) => (l[3] = l[3]!.replace('entry 1 of', 'entry 9 of'))), 'DUMP_CORRUPT', /^line 18: checksum mismatch/);
    await expectRefused(b.store, file, edit((l) => l.splice(5, 1)), 'DUMP_CORRUPT', /^line 17: the trailer says 16 events, the file holds 15/);
    await expectRefused(b.store, file, edit((l) => (l[0] = '{"hello":1}')), 'DUMP_NOT_A_DUMP', /^line 1: not a pygubuai dump/);
    await expectRefused(b.store, file, (buf) => buf.subarray(0, buf.length - 200), 'DUMP_TRUNCATED', /^line 17: the last line is cut short/);
    await expectRefused(b.store, file, edit((l) => l.splice(10)), 'DUMP_TRUNCATED', /without its trailer/);
    await expectRefused(b.store, file, edit((l) => (l[l.length - 1] = '{"seq":99}')), 'DUMP_CORRUPT', /^line 19: data after the trailer/);
    await expectRefused(b.store, file, () => Buffer.alloc(0), 'DUMP_TRUNCATED', /empty/);
    assert.is((await rejects(() => loadDump(b.store, join(a.dir, 'missing.ndjson')))).code, 'DUMP_UNREADABLE');
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

test('msgpack: corrupt and truncated dumps are refused with the byte offset, nothing written', async () => {
  const a = await tempStore();
  const b = await tempStore();
  try {
    await seed(a.store, 4, 3);
    const file = join(a.dir, 'good.msgpack');
    await dumpTo(a.store, file, { encoding: 'msgpack' });
    const good = await readFile(file);
    const headerEnd = 4 + good.readUInt32BE(0);
    const secondEnd = headerEnd + 4 + good.readUInt32BE(headerEnd);
    await expectRefused(b.store, file, (buf) => buf.subarray(0, buf.length - 10), 'DUMP_TRUNCATED', /^byte offset \d+: the last frame is cut short/);
    await expectRefused(b.store, file, (buf) => buf.subarray(0, secondEnd), 'DUMP_TRUNCATED', /after 1 events .*without its trailer/);
    await expectRefused(
      b.store,
      file,
      (buf) => {
        const c = Buffer.from(buf);
        c.writeUInt32BE(0xfffffff0, secondEnd);
        return c;
      },
      'DUMP_CORRUPT',
      new RegExp(`^byte offset ${secondEnd}: frame length`),
    );
    await expectRefused(
      b.store,
      file,
      (buf) => {
        const c = Buffer.from(buf);
        c.fill(0xc1, secondEnd + 4, secondEnd + 8); // 0xc1 is never used in msgpack
        return c;
      },
      'DUMP_CORRUPT',
      new RegExp(`^byte offset ${secondEnd}: not a valid msgpack value`),
    );
    await expectRefused(
      b.store,
      file,
      (buf) => {
        const c = Buffer.from(buf);
        const at = c.indexOf('entry 1 of');
        c.write('entry 7 of', at);
        return c;
      },
      'DUMP_CORRUPT',
      /checksum mismatch/,
    );
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

test('dumping reads one snapshot: appends during the dump are not in it, and the store stays usable', async () => {
  const a = await tempStore();
  try {
    await seed(a.store, 50, 20);
    const head = a.store.log.head;
    const file = join(a.dir, 'live.msgpack');
    const dumping = dumpTo(a.store, file, { encoding: 'msgpack' });
    const appending = seed(a.store, 20, 5, { prefix: 'live', start: 100 });
    const [report] = await Promise.all([dumping, appending]);
    assert.is(a.store.log.head, head + 120);
    assert.ok(report.head >= head && report.head <= head + 120);
    assert.is(report.count, report.head);
    const seen: number[] = [];
    await readDump(file, { onEvent: (e) => void seen.push(e.seq as number) });
    assert.equal(seen, Array.from({ length: report.head }, (_, i) => i + 1));
  } finally {
    await a.cleanup();
  }
});

test('a dump made by a store can be loaded by a store reopened later (files are self-contained)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = await openStore({ location: join(dir, 'a'), sync: false });
    await seed(a, 3, 3);
    await dumpTo(a, join(dir, 'x.ndjson'));
    await a.close();
    const b = await openStore({ location: join(dir, 'b'), sync: false });
    const r = await loadDump(b, join(dir, 'x.ndjson'));
    assert.is(r.loaded, 12);
    await b.close();
    const again = await openStore({ location: join(dir, 'b'), sync: false });
    assert.is(again.log.head, 12);
    assert.is(await again.views.projects.count(), 3);
    await again.close();
  } finally {
    await cleanup();
  }
});

test('loading beside the store (big dumps) gives the same log and views as one batch, and is all-or-nothing', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = await openStore({ location: join(dir, 'a'), sync: false });
    await seed(a, 12, 4);
    await dumpTo(a, join(dir, 'all.msgpack'), { encoding: 'msgpack' });
    const inBatch = await openStore({ location: join(dir, 'batch'), sync: false });
    const besideLoc = join(dir, 'beside');
    const beside = await openStore({ location: besideLoc, sync: false });
    for (const s of [inBatch, beside]) await seed(s, 2, 2, { prefix: 'own' });
    await beside.close();
    const one = await loadDump(inBatch, join(dir, 'all.msgpack'));
    const two = await loadDumpBeside(besideLoc, join(dir, 'all.msgpack'));
    assert.equal([two.strategy, two.loaded, two.skipped, two.firstSeq, two.lastSeq], ['beside', 60, 0, one.firstSeq, one.lastSeq]);
    const again = await loadDumpBeside(besideLoc, join(dir, 'all.msgpack'));
    assert.equal([again.loaded, again.skipped], [0, 60]);

    await a.history.record('p-app-0', { action: 'in-a', eventId: 'only-in-a' });
    await dumpTo(a, join(dir, 'more.ndjson'));
    await a.close();
    const reopened = await openStore({ location: besideLoc, createIfMissing: false });
    assert.equal(await logOf(reopened), await logOf(inBatch));
    assert.ok((await reopened.verify()).ok);
    await reopened.history.record('p-app-0', { action: 'diverge', eventId: 'only-here' });
    const before = await logOf(reopened);
    await reopened.close();
    const err = await rejects(() => loadDumpBeside(besideLoc, join(dir, 'more.ndjson')));
    assert.is(err.code, 'LOAD_CONFLICT');
    const after = await openStore({ location: besideLoc, createIfMissing: false });
    assert.equal(await logOf(after), before);
    await after.close();
    await inBatch.close();
    assert.equal((await readdir(dir)).sort(), ['a', 'all.msgpack', 'batch', 'beside', 'more.ndjson']);
  } finally {
    await cleanup();
  }
});

test.run();
