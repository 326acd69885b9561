/**
 * The read layouts of issue 14 (history by position, the word + downloads index with per-word
 * counts, daily series in month rows) against brute force over the same random data: the answers
 * and their order must be those of a plain scan, now and `--as-of` an earlier point, and `verify`
 * must notice a missing or damaged row of each new layout.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { daysFrom, addDays, trend } from '../src/domain/analytics.js';
import { contentHash, sha256 } from '../src/domain/templates.js';
import { decode, encode } from '../src/log/codec.js';
import { viewPrefix } from '../src/log/keys.js';
import type { NewEvent, Store } from '../src/index.js';
import { metricStream } from '../src/projections/analytics.js';
import { averageRating, WORD_TOP_SIZE, type TemplateRow, type WordTop } from '../src/projections/templates.js';
import { TemplateViews } from '../src/queries/templates.js';
import type { WorkflowEntry } from '../src/projections/workflow.js';
import { words } from '../src/lib/text.js';
import { tempStore } from './helpers.js';

const RUNS = 12;

/** Deterministic property runs: a failure prints its seed and shrinks. */
const check = <T>(prop: fc.IAsyncPropertyWithHooks<T>) => fc.assert(prop, { numRuns: RUNS, seed: 1414 });

// ---- history ----------------------------------------------------------------------------------

const historyEvents = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.constantFrom('file_changed', 'ui_generated', 'note')), { minLength: 1, maxLength: 160 });

test('history pages equal the log, read by position (now and as of an earlier seq)', async () => {
  await check(
    fc.asyncProperty(
      historyEvents,
      fc.array(fc.integer({ min: -1, max: 90 }), {
        minLength: 3,
        maxLength: 6,
      }),
      async (events, limits) => {
        const { store, cleanup } = await tempStore();
        try {
          // several appends, so pages cross batch boundaries
          const batches: NewEvent[][] = [[], [], []];
          events.forEach(([p, action], i) =>
            batches[i % 3]!.push({
              stream: `workflow-p${p}`,
              type: 'workflow.recorded',
              data: {
                timestamp: `2025-01-0${1 + (i % 9)}T00:00:00+00:00`,
                action,
                description: `e${i}`,
              },
            }),
          );
          for (const b of batches) if (b.length > 0) await store.append(b);
          const log: Array<{
            seq: number;
            stream: string;
            data: Omit<WorkflowEntry, 'seq'>;
          }> = [];
          for await (const e of store.log.readAll()) if (e.type === 'workflow.recorded') log.push({ seq: e.seq, stream: e.stream, data: e.data });
          const brute = (p: number, upTo: number, limit?: number) => {
            const all = log.filter((e) => e.stream === `workflow-p${p}` && e.seq <= upTo).map((e) => ({ ...e.data, seq: e.seq }));
            return limit === undefined || limit < 0 ? all : all.slice(Math.max(0, all.length - limit));
          };
          const head = store.log.head;
          const cut = Math.max(1, Math.floor(head / 2));
          await using then = await store.asOf(cut);
          for (let p = 0; p <= 4; p++) {
            assert.equal(await store.views.history.list(`p${p}`), brute(p, head), `p${p} all`);
            assert.equal(await then.history.list(`p${p}`), brute(p, cut), `p${p} all as of ${cut}`);
            assert.equal(await store.views.history.count(`p${p}`), brute(p, head).length);
            for (const limit of limits) {
              assert.equal(await store.views.history.list(`p${p}`, { limit }), brute(p, head, limit), `p${p} limit ${limit}`);
              assert.equal(await then.history.list(`p${p}`, { limit }), brute(p, cut, limit), `p${p} limit ${limit} as of ${cut}`);
            }
          }
        } finally {
          await cleanup();
        }
      },
    ),
  );
});

// ---- templates --------------------------------------------------------------------------------

