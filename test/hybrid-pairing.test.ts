import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { json, run, tempDir } from './helpers.js';
import { sandboxEnv, sandboxHome } from './sandbox.js';

/** A stand-in for a user's real home: hybrid mode configured, a registry with one project. */
async function fakeRealHome(dir: string) {
  const home = join(dir, 'real-home');
  await mkdir(join(home, '.pygubuai'), { recursive: true });
  await writeFile(join(home, '.pygubuai', 'config.json'), JSON.stringify({ storage_mode: 'hybrid', theme: 'dark' }, null, 2));
  const registry = join(home, '.pygubu-registry.json');
  const text = JSON.stringify({ projects: { mine: { path: join(home, 'mine'), created: null, modified: null, description: 'real', tags: [] } }, active: 'mine' }, null, 2);
  await writeFile(registry, text);
  await mkdir(join(dir, 'work', 'scratch-app'), { recursive: true });
  return { home, registry, text, env: { HOME: home, PYGUBUAI_HOME: join(home, '.pygubuai') } };
}

test('a --store run with hybrid mode set in the home cannot reach the home registry', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const real = await fakeRealHome(dir);
    const store = join(dir, 'scratch-store');
    const add = await run('pygubu-db', ['--store', store, 'project', 'add', join(dir, 'work', 'scratch-app')], { env: real.env });
    assert.is(add.code, 0, add.stderr);
    assert.is(await readFile(real.registry, 'utf8'), real.text, 'the home registry is untouched');
    assert.not.ok(existsSync(`${real.registry}.lock`), 'not even its lock was taken');
    const stats = json(await run('pygubu-db', ['--store', store, 'stats', '--json'], { env: real.env }));
    assert.match(stats.pairedRegistry, /^none/);
    const sync = await run('pygubu-db', ['--store', store, 'sync'], { env: real.env });
    assert.is(sync.code, 1);
    assert.match(sync.stderr, /is not paired with a legacy registry \(LEGACY_NOT_PAIRED\)/);
    const exported = await run('pygubu-db', ['--store', store, 'export-json'], { env: real.env });
    assert.is(exported.code, 1);
    assert.is(await readFile(real.registry, 'utf8'), real.text);
    // The same home does reach the default store's registry: the setup above is a live one.
    await mkdir(join(dir, 'work', 'home-app'), { recursive: true });
    assert.is((await run('pygubu-db', ['migrate'], { env: real.env })).code, 0);
    const home = await run('pygubu-db', ['project', 'add', join(dir, 'work', 'home-app')], { env: real.env });
    assert.is(home.code, 0, home.stderr);
    assert.equal(Object.keys(JSON.parse(await readFile(real.registry, 'utf8')).projects).sort(), ['home-app', 'mine']);
  } finally {
    await cleanup();
  }
});

test('a store elsewhere pairs with the registry given once, recorded; ~ is expanded in --store, --registry and the settings', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const real = await fakeRealHome(dir);
    const synced = await run('pygubu-db', ['--store', '~/stores/s', 'sync', '--registry', '~/other.json'], { env: real.env });
    assert.is(synced.code, 0, synced.stderr);
    assert.ok(existsSync(join(real.home, 'stores', 's', 'CURRENT')), '--store ~/stores/s is under $HOME');
    assert.ok(existsSync(join(real.home, 'other.json')), '--registry ~/other.json is under $HOME');
    const add = await run('pygubu-db', ['--store', '~/stores/s', 'project', 'add', join(dir, 'work', 'scratch-app')], { env: real.env });
    assert.is(add.code, 0, add.stderr);
    assert.equal(Object.keys(JSON.parse(await readFile(join(real.home, 'other.json'), 'utf8')).projects), ['scratch-app'], 'the recorded pairing is used');
    assert.is(await readFile(real.registry, 'utf8'), real.text);
    const stats = json(await run('pygubu-db', ['--store', '~/stores/s', 'stats', '--json'], { env: real.env }));
    assert.is(stats.pairedRegistry, `${join(real.home, 'other.json')} (recorded in the store)`);
    // The default store follows the tool: the variable, else registry_path in config.json, each with ~.
    const viaEnv = json(await run('pygubu-db', ['config', 'list', '--json'], { env: { ...real.env, PYGUBUAI_REGISTRY_PATH: '~/env.json' } }));
    assert.is(viaEnv['paired registry'], `${join(real.home, 'env.json')} (the Python tool's registry)`);
    assert.is((await run('pygubu-db', ['config', 'set', 'registry_path', '~/cfg.json'], { env: real.env })).code, 0);
    const viaConfig = json(await run('pygubu-db', ['config', 'list', '--json'], { env: real.env }));
    assert.is(viaConfig['paired registry'], `${join(real.home, 'cfg.json')} (the Python tool's registry)`);
    assert.is((await run('pygubu-db', ['sync'], { env: real.env })).code, 0);
    assert.ok(existsSync(join(real.home, 'cfg.json')), 'sync of the default store wrote the configured registry');
    assert.is(await readFile(real.registry, 'utf8'), real.text, 'and not the default one');
  } finally {
    await cleanup();
  }
});

test('spawned bins get HOME and PYGUBUAI_HOME in a temporary directory, never the real home', async () => {
  const listed = json(await run('pygubu-db', ['config', 'list', '--json']));
  assert.is(listed['store (this command)'], join(sandboxHome(), '.pygubuai', 'store'));
  assert.ok(!listed['store (this command)'].startsWith(join(homedir(), '.pygubuai')));
  assert.throws(() => sandboxEnv({ HOME: homedir() }), /real HOME/);
  assert.throws(() => sandboxEnv({ PYGUBUAI_HOME: join(homedir(), '.pygubuai') }), /real PYGUBUAI_HOME/);
});

test.run();
