/** Subscription latency: from sending an append to the server until its event arrives on an SSE stream. */
import { request } from 'node:http';
import { Agent } from 'node:http';
import type { Scenario } from './lib/context.js';
import { quantile } from './lib/measure.js';
import { withServer } from './lib/server-bench.js';
import { httpOverSocket } from './lib/server-process.js';

export const serverSubscribe: Scenario = {
  name: 'server: subscription latency',
  sizes: (ctx) => ctx.largest,
  async run(ctx) {
    const n = ctx.iters(2000, 200);
    const name = ctx.data[0]!.name;
    const { delivery, ack } = await withServer(ctx, async (server) => {
      const waiting = new Map<string, (t: number) => void>();
      const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const r = request({ socketPath: server.socket, path: '/v1/subscribe?types=workflow.recorded', headers: { accept: 'text/event-stream' } }, resolve);
        r.on('error', reject);
        r.end();
      });
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const now = performance.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const description = (JSON.parse(data.slice(6)) as { data: { description: string } }).data.description;
          waiting.get(description)?.(now);
        }
      });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const deliveries: number[] = [];
      const acks: number[] = [];
      for (let i = 0; i < n + 20; i++) {
        const description = `latency ${i}`;
        const arrived = new Promise<number>((resolve) => waiting.set(description, resolve));
        const t0 = performance.now();
        const a = await httpOverSocket(server.socket, { method: 'POST', path: `/v1/projects/${encodeURIComponent(name)}/history`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'build', description }) }, agent);
        const tAck = performance.now();
        if (a.status !== 201) throw new Error(`append answered ${a.status}`);
        const t1 = await arrived;
        waiting.delete(description);
        if (i >= 20) {
          deliveries.push(t1 - t0);
          acks.push(tAck - t0);
        }
      }
      agent.destroy();
      stream.destroy();
      return { delivery: deliveries.sort((x, y) => x - y), ack: acks.sort((x, y) => x - y) };
    });
    const fig = (t: number[]) => ({ p50: quantile(t, 0.5), p99: quantile(t, 0.99), ops: 1000 / (t.reduce((a, b) => a + b, 0) / t.length), n: t.length });
    ctx.record({
      scenario: 'server: append → SSE delivery',
      size: ctx.size,
      kind: 'latency',
      unit: 'event',
      figures: { store: fig(delivery), direct: fig(ack) },
      note: 'store: from sending a durable append over the socket to its event arriving on a /v1/subscribe stream; direct row: the same append until its HTTP answer (acknowledged)',
    });
  },
};
