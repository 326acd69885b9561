/** Requests per second over the server's Unix socket with concurrent clients: project show, search, durable appends. */
import { Agent } from 'node:http';
import type { BenchContext, Scenario } from './lib/context.js';
import { throughput, type Figure } from './lib/measure.js';
import { withServer } from './lib/server-bench.js';
import { httpOverSocket, type ServerProcess } from './lib/server-process.js';

const CLIENTS = 16;

/** `total` requests spread over CLIENTS concurrent keep-alive connections. */
async function overSocket(server: ServerProcess, total: number, request: (i: number) => { method: string; path: string; body?: string }): Promise<Figure> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const socket = server.socket;
  let next = 0;
  try {
    return await throughput(total, () =>
      Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < total) {
            const r = request(next++);
            const a = await httpOverSocket(socket, { ...r, headers: r.body === undefined ? {} : { 'content-type': 'application/json' } }, agent);
            if (a.status >= 300) throw new Error(`${r.method} ${r.path} answered ${a.status}: ${a.body.toString('utf8').slice(0, 200)}`);
          }
        }),
      ),
    `${CLIENTS} concurrent keep-alive clients`);
  } finally {
    agent.destroy();
  }
}

/** The same operations through the library in this process (store opened durable), CLIENTS at a time. */
async function inProcess(ctx: BenchContext, total: number, op: (i: number) => Promise<unknown>): Promise<Figure> {
  let next = 0;
  return throughput(total, () => Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < total) await op(next++);
  })), `${CLIENTS} concurrent callers, in process`);
}

const entry = (i: number) => ({ action: 'file_changed', description: `served ${i}`, timestamp: new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString() });

export const serverRequests: Scenario = {
  name: 'server: requests/s',
  sizes: (ctx) => ctx.largest,
  async run(ctx) {
    const reads = ctx.iters(20_000, 2_000);
    const appends = ctx.iters(10_000, 1_000);
    const name = (i: number) => ctx.data[(i * 7919) % ctx.data.length]!.name;
    const word = (i: number) => ctx.data[(i * 104_729) % ctx.data.length]!.name.split(/[^a-z0-9]+/i)[0]!;
    const store = await ctx.reopenStore({ sync: true });
    const direct = {
      show: await inProcess(ctx, reads, (i) => store.views.projects.byName(name(i))),
      search: await inProcess(ctx, reads, (i) => store.views.projects.search(word(i), { limit: 10 })),
      append: await inProcess(ctx, appends, (i) => store.history.record(name(i), entry(i))),
    };
    const served = await withServer(ctx, async (server) => ({
      show: await overSocket(server, reads, (i) => ({ method: 'GET', path: `/v1/projects/${encodeURIComponent(name(i))}` })),
      search: await overSocket(server, reads, (i) => ({ method: 'GET', path: `/v1/projects-search?q=${encodeURIComponent(word(i))}&limit=10` })),
      append: await overSocket(server, appends, (i) => ({ method: 'POST', path: `/v1/projects/${encodeURIComponent(name(i))}/history`, body: JSON.stringify(entry(i)) })),
    }));
    const note = `over the Unix socket, ${CLIENTS} concurrent clients (store) vs the library in process (direct)`;
    ctx.record({ scenario: 'server: project show', size: ctx.size, kind: 'throughput', unit: 'requests/s', figures: { store: served.show, direct: direct.show }, note });
    ctx.record({ scenario: 'server: word search', size: ctx.size, kind: 'throughput', unit: 'requests/s', figures: { store: served.search, direct: direct.search }, note: `${note}; limit 10` });
    ctx.record({ scenario: 'server: durable appends', size: ctx.size, kind: 'throughput', unit: 'appends/s', figures: { store: served.append, direct: direct.append }, note: `${note}; each a history record, fsynced (group commit)` });
  },
};
