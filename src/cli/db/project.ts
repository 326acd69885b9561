import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { StoreError } from '../../errors.js';
import { command } from '../command.js';
import { splitList, withAsOf, type GlobalArgs } from '../context.js';
import { UsageError } from '../output.js';
import { projectJson, projectTable, shortTime } from './format.js';

/** An existing directory, fully resolved (absolute, symlinks followed, no trailing slash). */
export async function resolveProjectDir(path: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(resolve(path));
  } catch {
    throw new StoreError('PATH_NOT_FOUND', `no such directory: ${path}`);
  }
  if (!(await stat(real)).isDirectory()) throw new StoreError('PATH_NOT_FOUND', `not a directory: ${path}`);
  return real;
}

const hasUiFile = async (dir: string): Promise<boolean> =>
  (await readdir(dir).catch(() => [] as string[])).some((f) => f.endsWith('.ui'));

const add = command({
  command: 'add <path>',
  describe: 'Register a project directory',
  builder: (y) =>
    y
      .positional('path', { type: 'string', demandOption: true, describe: 'the project directory' })
      .option('name', { type: 'string', describe: "project name (default: the directory's name)" })
      .option('description', { alias: 'd', type: 'string', describe: 'what the project is' })
      .option('tags', { alias: 't', type: 'string', describe: 'comma-separated tags' }),
  run: async (argv, ctx) => {
    const path = await resolveProjectDir(argv.path);
    const name = argv.name ?? basename(path);
    const project = await ctx.withStore(
      (store) =>
        store.projects.register({ name, path, description: argv.description ?? '', tags: splitList(argv.tags) ?? [], meta: ctx.meta }),
      { create: true },
    );
    if (!(await hasUiFile(path))) ctx.out.warn(`${path} holds no .ui file yet`);
    ctx.out.result(projectJson(project), () => ctx.out.line(`registered ${project.name} (${project.path})`));
  },
});

const list = command({
  command: ['list', 'ls'],
  describe: 'List projects',
  builder: (y) =>
    withAsOf(y)
      .option('tag', { type: 'string', describe: 'only projects with this tag' })
      .option('sort', { choices: ['name', 'created', 'modified', 'order'] as const, default: 'name' as const, describe: "order (times: newest first; order: the registry's insertion order, as the Python tool lists)" })
      .option('limit', { alias: 'n', type: 'number', describe: 'at most this many' }),
  run: async (argv, ctx) => {
    if (argv.limit !== undefined && !(Number.isInteger(argv.limit) && argv.limit >= 0)) throw new UsageError('--limit takes a whole number');
    await ctx.withViews(argv.asOf, async (views) => {
      const rows = await views.projects.list({
        ...(argv.tag !== undefined ? { tag: argv.tag } : {}),
        sort: argv.sort,
        ...(argv.limit !== undefined ? { limit: argv.limit } : {}),
      });
      const active = await views.projects.active();
      ctx.out.result(rows.map(projectJson), () => projectTable(ctx.out, rows, active?.id));
    });
  },
});

const show = command({
  command: 'show <name>',
  describe: 'Show one project',
  builder: (y) => withAsOf(y).positional('name', { type: 'string', demandOption: true }),
  run: async (argv, ctx) => {
    await ctx.withViews(argv.asOf, async (views) => {
      const p = await views.projects.require(argv.name);
      const [active, historyCount, sync] = await Promise.all([views.projects.active(), views.history.count(p.id), views.history.syncState(p.id)]);
      const doc = { ...projectJson(p), active: active?.id === p.id, historyCount, lastSync: sync?.last_sync ?? null };
      ctx.out.result(doc, () =>
        ctx.out.record([
          ['name', p.name + (doc.active ? ' (active)' : '')],
          ['id', p.id],
          ['path', p.path],
          ['description', p.description || '-'],
          ['tags', p.tags.join(', ') || '-'],
          ['created', shortTime(p.created)],
          ['modified', shortTime(p.modified)],
          ['history', `${historyCount} entries`],
          ['last sync', shortTime(doc.lastSync)],
        ]),
      );
    });
  },
});

const update = command({
  command: 'update <name>',
  describe: "Change a project's description, tags or path",
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true })
      .option('description', { alias: 'd', type: 'string' })
      .option('tags', { alias: 't', type: 'string', describe: 'comma-separated; replaces the tags ("" clears them)' })
      .option('path', { type: 'string', describe: 'new directory (must exist)' }),
  run: async (argv, ctx) => {
    const path = argv.path === undefined ? undefined : await resolveProjectDir(argv.path);
    const row = await ctx.withStore((store) =>
      store.projects.update(argv.name, {
        ...(argv.description !== undefined ? { description: argv.description } : {}),
        ...(argv.tags !== undefined ? { tags: splitList(argv.tags) ?? [] } : {}),
        ...(path !== undefined ? { path } : {}),
        meta: ctx.meta,
      }),
    );
    ctx.out.result(projectJson(row), () => ctx.out.line(`updated ${row.name}`));
  },
});

const rename = command({
  command: 'rename <old> <new>',
  describe: 'Rename a project (its id and history stay)',
  builder: (y) => y.positional('old', { type: 'string', demandOption: true }).positional('new', { type: 'string', demandOption: true }),
  run: async (argv, ctx) => {
    const row = await ctx.withStore((store) => store.projects.rename(argv.old, argv.new, { meta: ctx.meta }));
    ctx.out.result(projectJson(row), () => ctx.out.line(`renamed ${argv.old} to ${row.name}`));
  },
});

const remove = command({
  command: ['remove <name>', 'rm <name>'],
  describe: 'Remove a project from the registry (its events stay in the log)',
  builder: (y) => y.positional('name', { type: 'string', demandOption: true }),
  run: async (argv, ctx) => {
    const row = await ctx.withStore((store) => store.projects.remove(argv.name, { meta: ctx.meta }));
    ctx.out.result({ removed: projectJson(row) }, () => ctx.out.line(`removed ${row.name}`));
  },
});

const search = command({
  command: 'search <query>',
  describe: 'Find projects by words of their name, description or tags (prefix match, all words)',
  builder: (y) =>
    withAsOf(y).positional('query', { type: 'string', demandOption: true }).option('limit', { alias: 'n', type: 'number', default: 20 }),
  run: async (argv, ctx) => {
    await ctx.withViews(argv.asOf, async (views) => {
      const rows = await views.projects.search(argv.query, { limit: argv.limit });
      const active = await views.projects.active();
      ctx.out.result(rows.map(projectJson), () => projectTable(ctx.out, rows, active?.id));
    });
  },
});

const active = command({
  command: 'active [name]',
  describe: 'Show the active project, or make <name> the active one',
  builder: (y) => withAsOf(y).positional('name', { type: 'string' }),
  run: async (argv, ctx) => {
    if (argv.name !== undefined) {
      const name = argv.name;
      const row = await ctx.withStore((store) => store.projects.activate(name, { meta: ctx.meta }));
      ctx.out.result(projectJson(row), () => ctx.out.line(`${row.name} is now the active project`));
      return;
    }
    await ctx.withViews(argv.asOf, async (views) => {
      const row = await views.projects.active();
      ctx.out.result(row ? projectJson(row) : null, () => ctx.out.line(row ? row.name : 'no active project'));
    });
  },
});

export const project = {
  command: 'project <command>',
  describe: 'Register, list, show, update, rename, remove, search and activate projects',
  builder: (y: Argv<GlobalArgs>) =>
    y.command(add).command(list).command(show).command(update).command(rename).command(remove).command(search).command(active).demandCommand(1),
  handler: () => {},
};
