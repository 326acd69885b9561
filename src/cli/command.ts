import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { setExitCode } from './host.js';
import { createContext, type CommandContext, type GlobalArgs } from './context.js';

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
      const ctx = createContext(argv as unknown as GlobalArgs);
      try {
        await spec.run(argv as never, ctx);
      } catch (err) {
        ctx.out.close();
        setExitCode(ctx.out.error(err));
      } finally {
        // A bar still running (its job threw) holds a timer: the process would never exit.
        ctx.out.close();
      }
    },
  } as CommandModule<GlobalArgs, A>;
}
