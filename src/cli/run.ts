import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BinSpec } from './bins.js';
import { fastParse } from './fast-args.js';
import { Output, UsageError } from './output.js';

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

/** A bin: parse, dispatch to one command module, exit. Usage errors exit 2, Ctrl-C 130. */
export async function runCli(spec: BinSpec): Promise<void> {
  const raw = process.argv.slice(2);
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
  // The common line runs without yargs (see fast-args.ts); yargs parses the rest: help, errors, completion.
  const fast = await fastParse(spec, rawArgv);
  if (fast !== undefined) {
    await fast.handler(fast.argv as never);
    return;
  }
  // what yargs prints for a lone --version, without loading it
  if (rawArgv.length === 1 && rawArgv[0] === '--version') {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  const { parseWithYargs } = await import('./yargs-cli.js');
  await parseWithYargs(spec, rawArgv, { ...options, early });
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
