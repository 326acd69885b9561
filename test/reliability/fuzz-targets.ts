import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { isStoreError, openStore, type NewEventOfAnyType, type Store } from '../../src/index.js';
import { run } from '../helpers.js';

/** What one fuzz target did: cases run, and how they ended (success, or the codes of the refusals). */
export interface FuzzFigures {
  target: string;
  cases: number;
  outcomes: Record<string, number>;
  ms: number;
}

export interface FuzzOptions {
  numRuns: number;
  seed?: number;
}

/** Every key and value of the store, hashed: "unchanged" means this digest is the same. */
export async function storeDigest(store: Store): Promise<string> {
  const hash = createHash('sha256');
  for await (const [k, v] of store.db.iterator()) {
    hash.update(k);
    hash.update('\u0001');
    hash.update(v);
    hash.update('\u0002');
  }
  return hash.digest('hex');
}

/**
 * A real store that a fuzz target recycles every `every` cases (verify, close, delete, open a
 * new one), so the per-case digest stays cheap however many cases run.
 */
export class FuzzStore {
  store!: Store;
  private dir = '';
  private used = 0;
  constructor(private readonly every = 200) {}

  async get(): Promise<Store> {
    if (this.store && this.used++ < this.every) return this.store;
    await this.retire();
    this.dir = await mkdtemp(join(tmpdir(), 'pygubuai-fuzz-'));
    this.store = await openStore({ location: join(this.dir, 'store'), sync: false });
    this.used = 1;
    return this.store;
  }

  /** Verify the store a target has been writing to, then throw it away. */
  async retire(): Promise<void> {
    if (!this.store) return;
    const report = await this.store.verify();
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
    this.store = undefined as never;
    if (!report.ok) throw new Error(`verify after fuzzing: ${JSON.stringify(report.problems.slice(0, 3))}`);
  }
}

const count = (outcomes: Record<string, number>, key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);

/** An error a user may meet: a StoreError with one of the codes this entry point is allowed. */
function expectCoded(err: unknown, allowed: readonly string[], what: string): string {
  if (!isStoreError(err)) throw new Error(`${what}: not a coded error: ${(err as Error)?.stack ?? String(err)}`);
  if (!allowed.includes(err.code)) throw new Error(`${what}: unexpected code ${err.code}: ${err.message}`);
  return err.code;
}

// ---- arbitraries ------------------------------------------------------------------------------

/** Strings users and files really send: words, any Unicode (lone surrogates too), control chars, huge ones. */
export const nastyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\n', 'a\u007f', '..', '/', '-', '!', '\uFEFF', '\uD800', 'x\uDFFFy', '__proto__', 'constructor') },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => 'w'.repeat(n)) },
  );

const safeText = (min: number, max: number) =>
  fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s) && s.length >= min && s.length <= max);

const isoTime = fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString());

