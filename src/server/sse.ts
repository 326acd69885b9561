import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { LogSubscription } from '../log/subscribe.js';
import type { StoreHolder } from './holder.js';
import type { StoredEvent } from '../log/envelope.js';

/** Bytes queued for one subscriber before the server stops reading the log for it (documented limit). */
export const SUBSCRIPTION_BUFFER_BYTES = 256 * 1024;

/**
 * Follow the held store's log from `fromSeq`, across restores (the holder swaps the store), until
 * `signal` aborts or the server stops. A subscription reads events back from the log, so nothing
 * but the page being read is held for a consumer.
 */
export async function* followHeld(holder: StoreHolder, options: Omit<LogSubscription, 'signal'>, signal: AbortSignal): AsyncGenerator<StoredEvent> {
  let next = options.fromSeq ?? holder.head + 1;
  while (!signal.aborted) {
    let store;
    try {
      store = await holder.current();
    } catch {
      return; // stopping
    }
    const inner = AbortSignal.any([signal, holder.generation]);
    try {
      for await (const event of store.subscribe({ ...options, fromSeq: next, signal: inner })) {
        next = event.seq + 1;
        yield event;
      }
    } catch (err) {
      if (!inner.aborted) throw err; // a read cut short by a swap is simply started again
    }
  }
}

/** The open subscriptions of this process: what GET /v1/server reports. */
export const openSubscriptions = new Set<{ readonly res: ServerResponse; next: number; limit: number }>();

const waitDrain = (res: ServerResponse, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });

/** GET /v1/subscribe: Server-Sent Events, `id:` the seq, resumable with Last-Event-ID. */
export async function streamSubscription(
  req: FastifyRequest,
  reply: FastifyReply,
  holder: StoreHolder,
  options: Omit<LogSubscription, 'signal'>,
  bufferBytes = SUBSCRIPTION_BUFFER_BYTES,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const stop = new AbortController();
  const onClose = () => stop.abort();
  res.on('close', onClose);
  res.write(`retry: 1000\n: subscribed at head ${holder.head}\n\n`);
  const entry = { res, next: options.fromSeq ?? holder.head + 1, limit: bufferBytes };
  openSubscriptions.add(entry);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  try {
    for await (const event of followHeld(holder, options, stop.signal)) {
      entry.next = event.seq + 1;
      res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      // Back-pressure: past the limit, stop reading the log until the client has taken some.
      while (res.writableLength > bufferBytes && !stop.signal.aborted) await waitDrain(res, stop.signal);
      if (stop.signal.aborted) break;
    }
  } catch (err) {
    if (!res.destroyed) res.write(`event: error\ndata: ${JSON.stringify({ error: { code: (err as { code?: string }).code ?? 'INTERNAL', message: (err as Error).message } })}\n\n`);
  } finally {
    clearInterval(heartbeat);
    openSubscriptions.delete(entry);
    res.off('close', onClose);
    if (!res.destroyed) res.end();
  }
}
