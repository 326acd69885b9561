// The published package as a user gets it: `npm pack`, then a fresh strict TypeScript app compiled
// and run against the unpacked tarball (its runtime dependencies are the ones this repo installed).
// Also: the tarball ships no unbundled CLI copy and no set-up scripts, every bare import of the
// packed code (ES import, dynamic import, require or lazyRequire) is a declared runtime dependency, and the scripts refuse a flag-like path.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, tempDir } from './helpers.js';
import { http, until } from './server-helpers.js';

interface PackFile {
  path: string;
}
let packed: { filename: string; files: PackFile[]; size: number; unpackedSize: number; entryCount: number } | undefined;
let work = '';
let cleanup: () => Promise<void> = async () => {};
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; name: string; version: string };

test.before(async () => {
  const t = await tempDir('pygubuai-pack-');
  work = t.dir;
  cleanup = t.cleanup;
  // The tree is built already (npm test runs on a build); --ignore-scripts keeps pack from rebuilding it.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  packed = (JSON.parse(out) as (typeof packed)[])[0];
});
test.after(() => cleanup());

test('the tarball ships the library, the bundled bins and the schemas, nothing a user does not run', () => {
  const paths = packed!.files.map((f) => f.path);
  for (const p of ['package.json', 'README.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/bin/pygubu-db.js', 'schemas/envelope.schema.json', 'dist/src/cli/failure.js' /* how the server and client report a failure */, 'dist/src/server/web/assets/dashboard.js', 'dist/src/server/web/assets/dashboard.css', 'dist/src/server/web/assets/favicon.svg' /* the web dashboard's files */]) {
    assert.ok(paths.includes(p), `${p} is packed`);
  }
  for (const p of paths) {
    assert.not.ok(p.startsWith('scripts/') || p.startsWith('test/') || p.startsWith('bench/'), `${p} is not for users`);
    assert.not.ok(p.includes('quickstart'), p);
    assert.not.ok(/^dist\/src\/cli\/(?!failure\.|host\.)/.test(p), `${p}: the bins are bundled, the unbundled CLI copy is not shipped`);
  }
});

test('every bare import in the packed code is a runtime dependency (or a Node built-in)', async () => {
  const unpack = join(work, 'unpacked');
  await mkdir(unpack);
  execFileSync('tar', ['-xzf', join(work, packed!.filename), '-C', unpack]);
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const imported = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.js') || e.name.endsWith('.cjs')) {
        const text = await readFile(p, 'utf8');
        for (const m of text.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*["']([^"'.][^"']*)["']|import\(\s*["']([^"'.][^"']*)["']\s*\)|\blazyRequire\w*\(\s*["']([^"'.][^"']*)["']|\brequire\(\s*["']([^"'.][^"']*)["']\s*\)/g)) {
          const spec = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          if (!builtins.has(spec) && !builtins.has(name)) imported.add(name);
        }
      }
    }
  };
  await walk(join(unpack, 'package', 'dist'));
  assert.ok(imported.has('classic-level') && imported.has('msgpackr'), [...imported].join(','));
  for (const name of imported) assert.ok(name in pkg.dependencies, `${name} is imported by the packed code but is not in dependencies`);
});

test('a fresh strict TypeScript app compiles against the packed package without a cast, and runs', async () => {
  const app = join(work, 'app');
  const modules = join(app, 'node_modules');
  await mkdir(join(modules, '@types'), { recursive: true });
  await cp(join(work, 'unpacked', 'package'), join(modules, pkg.name), { recursive: true });
  // The runtime dependencies (and their own) as this repo installed them; no network needed.
  for (const name of Object.keys(pkg.dependencies)) {
    if (name.startsWith('@')) await mkdir(join(modules, name.split('/')[0]!), { recursive: true });
    await symlink(join(ROOT, 'node_modules', name), join(modules, name));
  }
  await symlink(join(ROOT, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'));
  const source = await readFile(join(ROOT, 'test', 'fixtures', 'consumer', 'app.ts'), 'utf8');
  assert.not.match(source.replace(/\/\/.*$/gm, '').replace(/import \* as \w+/g, ''), /\bas\s+(?!const\b)[A-Za-z{[(]/, 'the app uses no casts');
  assert.ok((source.match(/@ts-expect-error/g) ?? []).length >= 7);
  await writeFile(join(app, 'app.ts'), source);
  await cp(join(ROOT, 'test', 'fixtures', 'consumer', 'tsconfig.json'), join(app, 'tsconfig.json'));
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { encoding: 'utf8' });
  assert.is(tsc.status, 0, `tsc:\n${tsc.stdout}${tsc.stderr}`);
  const runApp = spawnSync(process.execPath, [join(app, 'dist', 'app.js')], { encoding: 'utf8', cwd: app });
  assert.is(runApp.status, 0, runApp.stderr);
  assert.is(runApp.stdout, 'consumer ok\n');
  const version = spawnSync(process.execPath, ['--input-type=module', '-e', "import p from 'pygubuai-store/package.json' with { type: 'json' }; console.log(p.version)"], { encoding: 'utf8', cwd: app });
  assert.is(version.stdout.trim(), pkg.version, version.stderr);
});

test('the packed bin serves the web dashboard and its files (found from inside the bundle)', async () => {
  const binPath = join(work, 'app', 'node_modules', pkg.name, 'dist', 'src', 'bin', 'pygubu-db.js');
  const home = join(work, 'serve-home');
  await mkdir(join(home, '.pygubuai'), { recursive: true });
  const child = spawn(process.execPath, [binPath, 'serve'], { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: home, PYGUBUAI_HOME: join(home, '.pygubuai') }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const descriptor = join(home, '.pygubuai', 'store.server.json');
    await until('the packed server', async () => existsSync(descriptor) && (await http(JSON.parse(await readFile(descriptor, 'utf8')).socket, 'GET', '/v1/handshake').catch(() => ({ status: 0 }))).status === 200);
    const { socket } = JSON.parse(await readFile(descriptor, 'utf8')) as { socket: string };
    const page = await http(socket, 'GET', '/');
    assert.is(page.status, 200, stderr);
    assert.match(page.text, /<h1>Overview<\/h1>/);
    for (const [file, type] of [['dashboard.js', 'text/javascript'], ['dashboard.css', 'text/css'], ['favicon.svg', 'image/svg+xml']] as const) {
      const asset = await http(socket, 'GET', `/assets/${file}`);
      assert.is(asset.status, 200, `${file}: ${asset.text}`);
      assert.match(String(asset.headers['content-type']), type);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('scripts and generators refuse a flag-like path', async () => {
  const cases: Array<[string, string[]]> = [
    ['dist/bench/gen-legacy.js', ['--help']],
    ['dist/src/quickstart.js', ['--store', '--help']],
    ['dist/bench/run.js', ['--quick', '--out', '--help']],
  ];
  for (const [script, args] of cases) {
    const r = spawnSync(process.execPath, [join(ROOT, script), ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: work } });
    assert.is(r.status, 2, `${script} ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /must be a path, not the flag-like "--help"/);
  }
  assert.equal((await readdir(work)).filter((f) => f.startsWith('-')), []);
});

test.run();
