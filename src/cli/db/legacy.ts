import { count } from '../../lib/text.js';
import { setExitCode } from '../host.js';
import { StoreError } from '../../errors.js';
import { exportLegacy, importLegacy, type ImportReport } from '../../legacy/index.js';
import { userPath } from '../../paths.js';
import type { Store } from '../../store.js';
import { command } from '../command.js';
import type { CommandContext } from '../context.js';

const SHOWN_ROWS = 50;

export const registryOption = {
  type: 'string',
  describe:
    "legacy registry file; a store other than the default one records it and keeps using it (default store: $PYGUBUAI_REGISTRY_PATH, else registry_path in config.json, else ~/.pygubu-registry.json)",
} as const;

/**
 * The registry a legacy command reads or writes: --registry (recorded for a non-default store),
 * else the store's pairing (the default store: the Python tool's registry), else LEGACY_NOT_PAIRED.
 */
export async function registryFor(ctx: CommandContext, given: string | undefined, store?: Store): Promise<string> {
  const { isDefaultStore, recordPairing, syncTarget } = await import('../../legacy/hybrid.js');
  if (given !== undefined) {
    const path = userPath(given);
    if (store) await recordPairing(store, path);
    return path;
  }
  if (store) return syncTarget(store);
  if (isDefaultStore(ctx.location)) return (await import('../../legacy/config.js')).toolRegistryPath();
  throw new StoreError('LEGACY_NOT_PAIRED', `store ${ctx.location} is not paired with a legacy registry`, { hint: 'pass --registry FILE once (it is recorded in the store)' });
}

/** Print an import report: a table of the files that matter, totals, missing directories, and the outcome. */
export function printImportReport(ctx: CommandContext, report: ImportReport, verb = 'imported'): void {
  const rate = report.ms > 0 ? Math.round(report.totals.imported / (report.ms / 1000)) : report.totals.imported;
  ctx.out.result({ ...report, eventsPerSecond: rate }, () => {
    const out = ctx.out;
    if (report.dryRun) out.line(out.paint('yellow', 'dry run: nothing was written; IMPORTED is what would be'));
    const notable = report.files.length > SHOWN_ROWS ? report.files.filter((f) => f.status === 'imported' || f.status === 'error' || f.warnings) : report.files;
    out.table(
      ['FILE', 'PROJECT', 'STATUS', 'IMPORTED', 'SKIPPED', 'NOTE'],
      notable.map((f) => [f.file, f.project ?? '', f.status, f.imported, f.skipped, f.error ? `${f.error.message.replace(`${f.file}: `, '')} (${f.error.code})` : (f.warnings ?? []).join('; ')]),
    );
    if (notable.length < report.files.length) out.line(out.paint('dim', `${report.files.length - notable.length} unchanged or absent files not shown (--json lists every file)`));
    for (const f of report.files) {
      if (!f.flagged?.length) continue;
      out.warn(`${f.file}: ${f.flagged.length} odd entr${f.flagged.length === 1 ? 'y' : 'ies'} imported as written (${f.flagged.slice(0, 3).join('; ')}${f.flagged.length > 3 ? '; …' : ''})`);
    }
    for (const m of report.missingDirectories) out.warn(`project ${m.name}: directory ${m.path} does not exist here (imported all the same)`);
    const t = report.totals;
    out.line(
      `${report.dryRun ? 'would import' : verb} ${t.imported} event${t.imported === 1 ? '' : 's'} from ${t.files} file${t.files === 1 ? '' : 's'}; ${count(t.skipped, 'entry', 'entries')} already present; ${t.errors} broken file${t.errors === 1 ? '' : 's'} (${(report.ms / 1000).toFixed(1)} s, ${rate} events/s)`,
    );
  });
  const fail = (err: StoreError) => {
    if (ctx.out.json) {
      process.stderr.write(`error: ${err.message} (${err.code})\n`);
      setExitCode(1);
    } else throw err;
  };
  if (report.aborted) {
    fail(new StoreError('LEGACY_IMPORT_FAILED', `--strict: ${report.totals.errors} broken legacy file${report.totals.errors === 1 ? '' : 's'}; nothing was imported`, {
      hint: 'fix or remove the files listed above, or run without --strict to import the others',
    }));
  } else if (report.totals.errors > 0) {
    fail(new StoreError('LEGACY_IMPORT_INCOMPLETE', `${report.totals.errors} legacy file${report.totals.errors === 1 ? ' was' : 's were'} broken and not imported; the rest ${report.dryRun ? 'would be' : 'were'}`, {
      hint: 'fix the files listed above and run migrate again: what is already in the store is skipped',
    }));
  }
}

