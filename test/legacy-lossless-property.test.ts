import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exportLegacy, importLegacy } from '../src/legacy/index.js';
import { pyFloat, PyNumber, pythonJson, type PyValue } from '../src/legacy/python-json.js';
import { tempDir, tempStore } from './helpers.js';

/** Runs of the round-trip property (each: a fresh store, migrate, export-json, compare bytes). */
const RUNS = 100;
const ROOT = '@ROOT@';
const DIRS = ['d0', 'd1', 'd2'];

/** Any text the tool takes: empty, spaces, tabs, newlines, quotes, non-ASCII, emoji, `__proto__`. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('', ' ', '\t', 'a\nb', ' padded ', 'caf\u00e9', '\u{1F600}', '"q" \\', '__proto__', '10', 'constructor'),
);
/** Numbers as Python writes them: exact big integers, floats with `.0`, NaN, ±Infinity, -0.0. */
const number = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => new PyNumber(n.toString())),
  fc.double().map((d) => new PyNumber(pyFloat(d))),
  fc.constantFrom('2.0', 'NaN', 'Infinity', '-Infinity', '1e+22', '1e-07', '12345678901234567890').map((t) => new PyNumber(t)),
);
const mapOf = (value: fc.Arbitrary<PyValue>, maxKeys = 3) =>
  fc.uniqueArray(fc.tuple(text, value), { maxLength: maxKeys, selector: ([k]) => k }).map((entries) => new Map<string, PyValue>(entries));
const { json } = fc.letrec<{ json: PyValue }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 3 }),
    mapOf(tie('json')),
  ),
}));
const odd = fc.oneof(number, fc.boolean(), fc.constant(null), fc.array(json, { maxLength: 2 }), mapOf(json, 2));
const time = fc.oneof(
  fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+00:00')),
  fc.constantFrom('2024-03-01T09:00:00.250000+00:00', '2024-03-01T09:00:00', 'yesterday', ''),
);
const unknownKeys = (known: readonly string[]) =>
  fc.uniqueArray(fc.tuple(text.filter((k) => !known.includes(k)), json), { maxLength: 2, selector: ([k]) => k });

/** Some of `fields` (undefined = absent), then unknown keys, in a random order: an object as written. */
const object = (fields: Record<string, fc.Arbitrary<PyValue | undefined>>, keep = false) =>
  fc
    .tuple(fc.record(fields), unknownKeys(Object.keys(fields)))
    .chain(([known, extra]) => {
      const entries = [...Object.entries(known).filter((e): e is [string, PyValue] => e[1] !== undefined), ...extra];
      return (keep ? fc.constant(entries) : fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length })).map((e) => new Map(e));
    });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });

const path = fc.oneof(
  fc.constantFrom(...DIRS).map((d) => `${ROOT}/${d}`),
  fc.constantFrom(...DIRS).map((d) => `${d}/`),
  fc.constantFrom(...DIRS),
  // (`~/x` paths are in the CLI fixture test, whose bins get a temporary HOME; this process keeps the real one)
  fc.constantFrom('elsewhere/not-here', '/nonexistent-pygubuai-test/x'),
);
const tags = fc.oneof(fc.array(fc.oneof(text, fc.constantFrom('', 'dup', 'dup')), { maxLength: 6 }), odd);
const projectEntry: fc.Arbitrary<PyValue> = fc.oneof(
  { weight: 1, arbitrary: path },
  { weight: 1, arbitrary: odd },
  {
    weight: 6,
    arbitrary: object({
      path: fc.option(fc.oneof({ weight: 5, arbitrary: path }, { weight: 1, arbitrary: odd }), { nil: undefined, freq: 8 }),
      created: maybe(fc.oneof(time, fc.constant(null), number)),
      modified: maybe(fc.oneof(time, fc.constant(null), number)),
      description: maybe(fc.oneof({ weight: 5, arbitrary: text }, { weight: 1, arbitrary: odd })),
      tags: maybe(tags),
    }),
  },
);
const registry = fc.uniqueArray(fc.tuple(text, projectEntry), { maxLength: 6, selector: ([k]) => k }).chain((projects) => {
  const names = projects.map(([n]) => n);
  const active = fc.oneof(fc.constant(null), fc.constant('ghost'), ...(names.length > 0 ? [fc.constantFrom(...names)] : []));
  return object({ projects: fc.constant(new Map(projects)), active: maybe(active), active_project: maybe(active), version: maybe(fc.constant('1.0')) });
});

