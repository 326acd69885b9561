import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkDump } from '../../src/dump/load.js';
import { fileSink, isStoreError, loadDump, openStore, restoreStore, writeDump, type NewEventOfAnyType, type Store } from '../../src/index.js';
import { craft, published, registered, UI, type Crafted } from '../safety-fixtures.js';
import { FuzzStore, invalidEvent, roughEvent, storeDigest, validEvent, type FuzzFigures, type FuzzOptions } from './fuzz-targets.js';

/**
 * The hostile events the append fuzzer generates (valid, invalid, rough), plus events that keep
 * their schema but break a domain rule (a taken project name, a rename onto one, template versions
 * out of order or not semver, files that do not match their hashes), through the two other ways
 * in: `load` of a dump and `restore` of a backup, as ndjson and msgpack. The invariant: refused
 * whole with a coded error and the store unchanged, or accepted and then `verify` clean, every
 * event printable as JSON, the views readable, and the store's own dump passes load's checks.
 */

const count = (outcomes: Record<string, number>, key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);

const NAMES = ['alpha', 'beta', 'gamma'];
const VERSIONS = ['1.0.0', '1.2.0', '2.0.0', '0.9.0', '1.0.0-beta.1', '1.0.0garbage', '1.0.0\u0000x', '01.0.0'];

/** Schema-valid events that a command would refuse (or accept) depending on what came before. */
const ruleEvent: fc.Arbitrary<NewEventOfAnyType> = fc.oneof(
  fc.record({ n: fc.nat(5), name: fc.constantFrom(...NAMES) }).map(({ n, name }) => ({ stream: `project-r${n}`, type: 'project.registered', data: registered(name) })),
  fc.record({ n: fc.nat(5), from: fc.constantFrom(...NAMES), to: fc.constantFrom(...NAMES) }).map(({ n, from, to }) => ({ stream: `project-r${n}`, type: 'project.renamed', data: { from, to } })),
  fc.record({ n: fc.nat(5), name: fc.constantFrom(...NAMES) }).map(({ n, name }) => ({ stream: `project-r${n}`, type: 'project.removed', data: { name } })),
  fc
    .record({ name: fc.constantFrom('demo', 'other'), version: fc.constantFrom(...VERSIONS), damage: fc.constantFrom('none', 'none', 'sha', 'hash', 'xml', 'dup', 'entity') })
    .map(({ name, version, damage }) => {
      const files =
        damage === 'xml' ? [{ path: 'main.ui', content: '<interface>' }]
        : damage === 'dup' ? [{ path: 'main.ui', content: UI }, { path: 'main.ui', content: UI }]
        : damage === 'entity' ? [{ path: 'main.ui', content: '<!DOCTYPE interface [<!ENTITY % p "x">]><interface/>' }]
        : [{ path: 'main.ui', content: UI.replace('main', `m${version.length}`) }];
      const data = published(name, version, files);
      if (damage === 'sha') data.files[0]!.content += ' ';
      if (damage === 'hash') data.hash = 'f'.repeat(64);
      return { stream: `template-${name}`, type: 'template.published', data };
    }),
);

const anyEvent = fc.oneof(
  { weight: 3, arbitrary: validEvent },
  { weight: 2, arbitrary: invalidEvent },
  { weight: 1, arbitrary: roughEvent },
  { weight: 3, arbitrary: ruleEvent },
);

/** Envelopes as a dump or backup carries them: gapless seq, per-stream versions, ids filled in. */
function asEnvelopes(events: readonly NewEventOfAnyType[], salt: string): Crafted[] {
  const versions = new Map<unknown, number>();
  return events.map((e, i) => {
    const version = (versions.get(e.stream) ?? 0) + 1;
    versions.set(e.stream, version);
    return {
      seq: i + 1,
      id: typeof e.id === 'string' ? `${e.id}.${salt}` : (e.id ?? `fz-${salt}-${i}`),
      stream: e.stream,
      version,
      type: e.type,
      v: e.v ?? 1,
      at: e.at ?? '2025-01-01T00:00:00.000Z',
      data: e.data,
      meta: e.meta ?? { source: 'api' },
    };
  });
}

