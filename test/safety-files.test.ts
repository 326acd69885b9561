import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backupStore, fileSink, openStore, writeDump, type Store } from '../src/index.js';
import { encode } from '../src/log/codec.js';
import { BIN, json, run, tempDir, type RunResult } from './helpers.js';
import { seed } from './dumps-fixtures.js';

// Issue 11: the store only creates, renames or deletes what it can prove is its own, checks every
// log entry it reads, and names what is wrong with a file it is given.

const env = (dir: string) => ({ HOME: join(dir, 'home'), PYGUBUAI_HOME: join(dir, 'home', '.pygubuai') });

async function setup() {
  const t = await tempDir('pygubuai-safety-');
  await mkdir(join(t.dir, 'home'), { recursive: true });
  await mkdir(join(t.dir, 'p1'));
  await mkdir(join(t.dir, 'p2'));
  const db = (...args: string[]) => run('pygubu-db', args, { env: env(t.dir) });
  return { ...t, db };
}

/** A user's directory: an info log of theirs (the names LevelDB would rename), notes, a subfolder. */
async function userFiles(dir: string): Promise<Record<string, string>> {
  await mkdir(join(dir, 'sub'), { recursive: true });
  const files = { LOG: 'my log\n', 'LOG.old': 'my older log\n', 'notes.txt': 'do not lose me\n', 'sub/thesis.tex': '\\documentclass{article}\n' };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return files;
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, prefix: string) => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      if ((await stat(p)).isDirectory()) await walk(p, `${prefix}${name}/`);
      else out[`${prefix}${name}`] = await readFile(p, 'utf8');
    }
  };
  await walk(dir, '');
  return out;
}

const codeOf = (r: RunResult): string | undefined => /\(([A-Z_0-9]+)\)\s*$/m.exec(r.stderr)?.[1];

function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

async function storeWithBackup(dir: string): Promise<{ backup: string; dump: string }> {
  const src = await openStore({ location: join(dir, 'src-store'), sync: false });
  await seed(src, 3, 2);
  const backup = join(dir, 'good.backup');
  const dump = join(dir, 'good.ndjson');
  await backupStore(src, backup);
  await writeDump(src, await fileSink(dump));
  await src.close();
  return { backup, dump };
}

test('init, a first write and --store / refuse a directory that is not a store, changing nothing', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const docs = join(dir, 'docs');
    const files = await userFiles(docs);
    for (const args of [['init'], ['project', 'add', join(dir, 'p1')], ['stats']]) {
      const r = await db('--store', docs, ...args);
      assert.is(r.code, 1, r.stderr);
      assert.is(codeOf(r), 'STORE_NOT_A_STORE', r.stderr);
      assert.equal(await snapshot(docs), files, `${args.join(' ')} left the directory as it was`);
    }
    for (const location of ['/', join(dir, 'home')]) {
      const r = await db('--store', location, 'init');
      assert.is(r.code, 1);
      assert.is(codeOf(r), 'STORE_LOCATION_UNSAFE', r.stderr);
    }
    assert.not.ok(existsSync('/CURRENT'));
    assert.equal(await readdir(join(dir, 'home')), [], 'nothing was written into the home directory');
    // an empty directory is fine: the store fills it and marks it as its own
    await mkdir(join(dir, 'empty'));
    const ok = await db('--store', join(dir, 'empty'), 'init', '--no-starters');
    assert.is(ok.code, 0, ok.stderr);
    const marker = JSON.parse(await readFile(join(dir, 'empty', 'PYGUBUAI-STORE'), 'utf8'));
    assert.is(marker.pygubuai, 'store');
    assert.match(marker.id, /^[0-9a-f-]{36}$/);
  } finally {
    await cleanup();
  }
});

