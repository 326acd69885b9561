/**
 * The benchmark suite: `npm run bench` (1k / 10k / 100k projects) or `npm run bench -- --quick`
 * (1k, fewer iterations; a smoke test that asserts nothing about times).
 * Every scenario measures the store and its peers side by side in the same run; the ratios and
 * targets are computed from those figures and written with machine info to bench/results/.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../src/index.js';
import { analyticsTrend } from './analytics-trend.js';
import { appendConcurrent } from './append-concurrent.js';
import { appendSingle } from './append-single.js';
import { buildAll } from './bulk-import.js';
import { coldStart } from './cold-start.js';
import { SUBJECT_LABEL, type BenchContext, type Scenario, type ScenarioResult, type Subject } from './lib/context.js';
import { projects, rng } from './lib/dataset.js';
import type { Figure } from './lib/measure.js';
import { listByTag } from './list-by-tag.js';
import { lookupByName } from './lookup-name.js';
import { projectHistory } from './project-history.js';
import { replay } from './replay.js';
import { scanLargeProject } from './scan-large-project.js';
import { searchWord } from './search-word.js';
import { serverCli } from './server-cli.js';
import { sqlitePeerLoads } from './sqlite-peer.js';
import { serverRequests } from './server-requests.js';
import { serverSubscribe } from './server-subscribe.js';
import { templateSearch } from './template-search.js';
import { evaluateTargets, type TargetResult } from './targets.js';
import { pathArgOrExit } from '../src/lib/path-arg.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** In order: reads first (on the freshly imported data), then the writes, replay, cold start. */
const SCENARIOS: readonly Scenario[] = [
  lookupByName,
  listByTag,
  searchWord,
  projectHistory,
  templateSearch,
  analyticsTrend,
  scanLargeProject,
  appendSingle,
  appendConcurrent,
  replay,
  coldStart,
  serverCli,
  serverRequests,
  serverSubscribe,
];

interface Args {
  quick: boolean;
  sizes: number[];
  only?: string[];
  out: string;
}

function parseArgs(argv: readonly string[]): Args {
  const quick = argv.includes('--quick');
  const value = (flag: string) => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i === -1) return undefined;
    return argv[i]!.includes('=') ? argv[i]!.slice(flag.length + 1) : argv[i + 1];
  };
  const sizes = value('--sizes')?.split(',').map(Number) ?? (quick ? [1000] : [1000, 10_000, 100_000]);
  const only = value('--only')?.split(',');
  const given = value('--out');
  const out = given !== undefined ? pathArgOrExit(given, 'bench --out') : join(ROOT, 'bench', 'results', quick ? 'quick.json' : 'latest.json');
  return { quick, sizes, ...(only ? { only } : {}), out };
}

