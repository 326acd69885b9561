import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Output } from '../src/cli/output.js';
import { tempStore } from './helpers.js';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function asTty<T>(work: () => Promise<T>): Promise<T> {
  const had = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
  try {
    return await work();
  } finally {
    if (had) Object.defineProperty(process.stderr, 'isTTY', had);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
}

test('a job that ends while the progress module loads leaves no bar and no timer behind', async () => {
  await asTty(async () => {
    const before = timers();
    const out = new Output({ json: false, quiet: false });
    const progress = out.progress('job');
    await sleep(1100);
    progress(1, 10); // starts loading cli-progress
    progress.done(); // the job ends before it loaded
    await sleep(300);
    assert.is(timers(), before);
  });
});

test('Output.close stops a bar whose job threw before calling done', async () => {
  await asTty(async () => {
    const before = timers();
    const out = new Output({ json: false, quiet: false });
    const progress = out.progress('job');
    await sleep(1100);
    progress(1, 10);
    await sleep(300);
    progress(2, 10);
    assert.ok(timers() > before, 'the bar is running');
    out.close();
    assert.is(timers(), before);
  });
});

test('registering again with the same event id returns the project, even after a rename', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const first = await store.projects.register({ name: 'app', path: '/p/app', eventId: 'reg-1' });
    const again = await store.projects.register({ name: 'app', path: '/p/app', eventId: 'reg-1' });
    assert.is(again.id, first.id);
    assert.is(store.log.head, 1);
    await store.projects.rename('app', 'renamed');
    const later = await store.projects.register({ name: 'app', path: '/p/app', eventId: 'reg-1' });
    assert.is(later.id, first.id);
    assert.is(later.name, 'renamed');
    assert.is(store.log.head, 2);
  } finally {
    await cleanup();
  }
});

test.run();