test('restore, load --beside and a big load refuse a --store that is a user directory, before any rename', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const { backup, dump } = await storeWithBackup(dir);
    const docs = join(dir, 'docs');
    const files = await userFiles(docs);
    const attempts: string[][] = [
      ['restore', backup, '--yes'],
      ['restore', backup],
      ['load', '--beside', dump],
    ];
    // a dump over 16 MiB is loaded beside the store by default
    const big = await openStore({ location: join(dir, 'big-store'), sync: false });
    const blob = 'b'.repeat(8000);
    for (let i = 0; i < 2200; i += 200) {
      await big.append(
        Array.from({ length: 200 }, (_, k) => ({
          stream: 'metric-filler',
          type: 'analytics.recorded' as const,
          data: { metric: 'filler', value: i + k, metadata: { blob } },
        })),
      );
    }
    const bigDump = join(dir, 'big.ndjson');
    await writeDump(big, await fileSink(bigDump));
    await big.close();
    assert.ok((await stat(bigDump)).size > 16 * 1024 * 1024);
    attempts.push(['load', bigDump]);
    for (const args of attempts) {
      const r = await db('--store', docs, ...args);
      assert.is(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.is(codeOf(r), 'STORE_NOT_A_STORE', r.stderr);
      assert.equal(await snapshot(docs), files, `${args.join(' ')} left the user's files`);
      assert.equal((await readdir(dir)).filter((n) => n.startsWith('docs.')), [], 'no copy was built beside it');
    }
    // the same restore into a fresh path works: the refusal was about the directory, not the backup
    const fresh = await db('--store', join(dir, 'fresh'), 'restore', backup, '--json');
    assert.is(fresh.code, 0, fresh.stderr);
    assert.is(json(fresh).restored, true);
  } finally {
    await cleanup();
  }
});

test('restore without --yes and without a terminal refuses to replace a store that holds events', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const { backup } = await storeWithBackup(dir);
    const location = join(dir, 'store');
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p1'))).code, 0);
    const r = await db('--store', location, 'restore', backup);
    assert.is(codeOf(r), 'CONFIRMATION_REQUIRED', r.stderr);
    const list = json(await db('--store', location, 'project', 'list', '--json'));
    assert.equal(list.map((p: { name: string }) => p.name), ['p1']);
  } finally {
    await cleanup();
  }
});

test('siblings named like restore leftovers are removed only when marked as this store\'s, and never by a read', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const location = join(dir, 'store');
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p1'))).code, 0);
    const pid = deadPid();
    // a user's directories that merely have the names
    const named: Record<string, Record<string, string>> = {};
    for (const kind of ['old', 'restoring', 'restored']) {
      const p = `${location}.${kind}-${pid}`;
      named[p] = await userFiles(p);
    }
    // a leftover marked for another store
    const otherLoc = join(dir, 'other');
    const foreignMarked = `${location}.old-${pid - 1}`;
    const f = await openStore({ location: foreignMarked, sync: false, sibling: { of: otherLoc, role: 'old' } });
    await f.close();
    // and a real leftover of this store: a half-built restore copy, marked for it
    const ours = `${location}.restoring-${pid - 2}`;
    const o = await openStore({ location: ours, sync: false, sibling: { of: location, role: 'restoring' } });
    await seed(o, 1, 1);
    await o.close();

    for (const args of [['stats'], ['project', 'list'], ['log'], ['verify']]) {
      const r = await db('--store', location, ...args);
      assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(existsSync(ours), `${args.join(' ')} (a read) left the store's own leftover`);
    }
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p2'))).code, 0);
    assert.not.ok(existsSync(ours), 'a write cleaned up the marked leftover');
    assert.ok(existsSync(join(foreignMarked, 'CURRENT')), 'a leftover marked for another store is not ours');
    for (const [p, files] of Object.entries(named)) assert.equal(await snapshot(p), files, `${p} is untouched`);
    const list = json(await db('--store', location, 'project', 'list', '--json'));
    assert.equal(list.map((p: { name: string }) => p.name).sort(), ['p1', 'p2']);
  } finally {
    await cleanup();
  }
});

