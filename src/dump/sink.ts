import { once } from 'node:events';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StoreError } from '../errors.js';

/** Where a dump goes: buffered writes, then `finish` makes it whole (or `abort` leaves nothing). */
export interface Sink {
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
  readonly bytes: number;
}

const FLUSH_AT = 1 << 20;

/**
 * A file written beside its target and renamed over it after fsync: a reader never sees a
 * half-written dump, and an interrupted dump leaves the old file (if any) untouched.
 */
export async function fileSink(path: string): Promise<Sink> {
  const temp = `${path}.tmp-${process.pid}`;
  let fh: FileHandle;
  try {
    fh = await open(temp, 'w');
  } catch (cause) {
    throw unwritable(path, cause);
  }
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await fh.write(chunk);
  };
  return {
    get bytes() {
      return bytes;
    },
    async write(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      bytes += chunk.length;
      if (pendingBytes >= FLUSH_AT) await flush().catch((cause) => Promise.reject(unwritable(path, cause)));
    },
    async finish() {
      try {
        await flush();
        await fh.sync();
        await fh.close();
        await rename(temp, path);
        await syncDir(dirname(path));
      } catch (cause) {
        await fh.close().catch(() => {});
        await rm(temp, { force: true });
        throw unwritable(path, cause);
      }
    },
    async abort() {
      await fh.close().catch(() => {});
      await rm(temp, { force: true });
    },
  };
}

/**
 * stdout (`-`), honouring back-pressure so a slow `jq` does not make us buffer the whole log. A
 * reader that goes away (`| head`) makes the next write throw its EPIPE error instead of crashing.
 */
export function streamSink(stream: NodeJS.WritableStream): Sink {
  let failed: Error | undefined;
  stream.on('error', (err: Error) => (failed = err));
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (failed) throw failed;
    if (!stream.write(chunk)) await once(stream, 'drain');
  };
  return {
    get bytes() {
      return bytes;
    },
    async write(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      bytes += chunk.length;
      if (pendingBytes >= 64 * 1024) await flush();
    },
    finish: flush,
    abort: async () => {},
  };
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => {});
  await fh.close();
}

const unwritable = (path: string, cause: unknown): StoreError =>
  new StoreError('DUMP_UNREADABLE', `could not write ${path}: ${(cause as Error).message ?? String(cause)}`, { cause });
