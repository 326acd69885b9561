import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { StoreError } from '../errors.js';
import { normaliseAt } from '../log/envelope.js';

/** A legacy file's bytes (as UTF-8 text) and their sha256. */
export interface LegacyFile {
  path: string;
  text: string;
  sha256: string;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * The largest legacy file read (registry or workflow file). The Python tool writes a few hundred
 * bytes per project; this leaves room for 100k projects with long descriptions, and stops a link
 * to /dev/zero or a huge file from eating memory.
 */
export const MAX_LEGACY_BYTES = 256 * 1024 * 1024;

/**
 * A legacy file's bytes, or undefined when it does not exist. Only a regular file is read: the
 * open does not block on a FIFO (O_NONBLOCK) and a device, socket or FIFO is refused, as is a file
 * over MAX_LEGACY_BYTES.
 */
export async function readLegacyFile(path: string): Promise<LegacyFile | undefined> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new StoreError('LEGACY_UNREADABLE', `cannot read ${path}: ${code ?? (cause as Error).message}`, { cause });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new StoreError('LEGACY_UNREADABLE', `cannot read ${path}: it is not a regular file`);
    if (st.size > MAX_LEGACY_BYTES) {
      throw new StoreError('LEGACY_UNREADABLE', `cannot read ${path}: ${st.size} bytes is over the ${MAX_LEGACY_BYTES / 1024 / 1024} MiB limit for a legacy file`);
    }
    const buf = await fh.readFile();
    if (buf.length > MAX_LEGACY_BYTES) throw new StoreError('LEGACY_UNREADABLE', `cannot read ${path}: it grew past the ${MAX_LEGACY_BYTES / 1024 / 1024} MiB limit while read`);
    return { path, text: buf.toString('utf8'), sha256: sha256(buf) };
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
    throw new StoreError('LEGACY_UNREADABLE', `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  } finally {
    await fh.close();
  }
}

/** An ISO-8601 time as the envelope's `at`; a time without a zone is taken as UTC. */
export function legacyAt(timestamp: string | null | undefined): string | undefined {
  if (typeof timestamp !== 'string') return undefined;
  const zoned = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(timestamp) ? `${timestamp}Z` : timestamp;
  return normaliseAt(zoned);
}

/**
 * Absolute, `~` expanded, symlinks followed as far as the path exists (a registry from another
 * machine names directories that are not here), no trailing slash. For the store's own use only:
 * the registry entry keeps the path as written.
 */
export async function resolveLegacyPath(path: string, baseDir: string): Promise<{ path: string; exists: boolean }> {
  const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
  const absolute = resolve(isAbsolute(expanded) ? expanded : join(baseDir, expanded));
  try {
    return { path: await realpath(absolute), exists: true };
  } catch {
    let dir = absolute;
    const rest: string[] = [];
    while (dirname(dir) !== dir) {
      rest.unshift(basename(dir));
      dir = dirname(dir);
      try {
        return { path: join(await realpath(dir), ...rest), exists: false };
      } catch {
        // keep climbing to an ancestor that exists
      }
    }
    return { path: absolute, exists: false };
  }
}

export const WORKFLOW_FILE = '.pygubu-workflow.json';
export const workflowFileOf = (projectPath: string): string => join(projectPath, WORKFLOW_FILE);

/** JSON.parse with the error a user can act on: which file, which line and column (config.json). */
export function parseLegacyJson(file: LegacyFile): unknown {
  const text = file.text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (cause) {
    const msg = (cause as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      where = ` at line ${before.split('\n').length} column ${Number(pos[1]) - before.lastIndexOf('\n')}`;
    } else if (/end of JSON input|Unterminated/i.test(msg)) where = ' (it ends too early: truncated?)';
    throw new StoreError('LEGACY_INVALID_JSON', `${file.path} is not valid JSON${where}`, { cause, hint: 'restore it from a backup, or fix it by hand' });
  }
}
