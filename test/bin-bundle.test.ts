// The bins as the build leaves them: one CommonJS bundle for the three, run by
// dist/src/bin/loader.cjs from the V8 code cache the build wrote (scripts/build.mjs,
// scripts/bin-loader.cjs).
import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, ROOT, run, tempDir } from './helpers.js';

const BINS = ['pygubu-db', 'pygubu-template', 'pygubu-analytics'] as const;
const binDir = join(ROOT, 'dist', 'src', 'bin');
const { wrap } = createRequire(import.meta.url)('node:module') as { wrap: (source: string) => string };
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

test('the bins share one bundle, whose code cache this Node accepts and which holds the warm-up commands', () => {
  const file = join(binDir, 'bins.cjs');
  const cachedData = readFileSync(`${file}.v8cache`);
  const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  assert.is(script.cachedDataRejected, false, 'V8 refused the build\'s cache');
  // made after warm-up commands, not from the top level alone: it holds the commands' functions
  const topLevelOnly = new Script(wrap(readFileSync(file, 'utf8')), { filename: file }).createCachedData();
  assert.ok(cachedData.length > 2 * topLevelOnly.length, `cache ${cachedData.length} B, top level alone ${topLevelOnly.length} B`);
  for (const bin of BINS) {
    const stub = readFileSync(BIN(bin), 'utf8');
    assert.match(stub, `.run('${bin}')`);
    assert.ok(stub.length < 400, `${bin}.js is a stub, not a bundle`);
  }
});

test('a cache V8 refuses (other V8 flags) is ignored: the bin compiles from source and runs', async () => {
  const probe = spawnSync(
    process.execPath,
    ['--no-opt', '-e', `const fs=require('fs'),vm=require('vm'),m=require('module');const f=process.argv[1];process.stdout.write(String(new vm.Script(m.wrap(fs.readFileSync(f,'utf8')),{filename:f,cachedData:fs.readFileSync(f+'.v8cache')}).cachedDataRejected))`, join(binDir, 'bins.cjs')],
    { encoding: 'utf8' },
  );
  assert.is(probe.stdout.trim(), 'true', `--no-opt should make V8 refuse the cache: ${JSON.stringify(probe.stdout)} ${probe.stderr}`);
  const { dir, cleanup } = await tempDir();
  try {
    const uncached = { nodeArgs: ['--no-opt'], env: { HOME: dir } };
    const v = await run('pygubu-db', ['--version'], uncached);
    assert.is(v.code, 0, v.stderr);
    assert.is(v.stdout.trim(), version);
    assert.is(v.stderr, '');
    const store = join(dir, 'store');
    const app = join(dir, 'uncached-app');
    mkdirSync(app);
    const add = await run('pygubu-db', ['project', 'add', app, '--tags', 'forms', '--store', store, '--json'], uncached);
    assert.is(add.code, 0, add.stderr);
    const show = await run('pygubu-db', ['project', 'show', 'uncached-app', '--store', store, '--json'], uncached);
    assert.is(show.code, 0, show.stderr);
    const row = JSON.parse(show.stdout) as { name: string; tags: string[] };
    assert.is(row.name, 'uncached-app');
    assert.equal(row.tags, ['forms']);
  } finally {
    await cleanup();
  }
});

test('a bin writes no code cache at run time, whatever PYGUBUAI_BUILD_CODE_CACHE names', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cache = join(binDir, 'bins.cjs.v8cache');
    const before = statSync(cache).mtimeMs;
    const elsewhere = join(dir, 'cache.bin');
    // another file, and a path that only looks like the cache: the loader accepts its own file only
    for (const target of [elsewhere, `${binDir}/../bin/bins.cjs.v8cache`]) {
      const r = await run('pygubu-db', ['--version'], { env: { HOME: dir, PYGUBUAI_BUILD_CODE_CACHE: target } });
      assert.is(r.code, 0, r.stderr);
    }
    assert.not.ok(existsSync(elsewhere), 'a file outside the bin directory was written');
    assert.is(statSync(cache).mtimeMs, before);
  } finally {
    await cleanup();
  }
});

