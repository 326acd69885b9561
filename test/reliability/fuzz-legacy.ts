import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isStoreError } from '../../src/index.js';
import { importLegacy } from '../../src/legacy/index.js';
import { FuzzStore, storeDigest, type FuzzFigures, type FuzzOptions } from './fuzz-targets.js';
import { applyMutation, mutation } from './fuzz-mutations.js';

const count = (outcomes: Record<string, number>, key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);

const legacyProject = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/),
  description: fc.string({ maxLength: 30 }),
  tags: fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 3 }),
  history: fc.array(fc.record({ action: fc.constantFrom('file_changed', 'ui_generated'), description: fc.string({ maxLength: 20 }) }), { maxLength: 4 }),
  oldShape: fc.boolean(),
});

/**
 * Legacy registries and workflow files, valid then broken, through migrate: it either imports, or
 * reports each broken file with a coded error and leaves that file's part of the store unchanged;
 * it never throws an uncoded error; a second migrate appends nothing; the store verifies.
 */
export async function fuzzMigrate(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const holder = new FuzzStore(30);
  const root = await mkdtemp(join(tmpdir(), 'pygubuai-fuzz-legacy-'));
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(legacyProject, { minLength: 1, maxLength: 3, selector: (p) => p.name }), fc.boolean(), mutation, async (projects, breakRegistry, m) => {
        const store = await holder.get();
        const dir = join(root, `c${n++}`);
        const registry: Record<string, unknown> = { projects: {}, active_project: projects[0]!.name };
        const workflowTexts: string[] = [];
        for (const p of projects) {
          const path = join(dir, p.name);
          await mkdir(path, { recursive: true });
          (registry.projects as Record<string, unknown>)[p.name] = p.oldShape ? path : { path, created: null, modified: null, description: p.description, tags: p.tags };
          const workflow = { project: p.name, history: p.history.map((h, i) => ({ timestamp: `2025-01-0${1 + (i % 9)}T00:00:00+00:00`, ...h })), version: '1.0' };
          workflowTexts.push(JSON.stringify(workflow, null, 2));
        }
        const registryPath = join(dir, 'registry.json');
        const registryText = JSON.stringify(registry, null, 2);
        await writeFile(registryPath, breakRegistry ? applyMutation(registryText, m) : registryText);
        for (const [i, p] of projects.entries()) {
          const text = !breakRegistry && i === 0 ? applyMutation(workflowTexts[i]!, m) : Buffer.from(workflowTexts[i]!);
          await writeFile(join(dir, p.name, '.pygubu-workflow.json'), text);
        }
        const before = await storeDigest(store);
        let report;
        try {
          report = await importLegacy(store, { registryPath });
        } catch (err) {
          if (!isStoreError(err)) throw new Error(`migrate threw an uncoded error: ${(err as Error)?.stack ?? String(err)}`);
          if ((await storeDigest(store)) !== before) throw new Error(`a refused migrate (${err.code}) changed the store`);
          count(outcomes, `refused ${err.code}`);
          return;
        }
        for (const f of report.files.filter((x) => x.status === 'error')) {
          if (!f.error?.code || !/^[A-Z_]+$/.test(f.error.code)) throw new Error(`a broken file is reported without a code: ${JSON.stringify(f)}`);
          if (f.kind === 'registry' && (await storeDigest(store)) !== before) throw new Error('a broken registry changed the store');
          count(outcomes, `file error ${f.error.code}`);
        }
        if (report.totals.errors === 0) count(outcomes, 'imported');
        const head = store.log.head;
        await importLegacy(store, { registryPath }).catch(() => undefined);
        if (store.log.head !== head) throw new Error(`a second migrate appended ${store.log.head - head} events`);
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await holder.retire();
    await rm(root, { recursive: true, force: true });
  }
  return { target: 'legacy files (migrate)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}