/** Words that share prefixes (form/forms/format, log/login/logout), so one query word spans several. */
const VOCAB = ['form', 'forms', 'format', 'formal', 'login', 'log', 'logout', 'grid', 'table', 'tab', 'chart', 'wizard', 'fab', 'face', 'fact', 'fade', 'fail'];
const UI = (title: string) =>
  `<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.3">\n  <object class="tk.Toplevel" id="w"><property name="title">${title}</property></object>\n</interface>\n`;

function published(name: string, version: string, description: string): NewEvent {
  const content = UI(`${name} ${version}`);
  const files: [{ path: string; content: string; sha256: string }] = [{ path: 'main.ui', content, sha256: sha256(content) }];
  return {
    stream: `template-${name}`,
    type: 'template.published',
    data: {
      name,
      version,
      description,
      author: 'ann',
      tags: ['t'],
      files,
      hash: contentHash(files),
    },
  };
}

const marketplace = fc.record({
  descriptions: fc.array(fc.array(fc.constantFrom(...VOCAB), { minLength: 1, maxLength: 4 }), { minLength: 5, maxLength: 70 }),
  downloads: fc.array(fc.nat(), { maxLength: 200 }),
  ratings: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5 })), { maxLength: 40 }),
  republish: fc.array(fc.tuple(fc.nat(), fc.array(fc.constantFrom(...VOCAB), { minLength: 1, maxLength: 3 })), { maxLength: 8 }),
  deprecate: fc.array(fc.nat(), { maxLength: 3 }),
});

const marketplaceArb = async (
  m: {
    descriptions: string[][];
    downloads: number[];
    ratings: Array<[number, number, number]>;
    republish: Array<[number, string[]]>;
    deprecate: number[];
  },
  store: Store,
): Promise<string[]> => {
  const names = m.descriptions.map((_, i) => `tpl-${String(i).padStart(2, '0')}`);
  await store.append(names.map((n, i) => published(n, '1.0.0', m.descriptions[i]!.join(' '))));
  const next: NewEvent[] = [];
  // downloads in two halves around the republishes, so a republished template moves with its words
  const dl = (k: number) => ({
    stream: `template-${names[k % names.length]}`,
    type: 'template.downloaded' as const,
    data: { name: names[k % names.length]!, version: '1.0.0' },
  });
  m.downloads.slice(0, m.downloads.length / 2).forEach((k) => next.push(dl(k)));
  await store.append(next.splice(0));
  const versions = new Map<string, number>();
  for (const [k, desc] of m.republish) {
    const name = names[k % names.length]!;
    const v = (versions.get(name) ?? 1) + 1;
    versions.set(name, v);
    await store.append(published(name, `${v}.0.0`, desc.join(' ')));
  }
  m.downloads.slice(m.downloads.length / 2).forEach((k) => next.push(dl(k)));
  for (const [k, stars, user] of m.ratings)
    next.push({
      stream: `template-${names[k % names.length]}`,
      type: 'template.rated',
      data: { name: names[k % names.length]!, user: `u${user}`, stars },
    });
  for (const k of m.deprecate)
    next.push({
      stream: `template-${names[k % names.length]}`,
      type: 'template.deprecated',
      data: { name: names[k % names.length]!, reason: 'old' },
    });
  if (next.length > 0) await store.append(next);
  return names;
};

