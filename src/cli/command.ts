import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { setExitCode } from './host.js';
import { createContext, type CommandContext, type GlobalArgs } from './context.js';
import { UsageError } from './output.js';

/**
 * @internal test/fast-args.test.ts sets `capture` to receive a command's parsed arguments instead
 * of running it, so the two parsers' results can be compared without touching a store.
 */
export const parsedArguments: { capture?: ((argv: Record<string, unknown>) => void) | undefined } = {};

/**
 * One CLI command: its yargs spec, and a `run` that gets parsed arguments and a context.
 * Errors thrown by `run` become one `error: … (CODE)` line and exit code 1 (2 for usage errors).
 */
export function command<A = object>(spec: {
  command: string | readonly string[];
  describe: string;
  builder?: (y: Argv<GlobalArgs>) => Argv<A>;
  run: (argv: ArgumentsCamelCase<A & GlobalArgs>, ctx: CommandContext) => Promise<void>;
}): CommandModule<GlobalArgs, A> {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: (spec.builder ?? ((y: Argv<GlobalArgs>) => y)) as never,
    handler: async (argv) => {
      if (parsedArguments.capture) {
        parsedArguments.capture(argv as Record<string, unknown>);
        return;
      }
      const ctx = createContext(argv as unknown as GlobalArgs);
      try {
        await spec.run(argv as never, ctx);
      } catch (err) {
        ctx.out.close();
        if (err instanceof UsageError && !err.hint) {
          const a = argv as { $0?: string; _?: unknown[] };
          err.hint = `see \`${[a.$0 ?? '', ...(a._ ?? []).map(String)].join(' ').trim()} --help\``;
        }
        setExitCode(ctx.out.error(err));
      } finally {
        // A bar still running (its job threw) holds a timer: the process would never exit.
        ctx.out.close();
      }
    },
  } as CommandModule<GlobalArgs, A>;
}

/**
 * What a bin's --help lists for one top-level command, and where its module is. The parsers see
 * only this descriptor (no builder work, no imports) until the command runs or its `--help` is
 * asked for: then `load` imports the module and its builder and handler take over. `command` and `describe`
 * must match the loaded module's (test/cli-conventions.test.ts checks every descriptor).
 */
export interface CommandEntry {
  command: string | readonly string[];
  describe: string;
  load: () => Promise<LoadedCommand>;
}

/** Any command module, whatever its arguments' type. */
export interface LoadedCommand {
  command?: string | readonly string[] | undefined;
  describe?: string | false | undefined;
  builder?: unknown;
  handler: (argv: never) => void | Promise<void>;
}

/** A descriptor as a yargs command whose builder (async: yargs awaits it) loads the real module. */
export function lazyCommand(entry: CommandEntry): CommandModule<GlobalArgs, never> {
  let loaded: Promise<LoadedCommand> | undefined;
  const load = () => (loaded ??= entry.load());
  return {
    command: entry.command as string | string[],
    describe: entry.describe,
    builder: async (y: Argv<GlobalArgs>) => {
      const { builder } = await load();
      return (typeof builder === 'function' ? (builder as (y: Argv<GlobalArgs>) => Argv<GlobalArgs>)(y) : y) as never;
    },
    handler: async (argv) => {
      await (await load()).handler(argv as never);
    },
  };
}
