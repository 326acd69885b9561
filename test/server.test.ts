import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connectStore, openStore } from '../src/index.js';
import { json, run, tempDir } from './helpers.js';
import { bin, db, homeEnv, http, postJson, serve, storeOf, until } from './server-helpers.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const UI = `<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.2">\n  <object class="tk.Toplevel" id="top">\n    <child>\n      <object class="ttk.Button" id="b1" />\n    </child>\n  </object>\n</interface>\n`;

test('serve: a 0600 socket, descriptor and token beside the store; status, token, a second serve is STORE_BUSY, stop cleans up', async () => {
  const { dir, cleanup } = await tempDir();
  const s = await serve(dir);
  try {
    const location = storeOf(dir);
    assert.is(s.descriptor.socket, `${location}.sock`);
    assert.is(mode(s.descriptor.socket), 0o600);
    assert.is(mode(`${location}.server.json`), 0o600);
    assert.is(mode(`${location}.token`), 0o600);
    const hs = await http(s.descriptor.socket, 'GET', '/v1/handshake?api=1&storeFormat=1');
    assert.is(hs.status, 200);
    assert.is(hs.json.api, 1);
    assert.is(hs.json.pid, s.child.pid);
    const newer = await http(s.descriptor.socket, 'GET', '/v1/handshake?api=99');
    assert.is(newer.status, 400);
    assert.is(newer.json.error.code, 'SERVER_TOO_OLD');
    // a 4,000-character name gets past the router's parameter limit to the route's own validation;
    // and the server started without a deprecation warning on its stderr
    const long = await http(s.descriptor.socket, 'GET', `/v1/projects/${'n'.repeat(4000)}`);
    assert.is(long.status, 400, long.text);
    assert.is(long.json.error.code, 'VALIDATION_FAILED');
    assert.match(long.json.error.message, /params\/name/);
    assert.not.match(s.stderr(), /Warning|FSTDEP/);

    const second = await db(dir, ['serve']);
    assert.is(second.code, 1);
    assert.match(second.stderr, /\(STORE_BUSY\)/);

    const status = json(await db(dir, ['server', 'status', '--json']));
    assert.is(status.running, true);
    assert.is(status.pid, s.child.pid);
    const token = await db(dir, ['server', 'token']);
    assert.is(token.code, 0);
    assert.match(token.stdout, /^[0-9a-f]{64}\n$/);

    const stop = await db(dir, ['server', 'stop']);
    assert.is(stop.code, 0, stop.stderr);
    const exit = await s.exited;
    assert.is(exit.code, 0);
    assert.not.ok(existsSync(s.descriptor.socket), 'socket removed');
    assert.not.ok(existsSync(`${location}.server.json`), 'descriptor removed');
    const after = await db(dir, ['server', 'status']);
    assert.is(after.code, 1);
    assert.match(after.stderr, /\(SERVER_NOT_RUNNING\)/);
  } finally {
    s.child.kill('SIGKILL');
    await cleanup();
  }
});