test('a swap interrupted with the store moved away is finished from the marked copy, not from a look-alike', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const location = join(dir, 'store');
    const pid = deadPid();
    // a look-alike holding a real pygubuai store, but unmarked (copied there by the user)
    const lookAlike = `${location}.restored-${pid}`;
    const l = await openStore({ location: lookAlike, sync: false });
    await seed(l, 2, 0, { prefix: 'look' });
    await l.close();
    const r = await db('--store', location, 'stats', '--json');
    assert.is(codeOf(r), 'STORE_NOT_FOUND', r.stderr);
    const w = await db('--store', location, 'init', '--no-starters', '--json');
    assert.is(w.code, 0, w.stderr);
    assert.is(json(w).events, 0, 'a fresh store, not the look-alike renamed into place');
    assert.ok(existsSync(join(lookAlike, 'CURRENT')));
    // a marked, complete copy is what an interrupted swap leaves: the next write puts it in place
    const loc2 = join(dir, 'store2');
    const marked = `${loc2}.restored-${pid}`;
    const m = await openStore({ location: marked, sync: false, sibling: { of: loc2, role: 'restored' } });
    await seed(m, 2, 0, { prefix: 'mark' });
    await m.close();
    const done = await db('--store', loc2, 'project', 'add', join(dir, 'p1'), '--json');
    assert.is(done.code, 0, done.stderr);
    const list = json(await db('--store', loc2, 'project', 'list', '--json'));
    assert.equal(list.map((p: { name: string }) => p.name).sort(), ['mark-app-0', 'mark-app-1', 'p1']);
    assert.not.ok(existsSync(marked));
    const marker = JSON.parse(await readFile(join(loc2, 'PYGUBUAI-STORE'), 'utf8'));
    assert.is(marker.sibling, undefined, 'the copy that became the store is no longer marked as a sibling');
  } finally {
    await cleanup();
  }
});

/** Flip one bit of the first occurrence of `needle` in the store's files matching `pattern`. */
async function flip(location: string, pattern: RegExp, needle: string): Promise<string> {
  for (const name of (await readdir(location)).filter((n) => pattern.test(n)).sort().reverse()) {
    const p = join(location, name);
    const buf = await readFile(p);
    const at = buf.indexOf(needle);
    if (at === -1) continue;
    buf[at + Math.floor(needle.length / 2)]! ^= 0x01;
    await writeFile(p, buf);
    return name;
  }
  throw new Error(`${needle} not found in ${location}`);
}

test('bit rot in a table file: verify names the seq, rebuild, dump and backup refuse instead of folding it in', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const location = join(dir, 'store');
    const canary = 'BITROT-CANARY-0123456789abcdefghijklmnop';
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p1'), '--description', canary)).code, 0);
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p2'))).code, 0);
    assert.is((await db('--store', location, 'compact')).code, 0);
    await flip(location, /\.ldb$/, 'BITROT-CANARY');

    const v = await db('--store', location, 'verify', '--json');
    assert.is(v.code, 1);
    const report = json(v);
    assert.is(report.ok, false);
    const damaged = report.problems.find((p: { kind: string }) => p.kind === 'damaged');
    assert.ok(damaged, JSON.stringify(report.problems));
    assert.match(damaged.message, /log entry 1 is damaged: its checksum does not match/);

    for (const args of [['rebuild'], ['dump', join(dir, 'x.ndjson')], ['backup', join(dir, 'x.backup')]]) {
      const r = await db('--store', location, ...args);
      assert.is(r.code, 1, `${args[0]}: ${r.stderr}`);
      assert.is(codeOf(r), 'STORE_CORRUPT', r.stderr);
      assert.match(r.stderr, /log entry 1 is damaged/);
    }
    assert.not.ok(existsSync(join(dir, 'x.ndjson')));
    assert.not.ok(existsSync(join(dir, 'x.backup')));
    // the refused rebuild dropped nothing: the views still answer (a restore is the way out)
    const shown = json(await db('--store', location, 'project', 'show', 'p1', '--json'));
    assert.is(shown.name, 'p1');
    assert.is(json(await db('--store', location, 'stats', '--json')).projects, 2);
  } finally {
    await cleanup();
  }
});

test('a damaged record in the newest .log: LevelDB drops it, and verify says so from then on (never "ok")', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const location = join(dir, 'store');
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p1'))).code, 0);
    const canary = 'WAL-CANARY-0123456789abcdefghij';
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p2'), '--description', canary)).code, 0);
    const logs = (await readdir(location)).filter((n) => /^\d+\.log$/.test(n)).sort();
    await flip(location, new RegExp(`^${logs[logs.length - 1]!.replace('.', '\\.')}$`), canary);

    const first = await db('--store', location, 'project', 'list');
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stderr, /warning: LevelDB dropped damaged data/);
    for (let i = 0; i < 2; i++) {
      const v = await db('--store', location, 'verify', '--json');
      assert.is(v.code, 1, v.stdout);
      const report = json(v);
      assert.is(report.ok, false);
      assert.ok(report.problems.some((p: { kind: string; message: string }) => p.kind === 'damaged' && /dropping \d+ bytes/.test(p.message)), JSON.stringify(report));
    }
  } finally {
    await cleanup();
  }
});

