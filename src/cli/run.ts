import { readFileSync } from 'node:fs';
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
  const bad = argumentNotUtf8(argv);
  if (bad !== undefined) {
    new Output({ json: wantsJson, quiet: false }).error(
      new UsageError(
        `argument ${JSON.stringify(bad)} is not valid UTF-8; it would be stored with U+FFFD in place of its bytes`,
        'pass names, paths and text as UTF-8; nothing was changed',
        'ARGUMENT_NOT_UTF8',
      ),
    );
    process.exit(2);
  }
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

/**
 * Node decodes argv as UTF-8 and turns invalid bytes into U+FFFD silently. On Linux the raw bytes
 * are in /proc/self/cmdline, so exactly the arguments with invalid bytes are refused (a real
 * U+FFFD typed as UTF-8 passes); elsewhere any argument holding U+FFFD is refused.
 */
function argumentNotUtf8(argv: readonly string[]): string | undefined {
  let raw: Buffer | undefined;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    raw = undefined;
  }
  if (raw === undefined || raw.length === 0) return argv.find((a) => a.includes('\uFFFD'));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: Buffer[] = [];
  for (let start = 0; start < raw.length; ) {
    let end = raw.indexOf(0, start);
    if (end === -1) end = raw.length;
    parts.push(raw.subarray(start, end));
    start = end + 1;
  }
  for (const part of parts.slice(1)) {
    try {
      decoder.decode(part);
    } catch {
      return part.toString('utf8');
    }
  }
  return undefined;
}