function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function runSize(args: Args, size: number, largest: boolean, results: ScenarioResult[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `pygubuai-bench-${size}-`));
  try {
    const data = [...projects(size)];
    const r = rng(size);
    const workflowSample = [...new Set(Array.from({ length: Math.min(200, size) }, () => Math.floor(r() * size)))];
    process.stderr.write(`[${size}] importing ${size} projects into every peer…\n`);
    const built = await buildAll(dir, data, new Set(workflowSample), (figures) =>
      results.push({ scenario: 'bulk import', size, kind: 'throughput', unit: 'events/s', figures, note: 'projects + workflow history, 1,000 projects per batch' }),
    );
    let store: Store | undefined = built.store;
    const storeLocation = join(dir, 'store');
    const ctx: BenchContext = {
      quick: args.quick,
      size,
      largest,
      dir,
      data,
      storeLocation,
      get store() {
        if (!store) throw new Error('store is closed');
        return store;
      },
      json: built.json,
      sqliteFile: join(dir, 'bench.sqlite'),
      sqlite: built.sqlite,
      levelLocation: join(dir, 'level'),
      level: built.level,
      workflowSample,
      async closeStore() {
        await store?.close();
        store = undefined;
      },
      async reopenStore(options) {
        await store?.close();
        store = await openStore({ location: storeLocation, sync: options.sync ?? false, ...(options.cacheSize !== undefined ? { cacheSize: options.cacheSize } : {}) });
        return store;
      },
      iters: (full, quick) => (args.quick ? (quick ?? Math.max(1, Math.ceil(full / 10))) : full),
      record: (result) => {
        results.push(result);
        process.stderr.write(`[${size}] ${result.scenario}: ${summary(result)}\n`);
      },
    };
    process.stderr.write(`[${size}] bulk import: ${summary(results[results.length - 1]!)}\n`);
    for (const s of SCENARIOS) {
      if (args.only && !args.only.some((o) => s.name.includes(o))) continue;
      if (s.sizes && !s.sizes(ctx)) continue;
      await s.run(ctx);
    }
    await store?.close();
    built.sqlite.close();
    await built.level.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- formatting ------------------------------------------------------------------------------

export const fmtMs = (ms: number | undefined): string =>
  ms === undefined || Number.isNaN(ms) ? '—' : ms < 1 ? `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs` : ms < 100 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
export const fmtOps = (ops: number): string => (ops >= 100 ? Math.round(ops).toLocaleString('en-US') : ops.toPrecision(3));
export const fmtRatio = (r: number | undefined): string => (r === undefined || !Number.isFinite(r) ? '—' : r >= 100 ? `${Math.round(r)}×` : `${r.toPrecision(2)}×`);

/** Time of the store over time of the peer, in the same run: below 1 the store is faster. */
export function ratio(result: ScenarioResult, peer: Subject, store: Subject = 'store'): number | undefined {
  const s = result.figures[store];
  const p = result.figures[peer];
  if (!s || !p) return undefined;
  if (result.kind === 'latency') return s.p50! / p.p50!;
  return p.ops / s.ops;
}

function summary(r: ScenarioResult): string {
  return (Object.entries(r.figures) as Array<[Subject, Figure]>)
    .map(([k, f]) => `${k} ${r.kind === 'latency' ? `p50 ${fmtMs(f.p50)}` : `${fmtOps(f.ops)} ${r.unit}`}`)
    .join(', ');
}

const SIZE_LABEL = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

export function resultsTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | projects | subject | p50 | p99 | ops/s | store ÷ subject (time) |',
    '|---|---:|---|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    for (const [subject, f] of Object.entries(r.figures) as Array<[Subject, Figure]>) {
      const isStore = subject === 'store';
      const rt = isStore ? '' : subject === 'storeWarm' ? '' : fmtRatio(ratio(r, subject));
      const p50 = r.kind === 'latency' ? fmtMs(f.p50) : fmtMs(f.ms);
      lines.push(
        `| ${isStore ? r.scenario : ''} | ${isStore ? SIZE_LABEL(r.size) : ''} | ${SUBJECT_LABEL[subject]} | ${p50} | ${r.kind === 'latency' ? fmtMs(f.p99) : '—'} | ${fmtOps(f.ops)}${r.kind === 'throughput' ? ` ${r.unit}` : ''} | ${rt} |`,
      );
    }
  }
  return lines.join('\n');
}

export function targetsTable(targets: readonly TargetResult[]): string {
  const lines = ['| target | measured | | floor in the same run |', '|---|---:|---|---|'];
  for (const t of targets) lines.push(`| ${t.target} | ${t.measured} | ${t.met === undefined ? 'not measured' : t.met ? 'met' : '**missed**'} | ${t.floor ?? ''} |`);
  return lines.join('\n');
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Every size builds the SQLite peer; say how to get it instead of failing with a stack trace.
  if (!sqlitePeerLoads()) {
    process.stderr.write('bench: the SQLite peer (better-sqlite3) does not load here; `npm run bench` installs it, or run `npm run bench:sqlite` once before `node dist/bench/run.js`\n');
    process.exit(2);
  }
  const started = new Date();
  const results: ScenarioResult[] = [];
  const info = machine();
  process.stderr.write(`pygubuai-store bench (${args.quick ? 'quick' : 'full'}): sizes ${args.sizes.join(', ')} on ${info.cores}× ${info.cpu}, node ${info.node}\n`);
  const largest = Math.max(...args.sizes);
  for (const size of args.sizes) await runSize(args, size, size === largest, results);
  const targets = evaluateTargets(results, largest);
  const seconds = (Date.now() - started.getTime()) / 1000;
  const doc = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    mode: args.quick ? 'quick' : 'full',
    startedAt: started.toISOString(),
    seconds: Math.round(seconds),
    machine: info,
    ratioConvention: 'store time ÷ peer time at p50 (latency), peer ops/s ÷ store ops/s (throughput): below 1 the store is faster',
    results: results.map((r) => ({
      ...r,
      ratios: Object.fromEntries(
        (['json', 'sqlite', 'level', 'node', 'direct'] as const).filter((p) => r.figures[p]).map((p) => [p, ratio(r, p)]),
      ),
    })),
    targets,
  };
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`\n${resultsTable(results)}\n\nTargets (at ${SIZE_LABEL(largest)} projects; information, not a failure):\n\n${targetsTable(targets)}\n\n`);
  process.stdout.write(`machine: ${info.cores}× ${info.cpu}, ${info.memoryGiB} GiB, ${info.platform}, node ${info.node}; ${Math.round(seconds)} s; written to ${args.out}\n`);
}

await main();
