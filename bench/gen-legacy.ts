/**
 * Writes a legacy PygubuAI data set the way the Python tool leaves it: a registry of N projects and,
 * in each project directory, a `.pygubu-workflow.json` with H history entries. Deterministic for a
 * seed. Used by the import bench; the bench suite can reuse it (`generateLegacy`).
 *
 *   node dist/bench/gen-legacy.js <dir> [projects=1000] [history=100] [seed=1]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rng } from './lib/random.js';
import { pathArgOrExit } from '../src/lib/path-arg.js';

export interface GenerateOptions {
  projects: number;
  historyPerProject: number;
  seed?: number;
}

export interface GeneratedLegacy {
  registryPath: string;
  projects: number;
  historyEntries: number;
  bytes: number;
}


const WORDS = ['login', 'form', 'dashboard', 'settings', 'editor', 'viewer', 'café', 'wizard', 'report', 'chart', 'menu', 'dialog'];
const TAGS = ['forms', 'auth', 'data', 'ui', 'tools', 'demo', 'emoji-😀', 'admin'];
const ACTIONS = ['file_changed', 'ui_generated', 'widget_added', 'callback_added', 'project_created'];

const pyIso = (ms: number): string => {
  const iso = new Date(ms).toISOString();
  const frac = iso.slice(20, 23);
  return frac === '000' ? `${iso.slice(0, 19)}+00:00` : `${iso.slice(0, 19)}.${frac}${String(ms % 7).padStart(3, '0')}+00:00`;
};

export async function generateLegacy(dir: string, options: GenerateOptions): Promise<GeneratedLegacy> {
  const rand = rng(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const projects: Record<string, unknown> = {};
  const base = Date.parse('2024-01-01T00:00:00Z');
  let bytes = 0;
  for (let i = 0; i < options.projects; i++) {
    const name = `${pick(WORDS)}-${i}`;
    const path = join(dir, 'projects', name);
    const created = base + Math.floor(rand() * 3e10);
    let t = created;
    const history = Array.from({ length: options.historyPerProject }, () => {
      t += Math.floor(rand() * 3.6e6);
      const action = pick(ACTIONS);
      return { timestamp: pyIso(t), action, description: `${action} ${pick(WORDS)}.ui`, user: null };
    });
    projects[name] = { path, created: pyIso(created), modified: pyIso(t), description: `${pick(WORDS)} ${pick(WORDS)} app`, tags: [pick(TAGS), pick(TAGS)].filter((x, k, a) => a.indexOf(x) === k) };
    const workflow = {
      project: name,
      history,
      last_sync: pyIso(t),
      version: '1.0',
      file_hashes: { [`${name}.ui`]: 'ab'.repeat(32) },
      file_mtimes: { [`${name}.ui`]: t / 1000 },
    };
    await mkdir(path, { recursive: true });
    const text = JSON.stringify(workflow, null, 2);
    bytes += text.length;
    await writeFile(join(path, '.pygubu-workflow.json'), text);
  }
  const registryPath = join(dir, 'registry.json');
  const text = JSON.stringify({ projects, active: Object.keys(projects)[0] ?? null, version: '1.0' }, null, 2);
  await writeFile(registryPath, text);
  return { registryPath, projects: options.projects, historyEntries: options.projects * options.historyPerProject, bytes: bytes + text.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, projects = '1000', history = '100', seed = '1'] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: gen-legacy <dir> [projects] [history] [seed]');
    process.exit(2);
  }
  const out = await generateLegacy(pathArgOrExit(dir, 'gen-legacy <dir>'), { projects: Number(projects), historyPerProject: Number(history), seed: Number(seed) });
  console.log(JSON.stringify(out));
}
