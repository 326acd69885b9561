import fc from 'fast-check';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exportLegacy, importLegacy } from '../src/legacy/index.js';
import { canonical } from '../src/legacy/ids.js';
import { openStore, type Store } from '../src/index.js';
import { tempDir } from './helpers.js';

const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);
/** Text with accents, CJK, emoji (surrogate pairs) and plain ASCII. */
const unicodeText = fc.string({ unit: fc.oneof(fc.constantFrom('é', 'ü', '字', '😀', '👩‍💻', ' ', '-', '"', '\\'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 12 });
const name = unicodeText.map((s) => s.trim()).filter((s) => s.length > 0 && noControl(s) && s !== '__proto__');
const iso = fc
  .tuple(fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }), fc.constantFrom('py', 'z', 'plain'))
  .map(([d, micro, shape]) => {
    const base = d.toISOString().slice(0, 19);
    if (shape === 'z') return `${base}Z`;
    if (shape === 'plain') return `${base}+00:00`;
    return `${base}.${String(d.getUTCMilliseconds()).padStart(3, '0')}${String(micro).padStart(3, '0')}+00:00`;
  });
const scalar = fc.oneof(unicodeText, fc.integer(), fc.boolean(), fc.constant(null), fc.array(unicodeText, { maxLength: 3 }));
const extraOf = (known: string[]) =>
  fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !known.includes(k) && k !== '__proto__'), scalar, { maxKeys: 2 });

const historyEntry = fc.record(
  {
    timestamp: iso,
    action: name,
    description: fc.string({ unit: 'binary', maxLength: 20 }),
    user: fc.option(unicodeText, { nil: null }),
    extra: extraOf(['timestamp', 'action', 'description', 'user']),
  },
  { requiredKeys: ['timestamp', 'action', 'description'] },
);
const workflow = fc.record(
  {
    history: fc.array(historyEntry, { maxLength: 8 }),
    sync: fc.record({
      last_sync: fc.option(iso, { nil: null }),
      file_hashes: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'), fc.stringMatching(/^[0-9a-f]{8}$/), { maxKeys: 2 }),
      file_mtimes: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'), fc.oneof(fc.integer({ min: 0, max: 2e9 }), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxKeys: 2 }),
    }),
  },
  { requiredKeys: ['history'] },
);
const project = fc.record({
  name,
  exists: fc.boolean(),
  created: fc.option(iso, { nil: null }),
  modified: fc.option(iso, { nil: null }),
  description: fc.option(fc.string({ unit: 'binary', maxLength: 30 }), { nil: undefined }),
  tags: fc.uniqueArray(name, { maxLength: 3 }),
  extra: extraOf(['path', 'created', 'modified', 'description', 'tags']),
  workflow: fc.option(workflow, { nil: undefined }),
  plainString: fc.boolean(),
});
const registry = fc
  .uniqueArray(project, { minLength: 1, maxLength: 5, selector: (p) => p.name })
  .chain((projects) => fc.record({ projects: fc.constant(projects), active: fc.option(fc.constantFrom(...projects.map((p) => p.name)), { nil: null }) }));

type Generated = fc.Arbitrary<typeof registry extends fc.Arbitrary<infer T> ? T : never>;

async function writeLegacy(dir: string, gen: Generated extends fc.Arbitrary<infer T> ? T : never): Promise<string> {
  const projects: Record<string, unknown> = {};
  for (const [i, p] of gen.projects.entries()) {
    const path = p.exists ? join(dir, `p${i}`) : `/nonexistent-pygubu-test/p${i}`;
    if (p.exists) {
      await mkdir(path, { recursive: true });
      if (p.workflow) {
        const doc = {
          project: p.name,
          history: p.workflow.history.map(({ extra, ...e }) => ({ ...extra, ...e })),
          ...(p.workflow.sync ?? {}),
        };
        await writeFile(join(path, '.pygubu-workflow.json'), JSON.stringify(doc));
      }
    }
    projects[p.name] = p.plainString
      ? path
      : { ...p.extra, path, created: p.created, modified: p.modified, tags: p.tags, ...(p.description !== undefined ? { description: p.description } : {}) };
  }
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'registry.json');
  await writeFile(file, JSON.stringify({ projects, active: gen.active }));
  return file;
}

/** Everything a user can read from the views, as one comparable string. */
async function snapshot(store: Store): Promise<string> {
  const rows = await store.views.projects.list();
  const out: unknown[] = [(await store.views.projects.active())?.name ?? null];
  for (const p of rows) {
    const history = (await store.views.history.list(p.id)).map(({ seq: _seq, ...e }) => e);
    out.push(p, history, (await store.views.history.syncState(p.id)) ?? null);
  }
  return canonical(out);
}

test('import → export → import gives identical views (generated registries, unicode and emoji)', async () => {
  await fc.assert(
    fc.asyncProperty(registry, async (gen) => {
      const { dir, cleanup } = await tempDir('pygubu-roundtrip-');
      const a = await openStore({ location: join(dir, 'a'), sync: false });
      const b = await openStore({ location: join(dir, 'b'), sync: false });
      try {
        const registryPath = await writeLegacy(join(dir, 'legacy'), gen);
        const first = await importLegacy(a, { registryPath });
        assert.is(first.totals.errors, 0, JSON.stringify(first.files));
        const exported = join(dir, 'exported.json');
        await rm(join(dir, 'legacy', 'registry.json'));
        await exportLegacy(a.views, { registryPath: exported });
        const second = await importLegacy(b, { registryPath: exported });
        assert.is(second.totals.errors, 0, JSON.stringify(second.files));
        assert.is(await snapshot(b), await snapshot(a));
        const head = a.log.head;
        const again = await importLegacy(a, { registryPath: exported });
        assert.is(again.totals.imported, 0, 'the export imports back into its own store as nothing new');
        assert.is(a.log.head, head);
      } finally {
        await a.close();
        await b.close();
        await cleanup();
      }
    }),
    { numRuns: 40 },
  );
});

test.run();
