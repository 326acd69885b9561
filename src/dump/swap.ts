import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
 * `recoverInterruptedRestore` applies these rules before any store is opened at `location`.
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
    if (!alive(pid)) out.push({ path: join(dirname(location), name), kind: m[1] as Leftover['kind'], pid });
  }
  return out;
}

/** Finish or roll back a restore that was killed; returns what it did (empty when nothing). */
export async function recoverInterruptedRestore(location: string): Promise<string[]> {
  const found = await leftovers(location);
  if (found.length === 0) return [];
  const actions: string[] = [];
  if (!hasStore(location)) {
    const restored = found.find((l) => l.kind === 'restored' && hasStore(l.path));
    const old = found.find((l) => l.kind === 'old' && hasStore(l.path));
    const next = restored ?? old;
    if (next) {
      // an empty directory left at the path is in the way of the rename; anything else is not ours to delete
      await rmdir(location).catch(() => {});
      await rename(next.path, location).catch(() => {});
      await syncDir(dirname(location));
      actions.push(next.kind === 'restored' ? `completed the interrupted restore from ${next.path}` : `put back the store from ${next.path}`);
    }
  }
  for (const l of found) {
    if (!existsSync(l.path)) continue;
    await rm(l.path, { recursive: true, force: true });
    actions.push(`removed ${l.path}`);
  }
  return actions;
}

/** The swap itself, once the new store at `restoredPath` is complete and every handle is closed. */
export async function swapIn(location: string): Promise<void> {
  const parent = dirname(location);
  const hadStore = existsSync(location);
  if (hadStore) await rename(location, oldPath(location));
  await rename(restoredPath(location), location);
  await syncDir(parent);
  if (hadStore) await rm(oldPath(location), { recursive: true, force: true });
}
