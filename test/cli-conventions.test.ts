// The command-line conventions every bin keeps: its own --version, colour decided per stream and by
// NO_COLOR / FORCE_COLOR / --color, `-` for stdin/stdout, a completion command, exit 130 on Ctrl-C,
// one-line usage errors that name what is missing and the subcommand's --help; and the small ones.
import { spawn } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, json, ROOT, run, tempDir } from './helpers.js';

let dir = '';
let env: Record<string, string> = {};
let cleanup: () => Promise<void> = async () => {};
const db = (...args: string[]) => run('pygubu-db', args, { env });
const an = (...args: string[]) => run('pygubu-analytics', args, { env });
const ESC = '\x1b[';

test.before(async () => {
  const t = await tempDir('pygubuai-conv-');
  dir = t.dir;
  cleanup = t.cleanup;
  env = { HOME: dir, PYGUBUAI_HOME: join(dir, '.pygubuai') };
  for (const name of ['alpha', 'beta', 'gamma']) await mkdir(join(dir, 'apps', name), { recursive: true });
  assert.is((await db('init', '--no-starters')).code, 0);
  for (const name of ['alpha', 'beta', 'gamma']) {
    const r = await db('project', 'add', join(dir, 'apps', name), '--tags', 'forms');
    assert.is(r.code, 0, r.stderr);
  }
});
test.after(() => cleanup());

test('--version is the package own version wherever it is run', async () => {
  const own = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version as string;
  const elsewhere = join(dir, 'other');
  await mkdir(elsewhere);
  await writeFile(join(elsewhere, 'package.json'), JSON.stringify({ name: 'other', version: '9.9.9' }));
  for (const bin of ['pygubu-db', 'pygubu-template', 'pygubu-analytics'] as const) {
    const r = await run(bin, ['--version'], { env, cwd: elsewhere });
    assert.is(r.stdout, `${own}\n`, bin);
  }
});

test('colour: FORCE_COLOR and --color turn it on for a pipe, NO_COLOR and --no-color off', async () => {
  const err = (extra: Record<string, string>, ...args: string[]) => run('pygubu-db', ['project', 'show', 'nope', ...args], { env: { ...env, ...extra } });
  assert.not.ok((await err({})).stderr.includes(ESC), 'no colour into a pipe by default');
  assert.ok((await err({ FORCE_COLOR: '1' })).stderr.startsWith(`${ESC}31merror:`), 'FORCE_COLOR=1 colours a pipe');
  assert.not.ok((await err({ FORCE_COLOR: '0' })).stderr.includes(ESC), 'FORCE_COLOR=0 is off');
  assert.not.ok((await err({ NO_COLOR: '1' })).stderr.includes(ESC), 'NO_COLOR is off');
  assert.ok((await err({ NO_COLOR: '1' }, '--color')).stderr.includes(ESC), '--color beats NO_COLOR');
  assert.not.ok((await err({ FORCE_COLOR: '1' }, '--no-color')).stderr.includes(ESC), '--no-color beats FORCE_COLOR');
  const list = await run('pygubu-db', ['project', 'list'], { env: { ...env, FORCE_COLOR: '1' } });
  assert.ok(list.stdout.includes(ESC), 'stdout is coloured too when forced');
});

test('`-` is stdout for --out and for dump, stdin for load', async () => {
  const r = await an('export', '--format', 'json', '--out', '-');
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), []);
  const o = await an('export', '-o', '-', '--view', 'complexity');
  assert.is(o.code, 0, o.stderr);
  assert.ok(o.stdout.startsWith('project,project_id,files,'), o.stdout);
  const dump = await db('dump', '-');
  assert.is(dump.code, 0, dump.stderr);
  const other = join(dir, 'copy-store');
  const load = await run('pygubu-db', ['--store', other, 'load', '-'], { env, input: dump.stdout });
  assert.is(load.code, 0, load.stderr);
  assert.is(json(await run('pygubu-db', ['--store', other, 'stats', '--json'], { env })).projects, 3);
});

test('completion prints a shell completion script for its bin', async () => {
  for (const bin of ['pygubu-db', 'pygubu-template', 'pygubu-analytics'] as const) {
    const r = await run(bin, ['completion'], { env });
    assert.is(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`${bin} --get-yargs-completions`), r.stdout);
  }
  const words = await run('pygubu-db', ['--get-yargs-completions', 'pygubu-db', 'pro'], { env });
  assert.ok(words.stdout.split('\n').includes('project'), words.stdout);
});

test('Ctrl-C exits 130', async () => {
  const child = spawn(process.execPath, [BIN('pygubu-db'), 'log', '--follow', '--json', '--interval', '50'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) child.kill('SIGINT');
    });
    child.on('close', (c) => resolve(c));
  });
  assert.is(code, 130);
  assert.ok(out.includes('project.registered'), out);
});

test('usage errors: one line, the missing argument named, the subcommand --help pointed at', async () => {
  const cases: Array<[string[], string]> = [
    [['project', 'add'], 'error: `pygubu-db project add` needs <path>; see `pygubu-db project add --help` (USAGE)\n'],
    [['history', 'record', 'alpha'], 'error: `pygubu-db history record` needs <action>; see `pygubu-db history record --help` (USAGE)\n'],
    [['project'], 'error: `pygubu-db project` needs <command>; see `pygubu-db project --help` (USAGE)\n'],
    [['project', 'list', '--limit', '-3'], 'error: --limit takes a whole number; see `pygubu-db project list --help` (USAGE)\n'],
  ];
  for (const [args, expected] of cases) {
    const r = await db(...args);
    assert.is(r.code, 2, args.join(' '));
    assert.is(r.stderr, expected);
  }
  const unknown = await db('project', 'add', 'a', 'b');
  assert.is(unknown.code, 2);
  assert.is(unknown.stderr.split('\n').length, 2, unknown.stderr);
  assert.match(unknown.stderr, /^error: pygubu-db project add: Unknown argument: b; see `pygubu-db project add --help` \(USAGE\)$/m);
});

