import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type OpenStoreOptions, type Store } from '../src/index.js';
import { sandboxEnv } from './sandbox.js';

export { sandboxEnv, sandboxHome } from './sandbox.js';

/** The package root (tests run from dist/test). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = (name: 'pygubu-db' | 'pygubu-template' | 'pygubu-analytics') => join(ROOT, 'dist', 'src', 'bin', `${name}.js`);

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'pygubuai-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A real store in a temporary directory. */
export async function tempStore(options: OpenStoreOptions = {}): Promise<{ store: Store; dir: string; location: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const location = join(dir, 'store');
  const store = await openStore({ location, sync: false, ...options });
  return {
    store,
    dir,
    location,
    cleanup: async () => {
      await store.close().catch(() => {});
      await cleanup();
    },
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawn a built bin as a user would, with HOME and PYGUBUAI_HOME in a temporary directory unless env
 * names its own; `nodeArgs` go to node before the bin (`--require` a preload, V8 flags).
 */
export function run(
  bin: 'pygubu-db' | 'pygubu-template' | 'pygubu-analytics',
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number; nodeArgs?: readonly string[] } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN(bin), ...args], {
      cwd: options.cwd ?? ROOT,
      env: sandboxEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Parse the JSON document a `--json` command printed. */
export const json = <T = any>(r: RunResult): T => {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\nstderr: ${r.stderr}`);
  }
};