/** What "accepted" must leave: a clean verify, JSON-printable events, readable views, a dump that load accepts. */
async function assertUsable(store: Store, dir: string): Promise<void> {
  const report = await store.verify();
  if (!report.ok) throw new Error(`verify after an accepted way in: ${JSON.stringify(report.problems.slice(0, 3))}`);
  for await (const e of store.log.readAll()) JSON.stringify(e);
  await store.views.projects.list();
  await store.views.templates.search('', {});
  await store.stats();
  const file = join(dir, 'own.ndjson');
  await writeDump(store, await fileSink(file));
  await checkDump(store.registry, file);
}

const casesOf = fc.record({
  events: fc.array(anyEvent, { minLength: 1, maxLength: 6 }),
  encoding: fc.constantFrom('ndjson' as const, 'msgpack' as const),
});

/** The generated events as a dump through `load` into a store that already holds earlier cases. */
export async function fuzzLoadEvents(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const root = await mkdtemp(join(tmpdir(), 'pygubuai-fuzz-load-'));
  const holder = new FuzzStore(50);
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(casesOf, async ({ events, encoding }) => {
        const store = await holder.get();
        const file = join(root, `case.${encoding}`);
        await craft(file, 'dump', encoding, asEnvelopes(events, String(n++)));
        const before = await storeDigest(store);
        const head = store.log.head;
        try {
          const r = await loadDump(store, file);
          if (store.log.head !== head + r.loaded) throw new Error(`load reported ${r.loaded} events, the log grew by ${store.log.head - head}`);
        } catch (err) {
          if (!isStoreError(err)) throw new Error(`load threw an uncoded error: ${(err as Error)?.stack ?? String(err)}`);
          if ((await storeDigest(store)) !== before) throw new Error(`a refused load (${err.code}) changed the store`);
          count(outcomes, `${err.code}${err.details?.rule ? ` ${String(err.details.rule)}` : ''}`);
          return;
        }
        await assertUsable(store, root);
        count(outcomes, 'loaded');
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await holder.retire();
    await rm(root, { recursive: true, force: true });
  }
  return { target: 'hostile events (load)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}

/** The generated events as a backup through `restore` over a store with one project in it. */
export async function fuzzRestoreEvents(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const root = await mkdtemp(join(tmpdir(), 'pygubuai-fuzz-restore-'));
  const location = join(root, 'store');
  const seedStore = async (): Promise<string> => {
    await rm(location, { recursive: true, force: true });
    const store = await openStore({ location, sync: false });
    await store.projects.register({ name: 'resident', path: '/srv/resident' });
    const digest = await storeDigest(store);
    await store.close();
    return digest;
  };
  let digest = await seedStore();
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(casesOf, async ({ events, encoding }) => {
        const file = join(root, `case.${encoding}.backup`);
        await craft(file, 'backup', encoding, asEnvelopes(events, String(n++)));
        try {
          await restoreStore(location, file, { storeOptions: { sync: false } });
        } catch (err) {
          if (!isStoreError(err)) throw new Error(`restore threw an uncoded error: ${(err as Error)?.stack ?? String(err)}`);
          const store = await openStore({ location, sync: false, createIfMissing: false });
          try {
            if ((await storeDigest(store)) !== digest) throw new Error(`a refused restore (${err.code}) changed the store`);
          } finally {
            await store.close();
          }
          count(outcomes, `${err.code}${err.details?.rule ? ` ${String(err.details.rule)}` : ''}`);
          return;
        }
        const store = await openStore({ location, sync: false, createIfMissing: false });
        try {
          await assertUsable(store, root);
        } finally {
          await store.close();
        }
        count(outcomes, 'restored');
        digest = await seedStore();
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return { target: 'hostile events (restore)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}
