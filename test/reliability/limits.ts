import { execFileSync, spawn } from 'node:child_process';
import { sandboxEnv } from '../sandbox.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real resource limits for fault tests, no mocks. Disk space: a small tmpfs when this process may
 * mount one (root), otherwise a file-size limit (`ulimit -f`, SIGXFSZ ignored so writes fail with
 * EFBIG) on the child that writes. `PYGUBUAI_TEST_NO_MOUNT=1` forces the fallback.
 */
export interface LimitedSpace {
  dir: string;
  mechanism: 'tmpfs' | 'ulimit -f';
  /** argv for spawning `node script args…` under the limit. */
  command(script: string, args: readonly string[]): [string, string[]];
  /** Make room again (the tmpfs grows; a ulimit only ever bound the child). */
  grow(): void;
  cleanup(): Promise<void>;
}

const canMount = (): boolean => process.env.PYGUBUAI_TEST_NO_MOUNT !== '1' && process.getuid?.() === 0;

function tryMount(dir: string, options: string): boolean {
  if (!canMount()) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function limitedSpace(bytes: number): Promise<LimitedSpace> {
  const dir = await mkdtemp(join(tmpdir(), 'pygubuai-space-'));
  if (tryMount(dir, `size=${bytes}`)) {
    return {
      dir,
      mechanism: 'tmpfs',
      command: (script, args) => [process.execPath, [script, ...args]],
      grow: () => execFileSync('mount', ['-o', 'remount,size=256m', dir]),
      cleanup: async () => {
        execFileSync('umount', ['-l', dir]);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const blocks = Math.max(1, Math.floor(bytes / 1024)); // bash counts ulimit -f in 1024-byte blocks
  return {
    dir,
    mechanism: 'ulimit -f',
    command: (script, args) => ['bash', ['-c', `ulimit -f ${blocks}; trap '' XFSZ; exec "$0" "$@"`, process.execPath, script, ...args]],
    grow: () => {},
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A directory the store cannot write to: a read-only tmpfs remount when mounting is allowed;
 * otherwise `chmod a-w`, which binds root only when the child runs as another user (setpriv).
 */
export interface ReadOnlyDir {
  dir: string;
  mechanism: 'read-only mount' | 'chmod + setpriv nobody' | 'chmod';
  freeze(): void;
  thaw(): void;
  command(script: string, args: readonly string[]): [string, string[]];
  cleanup(): Promise<void>;
}

export async function readOnlyDir(): Promise<ReadOnlyDir> {
  const dir = await mkdtemp(join(tmpdir(), 'pygubuai-ro-'));
  if (tryMount(dir, 'size=64m')) {
    return {
      dir,
      mechanism: 'read-only mount',
      freeze: () => execFileSync('mount', ['-o', 'remount,ro', dir]),
      thaw: () => execFileSync('mount', ['-o', 'remount,rw', dir]),
      command: (script, args) => [process.execPath, [script, ...args]],
      cleanup: async () => {
        execFileSync('umount', ['-l', dir]);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const root = process.getuid?.() === 0;
  return {
    dir,
    mechanism: root ? 'chmod + setpriv nobody' : 'chmod',
    freeze: () => execFileSync('chmod', ['-R', 'a-w', dir]),
    thaw: () => execFileSync('chmod', ['-R', 'u+w', dir]),
    command: (script, args) =>
      root ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, script, ...args]] : [process.execPath, [script, ...args]],
    cleanup: async () => {
      execFileSync('chmod', ['-R', 'u+w', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const runCommand = ([cmd, args]: [string, string[]], env: Record<string, string> = {}): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: sandboxEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
