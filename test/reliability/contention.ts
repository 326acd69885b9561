import { spawn } from 'node:child_process';
import { sandboxEnv } from '../sandbox.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/index.js';
import { ROOT } from '../helpers.js';

const CHILD = join(ROOT, 'dist', 'test', 'reliability', 'contention-child.js');

export interface ContentionOptions {
  apiWriters: number;
  cliWriters: number;
  writesPerProcess: number;
  /** PYGUBUAI_LOCK_TIMEOUT_MS for every writer. */
  lockTimeoutMs: number;
}

export interface ContentionReport extends ContentionOptions {
  attempted: number;
  landed: number;
  busy: number;
  otherErrors: string[];
  /** Every landed write is in the log, nothing else is, seq is gapless and verify is clean. */
  consistent: boolean;
  problems: string[];
  /** openStore time of the API writers (ms): how long a waiting process takes to get the store. */
  apiWait: { median: number; p99: number; max: number };
  /** Wall time of one CLI write (process start, wait, write, exit). */
  cliCommand: { median: number; p99: number; max: number };
  /** openStore time with no one else around, for comparison. */
  uncontendedOpen: { median: number };
  ms: number;
}

interface Line {
  token: string;
  ok: boolean;
  code?: string;
  message?: string;
  waitMs: number;
}

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const figures = (xs: number[]) => ({ median: Math.round(quantile(xs, 0.5)), p99: Math.round(quantile(xs, 0.99)), max: Math.round(Math.max(0, ...xs)) });

/**
 * Several processes (API and CLI) write to one store at once, each write a separate open/append/close.
 * Afterwards: every write reported as done is in the log exactly once, every other write reported
 * STORE_BUSY (nothing else), seq is gapless and verify is clean.
 */
export async function runContention(options: ContentionOptions): Promise<ContentionReport> {
  const dir = await mkdtemp(join(tmpdir(), 'pygubuai-contention-'));
  const location = join(dir, 'store');
  const started = performance.now();
  try {
    const seed = await openStore({ location });
    await seed.projects.register({ name: 'base', path: dir });
    await seed.close();
    const uncontended: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const s = await openStore({ location, createIfMissing: false });
      uncontended.push(performance.now() - t);
      await s.close();
    }
    const outs: string[] = [];
    const children = [...Array(options.apiWriters).fill('api'), ...Array(options.cliWriters).fill('cli')].map((mode: string, i) => {
      const out = join(dir, `out-${i}.jsonl`);
      outs.push(out);
      const child = spawn(process.execPath, [CHILD, mode, location, String(options.writesPerProcess), out, ROOT], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: sandboxEnv({ HOME: dir, PYGUBUAI_LOCK_TIMEOUT_MS: String(options.lockTimeoutMs) }),
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      return new Promise<string>((resolve) => child.on('close', (code) => resolve(code === 0 ? '' : `writer ${i} (${mode}) exited ${code}: ${stderr.trim()}`)));
    });
    const exits = (await Promise.all(children)).filter(Boolean);
    const lines: Array<Line & { mode: string }> = [];
    for (const out of outs) {
      const text = await readFile(out, 'utf8').catch(() => '');
      for (const l of text.split('\n').filter(Boolean)) {
        const parsed = JSON.parse(l) as Line;
        lines.push({ ...parsed, mode: parsed.token.split('-')[0]! });
      }
    }
    const problems = [...exits];
    const otherErrors = lines.filter((l) => !l.ok && l.code !== 'STORE_BUSY').map((l) => `${l.code}: ${l.message}`);
    problems.push(...otherErrors);
    for (const l of lines.filter((x) => !x.ok && x.code === 'STORE_BUSY')) {
      if (!l.message?.includes(location)) problems.push(`STORE_BUSY does not name the store: ${l.message}`);
    }
    const store = await openStore({ location, createIfMissing: false });
    try {
      const report = await store.verify();
      if (!report.ok) problems.push(`verify: ${JSON.stringify(report.problems.slice(0, 3))}`);
      const seen = new Map<string, number>();
      let expectedSeq = 1;
      for await (const e of store.log.readAll()) {
        if (e.seq !== expectedSeq++) problems.push(`seq jumps to ${e.seq}`);
        if (e.type === 'workflow.recorded') seen.set(String(e.data.action), (seen.get(String(e.data.action)) ?? 0) + 1);
      }
      for (const l of lines) {
        const n = seen.get(l.token) ?? 0;
        if (l.ok && n !== 1) problems.push(`write ${l.token} reported done is in the log ${n} times`);
        if (!l.ok && n !== 0) problems.push(`write ${l.token} reported ${l.code} but is in the log`);
      }
      if (seen.size !== lines.filter((l) => l.ok).length) problems.push(`${seen.size} writes in the log, ${lines.filter((l) => l.ok).length} reported done`);
    } finally {
      await store.close();
    }
    const attempted = options.writesPerProcess * (options.apiWriters + options.cliWriters);
    if (lines.length !== attempted) problems.push(`${lines.length} of ${attempted} writes reported back`);
    return {
      ...options,
      attempted,
      landed: lines.filter((l) => l.ok).length,
      busy: lines.filter((l) => l.code === 'STORE_BUSY').length,
      otherErrors,
      consistent: problems.length === 0,
      problems,
      apiWait: figures(lines.filter((l) => l.mode === 'api' && l.ok).map((l) => l.waitMs)),
      cliCommand: figures(lines.filter((l) => l.mode === 'cli' && l.ok).map((l) => l.waitMs)),
      uncontendedOpen: { median: Math.round(quantile(uncontended, 0.5) * 10) / 10 },
      ms: performance.now() - started,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const contentionLine = (r: ContentionReport): string =>
  `contention: ${r.apiWriters} api + ${r.cliWriters} cli writers × ${r.writesPerProcess}, lock wait ${r.lockTimeoutMs} ms: ` +
  `${r.landed}/${r.attempted} landed, ${r.busy} STORE_BUSY, ${r.otherErrors.length} other errors, ${r.consistent ? 'gapless and verified' : `INCONSISTENT (${r.problems.length} problems)`}; ` +
  `api open wait median ${r.apiWait.median} ms p99 ${r.apiWait.p99} ms max ${r.apiWait.max} ms (uncontended ${r.uncontendedOpen.median} ms); ` +
  `cli write median ${r.cliCommand.median} ms p99 ${r.cliCommand.p99} ms`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string, d: number): number => {
    const i = args.indexOf(flag);
    return i === -1 ? d : Number(args[i + 1]);
  };
  const base = { apiWriters: value('--api', 4), cliWriters: value('--cli', 2), writesPerProcess: value('--writes', 40) };
  let failed = false;
  for (const lockTimeoutMs of [value('--timeout', 5000), value('--short-timeout', 30)]) {
    const r = await runContention({ ...base, lockTimeoutMs });
    process.stdout.write(`${contentionLine(r)}\n`);
    for (const p of r.problems.slice(0, 10)) process.stdout.write(`  ! ${p}\n`);
    if (!r.consistent) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