test('the bins print the same output and exit codes through the server as directly', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const proj = join(dir, 'proj');
    await mkdir(proj);
    await writeFile(join(proj, 'main.ui'), UI);
    assert.is((await db(dir, ['init', '--starters'])).code, 0);
    assert.is((await db(dir, ['project', 'add', proj, '--tags', 'x,y', '-d', 'a demo'])).code, 0);
    assert.is((await db(dir, ['history', 'record', 'proj', 'build', '--description', 'first'])).code, 0);
    assert.is((await bin('pygubu-analytics', dir, ['scan'])).code, 0);
    const commands: Array<['pygubu-db' | 'pygubu-template' | 'pygubu-analytics', string[]]> = [
      ['pygubu-db', ['project', 'list']],
      ['pygubu-db', ['project', 'list', '--json']],
      ['pygubu-db', ['project', 'show', 'proj']],
      ['pygubu-db', ['project', 'show', 'nope', '--json']],
      ['pygubu-db', ['project', 'search', 'demo']],
      ['pygubu-db', ['history', 'proj', '--json']],
      ['pygubu-db', ['log', '--json', '-n', '3']],
      ['pygubu-db', ['project', 'list', '--as-of', '1']],
      ['pygubu-db', ['project', 'list', '--bogus']],
      ['pygubu-template', ['search', 'button']],
      ['pygubu-template', ['info', 'no-such-template']],
      ['pygubu-analytics', ['widgets']],
      ['pygubu-analytics', ['project', 'proj', '--json']],
    ];
    const direct = [];
    for (const [name, args] of commands) direct.push(await bin(name, dir, args));
    const s = await serve(dir);
    try {
      for (let i = 0; i < commands.length; i++) {
        const [name, args] = commands[i]!;
        const through = await bin(name, dir, args);
        const label = `${name} ${args.join(' ')}`;
        assert.is(through.code, direct[i]!.code, `exit code of ${label}`);
        assert.is(through.stdout, direct[i]!.stdout, `stdout of ${label}`);
        assert.is(through.stderr, direct[i]!.stderr, `stderr of ${label}`);
      }
      // It really went through the server: --no-server meets the server's lock.
      const forced = await db(dir, ['project', 'list', '--no-server'], { env: { PYGUBUAI_LOCK_TIMEOUT_MS: '200' } });
      assert.is(forced.code, 1);
      assert.match(forced.stderr, /\(STORE_BUSY\)/);
      // A command the server answers never reads the bins' bundle: the loader asks the server first
      // from a script of its own (a preload records every readFileSync; --no-server is the control).
      const hook = join(dir, 'record-reads.cjs');
      const reads = join(dir, 'reads.txt');
      await writeFile(hook, `const fs = require('node:fs'); const seen = []; const read = fs.readFileSync;\nfs.readFileSync = function (p, ...rest) { seen.push(String(p)); return read.call(this, p, ...rest); };\nprocess.on('exit', () => fs.writeFileSync(${JSON.stringify(reads)}, seen.join('\\n')));\n`);
      const traced = async (args: string[]) => {
        const r = await run('pygubu-db', args, { nodeArgs: ['--require', hook], env: { ...homeEnv(dir), PYGUBUAI_LOCK_TIMEOUT_MS: '200' } });
        return { ...r, reads: readFileSync(reads, 'utf8').split('\n') };
      };
      const shown = await traced(['project', 'show', 'proj']);
      assert.is(shown.code, direct[2]!.code, shown.stderr);
      assert.is(shown.stdout, direct[2]!.stdout);
      assert.ok(shown.reads.some((p) => p.endsWith('.server.json')), `the hook saw the descriptor read: ${shown.reads.join(', ')}`);
      assert.not.ok(shown.reads.some((p) => p.endsWith('bins.cjs')), 'a command the server answered read the bundle');
      const local = await traced(['project', 'list', '--no-server']);
      assert.is(local.code, 1);
      assert.ok(local.reads.some((p) => p.endsWith('bins.cjs')), `--no-server runs the bundle: ${local.reads.join(', ')}`);
      // Writes through the server: same messages, and the store has them.
      const rec = await db(dir, ['history', 'record', 'proj', 'test', '--description', 'through the server']);
      assert.is(rec.code, 0, rec.stderr);
      const dup = await db(dir, ['project', 'add', proj]);
      assert.is(dup.code, 1);
      assert.match(dup.stderr, /\(PROJECT_EXISTS\)/);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    const hist = json(await db(dir, ['history', 'proj', '--json']));
    assert.ok(JSON.stringify(hist).includes('through the server'));
  } finally {
    await cleanup();
  }
});

