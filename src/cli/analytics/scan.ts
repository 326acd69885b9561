import { count } from '../../lib/text.js';
import { scanProjects } from '../../domain/analytics.js';
import { command } from '../command.js';
import { UsageError } from '../output.js';

export const scan = command({
  command: 'scan [projects..]',
  describe: "Parse the projects' pygubu .ui files and record widget usage and complexity (new or changed files only)",
  builder: (y) =>
    y
      .positional('projects', { type: 'string', array: true, describe: 'project names (default: every project)' })
      .option('all', { type: 'boolean', default: false, describe: 'scan every registered project' }),
  run: async (argv, ctx) => {
    const names = (argv.projects ?? []).map(String);
    if (argv.all && names.length > 0) throw new UsageError('give project names or --all, not both');
    const progress = ctx.out.progress('scanning');
    const report = await ctx.withStore((store) =>
      ctx.timer.time('scan', () => scanProjects(store, { projects: names, meta: ctx.meta, onProgress: progress })),
    );
    progress.done();
    ctx.out.result(report, () => {
      ctx.out.table(
        ['PROJECT', 'FILES', 'RECORDED', 'UNCHANGED', 'PATH'],
        report.projects.map((p) => [p.project, p.files, p.recorded, p.unchanged, p.path]),
        { empty: 'no projects to scan' },
      );
      ctx.out.info(
        `${count(report.files, '.ui file')}: ${report.recorded} recorded, ${report.unchanged} unchanged, ${count(report.problems.length, 'problem')} (${Math.round(report.ms)} ms)`,
      );
      if (report.problems.length > 0) {
        ctx.out.line();
        ctx.out.table(['PROJECT', 'FILE', 'PROBLEM'], report.problems.map((p) => [p.project, p.file ?? '', p.reason]));
      }
    });
  },
});
