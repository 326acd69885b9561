import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv } from 'yargs';
import { StoreError } from '../../errors.js';
import { command } from '../command.js';
import type { GlobalArgs } from '../context.js';
import { UsageError } from '../output.js';

export const serve = command({
  command: 'serve',
  describe: 'Hold the store in one long-running server: the bins, the library and the Python client use it through a Unix socket',
  builder: (y) =>
    y
      .option('port', { type: 'number', describe: 'also listen on this TCP port (0: any free one); every request there needs the bearer token, except marketplace reads (open) and writes (an account token)' })
      .option('host', { type: 'string', describe: 'TCP address to listen on (default 127.0.0.1: this machine only)' })
      .option('idle-exit', { type: 'number', describe: 'stop after this many minutes without requests' })
      .option('body-limit', { type: 'number', describe: 'largest request body in bytes (default 8 MiB)' })
      .option('rate-limit', { type: 'number', describe: 'TCP: requests per --rate-window allowed per address and per account token (default 300; 0: no limit)' })
      .option('rate-window', { type: 'number', describe: 'TCP: the rate limit window in seconds (default 60)' })
      .option('private-reads', { type: 'boolean', default: false, describe: 'TCP: marketplace reads need a token too (default: open to anyone who can connect)' })
      .example('$0 serve &', 'serve the default store on its Unix socket')
      .example('$0 serve --port 8765', 'also on http://127.0.0.1:8765 (token: `pygubu-db server token`)')
      .example('$0 serve --port 8765 --host 0.0.0.0', 'a shared marketplace on the network (accounts: `pygubu-db user add`)'),
  run: async (argv, ctx) => {
    if (argv.port !== undefined && !(Number.isInteger(argv.port) && argv.port >= 0 && argv.port <= 65535)) throw new UsageError('--port takes a TCP port number (0-65535)');
    if (argv.host !== undefined && argv.port === undefined) throw new UsageError('--host needs --port');
    if (argv.idleExit !== undefined && !(argv.idleExit > 0)) throw new UsageError('--idle-exit takes a number of minutes above 0');
    if (argv.bodyLimit !== undefined && !(Number.isInteger(argv.bodyLimit) && argv.bodyLimit >= 1024)) throw new UsageError('--body-limit takes a whole number of bytes, at least 1024');
    if (argv.rateLimit !== undefined && !(Number.isInteger(argv.rateLimit) && argv.rateLimit >= 0)) throw new UsageError('--rate-limit takes a whole number of requests (0: no limit)');
    if (argv.rateWindow !== undefined && !(argv.rateWindow > 0 && argv.rateWindow <= 86_400)) throw new UsageError('--rate-window takes a number of seconds above 0 (at most a day)');
    if ((argv.rateLimit !== undefined || argv.rateWindow !== undefined || argv.privateReads) && argv.port === undefined) throw new UsageError('--rate-limit, --rate-window and --private-reads apply to TCP: they need --port');
    const { startServer } = await import('../../server/serve.js');
    const server = await startServer({
      location: ctx.location,
      ...(argv.port !== undefined ? { port: argv.port } : {}),
      ...(argv.host !== undefined ? { host: argv.host } : {}),
      ...(argv.idleExit !== undefined ? { idleExitMinutes: argv.idleExit } : {}),
      ...(argv.bodyLimit !== undefined ? { bodyLimit: argv.bodyLimit } : {}),
      ...(argv.rateLimit !== undefined || argv.rateWindow !== undefined
        ? { rateLimit: argv.rateLimit === 0 ? (false as const) : { max: argv.rateLimit ?? 300, windowMs: Math.round((argv.rateWindow ?? 60) * 1000) } }
        : {}),
      privateReads: argv.privateReads,
      log: (line) => {
        if (!argv.quiet) process.stderr.write(`pygubu-db serve: ${line}\n`);
      },
    });
    const d = server.descriptor;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void server.stop(signal));
    ctx.out.result(d, () => {
      ctx.out.line(`serving ${d.location} (pid ${d.pid}, version ${d.version})`);
      ctx.out.line(`  socket  ${d.socket}`);
      if (d.port !== null) ctx.out.line(`  http    http://${d.host?.includes(':') ? `[${d.host}]` : d.host}:${d.port}/v1 (bearer token in ${d.tokenFile})`);
    });
    await server.stopped;
  },
});

interface Live {
  descriptor: import('../../server/descriptor.js').ServerDescriptor;
  handshake: import('../../client/api.js').Handshake;
}

async function liveServer(location: string): Promise<Live> {
  const { readDescriptor, pidAlive } = await import('../../server/descriptor.js');
  const descriptor = readDescriptor(location);
  if (!descriptor || !pidAlive(descriptor.pid)) {
    throw new StoreError('SERVER_NOT_RUNNING', `no server is running for ${location}`, { hint: 'start one with `pygubu-db serve`' });
  }
  const handshake = await call<import('../../client/api.js').Handshake>(descriptor.socket, 'GET', '/v1/handshake').catch((err: unknown) => {
    throw new StoreError('SERVER_NOT_RUNNING', `the server of ${location} (pid ${descriptor.pid}) does not answer on ${descriptor.socket}: ${(err as Error).message}`, {
      hint: 'it may be starting or stopping; a dead one is replaced by the next `pygubu-db serve`',
    });
  });
  return { descriptor, handshake };
}

function call<T>(socket: string, method: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as T);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

const status = command({
  command: 'status',
  describe: 'Is a server running for the store? (exit 1 when not)',
  run: async (_argv, ctx) => {
    const { descriptor: d, handshake: h } = await liveServer(ctx.location);
    ctx.out.result({ running: true, ...d, head: h.head }, () =>
      ctx.out.record([
        ['running', `pid ${d.pid}, version ${d.version}, since ${d.startedAt}`],
        ['store', d.location],
        ['socket', d.socket],
        ['http', d.port === null ? '-' : `http://${d.host}:${d.port}/v1`],
        ['events', h.head],
      ]),
    );
  },
});

const stop = command({
  command: 'stop',
  describe: 'Stop the running server gracefully (in-flight appends finish first)',
  run: async (_argv, ctx) => {
    const { descriptor: d } = await liveServer(ctx.location);
    const { pidAlive } = await import('../../server/descriptor.js');
    await call(d.socket, 'POST', '/v1/admin/stop').catch(() => process.kill(d.pid, 'SIGTERM'));
    for (let waited = 0; pidAlive(d.pid); waited += 50) {
      if (waited > 30_000) throw new StoreError('SERVER_STOPPING', `the server (pid ${d.pid}) is still stopping after 30 s`);
      await sleep(50);
    }
    ctx.out.result({ stopped: true, pid: d.pid }, () => ctx.out.line(`stopped the server (pid ${d.pid}) of ${d.location}`));
  },
});

const token = command({
  command: 'token',
  describe: 'Print the bearer token TCP clients send (created, 0600, if there is none yet)',
  run: async (_argv, ctx) => {
    const { ensureToken, tokenPath } = await import('../../server/descriptor.js');
    const value = ensureToken(ctx.location);
    ctx.out.result({ token: value, file: tokenPath(ctx.location) }, () => ctx.out.line(value));
  },
});

export const server = {
  command: 'server <command>',
  describe: 'The running server: status, stop, token',
  builder: (y: Argv<GlobalArgs>) => y.command(status).command(stop).command(token).demandCommand(1),
  handler: () => {},
};
