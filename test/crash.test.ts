import { fork } from 'node:child_process';
import { sandboxEnv } from './sandbox.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openStore } from '../src/index.js';
import { ROOT, tempDir } from './helpers.js';

const CHILD = join(ROOT, 'dist', 'test', 'fixtures', 'append-child.js');
const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

test('SIGKILL at random moments never loses an acknowledged append nor leaves views behind the log', async () => {
  const { dir, cleanup } = await tempDir();
  const location = join(dir, 'store');
  const attempts = join(dir, 'attempts.txt');
  const acks = join(dir, 'acks.txt');
  try {
    for (let round = 0; round < 6; round++) {
      const child = fork(CHILD, [location, attempts, acks, `r${round}`], {
        stdio: 'ignore',
        env: sandboxEnv({ CHILD_SYNC: round % 2 ? '1' : '0' }),
      });
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
      // kill only after the first acknowledgement, at a random moment after it: on a loaded machine
      // the first append can take longer than the random delay alone
      let gone = false;
      child.once('exit', () => (gone = true));
      const before = (await lines(acks)).length;
      while (!gone && (await lines(acks)).length === before) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;

      const store = await openStore({ location });
      try {
        const report = await store.verify();
        assert.ok(report.ok, `round ${round}: ${JSON.stringify(report.problems.slice(0, 3))}`);
        const stored = new Set<string>();
        for await (const e of store.log.readAll()) stored.add(e.id);
        const acked = await lines(acks);
        const attempted = new Set(await lines(attempts));
        assert.ok(acked.length > 0, `round ${round}: the child acknowledged appends before it was killed`);
        for (const id of acked) assert.ok(stored.has(id), `round ${round}: acknowledged ${id} is in the log`);
        for (const id of stored) assert.ok(attempted.has(id), `round ${round}: ${id} in the log was attempted`);
      } finally {
        await store.close();
      }
    }
  } finally {
    await cleanup();
  }
});

test.run();
