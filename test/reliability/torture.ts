import { spawn } from 'node:child_process';
import { sandboxEnv } from '../sandbox.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../src/index.js';
import { ROOT } from '../helpers.js';
import { Journal, readJournal } from './journal.js';
import { WORKLOADS, type Workload } from './workloads.js';
import { rng as generator } from '../../bench/lib/random.js';

const CHILD = join(ROOT, 'dist', 'test', 'reliability', 'torture-child.js');

export interface TortureOptions {
  kills: number;
  workloads?: readonly Workload[];
  seed?: number;
  /** Share of kills timed from spawn rather than from "ready" (start-up, open, catch-up); default 0.2. */
  startupKillShare?: number;
  /** Leave the stores of failed rounds on disk for inspection (the CLI does; tests do not). */
  keepFailed?: boolean;
  /** Called after each kill (progress lines). */
  onKill?: (round: KillRound) => void;
}

export interface KillRound {
  n: number;
  workload: string;
  seed: number;
  /** ms after the child said ready (negative: killed before it was ready, during start-up/open). */
  killedAtMs: number;
  acknowledged: number;
  inFlight: number;
  problems: string[];
}

export interface WorkloadFigures {
  kills: number;
  killedWhileOpening: number;
  /** Distinct writes the children had acknowledged when they were killed. */
  acknowledgedWrites: number;
  /** Acknowledged writes looked up after each kill (a series re-checks all earlier ones too). */
  acknowledgedChecks: number;
  inFlightAtKill: number;
  batchesChecked: number;
  failures: number;
}

export interface TortureReport {
  kills: number;
  failures: number;
  perWorkload: Record<string, WorkloadFigures>;
  problems: string[];
  ms: number;
}

interface Series {
  workload: Workload;
  dir: string;
  location: string;
  journalPath: string;
  rounds: number;
  /** Writes attempted but not acknowledged, and writes acknowledged, so far (the journal is cumulative). */
  inFlight: number;
  acknowledged: number;
}


async function freshSeries(workload: Workload, base: string, n: number): Promise<Series> {
  const dir = join(base, `${workload.name}-${n}`);
  const location = join(dir, 'store');
  const journalPath = join(dir, 'journal');
  const store = await openStore({ location, sync: false });
  const journal = new Journal(journalPath);
  try {
    await workload.seed?.(store, journal);
  } finally {
    journal.close();
    await store.close();
  }
  return { workload, dir, location, journalPath, rounds: 0, inFlight: 0, acknowledged: 0 };
}

/**
 * Start the child, let it work for a random while, SIGKILL its whole process group. One kill in
 * five lands at a random moment of start-up (opening the store, a catch-up rebuild); the rest land
 * a random time after the child said it was ready.
 */
async function killRound(series: Series, childSeed: number, random: () => number, startupKillShare: number): Promise<{ killedAtMs: number; exitProblem?: string }> {
  const child = spawn(process.execPath, [CHILD, series.workload.name, series.location, series.journalPath, String(childSeed), ROOT], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: sandboxEnv({ ...process.env, HOME: undefined, PYGUBUAI_HOME: undefined }),
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<number>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(performance.now());
    });
  });
  const spawned = performance.now();
  let readyAt: number | undefined;
  void ready.then((t) => (readyAt = t));
  if (random() < startupKillShare) {
    await Promise.race([sleep(random() * 400), closed]);
  } else {
    const t = await Promise.race([ready, closed.then(() => undefined), sleep(30_000, undefined, { ref: false }).then(() => undefined)]);
    if (t !== undefined) await Promise.race([sleep(random() * series.workload.killWindowMs), closed]);
  }
  const killedAt = performance.now();
  let exitProblem: string | undefined;
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone: that is a failure unless it was killed, reported below
  }
  const { signal, code } = await closed;
  if (signal !== 'SIGKILL') exitProblem = `child exited on its own (code ${code}): ${stderr.trim().slice(0, 500)}`;
  // the process group may hold a grandchild (the cli workload's bin): make sure it is gone too
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-child.pid!, 0);
      await sleep(10);
    } catch {
      break;
    }
  }
  return { killedAtMs: readyAt === undefined ? -(killedAt - spawned) : killedAt - readyAt, ...(exitProblem ? { exitProblem } : {}) };
}

/** After a kill: the store opens, verifies clean, holds every acknowledged write and nothing unasked. */
async function check(series: Series): Promise<{ problems: string[]; acknowledged: number; inFlight: number; batches: number }> {
  const problems: string[] = [];
  const journal = readJournal(series.journalPath);
  let store;
  try {
    store = await openStore({ location: series.location, createIfMissing: false, lockTimeoutMs: 10_000 });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { problems: [`store does not open: ${e.code} ${e.message}`], acknowledged: journal.acknowledged.size, inFlight: 0, batches: 0 };
  }
  try {
    const report = await store.verify();
    if (!report.ok) problems.push(`verify: ${report.problems.slice(0, 3).map((p) => `${p.kind} ${p.key ?? ''} ${p.message}`).join('; ')}`);
    const present = new Set<string>();
    const token = series.workload.token ?? ((e) => e.id);
    for await (const event of store.log.readAll()) {
      const t = token(event) ?? event.id;
      present.add(t);
      if (!journal.attempted.has(t) && !journal.seeded.has(t)) problems.push(`event seq ${event.seq} (${t}) was never attempted`);
    }
    for (const t of journal.acknowledged) if (!present.has(t)) problems.push(`acknowledged ${t} is missing`);
    for (const batch of journal.batches) {
      const n = batch.filter((t) => present.has(t)).length;
      if (n !== 0 && n !== batch.length) problems.push(`batch of ${batch.length} is half there (${n} events)`);
    }
    if (series.workload.extraCheck) problems.push(...(await series.workload.extraCheck(store, journal)));
    const inFlight = [...journal.attempted].filter((t) => !journal.acknowledged.has(t)).length;
    return { problems, acknowledged: journal.acknowledged.size, inFlight, batches: journal.batches.length };
  } finally {
    await store.close();
  }
}

