/**
 * Template marketplace bench: search latency over N templates (p50/p99 of many queries, in-process
 * through the library) and the cost of one download-count update.
 *
 *   npm run build && node dist/bench/templates.js [--templates 10000] [--queries 1000] [--out FILE]
 *   (default FILE: bench/results/templates.json)
 *
 * The store is filled with batched appends of valid template.* events (the path an import takes),
 * then measured with the same queries the CLI runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { contentHash, sha256 } from '../src/domain/templates.js';
import { openStore, type NewEvent, type Store } from '../src/index.js';
import { templatesProjection, type TemplateRow } from '../src/projections/templates.js';
import type { Rows } from '../src/projections/projection.js';
import type { SearchTemplatesOptions } from '../src/queries/templates.js';
import { rng } from './lib/random.js';

const WORDS = (
  'login form dialog table grid crud settings wizard chart editor viewer browser picker calendar dashboard report ' +
  'invoice inventory contact profile chat player gallery upload download search filter export import panel sidebar ' +
  'toolbar menu status progress notebook tree list detail master preview canvas map timer clock weather music video'
).split(' ');
const TAGS = ['form', 'table', 'dialog', 'dashboard', 'media', 'data', 'admin', 'auth', 'chart', 'tool', 'demo', 'starter', 'dark', 'light', 'mobile', 'wizard', 'editor', 'report', 'ttk', 'tk'];
const AUTHORS = Array.from({ length: 50 }, (_, i) => `author${i}`);

export { rng };

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1]! };
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function publishedEvent(i: number, r: () => number): NewEvent {
  const name = `${pick(r, WORDS)}-${pick(r, WORDS)}-${i}`;
  const content = `<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.3">\n  <object class="tk.Toplevel" id="w${i}"><property name="title">${name}</property></object>\n</interface>\n`;
  const files: [{ path: string; content: string; sha256: string }] = [{ path: `${name}.ui`, content, sha256: sha256(content) }];
  const description = Array.from({ length: 6 }, () => pick(r, WORDS)).join(' ');
  const tags = [...new Set([pick(r, TAGS), pick(r, TAGS)])];
  return {
    stream: `template-${name}`,
    type: 'template.published',
    data: { name, version: '1.0.0', description, author: pick(r, AUTHORS), tags, files, hash: contentHash(files) },
  };
}

export async function fill(store: Store, n: number, r: () => number): Promise<string[]> {
  const names: string[] = [];
  const BATCH = 1000;
  for (let i = 0; i < n; i += BATCH) {
    const batch: NewEvent[] = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const e = publishedEvent(j, r);
      names.push((e.data as { name: string }).name);
      batch.push(e);
    }
    await store.append(batch);
  }
  // downloads (skewed: a few popular templates) and ratings, also batched
  const extra: NewEvent[] = [];
  for (let k = 0; k < n * 2; k++) {
    const name = names[Math.floor(r() ** 3 * names.length)]!;
    extra.push({ stream: `template-${name}`, type: 'template.downloaded', data: { name, version: '1.0.0' } });
  }
  for (let k = 0; k < n / 2; k++) {
    const name = pick(r, names);
    extra.push({ stream: `template-${name}`, type: 'template.rated', data: { name, user: `user${k % 500}`, stars: 1 + Math.floor(r() * 5) } });
  }
  for (let k = 0; k < extra.length; k += BATCH) await store.append(extra.slice(k, k + BATCH));
  return names;
}

type Query = { kind: string; query: string; options: SearchTemplatesOptions };

function queries(count: number, r: () => number): Query[] {
  const sorts = ['downloads', 'rating', 'recent', 'name'] as const;
  const kinds: Array<() => Query> = [
    () => ({ kind: 'word', query: pick(r, WORDS), options: { sort: pick(r, sorts) } }),
    () => ({ kind: 'two words', query: `${pick(r, WORDS)} ${pick(r, WORDS).slice(0, 3)}`, options: { sort: pick(r, sorts) } }),
    () => ({ kind: 'word+tag', query: pick(r, WORDS), options: { tag: pick(r, TAGS), sort: pick(r, sorts) } }),
    () => ({ kind: 'author', query: '', options: { author: pick(r, AUTHORS), sort: pick(r, sorts) } }),
    () => ({ kind: 'list by sort', query: '', options: { sort: pick(r, sorts) } }),
    () => ({ kind: 'min-rating', query: '', options: { minRating: 4, sort: 'rating' } }),
    () => ({ kind: 'min-rating+word', query: pick(r, WORDS), options: { minRating: 3, sort: 'downloads' } }),
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!());
}

/** Rows backed by a Map, counting what a fold touches. */
function countingRows(map: Map<string, unknown>) {
  const counts = { gets: 0, puts: 0, dels: 0 };
  const rows: Rows = {
    get: async <T>(k: string) => {
      counts.gets++;
      return map.get(k) as T | undefined;
    },
    put: (k, v) => {
      counts.puts++;
      map.set(k, structuredClone(v));
    },
    del: (k) => {
      counts.dels++;
      map.delete(k);
    },
    keys: async (prefix) => [...map.keys()].filter((k) => k.startsWith(prefix)).sort(),
  };
  return { rows, counts };
}

