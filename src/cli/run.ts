import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Output, UsageError } from './output.js';
import type { GlobalArgs } from './context.js';

/** A bin: parse, dispatch to one command module, exit. Usage errors exit 2. */
export async function runCli(
  scriptName: string,
  describe: string,
  commands: ReadonlyArray<CommandModule<GlobalArgs, never>>,
  epilogue?: string,
): Promise<void> {
  // A reader that stops early (`| head`) closes the pipe: that ends the command, it is no error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      process.exit(new Output({ json: false, quiet: false }).error(err));
    });
  }
  const argv = hideBin(process.argv);
  const wantsJson = argv.includes('--json');
  let cli = yargs(argv)
    .scriptName(scriptName)
    .usage(`$0 <command> [options]\n\n${describe}`)
    .option('store', { type: 'string', describe: 'store directory (default: $PYGUBUAI_HOME/store, ~/.pygubuai/store)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only results and errors', global: true })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'answer yes to confirmation prompts', global: true })
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, err) => {
      if (err) throw err;
      new Output({ json: wantsJson, quiet: false }).error(new UsageError(message, `run \`${scriptName} --help\` for usage`));
      process.exit(2);
    });
  for (const c of commands) cli = cli.command(c as CommandModule);
  if (epilogue) cli = cli.epilogue(epilogue);
  await cli.parseAsync();
}
