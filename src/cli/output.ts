import Table from 'cli-table3';
import pc from 'picocolors';
import { ERROR_CODES, fromLevelError, isStoreError } from '../errors.js';

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
}

/**
 * Everything a command prints goes through here: one JSON document with --json, aligned tables and
 * colour (TTY only) otherwise, progress bars on stderr for long jobs, and the one-line errors.
 */
export class Output {
  readonly colour: boolean;
  constructor(readonly options: OutputOptions) {
    this.colour = pc.isColorSupported && Boolean(process.stdout.isTTY);
  }

  get json(): boolean {
    return this.options.json;
  }

  /** The command's result: `doc` as JSON with --json, else whatever `human` prints. */
  result(doc: unknown, human: () => void): void {
    if (this.options.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else human();
  }

  line(text = ''): void {
    process.stdout.write(`${text}\n`);
  }

  /** Informational chatter: dropped by --quiet and by --json. */
  info(text: string): void {
    if (!this.options.quiet && !this.options.json) process.stdout.write(`${text}\n`);
  }

  warn(text: string): void {
    if (!this.options.quiet) process.stderr.write(`${this.paint('yellow', 'warning:')} ${text}\n`);
  }

  paint(colour: 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold', text: string): string {
    return this.colour ? pc[colour](text) : text;
  }

  table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, options: { empty?: string } = {}): void {
    if (rows.length === 0) {
      if (options.empty) this.line(this.paint('dim', options.empty));
      return;
    }
    const table = new Table({
      head: head.map((h) => this.paint('bold', h)),
      chars: {
        top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
        'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
      },
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
      wordWrap: false,
    });
    for (const row of rows) table.push(row.map((c) => (c === null || c === undefined ? '' : String(c))));
    this.line(table.toString().replace(/[ \t]+$/gm, ''));
  }

  /** Key/value lines for one record. */
  record(fields: ReadonlyArray<readonly [string, unknown]>): void {
    const width = Math.max(...fields.map(([k]) => k.length));
    for (const [k, v] of fields) this.line(`${this.paint('dim', k.padEnd(width))}  ${v === null || v === undefined ? '' : String(v)}`);
  }

  /**
   * A progress reporter for a job that may be long: the bar appears on a TTY only once the job has
   * run for a second, never with --json or --quiet.
   */
  progress(label: string): ProgressReporter {
    const enabled = !this.options.quiet && !this.options.json && Boolean(process.stderr.isTTY);
    const started = Date.now();
    let bar: import('cli-progress').SingleBar | undefined;
    let loading = false;
    let finished = false;
    const report = (done: number, total: number) => {
      if (!enabled || finished) return;
      if (bar) {
        bar.setTotal(Math.max(total, 1));
        bar.update(done);
        return;
      }
      if (loading || Date.now() - started < 1000) return;
      loading = true;
      void import('cli-progress').then((mod) => {
        if (finished) return; // the job ended while the module loaded: no bar, no timer left behind
        const cp = (mod as unknown as { default?: typeof import('cli-progress') }).default ?? mod;
        bar = new cp.SingleBar(
          { format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta}s`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
          cp.Presets.shades_classic,
        );
        bar.start(Math.max(total, 1), done);
      });
    };
    report.done = () => {
      finished = true;
      bar?.stop();
      this.reporters.delete(report);
    };
    this.reporters.add(report);
    return report;
  }

  /** Stop every progress bar still running (the command ended, perhaps by an error). */
  close(): void {
    for (const r of [...this.reporters]) r.done();
  }

  private readonly reporters = new Set<ProgressReporter>();

  /** `error: <message> (<CODE>)` on stderr, a hint below it; with --json also a JSON error document. */
  error(err: unknown): number {
    const { code, message, hint, exit } = describeError(err);
    if (this.options.json) process.stdout.write(`${JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } }, null, 2)}\n`);
    process.stderr.write(`${this.paint('red', 'error:')} ${message} (${code})\n`);
    if (hint) process.stderr.write(`  hint: ${hint}\n`);
    if (code === 'INTERNAL' && process.env.PYGUBUAI_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return exit;
  }
}

export interface ProgressReporter {
  (done: number, total: number): void;
  done(): void;
}

export function describeError(failure: unknown): { code: string; message: string; hint?: string; exit: number } {
  const err = fromLevelError(failure);
  if (isStoreError(err)) {
    return { code: String(err.code), message: err.message, ...(err.hint ? { hint: err.hint } : {}), exit: 1 };
  }
  if (err instanceof UsageError) return { code: err.code, message: err.message, hint: err.hint, exit: 2 };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message, hint: 'this is a bug; rerun with PYGUBUAI_DEBUG=1 for the stack trace', exit: 1 };
}

/** Wrong arguments: exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint = 'see --help',
    readonly code: string = 'USAGE',
  ) {
    super(message);
  }
}

export const KNOWN_CODES = Object.keys(ERROR_CODES);