export async function runTorture(options: TortureOptions): Promise<TortureReport> {
  const workloads = options.workloads ?? WORKLOADS;
  const seed = options.seed ?? Date.now() % 1e9;
  const random = generator(seed);
  const base = await mkdtemp(join(tmpdir(), 'pygubuai-torture-'));
  // workloads keep shared inputs (a dump, a legacy registry) here; children inherit it
  process.env.PYGUBUAI_TORTURE_DIR = base;
  const started = performance.now();
  const perWorkload: Record<string, WorkloadFigures> = {};
  const problems: string[] = [];
  const series = new Map<string, Series>();
  let made = 0;
  try {
    for (let n = 0; n < options.kills; n++) {
      const workload = workloads[n % workloads.length]!;
      const figures = (perWorkload[workload.name] ??= {
        kills: 0,
        killedWhileOpening: 0,
        acknowledgedWrites: 0,
        acknowledgedChecks: 0,
        inFlightAtKill: 0,
        batchesChecked: 0,
        failures: 0,
      });
      let s = series.get(workload.name);
      if (!s || s.rounds >= workload.resetEvery) {
        if (s) await rm(s.dir, { recursive: true, force: true });
        s = await freshSeries(workload, base, made++);
        series.set(workload.name, s);
      }
      s.rounds++;
      const childSeed = Math.floor(random() * 2 ** 31);
      const { killedAtMs, exitProblem } = await killRound(s, childSeed, random, options.startupKillShare ?? 0.2);
      const result = await check(s);
      if (exitProblem) result.problems.unshift(exitProblem);
      figures.kills++;
      if (killedAtMs < 0) figures.killedWhileOpening++;
      figures.acknowledgedWrites += result.acknowledged - s.acknowledged;
      figures.acknowledgedChecks += result.acknowledged;
      s.acknowledged = result.acknowledged;
      figures.inFlightAtKill += result.inFlight - s.inFlight;
      s.inFlight = result.inFlight;
      figures.batchesChecked += result.batches;
      if (result.problems.length > 0) {
        figures.failures++;
        problems.push(...result.problems.slice(0, 5).map((p) => `[${workload.name} seed ${childSeed} kill ${n + 1}] ${p}`));
        // keep the evidence on disk: the next round of this workload starts from a fresh store
        series.delete(workload.name);
      }
      options.onKill?.({
        n: n + 1,
        workload: workload.name,
        seed: childSeed,
        killedAtMs,
        acknowledged: result.acknowledged,
        inFlight: result.inFlight,
        problems: result.problems,
      });
    }
  } finally {
    if (problems.length > 0 && options.keepFailed) process.stderr.write(`torture: stores of failed rounds kept under ${base}\n`);
    else await rm(base, { recursive: true, force: true });
  }
  const failures = Object.values(perWorkload).reduce((a, f) => a + f.failures, 0);
  return { kills: options.kills, failures, perWorkload, problems, ms: performance.now() - started };
}

export const summaryLine = (r: TortureReport): string =>
  `torture: ${r.kills} kills (${Object.entries(r.perWorkload)
    .map(([k, f]) => `${k} ${f.kills}`)
    .join(', ')}), ${r.failures} failures, ${Object.values(r.perWorkload).reduce((a, f) => a + f.acknowledgedWrites, 0)} acknowledged writes all present, ${(r.ms / 1000).toFixed(0)} s`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i === -1 ? undefined : args[i + 1];
  };
  const quick = args.includes('--quick');
  const kills = Number(value('--kills') ?? (quick ? 30 : 1000));
  const only = value('--workloads')?.split(',');
  const seed = value('--seed') === undefined ? undefined : Number(value('--seed'));
  const workloads = only ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS;
  const report = await runTorture({
    kills,
    workloads,
    keepFailed: true,
    ...(seed !== undefined ? { seed } : {}),
    onKill: (r) => {
      if (r.problems.length > 0) process.stderr.write(`kill ${r.n} ${r.workload} (seed ${r.seed}): FAILED\n  ${r.problems.join('\n  ')}\n`);
      else if (!quick && r.n % 50 === 0) process.stderr.write(`kill ${r.n}/${kills}\n`);
    },
  });
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const [name, f] of Object.entries(report.perWorkload)) {
      process.stdout.write(
        `  ${name.padEnd(11)} kills ${String(f.kills).padStart(5)}  during start-up ${String(f.killedWhileOpening).padStart(4)}  in-flight writes at kill ${String(f.inFlightAtKill).padStart(6)}  acknowledged writes ${String(f.acknowledgedWrites).padStart(7)}  failures ${f.failures}\n`,
      );
    }
    for (const p of report.problems) process.stdout.write(`  ! ${p}\n`);
  }
  process.stdout.write(`${summaryLine(report)}\n`);
  process.exitCode = report.failures === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
