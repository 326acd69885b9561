import { readFileSync } from 'node:fs';
import { configPath } from '../paths.js';
import type { Store } from '../store.js';

/**
 * Recording each command's timings is opt-in, so that read commands stay read-only by default:
 * env PYGUBUAI_RECORD_PERF=1|0 wins, else `"record_perf": true` in ~/.pygubuai/config.json.
 */
export function perfRecordingEnabled(env: Record<string, string | undefined> = process.env): boolean {
  const flag = env.PYGUBUAI_RECORD_PERF;
  if (flag !== undefined && flag !== '') return !/^(0|false|no|off)$/i.test(flag);
  try {
    const config = JSON.parse(readFileSync(configPath(env), 'utf8')) as { record_perf?: unknown };
    return config.record_perf === true;
  } catch {
    return false;
  }
}

/** The metric a command's timings are recorded under: `perf.<command words>`. */
export const perfMetric = (commandWords: readonly unknown[]): string =>
  `perf.${commandWords.map((w) => String(w).replace(/[^A-Za-z0-9_-]+/g, '_')).filter(Boolean).join('.') || 'unknown'}`;

/** Timings of one CLI run, appended as ONE `analytics.recorded` event before the store closes. */
export class RunTimer {
  readonly started = performance.now();
  readonly operations: Record<string, number> = {};
  private recorded = false;

  constructor(
    readonly metric: string,
    readonly enabled: boolean,
  ) {}

  async time<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.operations[operation] = round((this.operations[operation] ?? 0) + performance.now() - t0);
    }
  }

  /** Append the run's event once (a command that opens the store twice still records one). */
  async record(store: Store, ok: boolean): Promise<void> {
    if (!this.enabled || this.recorded) return;
    this.recorded = true;
    await store.append({
      stream: `metric-${this.metric}`,
      type: 'analytics.recorded',
      data: { metric: this.metric, value: round(performance.now() - this.started), metadata: { operations: this.operations, ok } },
      meta: { source: 'cli' },
    });
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