test('a truncated table file is STORE_CORRUPT, not an I/O or permissions error', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const location = join(dir, 'store');
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p1'))).code, 0);
    assert.is((await db('--store', location, 'compact')).code, 0);
    for (const name of (await readdir(location)).filter((n) => n.endsWith('.ldb'))) {
      const p = join(location, name);
      await truncate(p, Math.floor((await stat(p)).size / 3));
    }
    const r = await db('--store', location, 'project', 'list');
    assert.is(r.code, 1);
    assert.is(codeOf(r), 'STORE_CORRUPT', r.stderr);
    assert.not.match(r.stderr, /permission/);
  } finally {
    await cleanup();
  }
});

test('entries stored before checksums still read; from checksumsFrom on, an entry without one is damage', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const location = join(dir, 'store');
    // a store as the previous format wrote it: plain msgpack entries, format 1, no marker file
    const made = await openStore({ location, sync: false });
    await seed(made, 2, 1);
    await made.close();
    const { ClassicLevel } = await import('classic-level');
    const raw = new ClassicLevel<string, Buffer>(location, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await raw.open();
    const { decodeEntry } = await import('../src/log/entry.js');
    for await (const [key, value] of raw.iterator({ gte: 'e!', lt: 'e!~' })) {
      await raw.put(key, encode(decodeEntry(value, parseInt(key.slice(2), 16))));
    }
    await raw.put('m!format', encode({ version: 1, created: '2025-01-01T00:00:00.000Z' }));
    await raw.close();
    const { rm } = await import('node:fs/promises');
    await rm(join(location, 'PYGUBUAI-STORE'));

    assert.is(json(await db('--store', location, 'stats', '--json')).events, 4);
    assert.ok(existsSync(join(location, 'PYGUBUAI-STORE')), 'an old store, proven by its format key, gets a marker');
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p1'))).code, 0);
    const v = await db('--store', location, 'verify', '--json');
    assert.is(json(v).ok, true, v.stdout);

    const raw2 = new ClassicLevel<string, Buffer>(location, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await raw2.open();
    const { decode } = await import('../src/log/codec.js');
    const format = decode<{ version: number; checksumsFrom: number }>((await raw2.get('m!format'))!);
    assert.is(format.version, 3, 'upgraded to format 3 on the first open');
    assert.is(format.checksumsFrom, 5);
    const { readdirSync } = await import('node:fs');
    assert.is(readdirSync(dir).filter((n) => /^store\.v1-backup-/.test(n)).length, 1, 'the format-1 store is kept beside it');
    const newest = (await raw2.get('e!000000000005'))!;
    assert.is(newest[0], 0xc1, 'the new entry carries a checksum');
    // strip the checksum of the new entry: it must not pass for an old one
    await raw2.put('e!000000000005', Buffer.from(newest.subarray(5)));
    await raw2.close();
    const bad = json(await db('--store', location, 'verify', '--json'));
    assert.is(bad.ok, false);
    assert.ok(bad.problems.some((p: { kind: string; message: string }) => p.kind === 'damaged' && /log entry 5 .*no checksum/.test(p.message)));
  } finally {
    await cleanup();
  }
});

