import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { fileSink, isStoreError, loadDump, openStore, writeDump } from '../../src/index.js';
import { FuzzStore, storeDigest, type FuzzFigures, type FuzzOptions } from './fuzz-targets.js';
import { applyMutation, mutation } from './fuzz-mutations.js';

const count = (outcomes: Record<string, number>, key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);

/**
 * Dumps, valid then corrupted (bytes flipped, cut short, lines dropped, duplicated or swapped, a
 * line replaced by other JSON), through load: all of it lands, or a coded error and an unchanged store.
 */
export async function fuzzLoad(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const root = await mkdtemp(join(tmpdir(), 'pygubuai-fuzz-dump-'));
  const holder = new FuzzStore(50);
  try {
    const source = await openStore({ location: join(root, 'source'), sync: false });
    for (let i = 0; i < 6; i++) {
      const p = await source.projects.register({ name: `d${i}`, path: `/srv/d${i}`, tags: ['dump'] });
      await source.history.record(p.name, { action: 'file_changed', description: `café ${i} 🚀` });
    }
    const dumpPath = join(root, 'source.ndjson');
    await writeDump(source, await fileSink(dumpPath));
    await source.close();
    const text = await readFile(dumpPath, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const lineEdit = fc.oneof(
      fc.nat().map((i) => ({ kind: 'drop' as const, i })),
      fc.nat().map((i) => ({ kind: 'dup' as const, i })),
      fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => ({ kind: 'swap' as const, i, j })),
      fc.tuple(fc.nat(), fc.jsonValue()).map(([i, v]) => ({ kind: 'replace' as const, i, v })),
    );
    const variant = fc.oneof(
      mutation.filter((m) => m.kind === 'none' || m.kind === 'flip' || m.kind === 'truncate').map((m) => applyMutation(text, m)),
      lineEdit.map((e) => {
        const ls = [...lines];
        const i = e.i % ls.length;
        if (e.kind === 'drop') ls.splice(i, 1);
        else if (e.kind === 'dup') ls.splice(i, 0, ls[i]!);
        else if (e.kind === 'swap') [ls[i], ls[e.j % ls.length]] = [ls[e.j % ls.length]!, ls[i]!];
        else ls[i] = JSON.stringify(e.v);
        return Buffer.from(`${ls.join('\n')}\n`);
      }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(variant, async (content) => {
        const store = await holder.get();
        const file = join(root, `case-${n++ % 4}.ndjson`);
        await writeFile(file, content);
        const before = await storeDigest(store);
        const head = store.log.head;
        try {
          const r = await loadDump(store, file);
          if (store.log.head !== head + r.loaded) throw new Error(`load reported ${r.loaded} events, the log grew by ${store.log.head - head}`);
          count(outcomes, r.loaded > 0 ? 'loaded' : 'loaded (all present already)');
        } catch (err) {
          if (!isStoreError(err)) throw new Error(`load threw an uncoded error: ${(err as Error)?.stack ?? String(err)}`);
          if ((await storeDigest(store)) !== before) throw new Error(`a refused load (${err.code}) changed the store`);
          count(outcomes, err.code);
        }
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await holder.retire();
    await rm(root, { recursive: true, force: true });
  }
  return { target: 'dumps (load)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}
