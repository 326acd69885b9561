import Table from 'cli-table3';
import pc from 'picocolors';
import { ERROR_CODES } from '../errors.js';
import { describeError, UsageError } from './failure.js';

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  /** --color / --no-color; undefined: decide per stream from FORCE_COLOR, NO_COLOR and the TTY. */
  color?: boolean | undefined;
}

type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold';
const painter = pc.createColors(true);

/**
 * Whether to colour what goes to one stream: --color/--no-color first, then FORCE_COLOR (set and
 * not 0/false: on), then NO_COLOR (set and not empty: off), then whether that stream is a terminal.
 */
export function colourFor(stream: { isTTY?: boolean }, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

/**
 * Everything a command prints goes through here: one JSON document with --json, aligned tables and
 * colour (TTY only) otherwise, progress bars on stderr for long jobs, and the one-line errors.
 */
export class Output {
  /** Colour on stdout, and on stderr: decided per stream. */
  readonly colour: boolean;
  readonly colourErr: boolean;
  constructor(readonly options: OutputOptions) {
    this.colour = colourFor(process.stdout, options.color);
    this.colourErr = colourFor(process.stderr, options.color);
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
    if (!this.options.quiet) process.stderr.write(`${this.paintErr('yellow', 'warning:')} ${text}\n`);
  }

  /** Colour for text going to stdout. */
  paint(colour: Colour, text: string): string {
    return this.colour ? painter[colour](text) : text;
  }

  /** Colour for text going to stderr. */
  paintErr(colour: Colour, text: string): string {
    return this.colourErr ? painter[colour](text) : text;
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
    process.stderr.write(`${this.paintErr('red', 'error:')} ${message} (${code})\n`);
    if (hint) process.stderr.write(`  hint: ${hint}\n`);
    if (code === 'INTERNAL' && process.env.PYGUBUAI_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return exit;
  }
}

export interface ProgressReporter {
  (done: number, total: number): void;
  done(): void;
}

export { describeError, UsageError } from './failure.js';

export const KNOWN_CODES = Object.keys(ERROR_CODES);
