import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, json, run, tempDir, type RunResult } from './helpers.js';
import { sandboxEnv } from './sandbox.js';

/** The Python test double of the tool's registry writer (test/fixtures/pygubu_registry_double.py). */
export const PYTHON_DOUBLE = join(ROOT, 'test', 'fixtures', 'pygubu_registry_double.py');

/** One running `Registry` object of the Python double, driven one command at a time. */
export class PythonTool {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiting: Array<(line: string) => void> = [];
  private stderr = '';

  constructor(registryPath: string, env: Record<string, string>, options: { noLock?: boolean; cacheSeconds?: number } = {}) {
    const flags = [...(options.noLock ? ['--no-lock'] : []), ...(options.cacheSeconds !== undefined ? ['--cache-seconds', String(options.cacheSeconds)] : [])];
    this.child = spawn('python3', [PYTHON_DOUBLE, registryPath, ...flags], { env: sandboxEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      this.buffer += d;
      for (let i = this.buffer.indexOf('\n'); i >= 0; i = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.child.stderr.on('data', (d) => (this.stderr += d));
  }

  /** Send one command; resolves with its answer, rejects on an error answer or a dead double. */
  do(...cmd: unknown[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`the Python double exited: ${this.stderr}`));
      this.child.once('exit', onExit);
      this.waiting.push((line) => {
        this.child.off('exit', onExit);
        if (line.startsWith('ok')) resolve(line);
        else reject(new Error(`python double: ${line}`));
      });
      this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    });
  }

  async quit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end(`${JSON.stringify(['quit'])}\n`);
    await exited;
  }
}

/**
 * A user's machine in a temp dir: a home with config.json (storage_mode hybrid), a registry the
 * Python double wrote with projects a, b, c, migrated into the default store and synced once.
 */
export async function hybridHome(projects: readonly string[] = ['a', 'b', 'c']) {
  const { dir, cleanup } = await tempDir('pygubuai-hybrid-');
  const home = join(dir, 'home');
  const registry = join(home, '.pygubu-registry.json');
  await mkdir(join(home, '.pygubuai'), { recursive: true });
  const env = { HOME: home, PYGUBUAI_HOME: join(home, '.pygubuai'), PYGUBUAI_LOCK_TIMEOUT_MS: '60000' };
  const projectDir = (name: string) => join(dir, 'p', name);
  for (const p of projects) await mkdir(projectDir(p), { recursive: true });
  await writeFile(registry, '{"projects": {}, "active": null}');
  const py = new PythonTool(registry, env);
  for (const p of projects) await py.do('add', p, projectDir(p), `${p} v1`, ['t']);
  await py.quit();
  const db = (...args: string[]): Promise<RunResult> => run('pygubu-db', args, { env });
  const ok = async (...args: string[]): Promise<RunResult> => {
    const r = await db(...args);
    if (r.code !== 0) throw new Error(`pygubu-db ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  };
  await ok('migrate');
  await ok('config', 'set', 'storage_mode', 'hybrid');
  await ok('sync');
  // A stale read must stay stale for the length of the interleaving, however slow the machine.
  const python = (options: { noLock?: boolean } = {}) => new PythonTool(registry, env, { cacheSeconds: 3600, ...options });
  const storeProjects = async () => json<Array<{ name: string; description: string; tags: string[] }>>(await ok('project', 'list', '--json', '--sort', 'name'));
  return { dir, home, registry, env, projectDir, db, ok, python, storeProjects, cleanup, writeFile };
}
