import type { StoredEvent } from '../../log/envelope.js';
import { normaliseAt } from '../../log/envelope.js';
import type { Store } from '../../store.js';
import { command } from '../command.js';
import { UsageError } from '../output.js';

interface LogFilter {
  stream?: string;
  type?: string;
  from?: number;
  since?: string;
  limit?: number;
}

/** Read through the most selective index for the filters given, then apply the rest. */
async function readLog(store: Store, f: LogFilter): Promise<StoredEvent[]> {
  const limit = f.limit ?? Infinity;
  const keep = (e: StoredEvent) =>
    (f.stream === undefined || e.stream === f.stream) &&
    (f.type === undefined || e.type === f.type) &&
    (f.from === undefined || e.seq >= f.from) &&
    (f.since === undefined || e.at >= f.since);
  let candidates: StoredEvent[] | AsyncIterable<StoredEvent>;
  if (f.stream !== undefined) candidates = await store.log.readStream(f.stream);
  else if (f.type !== undefined) {
    // With no time filter every event of the type is kept, so the index read can stop at the limit.
    const bounded = f.since === undefined && f.limit !== undefined ? { limit: f.limit } : {};
    candidates = await store.log.readByType(f.type, { ...(f.from === undefined ? {} : { fromSeq: f.from }), ...bounded });
  }
  else if (f.since !== undefined && f.from === undefined) {
    candidates = (await store.log.readByTime({ since: f.since })).sort((a, b) => a.seq - b.seq);
  } else candidates = store.log.readAll(f.from === undefined ? {} : { fromSeq: f.from });
  const out: StoredEvent[] = [];
  for await (const e of candidates) {
    if (!keep(e)) continue;
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}

export const log = command({
  command: 'log',
  describe: 'The raw event log, filtered by stream, type, seq or time',
  builder: (y) =>
    y
      .option('stream', { type: 'string', describe: 'only this stream, e.g. project-<id>' })
      .option('type', { type: 'string', describe: 'only this event type, e.g. project.registered' })
      .option('from', { type: 'number', describe: 'from this seq on' })
      .option('since', { type: 'string', describe: 'events at or after this ISO-8601 time' })
      .option('limit', { alias: 'n', type: 'number', describe: 'at most this many events' })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'keep printing new events (woken by the server when one is up; else polls, releasing the lock between polls)' })
      .option('interval', { type: 'number', default: 500, describe: 'poll interval in ms for --follow' })
      .example('$0 log --type project.registered -n 5', 'the first five registrations')
      .example('$0 log --follow --json | jq .type', 'stream new events as JSON lines'),
  run: async (argv, ctx) => {
    const since = argv.since === undefined ? undefined : normaliseAt(argv.since);
    if (argv.since !== undefined && since === undefined) throw new UsageError(`--since takes an ISO-8601 time, not ${JSON.stringify(argv.since)}`);
    const filter: LogFilter = {
      ...(argv.stream !== undefined ? { stream: argv.stream } : {}),
      ...(argv.type !== undefined ? { type: argv.type } : {}),
      ...(argv.from !== undefined ? { from: argv.from } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(argv.limit !== undefined ? { limit: argv.limit } : {}),
    };
    const printHuman = (events: StoredEvent[], head = true) =>
      ctx.out.table(
        head ? ['SEQ', 'AT', 'TYPE', 'STREAM', 'VER', 'DATA'] : [],
        events.map((e) => [e.seq, e.at, e.type, e.stream, e.version, clip(JSON.stringify(e.data))]),
        argv.follow ? {} : { empty: 'no events' },
      );
    if (!argv.follow) {
      const events = await ctx.withStore((store) => readLog(store, filter), { readOnly: true });
      ctx.out.result(events, () => printHuman(events));
      return;
    }
    // --follow: one JSON line per event. Without a server the store is opened only briefly for each
    // poll; through one, the server's writer wakes the subscription as each batch is durable.
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    const keep = (e: StoredEvent) =>
      (filter.stream === undefined || e.stream === filter.stream) &&
      (filter.type === undefined || e.type === filter.type) &&
      (filter.since === undefined || e.at >= filter.since);
    const events = ctx.follow({ fromSeq: filter.from ?? 1, signal: stop.signal, intervalMs: argv.interval }, (store, from) =>
      readLog(store, { ...filter, from, limit: 10_000 }),
    );
    let first = true;
    for await (const e of events) {
      if (!keep(e)) continue;
      if (ctx.out.json) process.stdout.write(`${JSON.stringify(e)}\n`);
      else printHuman([e], first);
      first = false;
    }
  },
});

const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
