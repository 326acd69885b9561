import { existsSync } from 'node:fs';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { inspectLocation, MARKER_FILE, isOwnSibling, notAStore, readMarker, writeMarker, type StoreMarker } from '../store-location.js';
import { syncDir } from './sink.js';

/**
 * A restore builds `<store>.restoring-<pid>`, renames it to `<store>.restored-<pid>` once it is
 * complete, then swaps: `<store>` → `<store>.old-<pid>`, `<store>.restored-<pid>` → `<store>`,
 * and deletes the old one. A kill at any moment leaves one of:
 *
 *   .restoring-<pid> only     the old store is intact; the half-built one is deleted
 *   .restored-<pid> + store   the old store is intact; the finished one is deleted (not confirmed swapped)
 *   .restored-<pid> + .old-   no store at the path: the swap is completed (the new store is whole)
 *   .old-<pid> + store        the swap happened; the old one is deleted
 *
 * `recoverInterruptedRestore` applies these rules before a writer opens the store at `location`.
 * Only siblings whose marker file (store-location.ts) says they were made for this `location` are
 * renamed or deleted; a directory that merely has such a name is left alone.
 */
export const stagingPath = (location: string, pid = process.pid): string => `${location}.restoring-${pid}`;
export const restoredPath = (location: string, pid = process.pid): string => `${location}.restored-${pid}`;
export const oldPath = (location: string, pid = process.pid): string => `${location}.old-${pid}`;

const hasStore = (dir: string): boolean => existsSync(join(dir, 'CURRENT'));

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Leftover {
  path: string;
  kind: 'restoring' | 'restored' | 'old';
  pid: number;
}

async function leftovers(location: string): Promise<Leftover[]> {
  const base = basename(location);
  let names: string[];
  try {
    names = await readdir(dirname(location));
  } catch {
    return [];
  }
  const out: Leftover[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const m = /^\.(restoring|restored|old)-(\d+)$/.exec(name.slice(base.length));
    if (!m) continue;
    const pid = Number(m[2]);
    const path = join(dirname(location), name);
    if (alive(pid)) continue;
    if (await isOwnSibling(path, location)) out.push({ path, kind: m[1] as Leftover['kind'], pid });
    else if (await unfinishedCreation(path)) await removeUnfinishedCreation(path);
  }
  return out;
}

/**
 * A copy killed between its mkdir and its marker: an empty directory, or one holding only the
 * marker's own temporary file (named by writeMarker). Nothing in it can be anyone else's.
 */
const OWN_TEMP = new RegExp(`^\\.${MARKER_FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d+\\.[0-9a-f]{8}\\.tmp$`);
async function unfinishedCreation(path: string): Promise<boolean> {
  const names = await readdir(path).catch(() => undefined);
  return names !== undefined && names.every((n) => OWN_TEMP.test(n));
}
async function removeUnfinishedCreation(path: string): Promise<void> {
  for (const n of await readdir(path).catch(() => [] as string[])) if (OWN_TEMP.test(n)) await rm(join(path, n), { force: true });
  await rmdir(path).catch(() => {}); // refuses a directory that is not empty: only an empty one goes
}

/** Finish or roll back a restore that was killed; returns what it did (empty when nothing). */
export async function recoverInterruptedRestore(location: string): Promise<string[]> {
  location = resolve(location);
  const found = await leftovers(location);
  if (found.length === 0) return [];
  const here = await inspectLocation(location);
  // something that is not ours stands at the path: the open refuses it; touch nothing
  if (here.kind === 'foreign' || here.kind === 'leveldb') return [];
  const actions: string[] = [];
  if (!hasStore(location)) {
    const restored = found.find((l) => l.kind === 'restored' && hasStore(l.path));
    const old = found.find((l) => l.kind === 'old' && hasStore(l.path));
    const next = restored ?? old;
    // an empty directory (or a marked one with no database files yet) is in the way of the rename;
    // a marked one with data files in it is a damaged store, left for the open to report
    const inTheWay = here.kind === 'marked' ? await readdir(location).catch(() => ['?']) : [];
    if (next && inTheWay.every((n) => n === MARKER_FILE || n === 'LOCK' || n === 'LOG' || n === 'LOG.old')) {
      if (here.kind === 'empty') await rmdir(location).catch(() => {});
      if (here.kind === 'marked') await rm(location, { recursive: true, force: true });
      await rename(next.path, location).catch(() => {});
      await syncDir(dirname(location));
      await claimAsStore(location);
      actions.push(next.kind === 'restored' ? `completed the interrupted restore from ${next.path}` : `put back the store from ${next.path}`);
    }
  }
  for (const l of found) {
    if (!existsSync(l.path)) continue;
    await removeMarkedLast(l.path);
    actions.push(`removed ${l.path}`);
  }
  return actions;
}

/** A sibling that became the store drops its sibling mark. */
export async function claimAsStore(location: string): Promise<void> {
  const marker = await readMarker(location);
  if (!marker?.sibling) return;
  const { sibling: _sibling, ...own } = marker;
  await writeMarker(location, own as StoreMarker);
}

/** Mark a directory this process built (or is moving away) as a sibling of `location`. */
export async function markSibling(dir: string, location: string, role: NonNullable<StoreMarker['sibling']>['role']): Promise<void> {
  const marker = await readMarker(dir);
  if (!marker) throw notAStore(dir, 'has no store marker');
  await writeMarker(dir, { ...marker, sibling: { of: resolve(location), role } });
}

/** Delete a sibling only if it is ours; a foreign directory of that name is left where it is. */
export async function removeOwnSibling(path: string, location: string): Promise<void> {
  if (existsSync(path) && (await isOwnSibling(path, location))) await removeMarkedLast(path);
}

/**
 * Delete a marked directory with its marker last: a kill halfway leaves a directory that is still
 * provably ours (the next write finishes the job), never an unmarked one nothing may touch.
 */
async function removeMarkedLast(path: string): Promise<void> {
  for (const name of await readdir(path).catch(() => [] as string[])) {
    if (name !== MARKER_FILE) await rm(join(path, name), { recursive: true, force: true });
  }
  await rm(path, { recursive: true, force: true });
}

/** Before building at `path`: clear our own stale copy there, refuse anything else in the way. */
export async function clearForSibling(path: string, location: string): Promise<void> {
  if (!existsSync(path)) return;
  if (await isOwnSibling(path, location)) {
    await removeMarkedLast(path);
    return;
  }
  throw notAStore(path, 'is in the way of the copy built beside the store, and is not ours');
}

/** The swap itself, once the new store at `restoredPath` is complete and every handle is closed. */
export async function swapIn(location: string): Promise<void> {
  location = resolve(location);
  const parent = dirname(location);
  const here = await inspectLocation(location);
  if (here.kind === 'foreign' || here.kind === 'leveldb') throw notAStore(location, 'is not a pygubuai store');
  if (here.kind === 'empty') await rmdir(location);
  const moved = here.kind === 'marked';
  if (moved) {
    await markSibling(location, location, 'old');
    await rename(location, oldPath(location));
  }
  await rename(restoredPath(location), location);
  await syncDir(parent);
  await claimAsStore(location);
  if (moved) await removeOwnSibling(oldPath(location), location);
}
