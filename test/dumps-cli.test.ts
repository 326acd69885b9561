import { spawn, spawnSync } from 'node:child_process';
import { sandboxEnv } from './sandbox.js';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backupStore, openStore, type StoredEvent } from '../src/index.js';
import { BIN, json, run, tempDir } from './helpers.js';
import { logOf, seed } from './dumps-fixtures.js';

/** A store with `projects` × `entries` events, made in-process (fast), closed. */
async function makeStore(location: string, projects: number, entries: number): Promise<void> {
  const store = await openStore({ location, sync: false });
  await seed(store, projects, entries);
  await store.close();
}

/** The event lines of `dump -`: what the log holds, without the header's creation time. */
async function eventLines(location: string): Promise<string[]> {
  const r = await run('pygubu-db', ['--store', location, 'dump', '-']);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.split('\n').slice(1, -2);
}

const sh = (command: string) => spawnSync('sh', ['-c', command], { encoding: 'utf8', env: sandboxEnv() });

test('dump - | load - copies a store through a pipe, in both formats', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = join(dir, 'a');
    await makeStore(a, 5, 3);
    const dumped = await run('pygubu-db', ['--store', a, 'dump', '-']);
    assert.is(dumped.code, 0, dumped.stderr);
    const lines = dumped.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal([lines[0].pygubuai, lines.length, lines.at(-1).count], ['dump', 22, 20]);
    assert.match(dumped.stderr, /^dumped 20 events \(ndjson, [\d.]+ KiB\) to stdout/);

    const loaded = await run('pygubu-db', ['--store', join(dir, 'b'), 'load', '-', '--json'], { input: dumped.stdout });
    assert.is(loaded.code, 0, loaded.stderr);
    assert.equal([json(loaded).loaded, json(loaded).skipped, json(loaded).file], [20, 0, '-']);

    const bin = BIN('pygubu-db');
    const piped = sh(`node ${bin} --store ${a} dump - --format msgpack | node ${bin} --store ${join(dir, 'c')} load - --beside --json`);
    assert.is(piped.status, 0, piped.stderr);
    assert.equal([JSON.parse(piped.stdout).loaded, JSON.parse(piped.stdout).header.encoding, JSON.parse(piped.stdout).strategy], [20, 'msgpack', 'beside']);
    const expected = await eventLines(a);
    assert.equal(await eventLines(join(dir, 'b')), expected);
    assert.equal(await eventLines(join(dir, 'c')), expected);

    const names = sh(`node ${bin} --store ${a} dump - --type project.registered | jq -r 'select(.type) | .data.name'`);
    assert.equal(piped.status === 0 && names.stdout.trim().split('\n'), ['p-app-0', 'p-app-1', 'p-app-2', 'p-app-3', 'p-app-4']);
  } finally {
    await cleanup();
  }
});

test('dump to a file with filters; load refuses corrupt or truncated input with the line, writing nothing', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await makeStore(a, 4, 4);
    await makeStore(b, 1, 1);
    const file = join(dir, 'wf.ndjson');
    const r = await run('pygubu-db', ['--store', a, 'dump', file, '--type', 'workflow.recorded', '--since', '2025-01-01T00:02:00Z', '--json']);
    assert.is(r.code, 0, r.stderr);
    assert.equal([json(r).count, json(r).encoding, json(r).head], [8, 'ndjson', 20]);

    const before = await eventLines(b);
    const text = await readFile(file, 'utf8');
    const broken = text.split('\n');
    broken[3] = broken[3]!.replace('"timestamp":', '"timestamp":{').slice(0, -1);
    await writeFile(join(dir, 'broken.ndjson'), broken.join('\n'));
    const bad = await run('pygubu-db', ['--store', b, 'load', join(dir, 'broken.ndjson')]);
    assert.is(bad.code, 1);
    assert.match(bad.stderr, /^error: line 4: not valid JSON .*\(DUMP_CORRUPT\)\n/);

    const cut = await run('pygubu-db', ['--store', b, 'load', '-'], { input: text.slice(0, text.lastIndexOf('\n', text.length - 2) - 20) });
    assert.is(cut.code, 1);
    assert.match(cut.stderr, /^error: line 9: the last line is cut short \(DUMP_TRUNCATED\)/);
    assert.equal(await eventLines(b), before);

    const ok = await run('pygubu-db', ['--store', b, 'load', file]);
    assert.is(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^loaded 8 events \(seq 3\.\.10\), skipped 0 already present/);
    const usage = await run('pygubu-db', ['--store', a, 'dump', file, '--since', 'yesterday']);
    assert.is(usage.code, 2);
  } finally {
    await cleanup();
  }
});

