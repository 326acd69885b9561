#!/usr/bin/env node
import { analyticsCommands } from '../cli/analytics/index.js';
import { runCli } from '../cli/run.js';

await runCli(
  'pygubu-analytics',
  'Analytics over the PygubuAI store: widget usage and complexity from .ui scans, metric trends, command timings, export and an HTML report.',
  analyticsCommands as never,
  'Store: --store DIR, else $PYGUBUAI_HOME/store, else ~/.pygubuai/store. Every command with an example: docs/commands.md',
);
