import { fork } from 'node:child_process';
import { sandboxEnv } from './sandbox.js';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, json, ROOT, run, tempDir } from './helpers.js';

async function setup() {
  const { dir, cleanup } = await tempDir('pygubuai-cli-');
  const store = join(dir, 'store');
  const app = join(dir, 'projects', 'login-app');
  await mkdir(app, { recursive: true });
  await writeFile(join(app, 'login.ui'), '<interface/>');
  await mkdir(join(dir, 'projects', 'empty'), { recursive: true });
  const db = (...args: string[]) => run('pygubu-db', ['--store', store, ...args], { env: { HOME: dir } });
  return { dir, store, app, db, cleanup };
}

test('a read command on a missing store says STORE_NOT_FOUND; init creates it', async () => {
  const { db, store, cleanup } = await setup();
  try {
    const missing = await db('project', 'list');
    assert.is(missing.code, 1);
    assert.match(missing.stderr, /^error: no store at .* \(STORE_NOT_FOUND\)$/m);
    assert.not.match(missing.stderr, /\n\s+at /, 'no stack trace');
    const init = json(await db('init', '--no-starters', '--json'));
    assert.is(init.location, store);
    assert.is(init.events, 0);
  } finally {
    await cleanup();
  }
});

test('project add/list/show/update/rename/search/active/remove through the bin', async () => {
  const { db, dir, app, cleanup } = await setup();
  try {
    const added = await db('project', 'add', app, '-d', 'Login form', '--tags', 'forms, auth', '--json');
    assert.is(added.code, 0, added.stderr);
    const p = json(added);
    assert.is(p.name, 'login-app');
    assert.is(p.path, app);
    assert.equal(p.tags, ['forms', 'auth']);
    const linked = join(dir, 'link-to-empty');
    await symlink(join(dir, 'projects', 'empty'), linked);
    const empty = await db('project', 'add', linked + '/', '--name', 'Empty One');
    assert.is(empty.code, 0, empty.stderr);
    assert.match(empty.stderr, /warning: .* holds no \.ui file/);
    assert.is(json(await db('project', 'show', 'Empty One', '--json')).path, join(dir, 'projects', 'empty'), 'symlinks resolved, no trailing slash');

    const dup = await db('project', 'add', app);
    assert.is(dup.code, 1);
    assert.match(dup.stderr, /\(PROJECT_EXISTS\)/);
    const nowhere = await db('project', 'add', join(dir, 'nope'));
    assert.match(nowhere.stderr, /\(PATH_NOT_FOUND\)/);

    const shown = json(await db('project', 'show', 'login-app', '--json'));
    for (const k of ['id', 'name', 'path', 'description', 'tags', 'created', 'modified']) assert.ok(k in shown, `show --json has ${k}`);
    assert.match(shown.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);

    assert.is((await db('project', 'update', 'login-app', '--tags', 'auth,web', '-d', 'Sign in')).code, 0);
    assert.equal(json(await db('project', 'list', '--tag', 'web', '--json')).map((x: { name: string }) => x.name), ['login-app']);
    assert.equal(json(await db('project', 'search', 'sign', '--json')).map((x: { name: string }) => x.name), ['login-app']);
    assert.is((await db('project', 'rename', 'login-app', 'signin')).code, 0);
    assert.is((await db('project', 'active', 'signin')).code, 0);
    assert.is((await db('project', 'active')).stdout.trim(), 'signin');
    const table = await db('project', 'list');
    assert.match(table.stdout, /NAME\s+TAGS\s+MODIFIED\s+PATH/);
    assert.match(table.stdout, /\*\s+signin\s+auth,web/);
    assert.equal(json(await db('project', 'list', '--sort', 'created', '--limit', '1', '--json')).length, 1);
    assert.is((await db('project', 'remove', 'signin')).code, 0);
    assert.match((await db('project', 'show', 'signin')).stderr, /\(PROJECT_NOT_FOUND\)/);
    const stats = json(await db('stats', '--json'));
    assert.is(stats.projects, 1);
    assert.is(stats.events, 6);
    assert.is(stats.workflowEvents, 0);
  } finally {
    await cleanup();
  }
});