test('CLI commands succeed while a library process holds the store through its server; two CLI writers and a client keep a gapless log', async () => {
  const { dir, cleanup } = await tempDir();
  const s = await serve(dir);
  try {
    const store = await connectStore({ location: storeOf(dir) });
    const proj = join(dir, 'p');
    await mkdir(proj);
    await store.projects.register({ name: 'p', path: proj });
    const writer = async (who: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await db(dir, ['history', 'record', 'p', `${who}-${i}`]);
        assert.is(r.code, 0, r.stderr);
      }
    };
    const client = async (n: number) => {
      for (let i = 0; i < n; i++) await store.history.record('p', { action: `lib-${i}` });
    };
    await Promise.all([writer('a', 8), writer('b', 8), client(40)]);
    const events = await store.readLog({ fromSeq: 1, limit: 10_000 });
    assert.is(events.length, await store.head());
    events.forEach((e, i) => assert.is(e.seq, i + 1, 'gapless'));
    const actions = (await store.history.list('p')).map((h) => h.action);
    assert.is(actions.length, 56);
    for (const a of ['a-7', 'b-7', 'lib-39']) assert.ok(actions.includes(a), a);
    await store.close();
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    await cleanup();
  }
});

test('a SIGKILLed server loses no acknowledged append; the next command works and the next serve replaces the stale socket', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const location = storeOf(dir);
    for (let round = 0; round < 3; round++) {
      const s = await serve(dir);
      const store = await connectStore({ location });
      const acked: string[] = [];
      let stop = false;
      const appenders = [0, 1, 2].map(async (w) => {
        for (let i = 0; !stop; i++) {
          const id = `r${round}-w${w}-${i}`;
          try {
            await store.append({ stream: `note-${w}`, type: 'analytics.recorded', id, data: { metric: 'm', value: i } } as never);
            acked.push(id);
          } catch {
            return; // the server died under this request: it was never acknowledged
          }
        }
      });
      await until('some appends', () => acked.length >= 30 + round * 10);
      s.child.kill('SIGKILL');
      await s.exited;
      stop = true;
      await Promise.all(appenders);
      await store.close();
      assert.ok(existsSync(s.descriptor.socket), 'the killed server left its socket');
      // The next command does not trip over the dead server: it opens the store itself.
      const list = await db(dir, ['log', '--json', '--type', 'analytics.recorded']);
      assert.is(list.code, 0, list.stderr);
      const ids = new Set((JSON.parse(list.stdout) as Array<{ id: string }>).map((e) => e.id));
      for (const id of acked) assert.ok(ids.has(id), `acknowledged ${id} survived the kill`);
    }
    const s = await serve(dir);
    try {
      const r = await db(dir, ['stats', '--json']);
      assert.is(r.code, 0, r.stderr);
      assert.ok(json(r).events > 90);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    const direct = await openStore({ location });
    const seqs: number[] = [];
    for await (const e of direct.log.readAll()) seqs.push(e.seq);
    seqs.forEach((q, i) => assert.is(q, i + 1));
    await direct.close();
  } finally {
    await cleanup();
  }
});

test('a subscription resumes after a server restart without gaps or duplicates; log --follow through the server', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const location = storeOf(dir);
    let s = await serve(dir);
    const client = await connectStore({ location, reconnectMs: 50 });
    const ac = new AbortController();
    const seen: number[] = [];
    const total = 60;
    const subscription = (async () => {
      for await (const e of client.subscribe({ fromSeq: 1, types: ['analytics.recorded'], signal: ac.signal })) {
        seen.push(e.seq);
        if (seen.length === total) ac.abort();
      }
    })();
    const append = async (from: number, to: number) => {
      const writer = await connectStore({ location });
      for (let i = from; i < to; i++) await writer.analytics.record({ metric: 'sub', value: i });
      await writer.close();
    };
    await append(0, 20);
    await until('first events delivered', () => seen.length >= 10);
    s.child.kill('SIGTERM');
    await s.exited;
    s = await serve(dir);
    await append(20, 40);
    s.child.kill('SIGKILL');
    await s.exited;
    s = await serve(dir);
    await append(40, total);
    await subscription;
    assert.equal(seen, Array.from({ length: total }, (_, i) => i + 1));

    // log --follow --json through the server: woken by the writer, one JSON line per event.
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers.js');
    const { homeEnv } = await import('./server-helpers.js');
    const follow = spawn(process.execPath, [BIN('pygubu-db'), 'log', '--follow', '--json', '--from', String(total + 1)], { env: { PATH: process.env.PATH ?? '', ...homeEnv(dir) } });
    let out = '';
    follow.stdout.on('data', (d) => (out += d));
    await append(total, total + 3);
    await until('follow printed three events', () => out.split('\n').filter(Boolean).length >= 3);
    const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { seq: number });
    assert.equal(lines.map((l) => l.seq), [total + 1, total + 2, total + 3]);
    follow.kill('SIGINT');
    s.child.kill('SIGTERM');
    await s.exited;
    await client.close();
  } finally {
    await cleanup();
  }
});

