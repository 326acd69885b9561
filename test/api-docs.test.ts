// docs/api/ is the library's API reference, generated from the types by typedoc (typedoc.json,
// `npm run docs:api`) and committed so it can be read without building. This regenerates it into
// a temporary directory and compares it with the committed copy, so it cannot go stale.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, tempDir } from './helpers.js';

const run = promisify(execFile);

async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(path.slice(dir.length + 1), await readFile(path, 'utf8'));
  }
  return out;
}

test('docs/api is what typedoc makes of the current types (else: npm run build && npm run docs:api)', async () => {
  const t = await tempDir('pygubuai-api-docs-');
  try {
    const out = join(t.dir, 'api');
    await run(process.execPath, [join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out, '--logLevel', 'Warn'], { cwd: ROOT, timeout: 300_000 });
    const fresh = await files(out);
    const committed = await files(join(ROOT, 'docs', 'api'));
    assert.ok(fresh.size > 0 && fresh.has('README.md'), 'typedoc wrote the reference');
    assert.equal([...committed.keys()].sort(), [...fresh.keys()].sort(), 'the same files');
    for (const [name, text] of fresh) {
      const old = committed.get(name) ?? '';
      if (old === text) continue;
      const a = old.split('\n');
      const b = text.split('\n');
      const at = a.findIndex((line, i) => line !== b[i]);
      assert.unreachable(`docs/api/${name} is stale from line ${at + 1}: committed ${JSON.stringify(a[at])}, now ${JSON.stringify(b[at])}; run \`npm run build && npm run docs:api\``);
    }
    // The reference documents what a user imports: the store, its errors and the event types.
    const api = fresh.get('README.md') ?? '';
    for (const name of ['openStore', 'Store', 'StoreError', 'ErrorCode', 'KnownEvent', 'defineProjection', 'connectStore']) {
      assert.ok(api.includes(`### ${name}`), `the reference documents ${name}`);
    }
  } finally {
    await t.cleanup();
  }
});

test.run();