test('history, log filters, --as-of, verify, rebuild and compact through the bin', async () => {
  const { db, app, cleanup } = await setup();
  try {
    await db('project', 'add', app);
    assert.is((await db('history', 'record', 'login-app', 'file_changed', '-d', 'login.ui changed', '--at', '2025-01-02T03:04:05Z', '--user', 'ann')).code, 0);
    assert.is((await db('history', 'record', 'login-app', 'ui_generated')).code, 0);
    const hist = json(await db('history', 'login-app', '--json'));
    assert.equal(hist.entries.map((e: { action: string }) => e.action), ['file_changed', 'ui_generated']);
    assert.is(hist.entries[0].timestamp, '2025-01-02T03:04:05+00:00');
    assert.is(hist.entries[0].user, 'ann');
    assert.equal(json(await db('history', 'login-app', '-n', '1', '--json')).entries.map((e: { action: string }) => e.action), ['ui_generated']);
    assert.is(json(await db('history', 'login-app', '--as-of', '2', '--json')).entries.length, 1);

    const log = json(await db('log', '--json'));
    assert.equal(log.map((e: { seq: number }) => e.seq), [1, 2, 3]);
    for (const k of ['seq', 'id', 'stream', 'version', 'type', 'v', 'at', 'data', 'meta']) assert.ok(k in log[0]);
    assert.is(log[0].meta.source, 'cli');
    assert.equal(json(await db('log', '--type', 'workflow.recorded', '--json')).map((e: { seq: number }) => e.seq), [2, 3]);
    assert.equal(json(await db('log', '--from', '3', '--json')).map((e: { seq: number }) => e.seq), [3]);
    assert.equal(json(await db('log', '--stream', log[0].stream, '--json')).map((e: { seq: number }) => e.seq), [1]);
    assert.equal(json(await db('log', '--since', '2025-01-01T00:00:00Z', '--limit', '1', '--json')).length, 1);
    assert.is(json(await db('stats', '--as-of', '1', '--json')).workflowEvents, 0);
    assert.is(json(await db('stats', '--as-of', '2000-01-01T00:00:00Z', '--json')).projects, 0);

    const verify = await db('verify');
    assert.is(verify.code, 0);
    assert.match(verify.stdout, /^ok: 3 events/);
    const rebuilt = json(await db('rebuild', 'workflow', '--json'));
    assert.equal(rebuilt.projections, ['workflow']);
    assert.is(rebuilt.events, 3, "every event of the log is read; workflow folds its two");
    assert.is((await db('rebuild', 'nope')).code, 1);
    assert.is((await db('compact')).code, 0);
    assert.is(json(await db('verify', '--json')).ok, true);
  } finally {
    await cleanup();
  }
});

test('usage errors exit 2 with one line; bad values exit 1 with a code', async () => {
  const { db, cleanup } = await setup();
  try {
    await db('init', '--no-starters');
    const noCmd = await db();
    assert.is(noCmd.code, 2);
    assert.match(noCmd.stderr, /^error: .* \(USAGE\)$/m);
    assert.is((await db('project', 'list', '--sort', 'size')).code, 2);
    assert.is((await db('bogus')).code, 2);
    assert.is((await db('project', 'list', '--as-of', 'last tuesday')).code, 2);
    const bad = await db('history', 'record', 'x', 'y', '--at', 'soon');
    assert.is(bad.code, 2);
    const help = await db('project', '--help');
    assert.is(help.code, 0);
    assert.match(help.stdout, /search <query>/);
    const badJson = await db('project', 'show', 'nope', '--json');
    assert.is(json(badJson).error.code, 'PROJECT_NOT_FOUND');
  } finally {
    await cleanup();
  }
});