test('one event over the limit is refused by append and by load, with one code; backup and restore agree', async () => {
  const { dir, cleanup, db } = await setup();
  let store: Store | undefined;
  try {
    const location = join(dir, 'store');
    store = await openStore({ location, sync: false });
    const huge = { stream: 'metric-huge', type: 'analytics.recorded' as const, data: { metric: 'huge', value: 1, metadata: { blob: 'x'.repeat(17 * 1024 * 1024) } } };
    try {
      await store.append(huge);
      assert.unreachable('appended');
    } catch (err) {
      assert.is((err as { code?: string }).code, 'EVENT_TOO_LARGE');
    }
    await store.append({ stream: 'metric-small', type: 'analytics.recorded', data: { metric: 'small', value: 1, metadata: { blob: 'y'.repeat(15 * 1024 * 1024) } } });
    assert.is(store.log.head, 1);
    // the largest event the store takes backs up and restores, in both formats
    for (const encoding of ['msgpack', 'ndjson'] as const) {
      const file = join(dir, `max.${encoding}`);
      await backupStore(store, file, { encoding });
      const r = await db('--store', join(dir, `restored-${encoding}`), 'restore', file, '--yes', '--json');
      assert.is(r.code, 0, r.stderr);
      assert.is(json(r).backup.events, 1);
    }
    await store.close();
    store = undefined;
    // a dump carrying a bigger one is refused whole by load
    const header = { pygubuai: 'dump', version: 1, encoding: 'ndjson', storeFormat: 2, created: new Date().toISOString(), head: 2, filters: {} };
    const ev = (seq: number, id: string, blob: number) => ({
      seq, id, stream: `metric-m${seq}`, version: 1, type: 'analytics.recorded', v: 1, at: new Date().toISOString(),
      data: { metric: 'm', value: seq, metadata: { blob: 'z'.repeat(blob) } }, meta: { source: 'cli' },
    });
    const lines = [ev(1, 'id-small', 10), ev(2, 'id-huge', 17 * 1024 * 1024)].map((e) => `${JSON.stringify(e)}\n`);
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(lines.join('')).digest('hex');
    const file = join(dir, 'huge.ndjson');
    await writeFile(file, `${JSON.stringify(header)}\n${lines.join('')}${JSON.stringify({ pygubuai: 'end', count: 2, sha256 })}\n`);
    const fresh = join(dir, 'fresh');
    const r = await db('--store', fresh, 'load', file);
    // a dump's refusal is DUMP_CORRUPT naming the line and the rule (the domain check's one shape)
    assert.is(codeOf(r), 'DUMP_CORRUPT', r.stderr);
    assert.match(r.stderr, /line 3: .*rule EVENT_TOO_LARGE/);
    const stats = await db('--store', fresh, 'stats', '--json');
    assert.ok(stats.code !== 0 || json(stats).events === 0, 'nothing was loaded');
  } finally {
    await store?.close().catch(() => {});
    await cleanup();
  }
});

test('a dump with a byte-order mark, or a text file, given to load or restore is "not a dump" and changes nothing', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const { dump, backup } = await storeWithBackup(dir);
    const location = join(dir, 'store');
    assert.is((await db('--store', location, 'project', 'add', join(dir, 'p1'))).code, 0);
    const bom = join(dir, 'bom.ndjson');
    await writeFile(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), await readFile(dump)]));
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'these are my notes\nnot a dump at all\n');
    const bomBackup = join(dir, 'bom.backup');
    await writeFile(bomBackup, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), await readFile(backup)]));
    for (const args of [['load', bom], ['load', text], ['load', '--format', 'msgpack', text], ['restore', text, '--yes'], ['restore', bomBackup, '--yes']]) {
      const r = await db('--store', location, ...args);
      assert.is(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.is(codeOf(r), 'DUMP_NOT_A_DUMP', r.stderr);
      assert.not.match(r.stderr, /not plausible/);
    }
    assert.is(json(await db('--store', location, 'stats', '--json')).events, 1);
  } finally {
    await cleanup();
  }
});

/** Spawn a bin through sh so an argument can hold bytes that are not UTF-8. */
function runRaw(dir: string, script: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script, 'sh', process.execPath, BIN('pygubu-db')], {
      env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', ...env(dir) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('an argument that is not valid UTF-8 is refused, not stored with U+FFFD; a real U+FFFD is kept', async () => {
  const { dir, cleanup, db } = await setup();
  try {
    const location = join(dir, 'store');
    const bad = await runRaw(dir, `"$1" "$2" --store '${location}' project add '${join(dir, 'p1')}' --description "bad $(printf '\\377\\376') bytes"`);
    assert.is(bad.code, 2, bad.stderr);
    assert.is(codeOf(bad), 'ARGUMENT_NOT_UTF8', bad.stderr);
    assert.not.ok(existsSync(location), 'nothing was created');
    if (!existsSync('/proc/self/cmdline')) return; // elsewhere any U+FFFD is refused (README)
    const good = await db('--store', location, 'project', 'add', join(dir, 'p1'), '--description', 'a real \uFFFD replacement character');
    assert.is(good.code, 0, good.stderr);
    assert.is(json(await db('--store', location, 'project', 'show', 'p1', '--json')).description, 'a real \uFFFD replacement character');
  } finally {
    await cleanup();
  }
});

test.run();