export async function benchTemplates(options: { templates?: number; queries?: number } = {}) {
  const n = options.templates ?? 10_000;
  const q = options.queries ?? 1000;
  const dir = await mkdtemp(join(tmpdir(), 'pygubuai-bench-templates-'));
  const store = await openStore({ location: join(dir, 'store'), sync: false });
  try {
    const r = rng(42);
    let t0 = performance.now();
    const names = await fill(store, n, r);
    const fillMs = performance.now() - t0;

    // search latency: warm the cache with one pass, then measure
    const qs = queries(q, r);
    for (const x of qs.slice(0, 50)) await store.views.templates.search(x.query, x.options);
    const all: number[] = [];
    const byKind = new Map<string, number[]>();
    let results = 0;
    for (const x of qs) {
      t0 = performance.now();
      const rows = await store.views.templates.search(x.query, x.options);
      const ms = performance.now() - t0;
      results += rows.length;
      all.push(ms);
      byKind.set(x.kind, [...(byKind.get(x.kind) ?? []), ms]);
    }

    // one download-count update: the fold alone (in memory), then a whole append (sync off / on)
    const popular = (await store.views.templates.list({ sort: 'downloads', limit: 1 }))[0] as TemplateRow;
    const map = new Map<string, unknown>();
    const { rows, counts } = countingRows(map);
    const seed = publishedEvent(0, rng(1));
    const name = (seed.data as { name: string }).name;
    await templatesProjection.fold({ ...seed, seq: 1, id: 'x', version: 1, v: 1, at: new Date().toISOString(), meta: { source: 'api' } } as never, rows);
    const foldUs: number[] = [];
    Object.assign(counts, { gets: 0, puts: 0, dels: 0 });
    const FOLDS = 20_000;
    for (let k = 0; k < FOLDS; k++) {
      const ev = { stream: `template-${name}`, type: 'template.downloaded', data: { name, version: '1.0.0' }, seq: k + 2, id: `d${k}`, version: k + 2, v: 1, at: '2026-01-01T00:00:00.000Z', meta: { source: 'api' } };
      const s = performance.now();
      await templatesProjection.fold(ev as never, rows);
      foldUs.push((performance.now() - s) * 1000);
    }
    const perFold = { gets: counts.gets / FOLDS, puts: counts.puts / FOLDS, dels: counts.dels / FOLDS };

    const appendUs: number[] = [];
    for (let k = 0; k < 2000; k++) {
      const s = performance.now();
      await store.append({ stream: `template-${popular.name}`, type: 'template.downloaded', data: { name: popular.name, version: popular.latest } });
      appendUs.push((performance.now() - s) * 1000);
    }
    const BATCHED = 10_000;
    const batch: NewEvent[] = Array.from({ length: BATCHED }, (_, k) => {
      const target = names[k % names.length]!;
      return { stream: `template-${target}`, type: 'template.downloaded', data: { name: target, version: '1.0.0' } };
    });
    t0 = performance.now();
    for (let k = 0; k < BATCHED; k += 1000) await store.append(batch.slice(k, k + 1000));
    const batchedUs = ((performance.now() - t0) * 1000) / BATCHED;

    return {
      scenario: 'templates',
      templates: n,
      events: store.log.head,
      fillSeconds: round(fillMs / 1000, 2),
      search: {
        queries: q,
        resultsPerQuery: round(results / q, 1),
        ms: Object.fromEntries(Object.entries(stats(all)).map(([k, v]) => [k, k === 'n' ? v : round(v)])),
        byKind: Object.fromEntries([...byKind].map(([k, v]) => [k, Object.fromEntries(Object.entries(stats(v)).map(([a, b]) => [a, a === 'n' ? b : round(b)]))])),
      },
      downloadUpdate: {
        foldUs: { p50: round(stats(foldUs).p50, 2), p99: round(stats(foldUs).p99, 2) },
        rowsTouchedPerFold: perFold,
        appendOneUsNoSync: { p50: round(stats(appendUs).p50, 1), p99: round(stats(appendUs).p99, 1) },
        appendBatchedUsPerEvent: round(batchedUs, 1),
      },
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The package root (this file runs from dist/bench). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const { values } = parseArgs({
    options: { templates: { type: 'string' }, queries: { type: 'string' }, out: { type: 'string', default: join(ROOT, 'bench', 'results', 'templates.json') } },
  });
  const result = await benchTemplates({
    ...(values.templates ? { templates: Number(values.templates) } : {}),
    ...(values.queries ? { queries: Number(values.queries) } : {}),
  });
  const doc = { ...result, node: process.version, at: new Date().toISOString() };
  await mkdir(dirname(values.out!), { recursive: true });
  await writeFile(values.out!, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}
