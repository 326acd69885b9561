/**
 * Every `pygubu-db` command, in the order --help lists them.
 *
 * HOW TO ADD A COMMAND (the same in src/cli/template/index.ts and src/cli/analytics/index.ts):
 *  1. Write the command in its own module, as the others are: `export const user = command({
 *     command: 'user <command>', describe: '…', builder: (y) => …, run: async (argv, ctx) => … })`
 *     (src/cli/command.ts), or a plain `{ command, describe, builder, handler }` whose builder adds
 *     subcommands (see project.ts).
 *  2. Add ONE line here: `{ command, describe, load: () => import('./user.js').then((m) => m.user) }`,
 *     with the same `command` and `describe` as the module (test/cli-conventions.test.ts checks).
 *  3. Add an example to docs/commands.md (test/docs-examples.test.ts checks every command has one).
 * Why: a bin's start loads only this list. The fast parser (src/cli/fast-args.ts) and, for help
 * and usage errors, yargs see these descriptors and import a module only when its command runs or
 * its `<cmd> --help` is asked for, so
 * `project show` never loads the server, the dump code or the legacy importer. Keep the top of a
 * command module free of heavy imports too: import the store, fastify, chokidar, fs-ext etc. inside
 * `run` (`await import(…)`), as the existing commands do.
 */
import type { CommandEntry } from '../command.js';

export const dbCommands: readonly CommandEntry[] = [
  { command: 'init', describe: 'Create the store (if missing), publish the starter templates it lacks, and show where it is', load: () => import('./init.js').then((m) => m.init) },
  { command: 'stats', describe: 'Counts of events, projects and workflow entries (read from counter rows, not scans)', load: () => import('./stats.js').then((m) => m.stats) },
  { command: 'project <command>', describe: 'Register, list, show, update, rename, remove, search and activate projects', load: () => import('./project.js').then((m) => m.project) },
  { command: 'history', describe: "A project's workflow history: `history <project>`, `history record <project> <action>`", load: () => import('./history.js').then((m) => m.history) },
  { command: 'log', describe: 'The raw event log, filtered by stream, type, seq or time', load: () => import('./log.js').then((m) => m.log) },
  { command: 'migrate', describe: 'Import the legacy JSON registry and workflow files into events (idempotent: only what is new)', load: () => import('./legacy.js').then((m) => m.migrate) },
  { command: 'export-json', describe: "Write the registry and each project's workflow file from the store, in the Python tool's format", load: () => import('./legacy.js').then((m) => m.exportJson) },
  { command: 'sync', describe: 'Hybrid mode: merge what the Python tool changed in the JSON files with the store, and write the result back (under its lock)', load: () => import('./legacy.js').then((m) => m.sync) },
  { command: 'config <command>', describe: 'Read and set ~/.pygubuai/config.json (storage_mode json|db|hybrid; other keys are kept)', load: () => import('./legacy.js').then((m) => m.config) },
  { command: 'dump <file>', describe: 'Write the event log (or part of it) as a portable dump; `-` writes to stdout', load: () => import('./dumps.js').then((m) => m.dump) },
  { command: 'load <file>', describe: 'Check a dump completely, then append its new events atomically; `-` reads stdin', load: () => import('./dumps.js').then((m) => m.load) },
  { command: 'backup <file>', describe: 'Write a consistent snapshot of the whole log, with a checksum (the store stays usable)', load: () => import('./dumps.js').then((m) => m.backup) },
  { command: 'restore <file>', describe: 'Replace the store with a backup: verified, built beside the old store, swapped in when complete', load: () => import('./dumps.js').then((m) => m.restore) },
  { command: 'rebuild [projection]', describe: 'Drop a projection (all when none named) and fold it again from the log', load: () => import('./maintenance.js').then((m) => m.rebuild) },
  { command: 'verify', describe: 'Replay the whole log into memory and compare with every stored view row and index key', load: () => import('./maintenance.js').then((m) => m.verify) },
  { command: 'compact', describe: 'Let LevelDB merge and shrink its files', load: () => import('./maintenance.js').then((m) => m.compact) },
  { command: 'serve', describe: 'Hold the store in one long-running server: the bins, the library and the Python client use it through a Unix socket', load: () => import('./server.js').then((m) => m.serve) },
  { command: 'server <command>', describe: 'The running server: status, stop, token', load: () => import('./server.js').then((m) => m.server) },
  { command: 'user <command>', describe: 'Accounts of the shared marketplace: add, list, remove, token', load: () => import('./user.js').then((m) => m.user) },
];
