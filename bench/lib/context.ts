import type { Store } from '../../src/index.js';
import type { BenchProject } from './dataset.js';
import type { Figure } from './measure.js';
import type { JsonRegistry, RawLevel, SqlitePeer } from './peers.js';

export type Subject = 'store' | 'storeWarm' | 'json' | 'sqlite' | 'level' | 'floor' | 'node' | 'shell' | 'direct';

export const SUBJECT_LABEL: Record<Subject, string> = {
  store: 'store',
  storeWarm: 'store (read cache warm)',
  json: 'JSON registry',
  sqlite: 'SQLite',
  level: 'raw classic-level',
  floor: "floor: raw classic-level on the store's own keys",
  node: 'node -e 0',
  shell: 'the CLI shell alone: `pygubu-db --version` (bin, yargs, no store)',
  direct: 'direct, no server (CLI --no-server / library in process)',
};

export interface ScenarioResult {
  scenario: string;
  size: number;
  /** 'latency': p50/p99 per operation; 'throughput': items per second of one job. */
  kind: 'latency' | 'throughput';
  unit: string;
  figures: Partial<Record<Subject, Figure>>;
  note?: string;
}

/** One size's data set, loaded into every peer, in a temporary directory removed after the size. */
export interface BenchContext {
  quick: boolean;
  size: number;
  /** The largest size of this run (cold start and other once-per-run scenarios run there). */
  largest: boolean;
  dir: string;
  data: BenchProject[];
  storeLocation: string;
  store: Store;
  json: JsonRegistry;
  sqliteFile: string;
  sqlite: SqlitePeer;
  levelLocation: string;
  level: RawLevel;
  /** Indexes of the projects that have legacy workflow files (the history scenario reads them). */
  workflowSample: number[];
  closeStore(): Promise<void>;
  /** Reopen the store with other options (durable appends, no read cache). */
  reopenStore(options: { sync?: boolean; cacheSize?: number }): Promise<Store>;
  /** Iteration count scaled for quick runs. */
  iters(full: number, quick?: number): number;
  record(result: ScenarioResult): void;
}

export interface Scenario {
  name: string;
  /** Run at this size? (default: every size) */
  sizes?: (ctx: BenchContext) => boolean;
  run(ctx: BenchContext): Promise<void>;
}
