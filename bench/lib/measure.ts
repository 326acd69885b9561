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
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), ops: (times.length / total) * 1000, n: times.length };
}

/**
 * Time several operations side by side: each round calls every one once, starting one further along
 * the list each round, so a slow spell of a shared machine falls on all of them alike. For whole
 * processes compared by ratio (cold start), where timing each in a block of its own let a cheap
 * `node -e 0` run warm and fast while the heavier commands paid for the machine's page-cache churn.
 */
export async function latencyInterleaved<K extends string>(ops: Record<K, () => unknown>, options: { iterations: number; warmup?: number }): Promise<Record<K, Figure>> {
  const keys = Object.keys(ops) as K[];
  const times = new Map<K, number[]>(keys.map((k) => [k, []]));
  const warmup = options.warmup ?? 1;
  for (let round = 0; round < warmup + options.iterations; round++) {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(round + j) % keys.length]!;
      const t0 = performance.now();
      await ops[key]();
      if (round >= warmup) times.get(key)!.push(performance.now() - t0);
    }
  }
  const figures = {} as Record<K, Figure>;
  for (const key of keys) {
    const t = times.get(key)!.sort((a, b) => a - b);
    const total = t.reduce((a, b) => a + b, 0);
    figures[key] = { p50: quantile(t, 0.5), p99: quantile(t, 0.99), ops: (t.length / total) * 1000, n: t.length };
  }
  return figures;
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
