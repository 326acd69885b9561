import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The HTTP API version: the `/v1` prefix of every route. */
export const API_VERSION = 1;

/** Unix socket paths are limited to about 104 bytes (108 on Linux, with the NUL). */
const MAX_SOCKET_PATH = 100;

/**
 * How a client finds the server of a store: `<store>.server.json` beside the store directory,
 * written by the server once it listens and removed when it stops.
 */
export interface ServerDescriptor {
  pid: number;
  /** Package version of the server. */
  version: string;
  api: number;
  storeFormat: number;
  location: string;
  /** Unix socket the server listens on (always). */
  socket: string;
  /** TCP port when started with --port, else null. */
  port: number | null;
  host: string | null;
  /** The bearer token file TCP clients read. */
  tokenFile: string;
  startedAt: string;
}

export const descriptorPath = (location: string): string => `${resolve(location)}.server.json`;
export const tokenPath = (location: string): string => `${resolve(location)}.token`;

/**
 * `<store>.sock` beside the store, or — when that is too long for a socket address — a short path
 * in a private directory under $XDG_RUNTIME_DIR (else the temp dir) named by a hash of the store.
 */
export function socketPathFor(location: string, env: NodeJS.ProcessEnv = process.env): string {
  const natural = `${resolve(location)}.sock`;
  if (Buffer.byteLength(natural) <= MAX_SOCKET_PATH) return natural;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = join(env.XDG_RUNTIME_DIR || tmpdir(), `pygubuai-${uid}`);
  const name = createHash('sha256').update(resolve(location)).digest('hex').slice(0, 16);
  return join(dir, `${name}.sock`);
}

/** Create the private directory a short socket path lives in (0700, ours). */
export function prepareSocketDir(socket: string, location: string): void {
  if (socket === `${resolve(location)}.sock`) return;
  const dir = resolve(socket, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function readDescriptor(location: string): ServerDescriptor | undefined {
  try {
    const doc = JSON.parse(readFileSync(descriptorPath(location), 'utf8')) as ServerDescriptor;
    return typeof doc.pid === 'number' && typeof doc.socket === 'string' ? doc : undefined;
  } catch {
    return undefined;
  }
}

export function writeDescriptor(location: string, doc: ServerDescriptor): void {
  const path = descriptorPath(location);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** Remove the descriptor if it is still ours (a newer server may have replaced it). */
export function removeDescriptor(location: string, pid: number = process.pid): void {
  const doc = readDescriptor(location);
  if (doc && doc.pid !== pid) return;
  rmSync(descriptorPath(location), { force: true });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // a server that exited but whose parent (a shell running `serve &`) has not reaped it yet is a
  // zombie: signal 0 still reaches it, yet it holds nothing (Linux: state Z in /proc/<pid>/stat)
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The TCP bearer token, created (32 random bytes, hex, 0600) on first use. */
export function ensureToken(location: string): string {
  const existing = readToken(location);
  if (existing) return existing;
  const token = randomBytes(32).toString('hex');
  const path = tokenPath(location);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${token}\n`, { mode: 0o600 });
  renameSync(temp, path);
  return token;
}

export function readToken(location: string): string | undefined {
  try {
    const path = tokenPath(location);
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const token = readFileSync(path, 'utf8').trim();
    return token.length > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}
