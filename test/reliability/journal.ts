import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';

/** Ends every complete record: a line without it was torn by a kill and is not a record. */
const END = '$';

/**
 * The side file a torture child keeps: `A <token>` before it asks the store for a write, `K <token>`
 * after the store acknowledged it, `B <t1,t2,…>` for a batch that must land whole or not at all.
 * Every line is fsynced before the child moves on, so what the driver reads after a SIGKILL is
 * exactly what the child knew.
 */
export class Journal {
  private readonly fd: number;

  constructor(readonly path: string) {
    // a SIGKILL can cut a long write() short: end a torn last line so the next record starts afresh
    const torn = existsSync(path) && statSync(path).size > 0 && !readFileSync(path).subarray(-1).equals(Buffer.from('\n'));
    this.fd = openSync(path, 'a');
    if (torn) writeSync(this.fd, '\n');
  }

  private write(line: string): void {
    writeSync(this.fd, `${line} ${END}\n`);
    fsyncSync(this.fd);
  }

  /** Before a write; `atomic` (default for several tokens): they must land all together or not at all. */
  attempted(tokens: readonly string[], atomic = tokens.length > 1): void {
    this.write(`A ${tokens.join(',')}`);
    if (atomic) this.write(`B ${tokens.join(',')}`);
  }

  acknowledged(tokens: readonly string[]): void {
    this.write(`K ${tokens.join(',')}`);
  }

  /** Events the driver wrote itself (setup): allowed in the store, never attempted by a child. */
  seeded(tokens: readonly string[]): void {
    if (tokens.length > 0) this.write(`S ${tokens.join(',')}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface JournalState {
  attempted: Set<string>;
  acknowledged: Set<string>;
  seeded: Set<string>;
  batches: string[][];
}

export function readJournal(path: string): JournalState {
  const state: JournalState = { attempted: new Set(), acknowledged: new Set(), seeded: new Set(), batches: [] };
  if (!existsSync(path)) return state;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    // a kill can cut a long write() short (the kernel stops copying at a fatal signal): a torn
    // line lacks the end mark, and for an attempt it means the write was never asked for
    if (line.length < 5 || line[1] !== ' ' || !line.endsWith(` ${END}`)) continue;
    const tokens = line.slice(2, -END.length - 1).split(',').filter(Boolean);
    const kind = line[0];
    if (kind === 'A') tokens.forEach((t) => state.attempted.add(t));
    else if (kind === 'K') tokens.forEach((t) => state.acknowledged.add(t));
    else if (kind === 'S') tokens.forEach((t) => state.seeded.add(t));
    else if (kind === 'B') state.batches.push(tokens);
  }
  return state;
}
