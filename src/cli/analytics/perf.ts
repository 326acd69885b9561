import { perfSummary } from '../../domain/analytics.js';
import { command } from '../command.js';
import { withAsOf } from '../context.js';
import { perfRecordingEnabled } from '../perf.js';
import { parseSince } from './export.js';

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

export const perf = command({
  command: 'perf',
  describe: "The store's own command timings: p50/p95 per operation (recording is opt-in: PYGUBUAI_RECORD_PERF=1 or record_perf in config.json)",
  builder: (y) => withAsOf(y).option('since', { type: 'string', describe: 'only runs from this ISO-8601 time on' }),
  run: async (argv, ctx) => {
    await ctx.withViews(argv.asOf, async (views) => {
      const since = parseSince(argv.since);
      const rows = await perfSummary(views, since ? { since } : {});
      const recording = perfRecordingEnabled();
      ctx.out.result({ recording, operations: rows }, () => {
        const off = 'set PYGUBUAI_RECORD_PERF=1 or "record_perf": true in ~/.pygubuai/config.json';
        ctx.out.table(
          ['OPERATION', 'RUNS', 'P50 MS', 'P95 MS', 'MAX MS'],
          rows.map((r) => [r.operation, r.runs, ms(r.p50), ms(r.p95), ms(r.max)]),
          { empty: recording ? 'no timings recorded yet' : `no timings recorded: recording is off (${off})` },
        );
        // Timings recorded earlier are shown; say that new runs are not being added to them.
        if (!recording && rows.length > 0) ctx.out.info(ctx.out.paint('dim', `recording is off now, so new runs are not added (${off})`));
      });
    });
  },
});
