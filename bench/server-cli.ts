/** A CLI read as a whole process: through a warm `pygubu-db serve`, opening the store itself, and `node -e 0`. */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from './lib/paths.js';
import type { Scenario } from './lib/context.js';
import { latency } from './lib/measure.js';
import { withServer } from './lib/server-bench.js';
import { ServerProcess } from './lib/server-process.js';

const DB = BIN('pygubu-db');

export const serverCli: Scenario = {
  name: 'server: cli read',
  sizes: (ctx) => ctx.largest,
  async run(ctx) {
    const n = ctx.iters(20, 5);
    const name = ctx.data[Math.floor(ctx.data.length / 3)]!.name;
    const home = join(ctx.dir, 'home');
    mkdirSync(home, { recursive: true });
    const env = ServerProcess.env(home);
    const spawnTimed = (args: string[]) => {
      const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      return r.stdout;
    };
    const show = [DB, 'project', 'show', name, '--store', ctx.storeLocation, '--json'];
    await ctx.closeStore();
    const direct = await latency(() => spawnTimed([...show, '--no-server']), { iterations: n, warmup: 1 });
    const directOut = spawnTimed([...show, '--no-server']);
    const { server, node, same } = await withServer(ctx, async () => {
      const viaServer = spawnTimed(show);
      const node = await latency(() => spawnTimed(['-e', '0']), { iterations: n, warmup: 1 });
      const server = await latency(() => spawnTimed(show), { iterations: n, warmup: 2 });
      return { server, node, same: viaServer };
    });
    if (directOut !== same) throw new Error('`project show` printed something else through the server');
    ctx.record({
      scenario: 'server: cli project show',
      size: ctx.size,
      kind: 'latency',
      unit: 'process',
      figures: { store: server, direct, node },
      note: 'whole process `pygubu-db project show <name> --json`: through a warm server (store), opening the store itself (direct, --no-server), and `node -e 0`',
    });
  },
};