test('the bundle carries msgpackr and finds its native extractor as the unbundled library does', async () => {
  const bundle = readFileSync(join(binDir, 'bins.cjs'), 'utf8');
  assert.not.match(bundle, /require\(["']msgpackr["']\)/, 'msgpackr is required from node_modules instead of bundled');
  // ASCII only: the loader reads it as a one-byte string (scripts/build.mjs, asciiOnly)
  assert.ok(isAscii(readFileSync(join(binDir, 'bins.cjs'))), 'the bundle has non-ASCII bytes');
  // The bundle, required on its own (its main is not run), says how its codec decodes.
  const bins = createRequire(import.meta.url)(join(binDir, 'bins.cjs')) as { decodingNatively: () => Promise<boolean> };
  const { decodingNatively } = await import('../src/log/codec.js');
  assert.is(decodingNatively(), true, 'this machine has msgpackr-extract: the library decodes natively');
  assert.is(await bins.decodingNatively(), true, 'the bundled msgpackr did not find its native extractor');
});

test('a read command loads no node:crypto, zlib, child_process or stream (built-ins it never calls cost its start)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = join(dir, 'store');
    const app = join(dir, 'lazy-app');
    mkdirSync(app);
    const add = await run('pygubu-db', ['project', 'add', app, '--tags', 'forms', '--store', store, '--json'], { env: { HOME: dir } });
    assert.is(add.code, 0, add.stderr);
    // a preload that records every module the bin requires (the bundle requires through Module._load)
    const hook = join(dir, 'record-loads.cjs');
    const log = join(dir, 'loads.txt');
    writeFileSync(hook, `const M = require('node:module'); const fs = require('node:fs'); const seen = new Set(); const load = M._load;\nM._load = function (request, ...rest) { seen.add(request.replace(/^node:/, '')); return load.call(this, request, ...rest); };\nprocess.on('exit', () => fs.writeFileSync(${JSON.stringify(log)}, [...seen].join('\\n')));\n`);
    const traced = { nodeArgs: ['--require', hook], env: { HOME: dir } };
    const show = await run('pygubu-db', ['project', 'show', 'lazy-app', '--store', store, '--json'], traced);
    assert.is(show.code, 0, show.stderr);
    assert.is((JSON.parse(show.stdout) as { name: string }).name, 'lazy-app');
    const loaded = readFileSync(log, 'utf8').split('\n');
    assert.ok(loaded.includes('fs/promises'), `the hook saw the bin's requires: ${loaded.join(', ')}`);
    // stream: msgpackr's streams, left out of the bundle with its ES-module entry
    for (const m of ['crypto', 'zlib', 'child_process', 'stream']) assert.not.ok(loaded.includes(m), `project show loaded ${m}`);
    assert.ok(loaded.some((m) => m.endsWith('.node')), `the hook saw the native addons project show loads: ${loaded.join(', ')}`);
    // a start that never opens the store loads no native addon (msgpackr's extractor, LevelDB)
    const version = await run('pygubu-db', ['--version'], traced);
    assert.is(version.code, 0, version.stderr);
    const addons = readFileSync(log, 'utf8').split('\n').filter((m) => m.endsWith('.node'));
    assert.equal(addons, [], '--version loaded a native addon');
  } finally {
    await cleanup();
  }
});

test('the bins are CommonJS files (no ES-module loader at start) that keep the .js names', () => {
  assert.equal(JSON.parse(readFileSync(join(binDir, 'package.json'), 'utf8')), { type: 'commonjs' });
  for (const bin of BINS) {
    const stub = readFileSync(BIN(bin), 'utf8');
    assert.match(stub, `require('./loader.cjs').run('${bin}')`);
    assert.not.match(stub, /\bimport\b/);
  }
});

test.run();