const jsonKey = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('constructor', 'toString', 'hasOwnProperty', ''));
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(jsonKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const jsonObject = fc.dictionary(jsonKey, jsonValue, { maxKeys: 5 });

const streamName = (prefix: string) => safeText(1, 40).map((s) => `${prefix}-${s}`);
const eventId = fc.stringMatching(/^[A-Za-z0-9._:~-]{1,64}$/);

/** Events that satisfy their schema, by construction. */
export const validEvent: fc.Arbitrary<NewEventOfAnyType> = fc.oneof(
  fc.record({
    id: eventId,
    stream: streamName('workflow'),
    type: fc.constant('workflow.recorded'),
    data: fc.record(
      { timestamp: isoTime, action: safeText(1, 200), description: safeText(0, 300), user: fc.option(safeText(0, 200)), legacy: fc.record({ entry: safeText(0, 300) }) },
      { requiredKeys: ['timestamp', 'action', 'description'] },
    ),
  }),
  fc.record({
    id: eventId,
    stream: streamName('project'),
    type: fc.constant('project.registered'),
    data: fc.record(
      {
        name: safeText(1, 200),
        path: safeText(1, 300),
        description: safeText(0, 300),
        tags: fc.uniqueArray(safeText(1, 100), { maxLength: 8 }),
        created: fc.option(isoTime),
        modified: fc.option(isoTime),
        legacy: fc.record({ entry: safeText(0, 300) }),
      },
      { requiredKeys: ['name', 'path', 'description', 'tags', 'created', 'modified'] },
    ),
  }),
  fc.record({
    id: eventId,
    stream: streamName('project'),
    type: fc.constant('project.updated'),
    data: fc.record({ description: safeText(0, 300), tags: fc.uniqueArray(safeText(1, 100), { maxLength: 8 }), path: safeText(1, 300) }, { requiredKeys: ['description'] }),
  }),
  fc.record({
    id: eventId,
    stream: streamName('workflow'),
    type: fc.constant('workflow.synced'),
    data: fc.record({
      file_hashes: fc.dictionary(jsonKey, fc.stringMatching(/^[0-9a-f]{64}$/), { maxKeys: 4 }),
      file_mtimes: fc.dictionary(jsonKey, fc.double({ noNaN: true, noDefaultInfinity: true }), { maxKeys: 4 }),
      last_sync: fc.option(isoTime),
    }),
  }),
  fc.record({ id: eventId, stream: streamName('project'), type: fc.constantFrom('project.removed', 'project.activated'), data: fc.record({ name: safeText(1, 200) }) }),
);

/** A valid event with one thing broken that its schema (or the envelope) must refuse. */
export const invalidEvent: fc.Arbitrary<NewEventOfAnyType> = fc
  .tuple(
    validEvent,
    fc.constantFrom(
      'drop-required',
      'wrong-type',
      'unknown-field',
      'control-char',
      'too-long',
      'bad-stream',
      'bad-id',
      'unknown-type',
      'bad-at',
      'bad-source',
      'not-finite',
      'deep',
      'not-plain',
      'proto-key',
      'lone-surrogate',
    ),
  )
  .map(([e, how]) => {
    const data = { ...e.data } as Record<string, unknown>;
    const first = Object.keys(data)[0]!;
    switch (how) {
      case 'drop-required':
        if (e.type === 'project.updated') return { ...e, data: {} };
        delete data[first];
        return { ...e, data };
      case 'wrong-type':
        data[first] = e.type === 'workflow.synced' && first === 'last_sync' ? 42 : [1, 2];
        return { ...e, data };
      case 'unknown-field':
        return { ...e, data: { ...data, surprise: 1 } };
      case 'control-char':
        // (an imported history entry may hold any text: the schema caps only its size)
        return { ...e, stream: `${e.stream}\u0007` };
      case 'too-long':
        return e.type === 'workflow.recorded' ? { ...e, data: { ...data, user: 'x'.repeat(65_537) } } : { ...e, stream: `project-${'x'.repeat(400)}` };
      case 'bad-stream':
        return { ...e, stream: 'Project' };
      case 'bad-id':
        return { ...e, id: 'has space' };
      case 'unknown-type':
        return { ...e, type: 'nothing.known' };
      case 'bad-at':
        return { ...e, at: 'yesterday' };
      case 'bad-source':
        return { ...e, meta: { source: 'telepathy' as never } };
      case 'not-finite':
        return { ...e, data: { ...data, extra: { n: Number.POSITIVE_INFINITY } } };
      case 'deep': {
        let deep: unknown = 1;
        for (let i = 0; i < 80; i++) deep = [deep];
        return { ...e, data: { ...data, extra: { deep } } };
      }
      case 'proto-key':
        return { ...e, data: { ...data, extra: JSON.parse('{"__proto__": {"polluted": true}}') } };
      case 'lone-surrogate':
        return e.type === 'workflow.recorded' ? { ...e, data: { ...data, description: 'half \uD83D pair' } } : { ...e, stream: `${e.stream}\uDC00` };
      default:
        return { ...e, data: { ...data, extra: { when: new Date(0) } } };
    }
  });

/** Anything shaped roughly like an event: any JSON in any field. */
export const roughEvent: fc.Arbitrary<NewEventOfAnyType> = fc.record(
  {
    id: fc.oneof(eventId, nastyString()),
    stream: fc.oneof(streamName('workflow'), nastyString()),
    type: fc.constantFrom('workflow.recorded', 'project.registered', 'project.updated', 'project.renamed', 'legacy.imported', 'workflow.synced', 'x.y'),
    v: fc.constantFrom(1, 2, undefined as never),
    at: fc.oneof(isoTime, nastyString()),
    data: jsonObject as fc.Arbitrary<Record<string, unknown>>,
  },
  { requiredKeys: ['stream', 'type', 'data'] },
);

// ---- targets ----------------------------------------------------------------------------------

const APPEND_CODES = ['VALIDATION_FAILED', 'UNKNOWN_EVENT_TYPE', 'INVALID_ARGUMENT'];

/**
 * Event payloads through `store.append`: valid → appended exactly as given; invalid → refused with
 * VALIDATION_FAILED (or UNKNOWN_EVENT_TYPE) and the store byte-for-byte unchanged; anything else
 * → one of the two. Batches that hide one bad event among good ones write nothing.
 */
export async function fuzzEventPayloads(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const holder = new FuzzStore();
  const kind = fc.oneof(
    validEvent.map((e) => ({ expect: 'ok' as const, events: [e] })),
    invalidEvent.map((e) => ({ expect: 'refused' as const, events: [e] })),
    roughEvent.map((e) => ({ expect: 'either' as const, events: [e] })),
    fc
      .tuple(fc.array(validEvent, { minLength: 1, maxLength: 6 }), invalidEvent, fc.nat())
      .map(([good, bad, at]) => {
        const events = [...good];
        events.splice(at % (good.length + 1), 0, bad);
        return { expect: 'refused' as const, events };
      }),
  );
  try {
    await fc.assert(
      fc.asyncProperty(kind, async ({ expect, events }) => {
        const store = await holder.get();
        // ids must be fresh for "appended as given" to hold (a seen id is an idempotent no-op)
        const fresh = events.map((e, i) => (e.id === undefined || typeof e.id !== 'string' ? e : { ...e, id: `${e.id}.${store.log.head}.${i}` }));
        const before = await storeDigest(store);
        const head = store.log.head;
        let stored;
        try {
          stored = await store.append(fresh);
        } catch (err) {
          const code = expectCoded(err, APPEND_CODES, 'append');
          if (expect === 'ok') throw new Error(`a valid event was refused: ${(err as Error).message}\n${JSON.stringify(fresh)}`);
          if ((await storeDigest(store)) !== before || store.log.head !== head) throw new Error(`a refused append changed the store (${code})`);
          count(outcomes, code);
          return;
        }
        if (expect === 'refused') throw new Error(`an invalid event was appended: ${JSON.stringify(fresh)}`);
        for (const [i, e] of fresh.entries()) {
          const got = await store.log.getById(stored[i]!.id);
          if (!got || got.seq !== head + i + 1) throw new Error(`event ${i} is not at seq ${head + i + 1}`);
          if (JSON.stringify(got.data) !== JSON.stringify(JSON.parse(JSON.stringify(e.data))))
            throw new Error(`stored data differs from what was appended:\n  in:  ${JSON.stringify(e.data)}\n  out: ${JSON.stringify(got.data)}`);
          if (Object.keys(got.data).join() !== Object.keys(e.data).filter((k) => (e.data as Record<string, unknown>)[k] !== undefined).join())
            throw new Error(`stored keys differ: ${Object.keys(e.data)} vs ${Object.keys(got.data)}`);
        }
        count(outcomes, 'appended');
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await holder.retire();
  }
  return { target: 'event payloads (store.append)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}

const COMMAND_CODES = ['VALIDATION_FAILED', 'PROJECT_EXISTS', 'PROJECT_NOT_FOUND', 'INVALID_ARGUMENT'];

/**
 * Names, paths, tags and descriptions through the project and history commands of the library
 * (what the CLI calls): success → the views show exactly that; refusal → a coded error and an
 * unchanged store.
 */
export async function fuzzProjectCommands(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const holder = new FuzzStore();
  // half the commands name a project registered earlier in the same store (by index into `live`)
  const target = fc.oneof(nastyString().map((raw) => ({ raw })), fc.nat().map((ref) => ({ ref })));
  const op = fc.oneof(
    fc.record({ op: fc.constant('register' as const), name: nastyString(), path: nastyString(60), tags: fc.array(nastyString(12), { maxLength: 4 }), description: nastyString(80) }),
    fc.record({ op: fc.constant('update' as const), target, path: fc.option(nastyString(60), { nil: undefined }), tags: fc.option(fc.array(nastyString(12), { maxLength: 4 }), { nil: undefined }), description: fc.option(nastyString(80), { nil: undefined }) }),
    fc.record({ op: fc.constant('rename' as const), target, to: nastyString() }),
    fc.record({ op: fc.constant('remove' as const), target }),
    fc.record({ op: fc.constant('record' as const), target, action: nastyString(), description: nastyString(80) }),
  );
  let live: string[] = [];
  let liveStore: Store | undefined;
  const nameOf = (t: { raw: string } | { ref: number }): string => ('raw' in t || live.length === 0 ? ('raw' in t ? t.raw : '') : live[t.ref % live.length]!);
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 4 }), async (ops) => {
        const store = await holder.get();
        if (store !== liveStore) [live, liveStore] = [[], store];
        for (const o of ops) {
          const before = await storeDigest(store);
          const name = o.op === 'register' ? o.name : nameOf(o.target);
          try {
            if (o.op === 'register') {
              const p = await store.projects.register({ name: o.name, path: o.path, tags: o.tags, description: o.description });
              const back = await store.views.projects.byName(p.name);
              if (!back || back.id !== p.id || back.path !== o.path || back.description !== o.description) throw new Error(`registered ${JSON.stringify(o.name)} reads back as ${JSON.stringify(back)}`);
              if (p.name !== o.name.trim()) throw new Error(`name ${JSON.stringify(o.name)} stored as ${JSON.stringify(p.name)}`);
              live.push(p.name);
              const tagged = await store.views.projects.list({ tag: p.tags[0] ?? '' });
              if (p.tags.length > 0 && !tagged.some((t) => t.id === p.id)) throw new Error(`tag ${JSON.stringify(p.tags[0])} does not find ${JSON.stringify(p.name)}`);
            } else if (o.op === 'update') {
              const p = await store.projects.update(name, { ...(o.path !== undefined ? { path: o.path } : {}), ...(o.tags ? { tags: o.tags } : {}), ...(o.description !== undefined ? { description: o.description } : {}) });
              if (o.description !== undefined && p.description !== o.description) throw new Error('update lost the description');
            } else if (o.op === 'rename') {
              const p = await store.projects.rename(name, o.to);
              if ((await store.views.projects.byName(o.to.trim()))?.id !== p.id) throw new Error(`renamed project is not found as ${JSON.stringify(o.to)}`);
              live = live.map((n) => (n === name ? p.name : n));
            } else if (o.op === 'remove') {
              await store.projects.remove(name);
              if (await store.views.projects.byName(name)) throw new Error('removed project still found');
              live = live.filter((n) => n !== name);
            } else {
              const e = await store.history.record(name, { action: o.action, description: o.description });
              if (e.data.action !== o.action) throw new Error('recorded action differs');
            }
            count(outcomes, `${o.op} ok`);
          } catch (err) {
            if (err instanceof Error && !isStoreError(err) && /differs|reads back|stored as|not found as|still found|lost|does not find/.test(err.message)) throw err;
            const code = expectCoded(err, COMMAND_CODES, o.op);
            if ((await storeDigest(store)) !== before) throw new Error(`a refused ${o.op} changed the store (${code})`);
            count(outcomes, code);
          }
        }
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await holder.retire();
  }
  return { target: 'names/paths/tags (project + history commands)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}

/**
 * The same hostile values through the real pygubu-db bin: exit 0, or exit 1 with one line
 * `error: … (CODE)` and no stack trace, or a usage error (exit 2); a failed write changes nothing.
 */
export async function fuzzCli(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const dir = await mkdtemp(join(tmpdir(), 'pygubuai-fuzz-cli-'));
  const location = join(dir, 'store');
  const seedStore = await openStore({ location });
  await seedStore.projects.register({ name: 'base', path: dir, tags: ['t'] });
  await seedStore.close();
  const argValue = nastyString(30).filter((s) => !s.includes('\u0000')); // argv cannot carry NUL
  const command = fc.oneof(
    fc.tuple(argValue, argValue).map(([name, tags]) => ['project', 'add', dir, '--name', name, '--tags', tags]),
    fc.tuple(argValue).map(([p]) => ['project', 'add', p]),
    fc.tuple(argValue, argValue).map(([name, d]) => ['project', 'update', name, '--description', d]),
    fc.tuple(argValue).map(([tags]) => ['project', 'update', 'base', '--tags', tags]),
    fc.tuple(argValue, argValue).map(([from, to]) => ['project', 'rename', from, to]),
    fc.tuple(argValue).map(([n]) => ['project', 'show', n]),
    fc.tuple(argValue).map(([t]) => ['project', 'list', '--tag', t]),
    fc.tuple(argValue).map(([q]) => ['project', 'search', q]),
    fc.tuple(argValue, argValue).map(([a, at]) => ['history', 'record', 'base', a, '--at', at]),
    fc.tuple(argValue).map(([a]) => ['history', 'record', 'base', a]),
    fc.tuple(argValue).map(([asOf]) => ['project', 'list', '--as-of', asOf]),
    fc.tuple(argValue).map(([n]) => ['log', '--limit', n]),
  );
  const digest = async () => {
    const s = await openStore({ location, createIfMissing: false });
    try {
      return await storeDigest(s);
    } finally {
      await s.close();
    }
  };
  try {
    await fc.assert(
      fc.asyncProperty(command, async (args) => {
        const before = await digest();
        const r = await run('pygubu-db', [...args, '--store', location]);
        const err = r.stderr.trim();
        if (r.code === 0) {
          count(outcomes, 'exit 0');
          return;
        }
        if (/\n\s+at /.test(r.stderr) || r.signal) throw new Error(`pygubu-db ${JSON.stringify(args)} crashed: ${err.slice(0, 600)}`);
        if (/\(INTERNAL\)/.test(err)) throw new Error(`pygubu-db ${JSON.stringify(args)}: an uncoded (INTERNAL) error: ${err}`);
        if (r.code === 1 && !/^error: .+ \([A-Z_]+\)$/m.test(err)) throw new Error(`pygubu-db ${JSON.stringify(args)}: error without a code: ${err}`);
        if (r.code !== 1 && r.code !== 2) throw new Error(`pygubu-db ${JSON.stringify(args)} exited ${r.code}: ${err}`);
        if ((await digest()) !== before) throw new Error(`a failed pygubu-db ${args.slice(0, 2).join(' ')} changed the store`);
        count(outcomes, r.code === 1 ? (/\(([A-Z_]+)\)/.exec(err)?.[1] ?? 'exit 1') : 'usage (exit 2)');
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { target: 'pygubu-db argv (spawned bin)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}

// ---- the .ui scanner ---------------------------------------------------------------------------

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface UiNode {
  cls: string;
  id: string | undefined;
  command: string | undefined;
  layout: string | undefined;
  bind: string | undefined;
  children: UiNode[];
}

const uiNode: fc.Arbitrary<UiNode> = fc.letrec((tie) => ({
  node: fc.record({
    cls: fc.oneof(fc.constantFrom('tk.Button', 'ttk.Frame', 'ttk.Label', 'tk.Toplevel', 'pygubu.builder.widgets.scrollbarhelper'), nastyString(30)),
    id: fc.option(fc.oneof(fc.constantFrom('main', 'button1'), nastyString(20)), { nil: undefined }),
    command: fc.option(fc.oneof(fc.constantFrom('on_click', ''), nastyString(20)), { nil: undefined }),
    layout: fc.option(fc.oneof(fc.constantFrom('pack', 'grid', 'place'), nastyString(10)), { nil: undefined }),
    bind: fc.option(nastyString(12), { nil: undefined }),
    children: fc.oneof({ maxDepth: 6, depthIdentifier: 'ui', depthSize: 'small' }, fc.constant([]), fc.array(tie('node'), { maxLength: 3 })),
  }),
})).node as fc.Arbitrary<UiNode>;

function renderUi(nodes: readonly UiNode[]): string {
  const obj = (n: UiNode): string =>
    `<object class="${xmlEscape(n.cls)}"${n.id === undefined ? '' : ` id="${xmlEscape(n.id)}"`}>` +
    (n.command === undefined ? '' : `<property name="command" type="command" cbtype="simple">${xmlEscape(n.command)}</property>`) +
    (n.layout === undefined ? '' : `<layout manager="${xmlEscape(n.layout)}"><property name="side">top</property></layout>`) +
    (n.bind === undefined ? '' : `<bind sequence="&lt;Button-1&gt;" handler="${xmlEscape(n.bind)}" add="" />`) +
    n.children.map((c) => `<child>${obj(c)}</child>`).join('') +
    '</object>';
  return `<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.2">${nodes.map(obj).join('')}</interface>\n`;
}

const deepUi = (depth: number): string =>
  `<interface>${'<object class="ttk.Frame" id="f"><child>'.repeat(depth)}<object class="tk.Button" id="b" />${'</child></object>'.repeat(depth)}</interface>`;

const BILLION_LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><interface><object class="&lol9;" id="x" /></interface>`;

/** .ui file contents: well-formed pygubu trees with hostile names, then the same broken in every way. */
export const uiContent: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.array(uiNode, { minLength: 1, maxLength: 3 }).map((n) => Buffer.from(renderUi(n))) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.array(uiNode, { minLength: 1, maxLength: 2 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }))
      .map(([n, flips]) => {
        const b = Buffer.from(renderUi(n));
        for (const [at, byte] of flips) b[at % b.length] = byte;
        return b;
      }),
  },
  { weight: 2, arbitrary: fc.tuple(fc.array(uiNode, { minLength: 1, maxLength: 2 }), fc.nat()).map(([n, cut]) => { const b = Buffer.from(renderUi(n)); return b.subarray(0, cut % b.length); }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 3000 }).map((d) => Buffer.from(deepUi(d))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      BILLION_LAUGHS,
      '<interface><object class="&#0;" id="x"/></interface>',
      '<interface><object class="&#xD800;" id="x"/></interface>',
      '<interface><object class="tk.Button" id="a" id="b"/></interface>',
      '<interface><![CDATA[<object class="x" id="y"/>]]></interface>',
      '<?xml version="1.0" encoding="latin1"?><interface><object class="caf\u00e9" id="x"/></interface>',
      '\uFEFF<interface><object class="tk.Button" id="b"/></interface>',
      '<interface><object class="tk.Button"><property name="command" type="command">' + 'h'.repeat(600) + '</property></object></interface>',
      '<interface>' + '<object class="tk.Button" id="b"><bind sequence="x" handler="h" add=""/></object>'.repeat(2000) + '</interface>',
      '',
    ).map((s) => Buffer.from(s)),
  },
);

/**
 * Random XML through `scanProjects`: a file is either recorded (one valid event, the store
 * verifies) or listed as a problem with a reason and the store unchanged; nothing throws.
 */
export async function fuzzScanner(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const { writeFile, mkdir } = await import('node:fs/promises');
  const { scanProjects, analyseUi, UiParseError } = await import('../../src/index.js');
  const holder = new FuzzStore(400);
  let project: { store: Store; dir: string } | undefined;
  try {
    await fc.assert(
      fc.asyncProperty(uiContent, async (content) => {
        const store = await holder.get();
        if (project?.store !== store) {
          const dir = join(dirname(store.location), 'app');
          await mkdir(dir, { recursive: true });
          await store.projects.register({ name: 'app', path: dir });
          project = { store, dir };
        }
        // the pure analyser: stats, or a UiParseError — no other exception
        try {
          analyseUi(content);
        } catch (err) {
          if (!(err instanceof UiParseError)) throw new Error(`analyseUi threw ${(err as Error)?.stack ?? String(err)}`);
        }
        await writeFile(join(project.dir, 'main.ui'), content);
        const before = await storeDigest(store);
        const head = store.log.head;
        let report;
        try {
          report = await scanProjects(store, { projects: ['app'] });
        } catch (err) {
          const code = expectCoded(err, ['VALIDATION_FAILED'], 'scan');
          if ((await storeDigest(store)) !== before) throw new Error(`a failed scan changed the store (${code})`);
          throw new Error(`scan aborted instead of reporting a problem: ${code} ${(err as Error).message}`);
        }
        if (report.recorded === 1) {
          if (store.log.head !== head + 1) throw new Error('recorded 1 but the log did not grow by one');
          count(outcomes, 'recorded');
        } else if (report.unchanged === 1) {
          count(outcomes, 'unchanged');
        } else {
          if (report.problems.length === 0 || !report.problems.every((p) => p.reason.length > 0)) throw new Error(`neither recorded nor a problem: ${JSON.stringify(report)}`);
          if ((await storeDigest(store)) !== before) throw new Error('a file with a problem changed the store');
          count(outcomes, 'problem');
        }
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await holder.retire();
  }
  return { target: '.ui scanner (random XML)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}

// ---- the template marketplace ------------------------------------------------------------------

const version = fc.oneof(
  fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5), fc.stringMatching(/^[0-9A-Za-z.-]{1,10}$/)).map(([a, b, c, pre]) => `${a}.${b}.${c}-${pre}`),
  fc.constantFrom('1.0', 'v1.0.0', '01.0.0', '1.0.0+build', '999999999999999999999.0.0', '', ' 1.0.0', '1.0.0\n', '^1.0.0', '*', 'latest'),
  nastyString(20),
);

const templateFilePath = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('main.ui', 'sub/dialog.ui', 'README.md', 'img/icon.txt') },
  { weight: 2, arbitrary: fc.constantFrom('../escape.ui', '/etc/evil.ui', 'a/../../up.ui', 'C:\\win.ui', 'sub\\..\\..\\x.ui', '.', '', 'a\u0000b.ui', 'con.ui', `${'d/'.repeat(80)}deep.ui`) },
  { weight: 2, arbitrary: nastyString(30).map((s) => `${s}.ui`) },
);

const UI_OK = '<?xml version="1.0"?><interface><object class="tk.Toplevel" id="main"><child><object class="ttk.Button" id="b"/></child></object></interface>';

/** Every file under `dir`, relative. */
async function filesUnder(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  await walk(dir, '');
  return out;
}

/**
 * Hostile template names, versions, tags, file paths and install specs through publish, rate and
 * install: success (and an install writes only inside `<dest>/<name>/`), or a coded error with
 * the store unchanged.
 */
export async function fuzzTemplates(options: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const holder = new FuzzStore(100);
  const { mkdtemp: mk } = await import('node:fs/promises');
  const sandbox = await mk(join(tmpdir(), 'pygubuai-fuzz-tpl-'));
  let n = 0;
  const op = fc.oneof(
    fc.record({
      op: fc.constant('publish' as const),
      name: fc.oneof(fc.constantFrom('login-form', 'dash_board'), nastyString(30)),
      version,
      tags: fc.array(nastyString(12), { maxLength: 3 }),
      files: fc.array(fc.tuple(templateFilePath, fc.oneof(fc.constant(UI_OK), fc.string({ maxLength: 40 }))), { minLength: 1, maxLength: 3 }),
      description: nastyString(40),
    }),
    fc.record({ op: fc.constant('install' as const), spec: fc.oneof(fc.constantFrom('login-form', 'login-form@^1', 'dash_board@*'), fc.tuple(fc.constantFrom('login-form', 'dash_board'), version).map(([a, v]) => `${a}@${v}`), nastyString(30)) }),
    fc.record({ op: fc.constant('rate' as const), name: fc.constantFrom('login-form', 'dash_board', '../x'), stars: fc.oneof(fc.integer({ min: -2, max: 8 }), fc.double()), user: nastyString(12), review: nastyString(60) }),
  );
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 4 }), async (ops) => {
        const store = await holder.get();
        for (const o of ops) {
          const before = await storeDigest(store);
          const dest = join(sandbox, `case-${n++}`, 'dest');
          try {
            if (o.op === 'publish') {
              await store.templates.publish({ name: o.name, version: o.version, author: 'fuzz', tags: o.tags, description: o.description, files: o.files.map(([path, content]) => ({ path, content })) });
            } else if (o.op === 'install') {
              const r = await store.templates.install({ spec: o.spec, dest });
              const root = join(dest, '..');
              const escaped = (await filesUnder(root)).filter((f) => !f.startsWith(`dest/${r.template.name}/`));
              if (escaped.length > 0) throw new Error(`install of ${o.spec} wrote outside dest/${r.template.name}/: ${escaped.join(', ')}`);
            } else {
              await store.templates.rate({ name: o.name, stars: o.stars, user: o.user, review: o.review });
            }
            count(outcomes, `${o.op} ok`);
          } catch (err) {
            if (err instanceof Error && /wrote outside/.test(err.message)) throw err;
            if (!isStoreError(err) || !/^[A-Z_]+$/.test(String(err.code))) throw new Error(`${o.op}: not a coded error: ${(err as Error)?.stack ?? String(err)}`);
            if ((await storeDigest(store)) !== before) throw new Error(`a refused ${o.op} (${err.code}) changed the store`);
            const escaped = (await filesUnder(join(dest, '..'))).filter((f) => !f.startsWith('dest/'));
            if (escaped.length > 0) throw new Error(`a refused install wrote outside dest: ${escaped.join(', ')}`);
            count(outcomes, String(err.code));
          }
        }
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
  } finally {
    await holder.retire();
    await rm(sandbox, { recursive: true, force: true });
  }
  return { target: 'template names/versions/paths (publish, install, rate)', cases: options.numRuns, outcomes, ms: performance.now() - started };
}