/** Search by brute force: every row, the documented matching, downloads most first then name (LevelDB byte order). */
function bruteSearch(rows: readonly TemplateRow[], query: string, options: { minRating?: number; all?: boolean }, limit: number): string[] {
  const terms = words(query);
  return rows
    .filter((t) => options.all || (t.deprecated === null && t.latestDeprecated === null))
    .filter((t) => options.minRating === undefined || (averageRating(t) ?? -1) >= options.minRating)
    .filter((t) => {
      const own = words(t.name, t.description, t.tags);
      return terms.every((term) => own.some((w) => w.startsWith(term)));
    })
    .sort((a, b) => b.downloads - a.downloads || Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .slice(0, limit < 0 ? undefined : limit)
    .map((t) => t.name);
}

const QUERIES = ['form', 'for', 'f', 'fa', 'log', 'login', 'tab', 'grid', 'form log', 'forma tab', 'wizard chart', 'zzz', 'format formal', 'fac fo', 'fo form', 'for fo'];

test('search by downloads (word + downloads index, rarest word first) equals a scan of every row', async () => {
  // count the searches answered by the word + downloads walk (one word, and several), so the test knows it ran
  const proto = TemplateViews.prototype as unknown as {
    walkWordDownloads: (words: string[], others: string[], ...rest: unknown[]) => Promise<unknown>;
  };
  const walk = proto.walkWordDownloads;
  const walked = { one: 0, several: 0, mergedWords: 0 };
  proto.walkWordDownloads = function (this: unknown, words: string[], others: string[], ...rest: unknown[]) {
    walked[others.length === 0 ? 'one' : 'several']++;
    if (words.length > 1) walked.mergedWords++;
    return walk.call(this, words, others, ...rest);
  };
  try {
    await check(
      fc.asyncProperty(
        marketplace,
        fc.array(fc.tuple(fc.constantFrom(...QUERIES), fc.constantFrom(1, 3, 10, 50, -1), fc.constantFrom(undefined, 3)), { minLength: 10, maxLength: 16 }),
        async (m, queries) => {
          const { store, cleanup } = await tempStore();
          try {
            const names = await marketplaceArb(m, store);
            const head = store.log.head;
            const cut = Math.max(1, head - 5);
            await using then = await store.asOf(cut);
            const now = (await Promise.all(names.map((n) => store.views.templates.get(n)))).filter((t): t is TemplateRow => t !== undefined);
            const before = (await Promise.all(names.map((n) => then.templates.get(n)))).filter((t): t is TemplateRow => t !== undefined);
            for (const [query, limit, minRating] of queries) {
              for (const all of [false, true]) {
                const options = {
                  sort: 'downloads' as const,
                  limit,
                  all,
                  ...(minRating !== undefined ? { minRating } : {}),
                };
                const got = (await store.views.templates.search(query, options)).map((t) => t.name);
                assert.equal(got, bruteSearch(now, query, options, limit), `${query} ${JSON.stringify(options)}`);
                const gotThen = (await then.templates.search(query, options)).map((t) => t.name);
                assert.equal(gotThen, bruteSearch(before, query, options, limit), `${query} ${JSON.stringify(options)} as of ${cut}`);
              }
            }
            // the prefix word lists (wp!) and counts (wn!) equal what the live rows say
            const live = new Map<string, number>();
            for (const t of now) for (const w of words(t.name, t.description, t.tags)) live.set(w, (live.get(w) ?? 0) + 1);
            const stored = async (key: string) => {
              const b = await store.db.get(viewPrefix('templates') + key);
              return b === undefined ? undefined : decode(b);
            };
            for (const [w, n] of live) {
              assert.equal(await stored(`wn!${w}`), n, `wn!${w}`);
              for (let i = 1; i <= w.length; i++) {
                const p = w.slice(0, i);
                const having = [...live.keys()].filter((x) => x.startsWith(p)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
                assert.equal(await stored(`wp!${p}`), having.length > 8 ? null : having, `wp!${p}`);
              }
            }
            await checkWordTops(store, live.keys());
            const report = await store.verify();
            assert.ok(report.ok, JSON.stringify(report.problems));
          } finally {
            await cleanup();
          }
        },
      ),
    );
  } finally {
    proto.walkWordDownloads = walk;
  }
  assert.ok(walked.one > 0 && walked.several > 0 && walked.mergedWords > 0, JSON.stringify(walked));
});

/** Each word's top row (wtop!) is exactly the first entries of its wdl! range, complete when it is all of it; how many are not complete. */
async function checkWordTops(store: Store, liveWords: Iterable<string>): Promise<number> {
  let overflowed = 0;
  for (const w of liveWords) {
    const prefix = `${viewPrefix('templates')}wdl!${w}\u0000`;
    const range = (await store.db.keys({ gt: prefix, lt: `${prefix}\u{10FFFF}` }).all()).map((k) => k.slice(prefix.length));
    const b = await store.db.get(viewPrefix('templates') + `wtop!${w}`);
    assert.ok(b !== undefined, `wtop!${w} exists`);
    const top = decode(b!) as WordTop;
    const listed = top.entries.map(([d, n]) => `${(0xffffffffffff - d).toString(16).padStart(12, '0')}\u0000${n}`);
    assert.equal(listed, range.slice(0, listed.length), `wtop!${w} is the start of its range`);
    assert.ok(listed.length <= WORD_TOP_SIZE, `wtop!${w} size`);
    if (top.complete) assert.is(listed.length, range.length, `wtop!${w} complete`);
    else {
      assert.ok(range.length > listed.length, `wtop!${w} incomplete only while the range has more`);
      overflowed++;
    }
  }
  return overflowed;
}

test('word top rows past their size: a common word among 90 templates, downloads moving them, republished words, deprecations', async () => {
  const { store, cleanup } = await tempStore();
  try {
    let seed = 99;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const m = {
      descriptions: Array.from({ length: 90 }, () => Array.from({ length: 1 + rand(3) }, () => VOCAB[rand(VOCAB.length)]!)),
      downloads: Array.from({ length: 600 }, () => rand(90) * rand(3)),
      ratings: [] as Array<[number, number, number]>,
      republish: Array.from({ length: 30 }, () => [rand(90), [VOCAB[rand(VOCAB.length)]!]] as [number, string[]]),
      deprecate: Array.from({ length: 12 }, () => rand(90)),
    };
    const names = await marketplaceArb(m, store);
    const rows = (await Promise.all(names.map((n) => store.views.templates.get(n)))).filter((t): t is TemplateRow => t !== undefined);
    const live = new Set(rows.flatMap((t) => words(t.name, t.description, t.tags)));
    assert.ok((await checkWordTops(store, live)) > 0, 'some word has more templates than its top row holds');
    for (const query of ['t', 'tpl', 'form', 'f', 'fa', 'log', 'form t']) {
      for (const limit of [1, 10, 20, WORD_TOP_SIZE, 40, 89, -1]) {
        for (const all of [false, true]) {
          const got = (await store.views.templates.search(query, { sort: 'downloads', limit, all })).map((t) => t.name);
          assert.equal(got, bruteSearch(rows, query, { all }, limit), `${query} limit ${limit} all ${all}`);
        }
      }
    }
    const report = await store.verify();
    assert.ok(report.ok, JSON.stringify(report.problems));
  } finally {
    await cleanup();
  }
});

test('a word top row keeps its size when its last entry is downloaded without overtaking anyone', async () => {
  const { store, cleanup } = await tempStore();
  try {
    const names = Array.from({ length: WORD_TOP_SIZE + 8 }, (_, i) => `grid-${String(i).padStart(2, '0')}`);
    await store.append(names.map((n) => published(n, '1.0.0', 'grid')));
    // downloads 2×(40 − i): distinct, two apart, so one download moves a template up without passing its neighbour
    const dl = (n: string) => ({ stream: `template-${n}`, type: 'template.downloaded' as const, data: { name: n, version: '1.0.0' } });
    await store.append(names.flatMap((n, i) => Array.from({ length: 2 * (names.length - i) }, () => dl(n))));
    const last = names[WORD_TOP_SIZE - 1]!;
    await store.append(dl(last));
    const top = decode((await store.db.get(viewPrefix('templates') + 'wtop!grid'))!) as WordTop;
    assert.is(top.entries.length, WORD_TOP_SIZE, 'still full');
    assert.is(top.entries[WORD_TOP_SIZE - 1]![1], last);
    assert.is(top.complete, false);
    await checkWordTops(store, ['grid']);
    const rows = (await Promise.all(names.map((n) => store.views.templates.get(n)))) as TemplateRow[];
    assert.equal((await store.views.templates.search('grid', { sort: 'downloads', limit: 40 })).map((t) => t.name), bruteSearch(rows, 'grid', {}, 40));
  } finally {
    await cleanup();
  }
});

// ---- analytics --------------------------------------------------------------------------------

const measurements = fc.array(fc.tuple(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: -50, max: 500 }), fc.boolean()), { minLength: 1, maxLength: 120 });
const START = '2023-11-20';

