import { randomBytes } from 'node:crypto';
import { lstat, open, readlink, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { StoreError } from '../errors.js';

export interface AtomicWriteOptions {
  /** Keep the mode of the file being replaced (a new file gets the umask default, 0666 & ~umask). */
  keepMode?: boolean;
  /** When `path` is a symbolic link, replace its target (atomically, beside the target), not the link. */
  followLinks?: boolean;
}

/** The file a chain of symbolic links ends at (which need not exist yet). */
async function linkTarget(path: string): Promise<string> {
  let at = path;
  for (let hops = 0; hops < 40; hops++) {
    const st = await lstat(at).catch(() => undefined);
    if (!st?.isSymbolicLink()) return at;
    const to = await readlink(at);
    at = isAbsolute(to) ? to : join(dirname(at), to);
  }
  throw new StoreError('FILE_IO', `cannot write ${path}: too many levels of symbolic links`);
}

/**
 * Replace `path` with `text` so that a reader sees the old file or the new one, never half of it:
 * a temporary file in the same directory, fsync, rename over the target, fsync the directory.
 */
export async function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  const target = options.followLinks ? await linkTarget(path) : path;
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const mode = options.keepMode ? ((await stat(target).catch(() => undefined))?.mode ?? undefined) : undefined;
    const fh = await open(tmp, 'wx', options.keepMode ? 0o666 : 0o644);
    try {
      if (mode !== undefined) await fh.chmod(mode & 0o7777);
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (cause) {
    await unlink(tmp).catch(() => {});
    if (cause instanceof StoreError) throw cause;
    throw new StoreError('FILE_IO', `cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
  const d = await open(dir, 'r').catch(() => undefined);
  if (d) await d.sync().catch(() => {}).finally(() => d.close());
}
