// Every shell example in docs/*.md marked `<!-- doc-test -->` is run, as a user would run it: the
// real bins on PATH, in a fresh temporary HOME, the blocks of one file in order (each block sees
// what the earlier ones made). A documented command that stops working fails here.
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, ROOT, run, tempDir } from './helpers.js';

const BINS = ['pygubu-db', 'pygubu-template', 'pygubu-analytics'] as const;
/** `<!-- doc-test -->` or `<!-- doc-test exit=N -->`, then a ```sh fenced block. */
const BLOCK_RE = /^<!-- doc-test(?: exit=(\d+))? -->\n```sh\n([\s\S]*?)\n```$/gm;

export interface DocBlock {
  file: string;
  line: number;
  exit: number;
  script: string;
}

export async function docBlocks(): Promise<DocBlock[]> {
  const dir = join(ROOT, 'docs');
  const blocks: DocBlock[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.md')).sort()) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const m of text.matchAll(BLOCK_RE)) {
      const line = text.slice(0, m.index).split('\n').length;
      blocks.push({ file, line, exit: Number(m[1] ?? 0), script: m[2] ?? '' });
    }
  }
  return blocks;
}

function bash(script: string, env: Record<string, string>, cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const blocks = await docBlocks();
const files = [...new Set(blocks.map((b) => b.file))];

const coverage = suite('docs examples: coverage');

coverage('commands.md has runnable examples and every command of every bin is in one', async () => {
  assert.ok(files.includes('commands.md'), 'docs/commands.md has no <!-- doc-test --> blocks');
  const scripts = blocks.filter((b) => b.file === 'commands.md').map((b) => b.script).join('\n');
  for (const bin of BINS) {
    const help = await run(bin, ['--help'], { env: { HOME: '/nonexistent' } });
    assert.is(help.code, 0, help.stderr);
    const section = help.stdout.split('Commands:')[1]?.split('Options:')[0] ?? '';
    const commands = [...section.matchAll(new RegExp(`^\\s+${bin} ([a-z-]+)`, 'gm'))].map((m) => m[1] ?? '');
    assert.ok(commands.length >= 6, `${bin} --help lists its commands:\n${help.stdout}`);
    for (const c of commands) {
      assert.ok(new RegExp(`(^|[|;&(]\\s*|\\s)${bin}( --store \\S+)? ${c}\\b`, 'm').test(scripts), `docs/commands.md has no doc-test example of \`${bin} ${c}\``);
    }
  }
});

coverage.run();

for (const file of files) {
  const s = suite(`docs examples: ${file}`);
  let home = '';
  let work = '';
  let env: Record<string, string> = {};
  let cleanup = async () => {};
  s.before(async () => {
    const t = await tempDir('pygubuai-docs-');
    cleanup = t.cleanup;
    home = join(t.dir, 'home');
    work = join(t.dir, 'work');
    const bin = join(t.dir, 'bin');
    await Promise.all([mkdir(home), mkdir(work), mkdir(bin)]);
    for (const b of BINS) await symlink(BIN(b), join(bin, b));
    env = {
      HOME: home,
      PYGUBUAI_HOME: join(home, '.pygubuai'),
      USER: 'ann',
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      PATH: [bin, dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    };
  });
  s.after(() => cleanup());
  for (const b of blocks.filter((x) => x.file === file)) {
    s(`${file}:${b.line}`, async () => {
      const r = await bash(b.script, env, work);
      assert.is(r.code, b.exit, `docs/${file}:${b.line} exited ${r.code}, expected ${b.exit}:\n${b.script}\n--- output ---\n${r.out}`);
    });
  }
  s.run();
}
