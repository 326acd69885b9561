/**
 * A path given to a script or generator on its command line. A value that looks like a flag
 * (`--help`, `-n`) is refused: taken as a path it once made a `--help/` directory of 1,001 files.
 * Put `./` in front of a file name that really starts with `-`.
 */
export function pathArg(value: string, what: string): string {
  if (value.startsWith('-')) {
    throw new Error(`${what} must be a path, not the flag-like ${JSON.stringify(value)} (write ./${value} for a name that starts with -)`);
  }
  if (value.trim() === '') throw new Error(`${what} must be a path, not an empty string`);
  return value;
}

/** `pathArg` for a script's main: print the one-line error and exit 2. */
export function pathArgOrExit(value: string, what: string): string {
  try {
    return pathArg(value, what);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message} (USAGE)\n`);
    process.exit(2);
  }
}
