import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { storageMode } from '../src/legacy/config.js';
import { currentStorageMode } from '../src/legacy/storage-mode.js';
import { tempDir } from './helpers.js';

const outcome = (p: Promise<string>) => p.then((mode) => ({ mode }), (err: { code?: string }) => ({ error: err.code }));

test('currentStorageMode answers as storageMode does, for a missing, a set, an unknown and a broken config file', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = join(dir, 'config.json');
    const cases: Array<[string, string | undefined, unknown]> = [
      ['missing', undefined, { mode: 'db' }],
      ['hybrid', '{"storage_mode": "hybrid"}', { mode: 'hybrid' }],
      ['json', '{"storage_mode": "json", "other": 1}', { mode: 'json' }],
      ['unknown value', '{"storage_mode": "sqlite"}', { mode: 'db' }],
      ['not an object', '[1, 2]', { error: 'CONFIG_INVALID' }],
    ];
    for (const [name, content, want] of cases) {
      if (content !== undefined) await writeFile(path, content);
      const [fast, full] = [await outcome(currentStorageMode(path)), await outcome(storageMode(path))];
      assert.equal(fast, full, name);
      assert.equal(fast, want, name);
    }
  } finally {
    await cleanup();
  }
});

test.run();
