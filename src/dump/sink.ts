import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants } from 'node:fs';
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

/** Collects small writes and hands them on in chunks of at least `flushAt` bytes. */
function buffered(flushAt: number, writeChunk: (chunk: Buffer) => Promise<void>) {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await writeChunk(chunk);
  };
  return {
    get bytes() {
      return bytes;
    },
    flush,
    async write(chunk: Buffer): Promise<void> {
      pending.push(chunk);
      pendingBytes += chunk.length;
      bytes += chunk.length;
      if (pendingBytes >= flushAt) await flush();
    },
  };
}

/**
 * A file written beside its target and renamed over it after fsync: a reader never sees a
 * half-written dump, and an interrupted dump leaves the old file (if any) untouched.
 */
export async function fileSink(path: string): Promise<Sink> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let fh: FileHandle;
  try {
    // Exclusive and never through a link: a planted temp name cannot redirect the dump.
    fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (cause) {
    throw unwritable(path, cause);
  }
  const buffer = buffered(FLUSH_AT, async (chunk) => {
    await fh.write(chunk).catch((cause) => Promise.reject(unwritable(path, cause)));
  });
  return {
    get bytes() {
      return buffer.bytes;
    },
    write: buffer.write,
    async finish() {
      try {
        await buffer.flush();
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
  const buffer = buffered(64 * 1024, async (chunk) => {
    if (failed) throw failed;
    if (!stream.write(chunk)) await once(stream, 'drain');
  });
  return {
    get bytes() {
      return buffer.bytes;
    },
    write: buffer.write,
    finish: buffer.flush,
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