test('STORE_BUSY names the store after the bounded wait; a short lock is waited out', async () => {
  const { db, store, dir, cleanup } = await setup();
  try {
    await db('init', '--no-starters');
    // Resolves once the child holds the lock; `exited` is captured at fork time so it cannot be missed.
    const hold = (ms: number) =>
      new Promise<{ child: ReturnType<typeof fork>; exited: Promise<unknown> }>((resolve) => {
        const child = fork(join(ROOT, 'dist', 'test', 'fixtures', 'hold-store.js'), [store, String(ms)], { stdio: 'ignore', env: sandboxEnv() });
        const exited = new Promise((r) => child.once('exit', r));
        child.once('message', () => resolve({ child, exited }));
      });
    const long = await hold(4000);
    const busy = await run('pygubu-db', ['--store', store, 'stats'], { env: { HOME: dir, PYGUBUAI_LOCK_TIMEOUT_MS: '300' } });
    assert.is(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`error: store ${store} is locked by another process .*\\(STORE_BUSY\\)`));
    long.child.kill('SIGKILL');
    await long.exited;
    const short = await hold(400);
    const waited = await run('pygubu-db', ['--store', store, 'stats', '--json'], { env: { HOME: dir, PYGUBUAI_LOCK_TIMEOUT_MS: '10000' } });
    assert.is(waited.code, 0, waited.stderr);
    assert.is(json(waited).events, 0);
    await short.exited;
  } finally {
    await cleanup();
  }
});

test('log --follow prints new events as JSON lines and never holds the lock between polls', async () => {
  const { db, store, app, dir, cleanup } = await setup();
  try {
    await db('project', 'add', app);
    const { spawn } = await import('node:child_process');
    const follower = spawn(process.execPath, [BIN('pygubu-db'), '--store', store, 'log', '--follow', '--json', '--interval', '100'], {
      env: sandboxEnv({ HOME: dir }),
    });
    let out = '';
    follower.stdout.on('data', (d) => (out += d));
    const waitFor = async (n: number) => {
      for (let i = 0; i < 100 && out.split('\n').filter(Boolean).length < n; i++) await new Promise((r) => setTimeout(r, 100));
    };
    await waitFor(1);
    const rec = await run('pygubu-db', ['--store', store, 'history', 'record', 'login-app', 'file_changed'], { env: { HOME: dir, PYGUBUAI_LOCK_TIMEOUT_MS: '3000' } });
    assert.is(rec.code, 0, rec.stderr);
    await waitFor(2);
    follower.kill('SIGINT');
    const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(lines.map((e) => [e.seq, e.type]), [[1, 'project.registered'], [2, 'workflow.recorded']]);
  } finally {
    await cleanup();
  }
});

test('a reader that closes the pipe early (| head -1) ends the command without a stack trace', async () => {
  const { db, store, dir, cleanup } = await setup();
  try {
    await db('init');
    const { spawnSync } = await import('node:child_process');
    for (let i = 0; i < 3; i++) await db('history', 'record', 'x', 'y').catch(() => {});
    const many = Array.from({ length: 300 }, (_, i) => i);
    const { openStore } = await import('../src/index.js');
    const s = await openStore({ location: store });
    const p = await s.projects.register({ name: 'p', path: '/p' });
    await s.append(many.map((i) => ({ stream: `workflow-${p.id}`, type: 'workflow.recorded' as const, data: { timestamp: '2025-01-01T00:00:00Z', action: `a${i}`, description: 'x'.repeat(200) } })));
    await s.close();
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN('pygubu-db')}" --store "${store}" log --json | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      env: sandboxEnv({ HOME: dir }),
    });
    assert.not.match(r.stderr, /EPIPE|\n\s+at /, r.stderr);
    assert.match(r.stdout, /status=0/);
  } finally {
    await cleanup();
  }
});

test('PYGUBUAI_HOME picks the default store location', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const r = await run('pygubu-db', ['init', '--json'], { env: { HOME: dir, PYGUBUAI_HOME: join(dir, 'home') } });
    assert.is(json(r).location, join(dir, 'home', 'store'));
  } finally {
    await cleanup();
  }
});

test.run();
