import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import { Readable, Writable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setCommandHostLookup, type CommandHost } from '../cli/host.js';
import type { BinName } from '../cli/bins.js';
import { describeError } from '../cli/failure.js';
import type { StoreHolder } from './holder.js';
import { followHeld } from './sse.js';

/**
 * POST /v1/cli: the server runs a bin's command line for it, with the same command modules the bin
 * would run, on the server's open store. What the command writes to stdout and stderr goes back as
 * NDJSON frames ({"o":text} / {"e":text}, or {"ob"|"eb":base64} for bytes), then {"exit":code}. So a command prints exactly what it prints
 * when it opens the store itself.
 *
 * Commands read process-wide state (stdout, stdin, argv, cwd, environment). The streams, argv and
 * the exit code are per command (AsyncLocalStorage); the working directory and environment are
 * process-wide, so commands run one at a time — except the ones that never end (`log --follow`),
 * which run beside the queue in the server's own directory and environment.
 */
interface Run {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  argv: string[];
  host: CommandHost;
}

const als = new AsyncLocalStorage<Run>();
let installed = false;
let queue: Promise<unknown> = Promise.resolve();

function install(): void {
  if (installed) return;
  installed = true;
  for (const name of ['stdout', 'stderr', 'stdin'] as const) {
    const real = Object.getOwnPropertyDescriptor(process, name)!;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: true,
      get: () => als.getStore()?.[name] ?? real.get!.call(process),
    });
  }
  // The global console caches its streams; route them through the getters above.
  for (const [key, name] of [['_stdout', 'stdout'], ['_stderr', 'stderr']] as const) {
    Object.defineProperty(console, key, { configurable: true, get: () => process[name], set: () => {} });
  }
  let realArgv = process.argv;
  Object.defineProperty(process, 'argv', {
    configurable: true,
    enumerable: true,
    get: () => als.getStore()?.argv ?? realArgv,
    set: (v: string[]) => {
      realArgv = v;
    },
  });
  setCommandHostLookup(() => als.getStore()?.host);
}

/** A stream that looks enough like a terminal-less process stream, framing what it gets onto `res`. */
function frameStream(res: ServerResponse, key: 'o' | 'e', columns: number | undefined): NodeJS.WriteStream {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _enc, cb) {
      if (res.destroyed || res.writableEnded) return cb();
      // Text as text; bytes (a msgpack dump to stdout) as base64, so nothing is re-encoded on the way.
      const frame = typeof chunk === 'string' ? { [key]: chunk } : { [`${key}b`]: chunk.toString('base64') };
      const ok = res.write(`${JSON.stringify(frame)}\n`);
      if (ok) return cb();
      const go = () => {
        res.off('drain', go);
        res.off('close', go);
        cb();
      };
      res.once('drain', go);
      res.once('close', go);
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: false, columns, fd: key === 'o' ? 1 : 2 });
  return stream;
}

/**
 * Commands that run until stopped (`log --follow`, `sync --watch`): they would hold the queue
 * forever, so they run beside it, in the server's own working directory and environment.
 */
const isLongRunning = (bin: string, argv: readonly string[]): boolean =>
  bin === 'pygubu-db' &&
  ((argv.includes('log') && argv.some((a) => a === '--follow' || /^-[a-z]*f[a-z]*$/.test(a))) || (argv.includes('sync') && argv.includes('--watch')));

export async function execCli(req: FastifyRequest, reply: FastifyReply, holder: StoreHolder): Promise<void> {
  install();
  const body = req.body as { bin: BinName; argv: string[]; cwd: string; env?: Record<string, string>; columns?: number; stdin?: string };
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  let exitCode = 0;
  const stdin = Readable.from(body.stdin === undefined ? [] : [Buffer.from(body.stdin, 'base64')]) as unknown as NodeJS.ReadStream;
  Object.assign(stdin, { isTTY: false, fd: 0 });
  const stdout = frameStream(res, 'o', body.columns);
  const stderr = frameStream(res, 'e', body.columns);
  const host: CommandHost = {
    withStore: (work) => holder.use((_api, store) => work(store)),
    exclusive: (work) => holder.exclusive(work),
    subscribe: (options) => followHeld(holder, options, gone.signal),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const run: Run = { stdout, stderr, stdin, argv: [process.execPath, body.bin, ...body.argv], host };
  const long = isLongRunning(body.bin, body.argv);
  const execute = async () => {
    if (long) {
      const { binSpec } = await import('../cli/bins.js');
      const { parseCommandLine } = await import('../cli/run.js');
      const spec = await binSpec(body.bin);
      return als.run(run, () => parseCommandLine(spec, body.argv, { exitProcess: false }));
    }
    const cwd = process.cwd();
    const saved = new Map<string, string | undefined>();
    try {
      try {
        process.chdir(body.cwd);
      } catch (err) {
        throw Object.assign(new Error(`cannot run in ${body.cwd}: ${(err as Error).message}`), { code: 'ENOENT', syscall: 'chdir', path: body.cwd });
      }
      for (const [k, v] of Object.entries(body.env ?? {})) {
        saved.set(k, process.env[k]);
        process.env[k] = v;
      }
      const { binSpec } = await import('../cli/bins.js');
      const { parseCommandLine } = await import('../cli/run.js');
      const spec = await binSpec(body.bin);
      await als.run(run, () => parseCommandLine(spec, body.argv, { exitProcess: false }));
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      try {
        process.chdir(cwd);
      } catch {
        // the server's own directory vanished: stay where we are
      }
    }
  };
  try {
    if (long) await execute();
    else {
      const mine = queue.then(execute, execute);
      queue = mine.catch(() => undefined);
      await mine;
    }
  } catch (err) {
    const { code, message, hint, exit } = describeError(err);
    stderr.write(`error: ${message} (${code})\n${hint ? `  hint: ${hint}\n` : ''}`);
    exitCode = exit;
  }
  await Promise.all([stdout, stderr].map((s) => new Promise<void>((r) => (s as unknown as Writable).end(r))));
  if (!res.destroyed) res.end(`${JSON.stringify({ exit: exitCode })}\n`);
}
