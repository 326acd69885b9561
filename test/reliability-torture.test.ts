import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runContention } from './reliability/contention.js';
import { runTorture } from './reliability/torture.js';
import { BROKEN_WORKLOADS, WORKLOADS } from './reliability/workloads.js';
import { Journal, readJournal } from './reliability/journal.js';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

// CI runs two kills per workload; `npm run torture` runs 1,000 and more (see README "Reliability").

test('crash torture: SIGKILL mid-work in every workload — store opens, verifies, keeps every acknowledged write', async () => {
  const report = await runTorture({ kills: WORKLOADS.length * 2, seed: 1 });
  assert.equal(report.problems, []);
  assert.is(report.failures, 0);
  for (const w of WORKLOADS) assert.is(report.perWorkload[w.name]?.kills, 2, w.name);
  const acknowledged = Object.values(report.perWorkload).reduce((a, f) => a + f.acknowledgedWrites, 0);
  assert.ok(acknowledged > 0, 'the children acknowledged writes before they were killed');
});

test('crash torture catches a child that acknowledges a write it never made, or writes without journaling it', async () => {
  const report = await runTorture({ kills: 2, workloads: BROKEN_WORKLOADS, seed: 3, startupKillShare: 0 });
  assert.is(report.failures, 2);
  assert.ok(report.problems.some((p) => /acknowledged never-written is missing/.test(p)), report.problems.join('\n'));
  assert.ok(report.problems.some((p) => /was never attempted/.test(p)), report.problems.join('\n'));
});

test('journal: a line torn by a kill is not a record, and does not swallow the next one', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = join(dir, 'journal');
    const j1 = new Journal(path);
    j1.attempted(['a1', 'a2']);
    j1.acknowledged(['a1', 'a2']);
    j1.close();
    await appendFile(path, 'A b1,b2,b3-cut'); // the kill stopped write() here
    const j2 = new Journal(path);
    j2.attempted(['c1']);
    j2.close();
    const state = readJournal(path);
    assert.equal([...state.attempted].sort(), ['a1', 'a2', 'c1']);
    assert.equal([...state.acknowledged].sort(), ['a1', 'a2']);
    assert.equal(state.batches, [['a1', 'a2']]);
  } finally {
    await cleanup();
  }
});

test('contention: API and CLI writers at once — every write lands once or reports STORE_BUSY; gapless and verified', async () => {
  const patient = await runContention({ apiWriters: 2, cliWriters: 1, writesPerProcess: 4, lockTimeoutMs: 10_000 });
  assert.equal(patient.problems, []);
  assert.is(patient.landed + patient.busy, patient.attempted);
  const impatient = await runContention({ apiWriters: 3, cliWriters: 0, writesPerProcess: 6, lockTimeoutMs: 1 });
  assert.equal(impatient.problems, []);
  assert.is(impatient.landed + impatient.busy, impatient.attempted);
});

test.run();