test('project search says when more matched; list --json marks the active project', async () => {
  const r = await db('project', 'search', 'alpha');
  assert.not.ok(r.stdout.includes('more projects match'));
  const s = await db('project', 'search', 'forms', '--limit', '2');
  assert.is(s.code, 0, s.stderr);
  assert.ok(s.stdout.includes('showing the first 2; more projects match'), s.stdout);
  assert.is((await db('project', 'active', 'beta')).code, 0);
  const list = json(await db('project', 'list', '--json')) as Array<{ name: string; active: boolean }>;
  assert.equal(list.map((p) => [p.name, p.active]), [['alpha', false], ['beta', true], ['gamma', false]]);
});

test('counts take the right number: 1 project, 1 workflow file', async () => {
  const t = await tempDir('pygubuai-conv-one-');
  try {
    const e = { HOME: t.dir, PYGUBUAI_HOME: join(t.dir, '.pygubuai') };
    await mkdir(join(t.dir, 'solo'));
    await writeFile(join(t.dir, 'solo', 'main.ui'), '<interface><object class="ttk.Frame" id="f" /></interface>');
    assert.is((await run('pygubu-db', ['project', 'add', join(t.dir, 'solo')], { env: e })).code, 0);
    assert.is((await run('pygubu-db', ['history', 'record', 'solo', 'file_changed'], { env: e })).code, 0);
    const r = await run('pygubu-db', ['export-json', '--registry', join(t.dir, 'r.json')], { env: e });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(1 project\) and 1 workflow file in/);
    const scan = await run('pygubu-analytics', ['scan'], { env: e });
    assert.match(scan.stdout, /^1 \.ui file: 1 recorded, 0 unchanged, 0 problems \(/m);
  } finally {
    await t.cleanup();
  }
});

test('perf: "recording is off" is not printed above recorded timings as if there were none', async () => {
  assert.is((await run('pygubu-analytics', ['widgets'], { env: { ...env, PYGUBUAI_RECORD_PERF: '1' } })).code, 0);
  const r = await an('perf');
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines[0]!.startsWith('OPERATION'), r.stdout);
  assert.ok(lines.some((l) => l.startsWith('widgets ')), r.stdout);
  assert.match(lines[lines.length - 1]!, /^recording is off now, so new runs are not added/);
});

test('history record --help describes -d; --store=~/x is the home directory, not ./~', async () => {
  const help = await db('history', 'record', '--help');
  assert.match(help.stdout, /-d, --description\s+what happened/);
  const cwd = join(dir, 'cwd');
  await mkdir(cwd);
  const r = await run('pygubu-db', ['--store=~/tilde-store', 'init', '--no-starters'], { env, cwd });
  assert.is(r.code, 0, r.stderr);
  assert.ok((await stat(join(dir, 'tilde-store'))).isDirectory());
  assert.is(await stat(join(cwd, '~')).then(() => 'exists', () => 'absent'), 'absent');
});

test('load of a plain text file says it is not a dump', async () => {
  const file = join(dir, 'notes.txt');
  await writeFile(file, 'hello, these are my notes\n');
  const r = await db('load', file, '--format', 'msgpack');
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: byte offset 0: not a pygubuai dump: .* \(DUMP_NOT_A_DUMP\)$/m);
  const sniffed = await db('load', file);
  assert.match(sniffed.stderr, /not a pygubuai dump.*\(DUMP_NOT_A_DUMP\)/);
});

test('trends does not draw the days before the first measurement with its value', async () => {
  assert.is((await an('record', 'build_ms', '40', '--at', '2026-03-10T09:00:00Z')).code, 0);
  assert.is((await an('record', 'build_ms', '60', '--at', '2026-03-12T09:00:00Z')).code, 0);
  const r = await an('trends', '--metric', 'build_ms', '--days', '10', '--until', '2026-03-12');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n2026-03-10 .*no data before 2026-03-10/);
  assert.not.match(r.stdout, /\n2026-03-03 /);
});

test('every command is a descriptor that matches its lazily loaded module; --help lists all, <cmd> --help its options', async () => {
  const bins = {
    'pygubu-db': (await import('../src/cli/db/index.js')).dbCommands,
    'pygubu-template': (await import('../src/cli/template/index.js')).templateCommands,
    'pygubu-analytics': (await import('../src/cli/analytics/index.js')).analyticsCommands,
  } as const;
  for (const [bin, entries] of Object.entries(bins) as Array<[keyof typeof bins, (typeof bins)[keyof typeof bins]]>) {
    const help = await run(bin, ['--help'], { env });
    assert.is(help.code, 0, help.stderr);
    for (const entry of entries) {
      const loaded = await entry.load();
      assert.equal(loaded.command, entry.command, `${bin}: the descriptor's command is the module's`);
      assert.is(loaded.describe, entry.describe, `${bin} ${String(entry.command)}: the descriptor's describe is the module's`);
      const name = String(Array.isArray(entry.command) ? entry.command[0] : entry.command).split(' ')[0]!;
      assert.ok(help.stdout.includes(`${bin} ${name}`), `${bin} --help lists ${name}`);
    }
  }
  // A command's own --help comes from its module's builder: its options, its subcommands.
  const show = await db('project', 'show', '--help');
  assert.is(show.code, 0, show.stderr);
  assert.match(show.stdout, /--as-of/);
  const project = await db('project', '--help');
  assert.match(project.stdout, /pygubu-db project add <path>/);
  const exp = await an('export', '--help');
  assert.match(exp.stdout, /--out/);
});

test.run();