test('restore asks unless --yes: no terminal and no --yes is CONFIRMATION_REQUIRED; --yes reports the loss', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const location = join(dir, 'store');
    await makeStore(location, 6, 2);
    const backup = await run('pygubu-db', ['--store', location, 'backup', join(dir, 'x.backup'), '--json']);
    assert.is(backup.code, 0, backup.stderr);
    assert.equal([json(backup).count, json(backup).encoding, json(backup).kind], [18, 'msgpack', 'backup']);
    const store = await openStore({ location, sync: false });
    await seed(store, 2, 1, { prefix: 'later', start: 9 });
    await store.close();
    const before = await eventLines(location);

    const refused = await run('pygubu-db', ['--store', location, 'restore', join(dir, 'x.backup')]);
    assert.is(refused.code, 1);
    assert.match(refused.stderr, /^error: restoring replaces the store at .* \(22 events\); confirm with --yes \(CONFIRMATION_REQUIRED\)/);
    assert.equal(await eventLines(location), before);

    const restored = await run('pygubu-db', ['--store', location, 'restore', join(dir, 'x.backup'), '--yes', '--json']);
    assert.is(restored.code, 0, restored.stderr);
    assert.equal([json(restored).restored, json(restored).lost, json(restored).current.events, json(restored).backup.events], [true, 4, 22, 18]);
    assert.equal(await eventLines(location), before.slice(0, 18));
    const verify = await run('pygubu-db', ['--store', location, 'verify']);
    assert.is(verify.code, 0, verify.stdout + verify.stderr);
    assert.equal((await readdir(dir)).sort(), ['store', 'x.backup']);

    const human = await run('pygubu-db', ['--store', join(dir, 'fresh'), 'restore', join(dir, 'x.backup')]);
    assert.is(human.code, 0, human.stderr);
    assert.match(human.stdout, /^restored 18 events from .*x\.backup into .*fresh in \d+ ms\n$/);
  } finally {
    await cleanup();
  }
});

test('restore killed with SIGKILL at any moment leaves the old store intact (or the new one complete)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pristine = join(dir, 'pristine');
    await makeStore(pristine, 80, 15); // 1,280 events
    const s = await openStore({ location: pristine, sync: false });
    await backupStore(s, join(dir, 'b.backup'));
    await seed(s, 5, 1, { prefix: 'newer', start: 500 });
    const oldLog = await logOf(s);
    await s.close();
    const backupLog = oldLog.slice(0, 1280);
    const location = join(dir, 'store');
    const args = [BIN('pygubu-db'), '--store', location, 'restore', join(dir, 'b.backup'), '--yes'];

    const started = Date.now();
    await cp(pristine, location, { recursive: true });
    const full = spawnSync(process.execPath, args, { encoding: 'utf8', env: sandboxEnv() });
    assert.is(full.status, 0, full.stderr);
    const duration = Date.now() - started;

    const outcomes = { old: 0, new: 0 };
    const kills = 5;
    for (let k = 1; k <= kills; k++) {
      await rm(location, { recursive: true, force: true });
      await cp(pristine, location, { recursive: true });
      const delay = Math.round((duration * k) / (kills + 1) + (Math.random() - 0.5) * (duration / (kills + 1)));
      const child = spawn(process.execPath, args, { stdio: 'ignore', env: sandboxEnv() });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal === null ? 0 : 1)));
      await sleep(delay);
      child.kill('SIGKILL');
      await exited;
      const store = await openStore({ location, createIfMissing: false });
      try {
        const log: StoredEvent[] = await logOf(store);
        const which = log.length === oldLog.length ? 'old' : 'new';
        assert.equal(log, which === 'old' ? oldLog : backupLog, `kill after ${delay} ms`);
        outcomes[which]++;
        const verify = await store.verify();
        assert.ok(verify.ok, `kill after ${delay} ms: ${JSON.stringify(verify.problems.slice(0, 3))}`);
      } finally {
        await store.close();
      }
      assert.equal((await readdir(dir)).sort(), ['b.backup', 'pristine', 'store'], `kill after ${delay} ms`);
    }
    assert.is(outcomes.old + outcomes.new, kills);
  } finally {
    await cleanup();
  }
});

test.run();