test('daily series from month rows equal a grouping of the raw values (spans short and long, by day and week)', async () => {
  await check(
    fc.asyncProperty(
      measurements,
      fc.array(fc.tuple(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 1, max: 1600 })), { minLength: 2, maxLength: 5 }),
      async (ms, windows) => {
        const { store, cleanup } = await tempStore();
        try {
          const events: NewEvent[] = ms.map(([d, value, withProject]) => ({
            stream: metricStream('build_ms'),
            type: 'analytics.recorded',
            at: `${addDays(START, d)}T12:00:00.000Z`,
            data: {
              metric: 'build_ms',
              value,
              ...(withProject ? { project_id: 'p1', project: 'one' } : {}),
            },
          }));
          const flow: NewEvent[] = ms.map(([d], i) => ({
            stream: `workflow-p${i % 2}`,
            type: 'workflow.recorded',
            data: {
              timestamp: `${addDays(START, d)}T08:00:00+00:00`,
              action: 'a',
              description: '',
            },
          }));
          await store.append(events);
          await store.append(flow);
          for (const [start, length] of windows) {
            const from = addDays(START, start);
            const to = addDays(from, length - 1);
            const group = (pred: (i: number) => boolean) => {
              const byDay = new Map<string, { count: number; sum: number; min: number; max: number }>();
              ms.forEach(([d, value], i) => {
                const day = addDays(START, d);
                if (day < from || day > to || !pred(i)) return;
                const r = byDay.get(day);
                byDay.set(
                  day,
                  r
                    ? {
                        count: r.count + 1,
                        sum: r.sum + value,
                        min: Math.min(r.min, value),
                        max: Math.max(r.max, value),
                      }
                    : { count: 1, sum: value, min: value, max: value },
                );
              });
              return [...byDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, r]) => ({ day, ...r }));
            };
            assert.equal(
              await store.views.analytics.metricDays('build_ms', from, to),
              group(() => true),
              `${from}..${to}`,
            );
            assert.equal(
              await store.views.analytics.metricDays('build_ms', from, to, 'p1'),
              group((i) => ms[i]![2]),
              `${from}..${to} p1`,
            );
            const activity = (pred: (i: number) => boolean) => group(pred).map((r) => ({ day: r.day, count: r.count }));
            assert.equal(
              await store.views.analytics.activityDays(from, to),
              activity(() => true),
            );
            assert.equal(
              await store.views.analytics.activityDays(from, to, 'p1'),
              activity((i) => i % 2 === 1),
            );
            for (const by of ['day', 'week'] as const) {
              const t = await trend(store.views, {
                metric: 'build_ms',
                days: length,
                until: to,
                by,
              });
              const days = group(() => true);
              const expected: Array<{
                day: string;
                count: number;
                sum: number;
                min: number | null;
                max: number | null;
                avg: number | null;
              }> = [];
              for (let day = from; day <= to; day = addDays(day, 1)) {
                const key = by === 'week' ? addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7)) : day;
                let p = expected[expected.length - 1];
                if (!p || p.day !== key)
                  expected.push(
                    (p = {
                      day: key,
                      count: 0,
                      sum: 0,
                      min: null,
                      max: null,
                      avg: null,
                    }),
                  );
                const r = days.find((x) => x.day === day);
                if (!r) continue;
                p.count += r.count;
                p.sum += r.sum;
                p.min = p.min === null ? r.min : Math.min(p.min, r.min);
                p.max = p.max === null ? r.max : Math.max(p.max, r.max);
              }
              for (const p of expected) p.avg = p.count > 0 ? p.sum / p.count : null;
              assert.equal(t.points, expected, `trend ${by} ${from}..${to}`);
            }
          }
          assert.equal(await store.views.analytics.activityDays('0000-01-01', '9999-12-31'), await store.views.analytics.activityDays(START, addDays(START, 1500)));
        } finally {
          await cleanup();
        }
      },
    ),
  );
});

