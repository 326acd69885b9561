import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLegacy } from '../../bench/gen-legacy.js';
import { openStore, type Store } from '../../src/index.js';
import { importLegacy } from '../../src/legacy/index.js';
import type { Workload } from './workloads.js';

interface LegacySource {
  registryPath: string;
  ids: string[];
}

const scratch = () => process.env.PYGUBUAI_TORTURE_DIR ?? tmpdir();
const cacheFile = () => join(scratch(), 'legacy-source.json');

/** A legacy registry of 120 projects × 30 history entries, and the event ids a clean migrate gives. */
async function legacySource(): Promise<LegacySource> {
  const cached = await readFile(cacheFile(), 'utf8').catch(() => undefined);
  if (cached) return JSON.parse(cached) as LegacySource;
  const dir = await mkdtemp(join(scratch(), 'legacy-source-'));
  const { registryPath } = await generateLegacy(dir, { projects: 120, historyPerProject: 30, seed: 7 });
  const reference = await openStore({ location: join(dir, 'reference'), sync: false });
  try {
    await importLegacy(reference, { registryPath });
    const ids: string[] = [];
    for await (const e of reference.log.readAll()) ids.push(e.id);
    const s = { registryPath, ids };
    await writeFile(cacheFile(), JSON.stringify(s));
    return s;
  } finally {
    await reference.close();
  }
}

const idsIn = async (store: Store): Promise<Set<string>> => {
  const ids = new Set<string>();
  for await (const e of store.log.readAll()) ids.add(e.id);
  return ids;
};

/**
 * `migrate` of a large legacy registry and its workflow files, killed mid-import; the next round
 * migrates again into the same (partly imported) store. After each kill, a copy of the store must
 * finish the migrate to exactly what a clean one gives.
 */
export const migrateWorkload: Workload = {
  name: 'migrate',
  killWindowMs: 1500,
  resetEvery: 2,
  async seed() {
    await legacySource();
  },
  async work({ location, journal, ready }) {
    const src = await legacySource();
    const store = await openStore({ location });
    ready();
    journal.attempted(src.ids, false);
    await importLegacy(store, { registryPath: src.registryPath });
    journal.acknowledged(src.ids);
    for (;;) await new Promise((r) => setTimeout(r, 1000));
  },
  async extraCheck(store) {
    const src = await legacySource();
    const copy = await mkdtemp(join(scratch(), 'migrate-finish-'));
    try {
      await cp(store.location, join(copy, 'store'), { recursive: true });
      const finished = await openStore({ location: join(copy, 'store'), sync: false });
      try {
        const report = await importLegacy(finished, { registryPath: src.registryPath });
        const problems: string[] = [];
        if (report.totals.errors > 0) problems.push(`re-running migrate after the kill met ${report.totals.errors} errors`);
        const ids = await idsIn(finished);
        if (ids.size !== src.ids.length || !src.ids.every((id) => ids.has(id))) problems.push(`re-run migrate gives ${ids.size} events, a clean one ${src.ids.length}`);
        const v = await finished.verify();
        if (!v.ok) problems.push(`verify after finishing migrate: ${v.problems[0]?.message}`);
        return problems;
      } finally {
        await finished.close();
      }
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  },
};