export const migrate = command({
  command: 'migrate',
  describe: 'Import the legacy JSON registry and workflow files into events (idempotent: only what is new)',
  builder: (y) =>
    y
      .option('registry', registryOption)
      .option('dry-run', { type: 'boolean', default: false, describe: 'report what would be imported, write nothing' })
      .option('workflows', { type: 'boolean', default: true, describe: "also import each project's .pygubu-workflow.json (--no-workflows: skip)" })
      .option('strict', { type: 'boolean', default: false, describe: 'import nothing at all if any file is broken' }),
  run: async (argv, ctx) => {
    const { storeExists } = await import('../../store.js');
    const scratch = argv.dryRun && !storeExists(ctx.location);
    const planned = scratch ? await registryFor(ctx, argv.registry) : undefined;
    const work = async (store: Store) => {
      const registryPath = planned ?? (await registryFor(ctx, argv.registry, store));
      const progress = ctx.out.progress(argv.dryRun ? 'checking' : 'importing');
      const report = await importLegacy(store, {
        registryPath,
        workflows: argv.workflows,
        dryRun: argv.dryRun,
        strict: argv.strict,
        source: 'import',
        ...(ctx.meta.actor ? { actor: ctx.meta.actor } : {}),
        onProgress: progress,
      }).finally(() => progress.done());
      printImportReport(ctx, report);
    };
    if (scratch) await withScratchStore(work);
    // Import writes each row once and never reads it back: a read cache would only cost time.
    else await ctx.withStore(work, { create: true, hybrid: false, cacheSize: 0 });
  },
});

