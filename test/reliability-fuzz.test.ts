import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzLoad } from './reliability/fuzz-dumps.js';
import { fuzzMigrate } from './reliability/fuzz-legacy.js';
import { fuzzLoadEvents, fuzzRestoreEvents } from './reliability/fuzz-ways-in.js';
import { fuzzCli, fuzzEventPayloads, fuzzProjectCommands, fuzzScanner, fuzzTemplates, storeDigest } from './reliability/fuzz-targets.js';
import { tempStore } from './helpers.js';

// CI runs each target briefly with a fixed seed; `npm run fuzz` runs ≥10,000 cases per target.

test('fuzz: event payloads — valid appended as given, invalid refused with a code and no write', async () => {
  const r = await fuzzEventPayloads({ numRuns: 300, seed: 42 });
  assert.ok((r.outcomes.appended ?? 0) > 0, 'some valid events were appended');
  assert.ok((r.outcomes.VALIDATION_FAILED ?? 0) > 0, 'some invalid events were refused');
});

test('fuzz: hostile names, paths and tags through the project and history commands', async () => {
  const r = await fuzzProjectCommands({ numRuns: 120, seed: 42 });
  assert.ok((r.outcomes['register ok'] ?? 0) > 0);
  assert.ok((r.outcomes.VALIDATION_FAILED ?? 0) > 0);
});

test('fuzz: hostile argv through the pygubu-db bin — exit 0, or a coded one-line error and an unchanged store', async () => {
  const r = await fuzzCli({ numRuns: 8, seed: 42 });
  assert.is(Object.values(r.outcomes).reduce((a, n) => a + n, 0), 8);
});

test('fuzz: random and broken XML through the .ui scanner — recorded, or a problem with a reason and no write', async () => {
  const r = await fuzzScanner({ numRuns: 150, seed: 42 });
  assert.ok((r.outcomes.recorded ?? 0) > 0);
  assert.ok((r.outcomes.problem ?? 0) > 0);
});

test('fuzz: corrupted and truncated dumps through load — all of it lands, or a coded error and no write', async () => {
  const r = await fuzzLoad({ numRuns: 150, seed: 42 });
  assert.ok((r.outcomes.DUMP_CORRUPT ?? 0) + (r.outcomes.DUMP_TRUNCATED ?? 0) > 0);
});

test('fuzz: the hostile events append gets, as dumps through load — refused whole, or verify clean and the store still works', async () => {
  const r = await fuzzLoadEvents({ numRuns: 150, seed: 42 });
  assert.ok((r.outcomes.loaded ?? 0) > 0, JSON.stringify(r.outcomes));
  assert.ok(Object.keys(r.outcomes).some((k) => k.startsWith('DUMP_CORRUPT ')), JSON.stringify(r.outcomes));
});

test('fuzz: the same hostile events as backups through restore — refused whole, or verify clean and the store still works', async () => {
  const r = await fuzzRestoreEvents({ numRuns: 60, seed: 42 });
  assert.ok((r.outcomes.restored ?? 0) > 0, JSON.stringify(r.outcomes));
  assert.ok(Object.keys(r.outcomes).some((k) => k.startsWith('DUMP_CORRUPT ')), JSON.stringify(r.outcomes));
});

test('fuzz: mutated legacy registries and workflow files through migrate — imported, or coded per-file errors and no partial file', async () => {
  const r = await fuzzMigrate({ numRuns: 120, seed: 42 });
  assert.ok((r.outcomes.imported ?? 0) > 0);
  assert.ok(Object.keys(r.outcomes).some((k) => k.startsWith('file error') || k.startsWith('refused')));
});

test('fuzz: hostile template names, versions, paths and install specs', async () => {
  const r = await fuzzTemplates({ numRuns: 150, seed: 42 });
  assert.ok(Object.keys(r.outcomes).some((k) => k.endsWith(' ok')));
});

test('regression: a `__proto__` key in event data is refused, not silently dropped or renamed', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const before = await storeDigest(store);
    const extra = JSON.parse('{"keep": 1, "__proto__": {"polluted": true}}');
    try {
      await store.append({ stream: 'workflow-p1', type: 'workflow.recorded', data: { timestamp: '2025-01-01T00:00:00Z', action: 'a', description: '', extra } });
      assert.unreachable('appended');
    } catch (err) {
      assert.is((err as { code?: string }).code, 'VALIDATION_FAILED');
      assert.match((err as Error).message, /__proto__/);
    }
    assert.is(await storeDigest(store), before);
  } finally {
    await cleanup();
  }
});

test('regression: half a surrogate pair in a name, tag or stream is refused (UTF-8 keys would merge them)', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await store.projects.register({ name: 'a\uD800', path: '/p1' }).then(
      () => assert.unreachable('registered'),
      (err) => assert.is(err.code, 'VALIDATION_FAILED'),
    );
    await store.projects.register({ name: 'ok', path: '/p1', tags: ['t\uDFFF'] }).then(
      () => assert.unreachable('registered'),
      (err) => assert.is(err.code, 'VALIDATION_FAILED'),
    );
    await store
      .append({ stream: 'workflow-\uD800', type: 'workflow.recorded', data: { timestamp: '2025-01-01T00:00:00Z', action: 'a', description: '' } })
      .then(
        () => assert.unreachable('appended'),
        (err) => assert.is(err.code, 'VALIDATION_FAILED'),
      );
    // whole pairs (emoji) are fine and read back as written
    const p = await store.projects.register({ name: 'rocket 🚀', path: '/p2', tags: ['🚀'] });
    assert.is((await store.views.projects.byName('rocket 🚀'))?.id, p.id);
    assert.is(store.log.head, 1);
    assert.ok((await store.verify()).ok);
  } finally {
    await cleanup();
  }
});

test.run();
