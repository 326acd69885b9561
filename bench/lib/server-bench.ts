import { join } from 'node:path';
import type { BenchContext } from './context.js';
import { ServerProcess } from './server-process.js';

/** Run `work` with `pygubu-db serve` holding the bench store (the in-process store is closed meanwhile). */
export async function withServer<T>(ctx: BenchContext, work: (server: ServerProcess) => Promise<T>): Promise<T> {
  await ctx.closeStore();
  const server = await ServerProcess.start(ctx.storeLocation, join(ctx.dir, 'home'));
  try {
    return await work(server);
  } finally {
    const code = await server.stop();
    await ctx.reopenStore({});
    if (code !== 0) throw new Error(`pygubu-db serve exited ${code}: ${server.output.slice(-1000)}`);
  }
}