test('a subscriber that does not read holds at most the documented buffer in the server', async () => {
  const { dir, cleanup } = await tempDir();
  const s = await serve(dir);
  try {
    const socket = s.descriptor.socket;
    const { request } = await import('node:http');
    const req = request({ socketPath: socket, path: '/v1/subscribe?fromSeq=1', headers: { accept: 'text/event-stream' } });
    const res = await new Promise<import('node:http').IncomingMessage>((r) => req.on('response', r).end());
    res.pause(); // never read: the kernel and server buffers fill up
    const store = await connectStore({ location: storeOf(dir) });
    const blob = 'x'.repeat(4000);
    for (let batch = 0; batch < 40; batch++) {
      await store.append(Array.from({ length: 50 }, (_, i) => ({ stream: 'note-big', type: 'analytics.recorded', data: { metric: 'big', value: i, metadata: { blob } } })) as never);
    }
    const head = await store.head();
    const info = (await http(socket, 'GET', '/v1/server')).json;
    assert.is(info.subscriptions.length, 1);
    const sub = info.subscriptions[0];
    assert.ok(sub.queuedBytes <= info.subscriptionBufferBytes + 16_384, `queued ${sub.queuedBytes} bytes`);
    assert.ok(sub.next < head / 2, `the server stopped reading ahead (at ${sub.next} of ${head})`);
    res.destroy();
    await store.close();
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    await cleanup();
  }
});

