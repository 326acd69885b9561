/**
 * The full command-line parser: yargs, for every line the fast parser (fast-args.ts) leaves to it —
 * help, completion, usage errors and anything unusual. Loaded only then.
 */
import yargs from 'yargs';
import type { BinSpec } from './bins.js';
import { lazyCommand } from './command.js';
import { setExitCode } from './host.js';
import { UsageError, type Output } from './output.js';
import { packageVersion } from './run.js';

/** A usage error already printed: parsing stops there. */
class UsageHandled extends Error {}

/**
 * yargs takes a lone `-` for an option, not a value (`--out -` fails with "Unknown argument: -"),
 * so every lone `-` is swapped for this token before parsing and back in the parsed arguments.
 */
export const DASH = '\u0000-';

/** Turn the parsed `DASH` tokens back into `-`. */
export function undash<T extends Record<string, unknown>>(argv: T): T {
  for (const [k, v] of Object.entries(argv)) {
    if (v === DASH) (argv as Record<string, unknown>)[k] = '-';
    else if (Array.isArray(v)) (argv as Record<string, unknown>)[k] = v.map((x) => (x === DASH ? '-' : x));
  }
  return argv;
}

/** A yargs failure as one line: what is wrong, in which command, and where its --help is. */
export function usageMessage(scriptName: string, message: string, usage: string | undefined): string {
  const cmd = (usage ?? '$0').split('\n')[0]!.replace(/^\$0/, scriptName);
  const words = cmd.split(' ');
  const path = words.filter((w) => /^[a-z][\w-]*$/.test(w)).join(' ') || scriptName;
  const required = words.filter((w) => /^<[^>]+>$/.test(w));
  const help = `see \`${path} --help\``;
  const text = message.replaceAll(DASH, '-');
  const few = /^Not enough non-option arguments: got (\d+)/.exec(text);
  if (few) {
    const missing = required.slice(Number(few[1]));
    if (missing.length > 0) return `\`${path}\` needs ${missing.join(' ')}; ${help}`;
    return `\`${path}\` needs a subcommand; ${help}`;
  }
  const req = /^Missing required arguments?: (.+)$/.exec(text);
  if (req) return `\`${path}\` needs ${(req[1] ?? '').split(', ').map((a) => (required.includes(`<${a}>`) ? `<${a}>` : `--${a}`)).join(' ')}; ${help}`;
  return `${path}: ${text.replace(/\n+/g, '; ')}; ${help}`;
}

/** Parse `rawArgv` with yargs and run its command (see parseCommandLine in run.ts). */
export async function parseWithYargs(spec: BinSpec, rawArgv: readonly string[], options: { exitProcess: boolean; early: () => Output }): Promise<void> {
  const argv = rawArgv.map((a) => (a === '-' ? DASH : a));
  const { early } = options;
  let cli = yargs(argv)
    .scriptName(spec.scriptName)
    .usage(`$0 <command> [options]\n\n${spec.describe}`)
    .option('store', { type: 'string', describe: 'store directory (default: $PYGUBUAI_HOME/store, ~/.pygubuai/store)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only results and errors', global: true })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'answer yes to confirmation prompts', global: true })
    .option('color', { type: 'boolean', describe: 'colour on/off (default: on a terminal; NO_COLOR, FORCE_COLOR)', global: true })
    .option('server', { type: 'boolean', default: true, describe: 'use the running server of the store if there is one (--no-server: open the store directly)', global: true })
    .middleware((a) => undash(a as Record<string, unknown>) as never, true)
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .completion('completion', 'Print a bash/zsh completion script (add it to ~/.bashrc or ~/.zshrc)')
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .exitProcess(options.exitProcess)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, err, usage) => {
      if (err) throw err;
      const first = (usage as unknown as { getUsage?: () => Array<[string, string]> }).getUsage?.()[0]?.[0];
      early().error(new UsageError(usageMessage(spec.scriptName, message ?? 'wrong arguments', first), ''));
      if (options.exitProcess) process.exit(2);
      setExitCode(2);
      throw new UsageHandled(message);
    });
  for (const c of spec.commands) cli = cli.command(lazyCommand(c) as never);
  if (spec.epilogue) cli = cli.epilogue(spec.epilogue);
  // Once a command's handler has started, yargs renders that command's whole --help text (wrapped,
  // every string measured for width) just to cache it for a later showHelp(). Nothing here shows
  // help after a handler started (usage errors come through .fail above), and the rendering cost a
  // read command about a tenth of its start: skip it. --help itself renders as before.
  const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.()
    .getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
  try {
    await cli.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageHandled)) throw err;
  }
}

