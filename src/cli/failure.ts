import { fromLevelError, isStoreError } from '../errors.js';

// A failure as the CLI and the server report it. Kept apart from output.ts (tables, colours) so
// the library's server and client can use it without the CLI's packages.

export function describeError(failure: unknown): { code: string; message: string; hint?: string; exit: number } {
  const err = fromLevelError(failure);
  if (isStoreError(err)) {
    return { code: String(err.code), message: err.message, ...(err.hint ? { hint: err.hint } : {}), exit: 1 };
  }
  // Usage errors are one line: where to look goes into the message.
  if (err instanceof UsageError) return { code: err.code, message: err.hint ? `${err.message}; ${err.hint}` : err.message, exit: 2 };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message, hint: 'this is a bug; rerun with PYGUBUAI_DEBUG=1 for the stack trace', exit: 1 };
}

/** Wrong arguments: exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    public hint = '',
    readonly code: string = 'USAGE',
  ) {
    super(message);
  }
}