test('TCP: loopback, token required (401 without, 401 wrong), 413 over the body limit, 400 garbage JSON, 404 unknown route; refusals change nothing', async () => {
  const { dir, cleanup } = await tempDir();
  const s = await serve(dir, ['--port', '0', '--body-limit', '4096']);
  try {
    const port = s.descriptor.port!;
    assert.is(s.descriptor.host, '127.0.0.1');
    const token = (await db(dir, ['server', 'token'])).stdout.trim();
    const auth = { authorization: `Bearer ${token}` };
    assert.is((await http(port, 'GET', '/v1/projects')).status, 401);
    const none = await http(port, 'GET', '/v1/projects');
    assert.is(none.json.error.code, 'UNAUTHORIZED');
    const wrong = await http(port, 'GET', '/v1/projects', { headers: { authorization: `Bearer ${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}` } });
    assert.is(wrong.status, 401);
    assert.is((await http(port, 'GET', '/v1/projects', { headers: auth })).status, 200);
    const head = async () => (await http(port, 'GET', '/v1/handshake', { headers: auth })).json.head as number;
    const before = await head();
    const big = await postJson(port, '/v1/events', { events: [{ stream: 'note-a', type: 'analytics.recorded', data: { metric: 'x'.repeat(10_000), value: 1 } }] }, auth);
    assert.is(big.status, 413);
    assert.is(big.json.error.code, 'BODY_TOO_LARGE');
    const garbage = await http(port, 'POST', '/v1/events', { body: '{"events": [', headers: auth });
    assert.is(garbage.status, 400);
    assert.is(garbage.json.error.code, 'INVALID_JSON');
    const shape = await postJson(port, '/v1/projects', { name: 'x' }, auth);
    assert.is(shape.status, 400);
    assert.is(shape.json.error.code, 'VALIDATION_FAILED');
    const unknown = await http(port, 'GET', '/v1/nowhere', { headers: auth });
    assert.is(unknown.status, 404);
    assert.is(unknown.json.error.code, 'ROUTE_NOT_FOUND');
    const conflict = await postJson(port, '/v1/events', { events: [{ stream: 'note-a', type: 'analytics.recorded', data: { metric: 'm', value: 1 } }], expectedVersion: 5 }, auth);
    assert.is(conflict.status, 409);
    assert.is(conflict.json.error.code, 'CONCURRENCY_CONFLICT');
    assert.is(await head(), before, 'refused requests appended nothing');
    const ok = await postJson(port, '/v1/events', { events: [{ stream: 'note-a', type: 'analytics.recorded', data: { metric: 'm', value: 1 } }], expectedVersion: 'no_stream' }, auth);
    assert.is(ok.status, 201);
    assert.is(ok.json.events[0].meta.source, 'api');
    const spec = (await http(port, 'GET', '/openapi.json', { headers: auth })).json;
    assert.ok(spec.paths['/v1/projects'].get && spec.paths['/v1/projects'].post);
    assert.ok(spec.components.schemas.StoredEvent, 'the envelope schema is a component');
    assert.ok(spec.components.schemas.ProjectRegisteredV1Data, 'event data schemas are components');
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    await cleanup();
  }
});

test('restore, rebuild and compact run through the server as its operations; it keeps serving', async () => {
  const { dir, cleanup } = await tempDir();
  const proj = join(dir, 'one');
  await mkdir(proj);
  assert.is((await db(dir, ['project', 'add', proj])).code, 0);
  const backup = join(dir, 'b.backup');
  assert.is((await db(dir, ['backup', backup])).code, 0);
  const s = await serve(dir);
  try {
    const two = join(dir, 'two');
    await mkdir(two);
    assert.is((await db(dir, ['project', 'add', two])).code, 0);
    const refused = await db(dir, ['restore', backup]);
    assert.is(refused.code, 1);
    assert.match(refused.stderr, /\(CONFIRMATION_REQUIRED\)/);
    const restored = await db(dir, ['restore', backup, '--yes']);
    assert.is(restored.code, 0, restored.stderr);
    const names = json(await db(dir, ['project', 'list', '--json'])).map((p: { name: string }) => p.name);
    assert.equal(names, ['one']);
    assert.is((await db(dir, ['rebuild'])).code, 0);
    assert.is((await db(dir, ['compact'])).code, 0);
    const verify = await db(dir, ['verify']);
    assert.is(verify.code, 0, verify.stderr);
    assert.is((await http(s.descriptor.socket, 'GET', '/v1/handshake')).json.pid, s.child.pid, 'the same server still serves');
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
    await cleanup();
  }
});

test('a store path too long for a socket address gets a short socket path; --idle-exit stops an unused server', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const deep = join(dir, 'a'.repeat(60), 'b'.repeat(60), 'store');
    await mkdir(join(deep, '..'), { recursive: true });
    const s = await serve(dir, ['--store', deep, '--idle-exit', '0.02'], deep);
    assert.not.equal(s.descriptor.socket, `${deep}.sock`);
    assert.ok(Buffer.byteLength(s.descriptor.socket) <= 100);
    assert.is(mode(s.descriptor.socket), 0o600);
    const r = await db(dir, ['--store', deep, 'stats', '--json']);
    assert.is(r.code, 0, r.stderr);
    const exit = await s.exited;
    assert.is(exit.code, 0, 'stopped by itself when idle');
    assert.not.ok(existsSync(`${deep}.server.json`));
  } finally {
    await cleanup();
  }
});

test.run();
