import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { pipeline } from 'node:stream/promises';
import { StoreError } from '../../errors.js';
import { normaliseAt } from '../../log/envelope.js';
import type { DumpEncoding } from '../../dump/format.js';
import type { LoadPhase } from '../../dump/load.js';
import type { RestorePlan } from '../../dump/restore.js';
import { command } from '../command.js';
import { UsageError } from '../output.js';

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KiB`;
const perSecond = (n: number, ms: number): number => (ms > 0 ? Math.round(n / (ms / 1000)) : n);
// yargs hands a lone `-` positional over as ''.
const isDash = (file: string): boolean => file === '-' || (file === '' && process.argv.includes('-'));
const formatOption = { choices: ['ndjson', 'msgpack'] as const, describe: 'ndjson (one JSON envelope per line) or msgpack (length-delimited frames)' };

export const dump = command({
  command: 'dump <file>',
  describe: 'Write the event log (or part of it) as a portable dump; `-` writes to stdout',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'output file, or - for stdout' })
      .option('format', { ...formatOption, default: 'ndjson' as const })
      .option('stream', { type: 'string', describe: 'only this stream, e.g. project-<id>' })
      .option('type', { type: 'string', describe: 'only this event type' })
      .option('since', { type: 'string', describe: 'only events at or after this ISO-8601 time' })
      .example('$0 dump events.ndjson', 'the whole log')
      .example("$0 dump - --type project.registered | jq -c 'select(.data) | .data.name'", 'pipe into jq'),
  run: async (argv, ctx) => {
    const since = argv.since === undefined ? undefined : normaliseAt(argv.since);
    if (argv.since !== undefined && since === undefined) throw new UsageError(`--since takes an ISO-8601 time, not ${JSON.stringify(argv.since)}`);
    const toStdout = isDash(argv.file);
    const { writeDump } = await import('../../dump/dump.js');
    const { fileSink, streamSink } = await import('../../dump/sink.js');
    await ctx.withStore(async (store) => {
      const sink = toStdout ? streamSink(process.stdout) : await fileSink(argv.file);
      const progress = ctx.out.progress('dumping');
      const report = await writeDump(store, sink, {
        encoding: argv.format as DumpEncoding,
        ...(argv.stream !== undefined ? { stream: argv.stream } : {}),
        ...(argv.type !== undefined ? { type: argv.type } : {}),
        ...(since !== undefined ? { since } : {}),
        onProgress: progress,
      }).catch((err: NodeJS.ErrnoException) => {
        // the reader of stdout closed it (`dump - | head`): stop quietly, like other Unix filters
        if (toStdout && err.code === 'EPIPE') return undefined;
        throw err;
      });
      progress.done();
      if (!report) return;
      const doc = { file: toStdout ? '-' : argv.file, ...report, eventsPerSecond: perSecond(report.count, report.ms) };
      const text = `dumped ${report.count} events (${report.encoding}, ${kib(report.bytes)}) to ${toStdout ? 'stdout' : argv.file} in ${report.ms.toFixed(0)} ms; sha256 ${report.sha256}`;
      // With `-` stdout carries the dump itself, so the summary goes to stderr.
      if (toStdout) {
        if (ctx.out.json) process.stderr.write(`${JSON.stringify(doc)}\n`);
        else if (!argv.quiet) process.stderr.write(`${text}\n`);
      } else ctx.out.result(doc, () => ctx.out.info(text));
    }, { readOnly: true });
  },
});

/** Above this dump size `load` builds a copy beside the store instead of one in-memory batch. */
const BESIDE_ABOVE_BYTES = 16 * 1024 * 1024;

export const load = command({
  command: 'load <file>',
  describe: 'Check a dump completely, then append its new events atomically; `-` reads stdin',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'dump file, or - for stdin' })
      .option('format', { ...formatOption, describe: 'override the format read from the first byte' })
      .option('beside', {
        type: 'boolean',
        describe: 'build the loaded store beside this one and swap it in (flat memory, copies the store); default: for dumps over 16 MiB',
      })
      .example('$0 load events.ndjson', 'append the events this store does not have yet')
      .example('$0 --store a dump - | $0 --store b load -', 'copy one store into another'),
  run: async (argv, ctx) => {
    const { loadDump } = await import('../../dump/load.js');
    const { loadDumpBeside } = await import('../../dump/beside.js');
    const fromStdin = isDash(argv.file);
    let spool: string | undefined;
    let path = argv.file;
    try {
      if (fromStdin) {
        // A dump is checked completely before anything is written, so stdin is read twice: spool it.
        spool = await mkdtemp(join(tmpdir(), 'pygubuai-load-'));
        path = join(spool, 'stdin.dump');
        await pipeline(process.stdin, createWriteStream(path));
      }
      const input = path;
      const size = (await stat(input).catch(() => undefined))?.size ?? 0;
      const beside = argv.beside ?? size > BESIDE_ABOVE_BYTES;
      const bars = { checking: ctx.out.progress('checking'), copying: ctx.out.progress('copying the store'), loading: ctx.out.progress('loading') };
      const options = {
        ...(argv.format !== undefined ? { encoding: argv.format as DumpEncoding } : {}),
        onProgress: (phase: LoadPhase, done: number, total: number) => bars[phase](done, total),
      };
      const report = beside ? await loadDumpBeside(ctx.location, input, options) : await ctx.withStore((store) => loadDump(store, input, options), { create: true });
      for (const bar of Object.values(bars)) bar.done();
      const doc = { file: fromStdin ? '-' : argv.file, ...report, eventsPerSecond: perSecond(report.events, report.ms) };
      ctx.out.result(doc, () => {
        const range = report.firstSeq === null ? '' : ` (seq ${report.firstSeq}..${report.lastSeq})`;
        ctx.out.line(
          `loaded ${report.loaded} events${range}, skipped ${report.skipped} already present, from ${fromStdin ? 'stdin' : argv.file} ` +
            `(${report.events} events in the dump) in ${report.ms.toFixed(0)} ms${beside && report.loaded > 0 ? ', built beside the store and swapped in' : ''}`,
        );
      });
    } finally {
      if (spool) await rm(spool, { recursive: true, force: true });
    }
  },
});

export const backup = command({
  command: 'backup <file>',
  describe: 'Write a consistent snapshot of the whole log, with a checksum (the store stays usable)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'backup file to write' })
      .option('format', { ...formatOption, default: 'msgpack' as const })
      .example('$0 backup ~/pygubuai-$(date +%F).backup', 'a dated backup'),
  run: async (argv, ctx) => {
    const { backupStore } = await import('../../dump/restore.js');
    await ctx.withStore(async (store) => {
      const progress = ctx.out.progress('backing up');
      const report = await backupStore(store, argv.file, { encoding: argv.format as DumpEncoding, onProgress: progress });
      progress.done();
      ctx.out.result({ file: argv.file, ...report }, () =>
        ctx.out.line(`backed up ${report.count} events to ${argv.file} (${report.encoding}, ${kib(report.bytes)}) in ${report.ms.toFixed(0)} ms; sha256 ${report.sha256}`),
      );
    }, { readOnly: true });
  },
});

export const restore = command({
  command: 'restore <file>',
  describe: 'Replace the store with a backup: verified, built beside the old store, swapped in when complete',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'backup file' })
      .example('$0 restore pygubuai.backup --yes', 'restore without asking'),
  run: async (argv, ctx) => {
    const { restoreStore } = await import('../../dump/restore.js');
    const bars = {
      verifying: ctx.out.progress('verifying backup'),
      building: ctx.out.progress('writing the log'),
      replaying: ctx.out.progress('replaying projections'),
      comparing: ctx.out.progress('comparing with the store'),
    };
    const confirm = argv.yes ? undefined : process.stdin.isTTY ? (plan: RestorePlan) => ask(describePlan(plan)) : ('refuse' as const);
    const report = await restoreStore(ctx.location, argv.file, {
      onProgress: (phase, done, total) => bars[phase](done, total),
      ...(confirm ? { confirm } : {}),
    });
    for (const bar of Object.values(bars)) bar.done();
    for (const action of report.recovered) ctx.out.warn(`earlier interrupted restore: ${action}`);
    if (!report.restored) throw new StoreError('RESTORE_CANCELLED', 'restore cancelled; the store is unchanged');
    ctx.out.result(report, () => {
      const lost = report.lost ? `; ${report.lost} events that were not in the backup are gone` : '';
      ctx.out.line(`restored ${report.backup.events} events from ${argv.file} into ${report.location} in ${report.ms.toFixed(0)} ms${lost}`);
    });
  },
});

function describePlan(plan: RestorePlan): string {
  const now = plan.current.damaged ? 'a damaged store' : `${plan.current.events} events`;
  const lost =
    plan.lost === null
      ? 'What the damaged store holds cannot be counted and will be lost.'
      : plan.lost > 0
        ? `${plan.lost} event${plan.lost === 1 ? '' : 's'} in the store ${plan.lost === 1 ? 'is' : 'are'} not in the backup and will be LOST.`
        : 'Every event in the store is also in the backup.';
  return `Replace ${plan.location} (${now}) with the backup ${plan.file} (${plan.backup.events} events, taken ${plan.backup.created})?\n${lost}\nRestore? [y/N] `;
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
