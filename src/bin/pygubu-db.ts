#!/usr/bin/env node
import { dbCommands } from '../cli/db/index.js';
import { runCli } from '../cli/run.js';

await runCli(
  'pygubu-db',
  'The PygubuAI event store: projects, workflow history, the event log and its maintenance.',
  dbCommands as never,
  'Store: --store DIR, else $PYGUBUAI_HOME/store, else ~/.pygubuai/store. Every command with an example: docs/commands.md',
);
