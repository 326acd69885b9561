import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, ROOT } from './paths.js';


/** One HTTP exchange over a Unix socket, the body read whole (a stream is cut after its headers). */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Resolve as soon as the headers arrive, and drop the connection (SSE). */
  headersOnly?: boolean;
  timeoutMs?: number;
}

export function httpOverSocket(socketPath: string, req: HttpRequest, agent?: Agent): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const r = request(
      { socketPath, method: req.method, path: req.path, headers: req.headers, ...(agent ? { agent } : {}) },
      (res) => {
        if (req.headersOnly && res.statusCode === 200) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.alloc(0) });
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    r.setTimeout(req.timeoutMs ?? 60_000, () => r.destroy(new Error(`no answer to ${req.method} ${req.path} in ${req.timeoutMs ?? 60_000} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A real `pygubu-db serve` child on a store, with HOME and PYGUBUAI_HOME in `home`. */
export class ServerProcess {
  private exitCode: number | null | undefined;
  private exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  output = '';

  private constructor(
    readonly child: ChildProcess,
    readonly location: string,
    readonly home: string,
  ) {
    child.stdout?.on('data', (d) => (this.output += d));
    child.stderr?.on('data', (d) => (this.output += d));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      }),
    );
  }

  static env(home: string): Record<string, string> {
    return { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', HOME: home, PYGUBUAI_HOME: `${home}/.pygubuai`, PYGUBUAI_REGISTRY_PATH: `${home}/.pygubu-registry.json` };
  }

  /** Spawn the built bin and wait until its descriptor names a socket that answers the handshake. */
  static async start(location: string, home: string, args: readonly string[] = [], timeoutMs = 30_000): Promise<ServerProcess> {
    const child = spawn(process.execPath, [BIN('pygubu-db'), 'serve', '--store', location, ...args], {
      cwd: ROOT,
      env: ServerProcess.env(home),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const server = new ServerProcess(child, location, home);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!server.alive) throw new Error(`pygubu-db serve exited ${server.exitCode ?? server.exitSignal}: ${server.output}`);
      const socket = server.descriptorSocket();
      if (socket) {
        const ok = await httpOverSocket(socket, { method: 'GET', path: '/v1/handshake', timeoutMs: 2000 }).then((a) => a.status === 200, () => false);
        if (ok) return server;
      }
      if (Date.now() > deadline) {
        server.kill();
        throw new Error(`pygubu-db serve did not answer in ${timeoutMs} ms: ${server.output}`);
      }
      await sleep(20);
    }
  }

  private descriptorSocket(): string | undefined {
    try {
      const d = JSON.parse(readFileSync(`${this.location}.server.json`, 'utf8')) as { pid?: number; socket?: string };
      return d.pid === this.child.pid ? d.socket : undefined;
    } catch {
      return undefined;
    }
  }

  get socket(): string {
    const s = this.descriptorSocket();
    if (!s) throw new Error('the server has no descriptor');
    return s;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  get exit(): { code: number | null | undefined; signal: NodeJS.Signals | null } {
    return { code: this.exitCode, signal: this.exitSignal };
  }

  async json<T = any>(method: string, path: string, body?: unknown, agent?: Agent): Promise<{ status: number; body: T }> {
    const a = await httpOverSocket(
      this.socket,
      { method, path, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) },
      agent,
    );
    return { status: a.status, body: (a.body.length ? JSON.parse(a.body.toString('utf8')) : undefined) as T };
  }

  async head(agent?: Agent): Promise<number> {
    const r = await this.json<{ head: number }>('GET', '/v1/handshake', undefined, agent);
    if (r.status !== 200) throw new Error(`handshake answered ${r.status}`);
    return r.body.head;
  }

  /** SIGTERM and wait: the exit code (0 when it stopped cleanly). */
  async stop(timeoutMs = 30_000): Promise<number | null | undefined> {
    if (this.alive) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.kill(), timeoutMs);
      await this.exited;
      clearTimeout(t);
    }
    return this.exitCode;
  }

  /** SIGKILL the server's whole process group. */
  kill(): void {
    if (!this.alive) return;
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
