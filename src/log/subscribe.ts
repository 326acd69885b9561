import type { StoredEvent } from './envelope.js';
import type { EventLog } from './event-log.js';

export interface LogSubscription {
  /** First seq to deliver; default: the first event appended after the call. */
  fromSeq?: number;
  types?: readonly string[];
  streams?: readonly string[];
  signal?: AbortSignal;
}

/**
 * The log's events from `fromSeq` on, then each new batch the moment it is durable: the writer
 * wakes the waiting reader (no polling). Events are read back from the log, never queued in memory,
 * so a slow consumer only holds the one page it is reading: the pull is the back-pressure.
 */
export async function* subscribeLog(log: EventLog, options: LogSubscription = {}): AsyncGenerator<StoredEvent> {
  const { signal } = options;
  const types = options.types && options.types.length > 0 ? new Set(options.types) : undefined;
  const streams = options.streams && options.streams.length > 0 ? new Set(options.streams) : undefined;
  let next = Math.max(1, options.fromSeq ?? log.head + 1);
  let wake: (() => void) | undefined;
  let moved = false;
  const stop = log.onDurable(() => {
    moved = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      moved = false;
      const head = log.head;
      if (next <= head) {
        for await (const event of log.readAll({ fromSeq: next, toSeq: head })) {
          next = event.seq + 1;
          if (types && !types.has(event.type)) continue;
          if (streams && !streams.has(event.stream)) continue;
          yield event;
          if (signal?.aborted) return;
        }
        next = Math.max(next, head + 1);
        continue;
      }
      if (moved) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (moved || signal?.aborted) resolve();
      });
      wake = undefined;
    }
  } finally {
    stop();
    signal?.removeEventListener('abort', onAbort);
  }
}
