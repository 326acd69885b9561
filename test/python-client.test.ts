import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, tempDir } from './helpers.js';

// The Python client's own suite (clients/python/tests, standard-library unittest) against real
// servers it starts from dist/; run here so that `npm test` and CI count it.
test('python client: its unittest suite passes against a real `pygubu-db serve`', async () => {
  const { dir, cleanup } = await tempDir('pygubuai-pytest-');
  try {
    const r = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-t', 'clients/python/tests', '-v'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', HOME: dir, PYGUBUAI_HOME: `${dir}/.pygubuai`, PYTHONDONTWRITEBYTECODE: '1', NODE: process.execPath },
      encoding: 'utf8',
      timeout: 600_000,
    });
    const ran = /^Ran (\d+) tests?/m.exec(r.stderr);
    assert.ok(ran, `no unittest summary (exit ${r.status}, signal ${r.signal}):\n${r.stderr.slice(-4000)}`);
    assert.is(r.status, 0, `python client tests failed:\n${r.stderr.slice(-8000)}`);
    assert.match(r.stderr, /\nOK\b/);
    assert.ok(Number(ran[1]) >= 40, `only ${ran[1]} tests ran`);
    process.stdout.write(`  (python client: ${ran[1]} unittest cases)\n`);
  } finally {
    await cleanup();
  }
});

test.run();
