import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Output, UsageError } from './output.js';
import { setExitCode } from './host.js';

import type { BinSpec } from './bins.js';
import { lazyCommand } from './command.js';

/** A usage error already printed: parsing stops there. */
class UsageHandled extends Error {}

/**
 * yargs takes a lone `-` for an option, not a value (`--out -` fails with "Unknown argument: -"),
 * so every lone `-` is swapped for this token before parsing and back in the parsed arguments.
 */
export const DASH = '\u0000-';

/** The version in this package's own package.json (not the one nearest the current directory). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pygubuai-store' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

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

/** A bin: parse, dispatch to one command module, exit. Usage errors exit 2, Ctrl-C 130. */
export async function runCli(spec: BinSpec): Promise<void> {
  const raw = hideBin(process.argv);
  const early = earlyOutput(raw);
  // A reader that stops early (`| head`) closes the pipe: that ends the command, it is no error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      process.exit(early().error(err));
    });
  }
  // Ctrl-C: every write is one atomic batch and an interrupted restore is put right on the next
  // open, so stopping at once is safe; 128 + SIGINT is what shells expect.
  process.on('SIGINT', () => {
    if (process.stderr.isTTY) process.stderr.write('\x1b[?25h'); // a progress bar may have hidden the cursor
    process.exit(130);
  });
  await parseCommandLine(spec, raw, { exitProcess: true });
}

const earlyOutput = (argv: readonly string[]) => {
  const wantsJson = argv.includes('--json');
  const colourFlag = argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined;
  return () => new Output({ json: wantsJson, quiet: false, ...(colourFlag !== undefined ? { color: colourFlag } : {}) });
};

/**
 * Parse one command line and run its command. With `exitProcess: false` (the server running a
 * bin's command) nothing exits the process: usage errors set exit code 2 instead.
 */
export async function parseCommandLine(spec: BinSpec, rawArgv: string[], options: { exitProcess: boolean }): Promise<void> {
  const argv = rawArgv.map((a) => (a === '-' ? DASH : a));
  const early = earlyOutput(rawArgv);
  // Checked in the bin's own process (its /proc/self/cmdline); the server runs only commands a bin sent.
  const bad = options.exitProcess ? argumentNotUtf8(rawArgv) : undefined;
  if (bad !== undefined) {
    early().error(
      new UsageError(
        `argument ${JSON.stringify(bad)} is not valid UTF-8; it would be stored with U+FFFD in place of its bytes`,
        'pass names, paths and text as UTF-8; nothing was changed',
        'ARGUMENT_NOT_UTF8',
      ),
    );
    process.exit(2);
  }
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