/** A dry run against a store that does not exist yet compares with an empty, throw-away one. */
async function withScratchStore(work: (store: Store) => Promise<void>): Promise<void> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openStore } = await import('../../store.js');
  const dir = await mkdtemp(join(tmpdir(), 'pygubu-dry-run-'));
  const store = await openStore({ location: join(dir, 'store'), sync: false });
  try {
    await work(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const exportJson = command({
  command: 'export-json',
  describe: "Write the registry and each project's workflow file from the store, in the Python tool's format",
  builder: (y) =>
    y
      .option('registry', registryOption)
      .option('workflows', { type: 'boolean', default: true, describe: 'also write each project\'s .pygubu-workflow.json (--no-workflows: skip)' }),
  run: async (argv, ctx) => {
    await ctx.withStore(async (store) => {
      const registryPath = await registryFor(ctx, argv.registry, store);
      const progress = ctx.out.progress('exporting');
      const report = await exportLegacy(store.views, { registryPath, workflows: argv.workflows, onProgress: progress }).finally(() => progress.done());
      ctx.out.result(report, () => {
        for (const s of report.skipped) ctx.out.warn(`${s.project}: workflow file not written: ${s.reason}`);
        ctx.out.line(`wrote ${report.registry} (${count(report.projects, 'project')}) and ${count(report.workflowFiles.length, 'workflow file')} in ${(report.ms / 1000).toFixed(1)} s`);
      });
    });
  },
});

export const sync = command({
  command: 'sync',
  describe: 'Hybrid mode: merge what the Python tool changed in the JSON files with the store, and write the result back (under its lock)',
  builder: (y) =>
    y
      .option('registry', registryOption)
      .option('workflows', { type: 'boolean', default: true, describe: 'also sync each project\'s .pygubu-workflow.json (--no-workflows: skip)' })
      .option('accept-removals', { type: 'boolean', default: false, describe: 'projects missing from the registry are removed from the store (a hand edit) instead of written back' })
      .option('watch', { type: 'boolean', default: false, describe: 'keep running: sync within a second of each change to the registry or a workflow file (Ctrl-C stops)' }),
  run: async (argv, ctx) => {
    const { syncLegacy } = await import('../../legacy/sync.js');
    if (argv.watch) {
      const { watchLegacy } = await import('../../legacy/watch.js');
      await ctx.withStore(
        async (store) => {
          const registryPath = await registryFor(ctx, argv.registry, store);
          await watchLegacy(store, { registryPath, workflows: argv.workflows, acceptRemovals: argv.acceptRemovals, ...(ctx.meta.actor ? { actor: ctx.meta.actor } : {}) }, (line) => ctx.out.line(line), (w) => ctx.out.warn(w));
        },
        { create: true, hybrid: false },
      );
      return;
    }
    await ctx.withStore(
      async (store) => {
        const registryPath = await registryFor(ctx, argv.registry, store);
        const progress = ctx.out.progress('syncing');
        const report = await syncLegacy(store, {
          registryPath,
          workflows: argv.workflows,
          acceptRemovals: argv.acceptRemovals,
          ...(ctx.meta.actor ? { actor: ctx.meta.actor } : {}),
          onProgress: progress,
        }).finally(() => progress.done());
        ctx.out.result(report, () => {
          for (const w of report.warnings) ctx.out.warn(w);
          ctx.out.line(syncSummary(report));
          ctx.out.line(`pushed: ${report.pushed.registry} (${count(report.pushed.projects, 'project')}) and ${count(report.pushed.workflowFiles.length, 'workflow file')} (${(report.ms / 1000).toFixed(1)} s)`);
        });
      },
      { create: true, hybrid: false },
    );
  },
});

/** One line saying what a sync pulled and settled. */
export function syncSummary(report: import('../../legacy/sync.js').SyncReport): string {
  const p = report.pulled;
  const extra = [
    p.restored.length ? `${p.restored.length} restored` : '',
    p.staleIgnored.length ? `${p.staleIgnored.length} stale copies ignored` : '',
    p.conflicts.length ? `${p.conflicts.length} conflicts` : '',
    p.refused.length ? `${p.refused.length} left as they are` : '',
  ].filter(Boolean);
  return `pulled: ${p.registered} new, ${p.updated} changed, ${p.removed.length} removed${p.removed.length ? ` (${p.removed.join(', ')})` : ''} projects, ${p.activated ? 'active project changed, ' : ''}${count(p.history, 'history entry', 'history entries')}${extra.length ? `; ${extra.join(', ')}` : ''}`;
}

const configGet = command({
  command: 'get <key>',
  describe: 'Print one key of ~/.pygubuai/config.json',
  builder: (y) => y.positional('key', { type: 'string', demandOption: true }),
  run: async (argv, ctx) => {
    const { readConfig, DEFAULT_STORAGE_MODE } = await import('../../legacy/config.js');
    const doc = await readConfig();
    const value = argv.key in doc ? doc[argv.key] : argv.key === 'storage_mode' ? DEFAULT_STORAGE_MODE : undefined;
    if (value === undefined) throw new StoreError('CONFIG_NOT_SET', `${argv.key} is not set in ${(await import('../../paths.js')).configPath()}`);
    ctx.out.result({ key: argv.key, value }, () => ctx.out.line(typeof value === 'string' ? value : JSON.stringify(value)));
  },
});

const configSet = command({
  command: 'set <key> <value>',
  describe: 'Set one key (JSON values like true or 3 are parsed; other keys are kept as they are)',
  builder: (y) => y.positional('key', { type: 'string', demandOption: true }).positional('value', { type: 'string', demandOption: true }),
  run: async (argv, ctx) => {
    const { setConfig, parseConfigValue } = await import('../../legacy/config.js');
    const value = argv.key === 'storage_mode' ? String(argv.value) : parseConfigValue(String(argv.value));
    await setConfig(argv.key, value);
    ctx.out.result({ key: argv.key, value }, () => ctx.out.line(`${argv.key} = ${typeof value === 'string' ? value : JSON.stringify(value)}`));
  },
});

const configList = command({
  command: ['list', 'ls'],
  describe: 'Print every key of ~/.pygubuai/config.json',
  run: async (_argv, ctx) => {
    const { readConfig, DEFAULT_STORAGE_MODE } = await import('../../legacy/config.js');
    const doc = await readConfig();
    const shown: Record<string, unknown> = { storage_mode: DEFAULT_STORAGE_MODE, ...doc, 'store (this command)': ctx.location, 'paired registry': await pairedWith(ctx) };
    ctx.out.result(shown, () => ctx.out.record(Object.entries(shown).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const)));
  },
});

export const config = {
  command: 'config <command>',
  describe: 'Read and set ~/.pygubuai/config.json (storage_mode json|db|hybrid; other keys are kept)',
  builder: (y: import('yargs').Argv<import('../context.js').GlobalArgs>) => y.command(configGet).command(configSet).command(configList).demandCommand(1),
  handler: () => {},
};

/** What the command's store is paired with, for `config list` and `stats`: a path, or why none. */
export async function pairedWith(ctx: CommandContext, open?: Store): Promise<string> {
  const { isDefaultStore, pairing } = await import('../../legacy/hybrid.js');
  if (isDefaultStore(ctx.location)) return `${await (await import('../../legacy/config.js')).toolRegistryPath()} (the Python tool's registry)`;
  const { storeExists } = await import('../../store.js');
  const describe = async (store: Store) => {
    const p = await pairing(store);
    return p.registryPath === undefined ? 'none (pass --registry to migrate or sync once)' : `${p.registryPath} (recorded in the store)`;
  };
  if (open) return describe(open);
  if (!storeExists(ctx.location)) return 'none (no store here yet)';
  return ctx.withStore(describe, { hybrid: false });
}
