import { fuzzLoad } from './fuzz-dumps.js';
import { fuzzMigrate } from './fuzz-legacy.js';
import { fuzzLoadEvents, fuzzRestoreEvents } from './fuzz-ways-in.js';
import { fuzzCli, fuzzEventPayloads, fuzzProjectCommands, fuzzScanner, fuzzTemplates, type FuzzFigures, type FuzzOptions } from './fuzz-targets.js';

/** Every fuzz target; `spawns` ones start a process per case and run fewer cases. */
export interface FuzzTarget {
  name: string;
  spawns?: boolean;
  run(options: FuzzOptions): Promise<FuzzFigures>;
}

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  { name: 'events', run: fuzzEventPayloads },
  { name: 'commands', run: fuzzProjectCommands },
  { name: 'cli', spawns: true, run: fuzzCli },
  { name: 'scanner', run: fuzzScanner },
  { name: 'templates', run: fuzzTemplates },
  { name: 'load', run: fuzzLoad },
  { name: 'migrate', run: fuzzMigrate },
  { name: 'load-events', run: fuzzLoadEvents },
  { name: 'restore-events', run: fuzzRestoreEvents },
];