test('daysFrom counts days across month ends, leap days and years like adding a day at a time', () => {
  for (const [from, to] of [
    ['2023-12-25', '2025-03-05'],
    ['2024-02-27', '2024-03-02'],
    ['1899-12-30', '1900-03-02'],
    ['1999-12-31', '2000-03-01'],
    ['2026-01-01', '2025-12-31'],
  ] as const) {
    const expected: string[] = [];
    for (let d: string = from; d <= to; d = addDays(d, 1)) expected.push(d);
    assert.equal(daysFrom(from, to), expected, `${from}..${to}`);
  }
  // the last day there is: adding one more gives '+010000-01-01', which sorts before '9999-12-31'
  assert.equal(daysFrom('9999-12-30', '9999-12-31'), ['9999-12-30', '9999-12-31']);
});

// ---- verify -----------------------------------------------------------------------------------

test('verify reports a missing or damaged row of each new layout (h!, wdl!, wn!, wtop!, wp!, mm!, wam!)', async () => {
  const { store, cleanup } = await tempStore();
  try {
    await store.append([
      published('alpha', '1.0.0', 'form grid'),
      published('beta', '1.0.0', 'form'),
      {
        stream: 'template-alpha',
        type: 'template.downloaded',
        data: { name: 'alpha', version: '1.0.0' },
      },
      {
        stream: 'workflow-p1',
        type: 'workflow.recorded',
        data: {
          timestamp: '2025-03-04T00:00:00+00:00',
          action: 'a',
          description: 'x',
        },
      },
      {
        stream: metricStream('build_ms'),
        type: 'analytics.recorded',
        at: '2025-03-04T10:00:00.000Z',
        data: { metric: 'build_ms', value: 5 },
      },
    ]);
    assert.ok((await store.verify()).ok);
    const keys = [
      `${viewPrefix('workflow')}h!p1\u0000${(1).toString(16).padStart(12, '0')}`,
      `${viewPrefix('templates')}wdl!form\u0000${(0xffffffffffff - 1).toString(16).padStart(12, '0')}\u0000alpha`,
      `${viewPrefix('templates')}wn!form`,
      `${viewPrefix('templates')}wtop!form`,
      `${viewPrefix('templates')}wp!fo`,
      `${viewPrefix('analytics')}mm!build_ms\u00002025-03`,
      `${viewPrefix('analytics')}wam!p1\u00002025-03`,
    ];
    for (const key of keys) {
      const original = await store.db.get(key);
      assert.ok(original !== undefined, `row ${JSON.stringify(key)} exists`);
      await store.db.del(key);
      const missing = await store.verify();
      assert.ok(
        !missing.ok && missing.problems.some((p) => p.kind === 'missing' && p.key === key.replace(/\u0000/g, '␀')),
        `missing ${key}: ${JSON.stringify(missing.problems)}`,
      );
      await store.db.put(key, encode({ damaged: true }));
      const damaged = await store.verify();
      assert.ok(!damaged.ok && damaged.problems.some((p) => p.kind === 'mismatch' && p.key === key.replace(/\u0000/g, '␀')), `damaged ${key}`);
      await store.db.put(key, original!);
    }
    assert.ok((await store.verify()).ok);
    // a rebuild writes the same rows again
    await store.rebuild();
    assert.ok((await store.verify()).ok);
    assert.equal(
      (
        await store.views.templates.search('form', {
          sort: 'downloads',
          limit: 5,
        })
      ).map((t) => t.name),
      ['alpha', 'beta'],
    );
  } finally {
    await cleanup();
  }
});

test.run();
