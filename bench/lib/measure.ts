/** Timing helpers: per-operation latencies (p50 / p99) and throughput, nothing asserted. */

export interface Figure {
  /** Median latency of one operation, ms (undefined for pure throughput figures). */
  p50?: number;
  p99?: number;
  /** Operations (or events, for throughput scenarios) per second. */
  ops: number;
  /** How many operations were timed. */
  n: number;
  /** Wall time of a throughput job, ms. */
  ms?: number;
  note?: string;
}

export interface LatencyOptions {
  iterations: number;
  warmup?: number;
  /** Stop early once this much time went into timed iterations. */
  maxMs?: number;
}

export const quantile = (sorted: readonly number[], q: number): number => {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
};

/** A latency figure from the sorted times of the calls and the wall time they took together. */
const latencyFigure = (sorted: readonly number[], totalMs: number): Figure => ({ p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), ops: (sorted.length / totalMs) * 1000, n: sorted.length });

/** Time `op(i)` one call at a time; p50/p99 of the calls, ops/s over the whole timed loop. */
export async function latency(op: (i: number) => unknown, options: LatencyOptions): Promise<Figure> {
  const warmup = options.warmup ?? Math.min(50, Math.ceil(options.iterations / 10));
  const maxMs = options.maxMs ?? Infinity;
  const warmStart = performance.now();
  // Warm-up shares the time budget: a 1-second JSON parse needs no 20 rounds of warming.
  for (let i = 0; i < warmup && performance.now() - warmStart < maxMs / 4; i++) await op(i);
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < options.iterations; i++) {
    const t0 = performance.now();
    await op(warmup + i);
    times.push(performance.now() - t0);
    if (performance.now() - started > maxMs && times.length >= 5) break;
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  return latencyFigure(times, total);
}

/**
 * Time several operations side by side: each round calls every one once, starting one further along
 * the list each round, so a slow spell of a shared machine falls on all of them alike. Returns each
 * operation's call times, sorted. For whole processes compared by ratio (cold start): timed each in
 * a block of its own, a cheap `node -e 0` and the heavier commands met different spells.
 */
export async function timeInterleaved<K extends string>(ops: Record<K, () => unknown>, options: { iterations: number; warmup?: number }): Promise<Record<K, number[]>> {
  const keys = Object.keys(ops) as K[];
  const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const warmup = options.warmup ?? 1;
  for (let round = 0; round < warmup + options.iterations; round++) {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(round + j) % keys.length]!;
      const t0 = performance.now();
      await ops[key]();
      if (round >= warmup) times[key].push(performance.now() - t0);
    }
  }
  for (const key of keys) times[key].sort((a, b) => a - b);
  return times;
}

/** timeInterleaved, as one latency figure per operation (ops/s over that operation's own calls). */
export async function latencyInterleaved<K extends string>(ops: Record<K, () => unknown>, options: { iterations: number; warmup?: number }): Promise<Record<K, Figure>> {
  const times = await timeInterleaved(ops, options);
  return Object.fromEntries(Object.entries<number[]>(times).map(([k, t]) => [k, latencyFigure(t, t.reduce((a, b) => a + b, 0))])) as Record<K, Figure>;
}

/** Throughput of one job that processes `count` items: items per second; latency fields unset. */
export async function throughput(count: number, job: () => Promise<unknown> | unknown, note?: string): Promise<Figure> {
  const t0 = performance.now();
  await job();
  const ms = performance.now() - t0;
  return { ops: (count / ms) * 1000, n: count, ms, ...(note ? { note } : {}) };
}

/** The median run (by ops/s) of `runs` repetitions of a throughput job. */
export async function medianOf(runs: number, once: () => Promise<Figure>): Promise<Figure> {
  const figures: Figure[] = [];
  for (let i = 0; i < runs; i++) figures.push(await once());
  figures.sort((a, b) => a.ops - b.ops);
  return figures[Math.floor(figures.length / 2)]!;
}
