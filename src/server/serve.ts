import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { StoreError } from '../errors.js';
import { STORE_FORMAT } from '../store.js';
import { buildApp } from './app.js';
import {
  API_VERSION,
  ensureToken,
  pidAlive,
  prepareSocketDir,
  readDescriptor,
  removeDescriptor,
  socketPathFor,
  tokenPath,
  writeDescriptor,
  type ServerDescriptor,
} from './descriptor.js';
import { StoreHolder } from './holder.js';

export interface ServeOptions {
  location: string;
  /** Also listen on TCP (bearer token required there). */
  port?: number;
  /** TCP address; default 127.0.0.1 (loopback). */
  host?: string;
  /** Stop after this many minutes without a request or an open stream. */
  idleExitMinutes?: number;
  bodyLimit?: number;
  /** TCP: requests per window per address and per account token (default 300 a minute; false: none). */
  rateLimit?: { max: number; windowMs: number } | false;
  /** TCP: marketplace reads need a token too. */
  privateReads?: boolean;
  /** Bytes queued for one slow subscriber before the server stops reading the log for it (default 256 KiB). */
  subscriptionBufferBytes?: number;
  /** Where to say what happened (the CLI passes stderr); default silent. */
  log?: (line: string) => void;
  lockTimeoutMs?: number;
}

export interface RunningServer {
  descriptor: ServerDescriptor;
  /** Stop accepting, let in-flight requests finish, close the store, remove the socket and descriptor. */
  stop(reason?: string): Promise<void>;
  /** Settles when the server has stopped (by stop(), a signal, idle exit or POST /v1/admin/stop). */
  stopped: Promise<void>;
}

export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'pygubuai-store' && pkg.version) return pkg.version;
      } catch {
        // keep looking
      }
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/** Does a server answer the handshake on this socket? */
export function answers(socket: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ socketPath: socket, path: '/v1/handshake', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

/**
 * Start the one server of a store. The LevelDB lock is what makes it the only one: a second serve
 * sees the live descriptor (or the lock) and says STORE_BUSY; a socket or descriptor left by a
 * killed server is replaced.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const location = resolve(options.location);
  const log = options.log ?? (() => {});
  const previous = readDescriptor(location);
  if (previous && previous.pid !== process.pid && pidAlive(previous.pid) && (await answers(previous.socket))) {
    throw new StoreError('STORE_BUSY', `a server (pid ${previous.pid}) already serves ${location} on ${previous.socket}`, {
      hint: 'use it, or stop it first with `pygubu-db server stop`',
    });
  }
  const holder = await StoreHolder.open({
    location,
    createIfMissing: true,
    ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
  });
  const apps: FastifyInstance[] = [];
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const version = packageVersion();
  let lastActivity = Date.now();
  let open = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const socket = socketPathFor(location);

  const stop = (reason = 'stop requested'): Promise<void> => {
    stopping ??= (async () => {
      log(`stopping (${reason})`);
      if (idleTimer) clearInterval(idleTimer);
      removeDescriptor(location);
      // New connections are refused from here; subscriptions end; in-flight requests finish.
      const closing = apps.map((a) => a.close().catch(() => {}));
      await holder.close().catch((err: unknown) => log(`closing the store: ${(err as Error).message}`));
      await Promise.all(closing);
      rmSync(socket, { force: true });
      log('stopped');
      resolveStopped();
    })();
    return stopping;
  };

  try {
    const common = {
      holder,
      version,
      ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
      ...(options.subscriptionBufferBytes !== undefined ? { subscriptionBufferBytes: options.subscriptionBufferBytes } : {}),
      onActivity: (res: import('node:http').ServerResponse) => {
        lastActivity = Date.now();
        open++;
        res.once('close', () => {
          open--;
          lastActivity = Date.now();
        });
      },
      onStop: () => void stop('POST /v1/admin/stop'),
    };
    const unix = await buildApp(common);
    apps.push(unix);
    prepareSocketDir(socket, location);
    // We hold the store's lock, so a socket file here is a dead server's: replace it.
    rmSync(socket, { force: true });
    const mask = process.umask(0o177);
    try {
      await unix.listen({ path: socket });
    } finally {
      process.umask(mask);
    }
    chmodSync(socket, 0o600);
    let port: number | null = null;
    let host: string | null = null;
    const token = ensureToken(location);
    if (options.port !== undefined) {
      const tcp = await buildApp({
        ...common,
        token,
        ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
        ...(options.privateReads !== undefined ? { privateReads: options.privateReads } : {}),
      });
      apps.push(tcp);
      host = options.host ?? '127.0.0.1';
      await tcp.listen({ port: options.port, host });
      const address = tcp.server.address();
      port = typeof address === 'object' && address ? address.port : options.port;
    }
    const descriptor: ServerDescriptor = {
      pid: process.pid,
      version,
      api: API_VERSION,
      storeFormat: STORE_FORMAT,
      location,
      socket,
      port,
      host,
      tokenFile: tokenPath(location),
      startedAt: new Date().toISOString(),
    };
    writeDescriptor(location, descriptor);
    if (options.idleExitMinutes !== undefined && options.idleExitMinutes > 0) {
      const idleMs = options.idleExitMinutes * 60_000;
      idleTimer = setInterval(() => {
        if (open === 0 && Date.now() - lastActivity >= idleMs) void stop(`idle for ${options.idleExitMinutes} min`);
      }, Math.min(5000, Math.max(100, idleMs / 4)));
      idleTimer.unref();
    }
    return { descriptor, stop, stopped };
  } catch (err) {
    await Promise.all(apps.map((a) => a.close().catch(() => {})));
    await holder.close().catch(() => {});
    removeDescriptor(location);
    throw err;
  }
}