const historyEntry = fc.oneof(
  { weight: 8, arbitrary: object({ timestamp: maybe(fc.oneof({ weight: 6, arbitrary: time }, { weight: 1, arbitrary: odd })), action: maybe(fc.oneof({ weight: 6, arbitrary: text }, { weight: 1, arbitrary: odd })), description: maybe(text), user: maybe(fc.oneof(text, fc.constant(null), number)) }, true) },
  { weight: 1, arbitrary: odd },
);
const change = object({ file: maybe(text), timestamp: maybe(time) }, true);
const workflow = object({
  project: maybe(text),
  history: maybe(fc.array(historyEntry, { maxLength: 8 })),
  changes: fc.option(fc.array(change, { maxLength: 4 }), { nil: undefined, freq: 4 }),
  last_sync: maybe(fc.oneof(time, fc.constant(null))),
  version: maybe(fc.constant('1.0')),
  file_hashes: maybe(mapOf(fc.oneof(text, odd))),
  file_mtimes: maybe(mapOf(number)),
});
const files = fc.record({ registry, workflows: fc.tuple(maybe(workflow), maybe(workflow), maybe(workflow)) });

const place = (t: string, root: string) => t.replaceAll(ROOT, root);

test(`round trip: ${RUNS} generated registries and workflow files → migrate → export-json → byte-identical files`, async () => {
  const written: string[] = [];
  let runs = 0;
  const seen = { workflowFiles: 0, historyEntries: 0, flagged: 0 };
  await fc.assert(
    fc.asyncProperty(files, async ({ registry: reg, workflows }) => {
      runs++;
      const { dir, cleanup } = await tempDir('pygubuai-lossless-');
      const { store, cleanup: close } = await tempStore();
      try {
        const before = new Map<string, string>();
        before.set(join(dir, 'registry.json'), place(pythonJson(reg), dir));
        for (const [i, d] of DIRS.entries()) {
          await mkdir(join(dir, d));
          const wf = workflows[i];
          if (wf) before.set(join(dir, d, '.pygubu-workflow.json'), place(pythonJson(wf), dir));
        }
        for (const [f, t] of before) await writeFile(f, t);
        written.push(...before.values());
        const report = await importLegacy(store, { registryPath: join(dir, 'registry.json') });
        const errors = report.files.filter((f) => f.status === 'error');
        assert.equal(errors, [], 'nothing the tool writes is refused');
        for (const f of report.files) {
          if (f.kind === 'workflow' && f.status === 'imported') seen.workflowFiles++;
          if (f.kind === 'workflow') seen.historyEntries += f.imported;
          seen.flagged += f.flagged?.length ?? 0;
        }
        await writeFile(join(dir, 'registry.json'), '{"projects": {}}');
        await exportLegacy(store.views, { registryPath: join(dir, 'registry.json') });
        for (const [f, t] of before) assert.is(await readFile(f, 'utf8'), t, f);
      } finally {
        await close();
        await cleanup();
      }
    }),
    { numRuns: RUNS, seed: 12 },
  );
  assert.is(runs, RUNS);
  // The generator reaches what it is for: workflow files read through the projects, odd entries.
  assert.ok(seen.workflowFiles > RUNS / 4 && seen.historyEntries > RUNS && seen.flagged > RUNS, JSON.stringify(seen));
  // The generated files are what Python's json.dump(indent=2) writes: Python reads each and writes it back the same.
  const { dir, cleanup } = await tempDir();
  try {
    await writeFile(join(dir, 'files.json'), JSON.stringify(written));
    const out = execFileSync('python3', ['-c', 'import json,sys\nfs=json.load(open(sys.argv[1]))\nbad=[i for i,s in enumerate(fs) if json.dumps(json.loads(s), indent=2)!=s]\nprint(len(fs), len(bad))', join(dir, 'files.json')]).toString().trim();
    assert.is(out, `${written.length} 0`, 'Python rewrites every generated file byte for byte');
  } finally {
    await cleanup();
  }
});

test.run();
