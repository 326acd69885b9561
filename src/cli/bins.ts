import type { CommandEntry } from './command.js';

export type BinName = 'pygubu-db' | 'pygubu-template' | 'pygubu-analytics';
export const BIN_NAMES: readonly BinName[] = ['pygubu-db', 'pygubu-template', 'pygubu-analytics'];

const STORE = 'Store: --store DIR, else $PYGUBUAI_HOME/store, else ~/.pygubuai/store.';

export interface BinSpec {
  scriptName: string;
  describe: string;
  /** Descriptors only: a command's module is imported when that command runs (see db/index.ts). */
  commands: readonly CommandEntry[];
  epilogue?: string;
}

/** The three bins: what --help says, and their command descriptors. */
export async function binSpec(name: BinName): Promise<BinSpec> {
  switch (name) {
    case 'pygubu-db':
      return {
        scriptName: name,
        describe: 'The PygubuAI event store: projects, workflow history, the event log and its maintenance.',
        commands: (await import('./db/index.js')).dbCommands,
        epilogue: `${STORE} Every command with an example: docs/commands.md`,
      };
    case 'pygubu-template':
      return {
        scriptName: name,
        describe: 'The PygubuAI template marketplace: publish, search, install, rate and deprecate pygubu UI templates.',
        commands: (await import('./template/index.js')).templateCommands,
        epilogue: `${STORE} Every command with an example: docs/commands.md`,
      };
    case 'pygubu-analytics':
      return {
        scriptName: name,
        describe: 'Analytics over the PygubuAI store: widget usage and complexity from .ui scans, metric trends, command timings, export and an HTML report.',
        commands: (await import('./analytics/index.js')).analyticsCommands,
        epilogue: `${STORE} Every command with an example: docs/commands.md`,
      };
  }
}

/**
 * A bin's main, run directly on the store. The bins' loader (scripts/bin-loader.cjs) first hands the
 * command line to the store's server when one is up, from a small script of its own (remote-cli),
 * and calls this only when none answered, so a command a server answers never loads this bundle.
 */
export async function main(name: BinName): Promise<void> {
  const { runCli } = await import('./run.js');
  const spec = await binSpec(name);
  await runCli(spec);
}
