#!/usr/bin/env node
import { runCli } from '../cli/run.js';
import { templateCommands } from '../cli/template/index.js';

await runCli(
  'pygubu-template',
  'The PygubuAI template marketplace: publish, search, install, rate and deprecate pygubu UI templates.',
  templateCommands as never,
  'Store: --store DIR, else $PYGUBUAI_HOME/store, else ~/.pygubuai/store. Every command with an example: docs/commands.md',
);
