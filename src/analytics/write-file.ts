import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StoreError } from '../errors.js';

/** Write a whole file or nothing: a temporary file beside it, then a rename. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new StoreError('STORE_IO', `could not write ${path}: ${(cause as Error).message}`, { cause });
  }
}
