import { closeSync, constants, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.js';

/** How long a hybrid write waits for the Python tool to let go of its lock (PYGUBUAI_LEGACY_LOCK_TIMEOUT_MS). */
export const DEFAULT_LEGACY_LOCK_TIMEOUT_MS = 10_000;

export const legacyLockPath = (registryPath: string): string => `${registryPath}.lock`;

export interface LegacyLock {
  readonly path: string;
  release(): void;
}

const lockTimeout = (): number => {
  const n = Number(process.env.PYGUBUAI_LEGACY_LOCK_TIMEOUT_MS);
  return Number.isFinite(n) && n >= 0 && process.env.PYGUBUAI_LEGACY_LOCK_TIMEOUT_MS !== '' ? n : DEFAULT_LEGACY_LOCK_TIMEOUT_MS;
};

/**
 * The Python tool's lock: `filelock.FileLock("<registry>.lock")`, which on Unix is flock(2) on that
 * file. Taken the same way (exclusive, non-blocking attempts until the bound), so each side waits
 * for the other; released by unlocking and closing. The lock file itself is left in place, as
 * filelock leaves it.
 */
export async function lockRegistry(registryPath: string, timeoutMs = lockTimeout()): Promise<LegacyLock> {
  const { default: fsExt } = await import('fs-ext');
  const path = legacyLockPath(registryPath);
  await mkdir(dirname(path), { recursive: true }).catch(() => {});
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  } catch (cause) {
    throw new StoreError('LEGACY_UNREADABLE', `cannot open the Python tool's lock file ${path}: ${(cause as Error).message}`, { cause });
  }
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      fsExt.flockSync(fd, 'exnb');
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
        closeSync(fd);
        throw new StoreError('LEGACY_UNREADABLE', `cannot lock ${path}: ${(err as Error).message}`, { cause: err });
      }
      const waited = Date.now() - started;
      if (waited >= timeoutMs) {
        closeSync(fd);
        throw new StoreError('LEGACY_LOCKED', `the Python tool holds ${path} (waited ${waited} ms); nothing was changed`, {
          hint: 'try again when the pygubu command running now has finished, or raise PYGUBUAI_LEGACY_LOCK_TIMEOUT_MS',
        });
      }
      await sleep(Math.min(5 * 2 ** attempt, 50, Math.max(1, timeoutMs - waited)));
    }
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      try {
        fsExt.flockSync(fd, 'un');
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Run `work` holding the registry's lock. */
export async function withRegistryLock<T>(registryPath: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockRegistry(registryPath);
  try {
    return await work();
  } finally {
    lock.release();
  }
}
