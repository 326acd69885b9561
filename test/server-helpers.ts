import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerDescriptor } from '../src/index.js';
import { BIN, ROOT, run, type RunResult } from './helpers.js';

/** A temp HOME with PYGUBUAI_HOME inside it: every spawned process gets these. */
export const homeEnv = (dir: string): Record<string, string> => ({ HOME: dir, PYGUBUAI_HOME: join(dir, '.pygubuai') });
export const storeOf = (dir: string): string => join(dir, '.pygubuai', 'store');

export const db = (dir: string, args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<RunResult> =>
  run('pygubu-db', args, { env: { ...homeEnv(dir), ...options.env }, ...(options.input !== undefined ? { input: options.input } : {}) });
export const bin = (name: 'pygubu-db' | 'pygubu-template' | 'pygubu-analytics', dir: string, args: readonly string[]): Promise<RunResult> =>
  run(name, args, { env: homeEnv(dir) });

export interface ServeProcess {
  child: ChildProcess;
  descriptor: ServerDescriptor;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** `pygubu-db serve` as a real process; resolves once its descriptor names it and it answers. */
export async function serve(dir: string, args: readonly string[] = [], location = storeOf(dir)): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN('pygubu-db'), 'serve', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', ...homeEnv(dir) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  const path = `${location}.server.json`;
  for (let i = 0; i < 600; i++) {
    if (done) throw new Error(`serve exited early: ${err}`);
    if (existsSync(path)) {
      try {
        const d = JSON.parse(readFileSync(path, 'utf8')) as ServerDescriptor;
        if (d.pid === child.pid && (await http(d.socket, 'GET', '/v1/handshake')).status === 200) return { child, descriptor: d, exited, stderr: () => err };
      } catch {
        // half-written or not listening yet
      }
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`serve did not come up: ${err}`);
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** One HTTP request to a Unix socket (a path) or a TCP port (a number). */
export function http(
  target: string | number,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...(typeof target === 'number' ? { host: '127.0.0.1', port: target } : { socketPath: target }),
        method,
        path,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export const postJson = (target: string | number, path: string, body: unknown, headers: Record<string, string> = {}) =>
  http(target, 'POST', path, { body: JSON.stringify(body), headers });

/** Wait for a condition that another process makes true (no timing is asserted). */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
