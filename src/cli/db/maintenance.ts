import { StoreError } from '../../errors.js';
import { command } from '../command.js';

export const rebuild = command({
  command: 'rebuild [projection]',
  describe: 'Drop a projection (all when none named) and fold it again from the log',
  builder: (y) => y.positional('projection', { type: 'string', describe: 'projects, workflow, ...' }),
  run: async (argv, ctx) => {
    await ctx.withStore(async (store) => {
      const progress = ctx.out.progress('rebuilding');
      const report = await store.rebuild(argv.projection === undefined ? undefined : [argv.projection], progress);
      progress.done();
      const rate = report.ms > 0 ? Math.round(report.events / (report.ms / 1000)) : report.events;
      ctx.out.result({ ...report, eventsPerSecond: rate }, () =>
        ctx.out.line(`rebuilt ${report.projections.join(', ')} from ${report.events} events in ${report.ms.toFixed(0)} ms (${rate} events/s)`),
      );
      for (const b of report.broken.slice(0, 10)) ctx.out.warn(`seq ${b.seq} breaks a rule (${b.rule}), folded as the log has it: ${b.message}`);
      if (report.broken.length > 10) ctx.out.warn(`... and ${report.broken.length - 10} more events that break a rule`);
    });
  },
});

export const verify = command({
  command: 'verify',
  describe: 'Replay the whole log into memory and compare with every stored view row and index key',
  run: async (_argv, ctx) => {
    await ctx.withStore(async (store) => {
      const progress = ctx.out.progress('verifying');
      const report = await store.verify(progress);
      progress.done();
      ctx.out.result(report, () => {
        if (report.ok) {
          ctx.out.line(`ok: ${report.events} events, ${report.keysCompared} keys match a replay of the log`);
          return;
        }
        ctx.out.table(['PROBLEM', 'KEY', 'DETAIL'], report.problems.map((p) => [p.kind, p.key ?? '', p.message]));
        if (report.moreProblems > 0) ctx.out.line(`... and ${report.moreProblems} more`);
      });
      if (!report.ok) {
        const n = report.problems.length + report.moreProblems;
        const damaged = report.problems.some((p) => p.kind === 'damaged');
        const rules = report.problems.some((p) => p.kind === 'rule');
        const err = new StoreError('VERIFY_FAILED', `${n} difference${n === 1 ? '' : 's'} between the stored views and a replay of the log`, {
          hint: damaged
            ? 'the log itself is damaged: restore the store from a backup (`pygubu-db restore`); rebuild would fold the damage in'
            : rules
            ? 'events in the log break a domain rule (they entered before this version checked it); rebuild cannot change the log: dump it, drop or fix those events, load the dump into a new store'
            : 'run `pygubu-db rebuild` to fold the views again from the log',
        });
        if (ctx.out.json) {
          process.stderr.write(`error: ${err.message} (${err.code})\n`);
          process.exitCode = 1;
        } else throw err;
      }
    }, { readOnly: true });
  },
});

export const compact = command({
  command: 'compact',
  describe: "Let LevelDB merge and shrink its files",
  run: async (_argv, ctx) => {
    await ctx.withStore(async (store) => {
      const r = await store.compact();
      ctx.out.result(r, () => ctx.out.line(`compacted: ~${Math.round(r.before / 1024)} KiB before, ~${Math.round(r.after / 1024)} KiB after`));
    });
  },
});
