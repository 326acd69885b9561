import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { StoreError } from './errors.js';

/**
 * What the store may touch on disk. It only ever creates, renames or deletes a directory it can
 * prove is its own: one holding the marker file below (written by this code into every store and
 * every staging copy it makes, with a random id), or a LevelDB directory whose `m!format` key says
 * it is a pygubuai store (stores made before the marker existed; they get a marker when opened).
 * A name pattern alone (`<store>.old-<N>`) never proves anything.
 */
export const MARKER_FILE = 'PYGUBUAI-STORE';

export interface StoreMarker {
  pygubuai: 'store';
  /** Random, made when the directory was created. */
  id: string;
  created: string;
  /** Set on a copy a restore or a big load builds beside the store at `of` (see dump/swap.ts). */
  sibling?: { of: string; role: 'restoring' | 'restored' | 'old' };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function readMarker(dir: string): Promise<StoreMarker | undefined> {
  let text: string;
  try {
    // never through a link: a planted link cannot make a foreign directory look like ours
    const fh = await open(join(dir, MARKER_FILE), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      if (!(await fh.stat()).isFile()) return undefined;
      text = await fh.readFile({ encoding: 'utf8' });
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
  if (text.length > 4096) return undefined;
  try {
    const m = JSON.parse(text) as StoreMarker;
    if (m?.pygubuai !== 'store' || typeof m.id !== 'string' || !UUID.test(m.id)) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

/** Write (or replace) the marker atomically: a reader sees the old one or the new one. */
export async function writeMarker(dir: string, marker: StoreMarker): Promise<void> {
  const tmp = join(dir, `.${MARKER_FILE}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await fh.writeFile(`${JSON.stringify(marker)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, MARKER_FILE));
  } catch (cause) {
    await unlink(tmp).catch(() => {});
    throw new StoreError('STORE_IO', `could not write the store marker in ${dir}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}

export const newMarker = (sibling?: StoreMarker['sibling']): StoreMarker => ({
  pygubuai: 'store',
  id: randomUUID(),
  created: new Date().toISOString(),
  ...(sibling ? { sibling } : {}),
});

/**
 * Where a store must never be: a file-system root, the home directory or its parent, the
 * temporary directory itself, and the usual system directories. Refused whatever they hold.
 */
export function isUnsafeLocation(location: string): boolean {
  const p = resolve(location);
  if (p === parse(p).root) return true;
  const homes = [homedir(), process.env.HOME].filter((h): h is string => typeof h === 'string' && h.length > 0).map((h) => resolve(h));
  for (const h of homes) if (p === h || p === dirname(h)) return true;
  if (p === resolve(tmpdir())) return true;
  return SYSTEM_DIRS.has(p);
}

const SYSTEM_DIRS = new Set([
  '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc', '/root',
  '/run', '/sbin', '/snap', '/srv', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/lib', '/usr/local', '/usr/share', '/var', '/var/lib',
  '/var/tmp', '/Applications', '/Library', '/System', '/Users', '/Volumes', '/private', '/private/tmp', '/private/var',
]);

const LEVELDB_NAME = /^(?:CURRENT|LOCK|LOG|LOG\.old|MANIFEST-\d+|\d+\.(?:ldb|sst|log|dbtmp))$/;

export type LocationKind =
  /** nothing there */
  | 'absent'
  /** an empty directory (ours to fill) */
  | 'empty'
  /** a directory with our marker */
  | 'marked'
  /** a LevelDB directory without our marker: a store from before the marker, or someone else's */
  | 'leveldb'
  /** anything else: a user's files, a file, a link */
  | 'foreign';

export interface Inspected {
  kind: LocationKind;
  marker?: StoreMarker;
}

/** What is at `location`, without changing anything. */
export async function inspectLocation(location: string): Promise<Inspected> {
  let st;
  try {
    st = await lstat(location);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw new StoreError('STORE_IO', `could not open store ${location}: ${(err as Error).message}`, {
      cause: err,
      hint: (err as NodeJS.ErrnoException).code === 'EACCES' ? 'check the permissions of the store directory' : undefined,
    });
  }
  if (!st.isDirectory()) return { kind: 'foreign' };
  const marker = await readMarker(location);
  if (marker) return { kind: 'marked', marker };
  let names: string[];
  try {
    names = await readdir(location);
  } catch (err) {
    throw new StoreError('STORE_IO', `could not open store ${location}: ${(err as Error).message}`, {
      cause: err,
      hint: (err as NodeJS.ErrnoException).code === 'EACCES' ? 'check the permissions of the store directory' : undefined,
    });
  }
  if (names.length === 0) return { kind: 'empty' };
  // only LevelDB's own files: a store from before the marker (or one that lost its CURRENT file)
  if (names.every((n) => LEVELDB_NAME.test(n))) return { kind: 'leveldb' };
  return { kind: 'foreign' };
}

export const notAStore = (location: string, what: string): StoreError =>
  new StoreError('STORE_NOT_A_STORE', `${location} ${what}; the store never writes into, renames or deletes a directory it did not create`, {
    details: { location },
    hint: 'nothing was changed; pass --store with a new or empty directory, or the path of an existing pygubuai store',
  });

export function assertSafeLocation(location: string): void {
  if (isUnsafeLocation(location)) {
    throw new StoreError('STORE_LOCATION_UNSAFE', `${resolve(location)} is a system or home directory, never a store`, {
      details: { location: resolve(location) },
      hint: 'nothing was changed; pass --store with a directory of its own, e.g. ~/.pygubuai/store',
    });
  }
}

/**
 * Refuse, before anything is written, a location that is not ours to fill: STORE_LOCATION_UNSAFE
 * for `/` and the like, STORE_NOT_A_STORE for a non-empty directory (or a file) that is no store.
 * A LevelDB directory without the marker is judged later, by its format key, once open.
 */
export async function assertOwnLocation(location: string): Promise<Inspected> {
  assertSafeLocation(location);
  const found = await inspectLocation(location);
  if (found.kind === 'foreign') {
    throw notAStore(location, (await lstat(location)).isDirectory() ? 'is a directory with files in it that is not a pygubuai store' : 'is not a directory');
  }
  return found;
}

/** A sibling `<location>.<role>-<pid>` is ours only if its marker says it was made for `location`. */
export async function isOwnSibling(path: string, location: string): Promise<boolean> {
  const marker = await readMarker(path);
  return marker?.sibling?.of === resolve(location) && basename(path).startsWith(`${basename(location)}.`);
}

/** Read back the text of a marker (tests, diagnostics). */
export const markerText = (dir: string): Promise<string> => readFile(join(dir, MARKER_FILE), 'utf8');
