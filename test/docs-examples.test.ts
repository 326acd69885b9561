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
/**
 * The markers before a fenced block (on the line above it):
 * - `<!-- doc-test -->` / `<!-- doc-test exit=N -->` + ```sh: the script runs (bash -e) and exits N (0).
 * - `<!-- doc-test transcript -->` + ```console: each `$ command` runs in turn, and what it prints
 *   (stdout and stderr, in order) must be the lines below it. In those lines `…` stands for any text
 *   within a line (times, ids, hashes), and a line that is only `…` for any number of lines.
 * - `<!-- not-run: why -->`: a command block no test can run (it installs globally, runs for minutes,
 *   needs a terminal…); the reason is required, so nothing is left unexecuted silently.
 */
const BLOCK_RE = /^<!-- doc-test(?: exit=(\d+))? -->\n```sh\n([\s\S]*?)\n```$/gm;
const TRANSCRIPT_RE = /^<!-- doc-test transcript -->\n```console\n([\s\S]*?)\n```$/gm;
/** Every fenced block: the line above it, its info string, its body. */
const FENCE_RE = /^(.*)\n```([\w-]*)\n([\s\S]*?)\n```$/gm;
const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);
const MARKER_RE = /^<!-- (doc-test(?: exit=\d+| transcript)?|not-run: .{10,}) -->$/;
/** The docs a user reads: the README and the guides (not the generated API reference). */
const DOC_FILES = async (): Promise<string[]> => ['README.md', ...(await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

export interface DocBlock {
  file: string;
  line: number;
  exit: number;
  script: string;
}

export interface Transcript {
  file: string;
  line: number;
  steps: Array<{ command: string; expected: string[] }>;
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

export async function docBlocks(): Promise<DocBlock[]> {
  const blocks: DocBlock[] = [];
  for (const file of await DOC_FILES()) {
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(BLOCK_RE)) blocks.push({ file, line: lineOf(text, m.index), exit: Number(m[1] ?? 0), script: m[2] ?? '' });
  }
  return blocks;
}

export async function transcripts(): Promise<Transcript[]> {
  const out: Transcript[] = [];
  for (const file of await DOC_FILES()) {
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(TRANSCRIPT_RE)) {
      const steps: Transcript['steps'] = [];
      for (const l of (m[1] ?? '').split('\n')) {
        if (l.startsWith('$ ')) steps.push({ command: l.slice(2), expected: [] });
        else if (steps.length === 0) throw new Error(`${file}:${lineOf(text, m.index)}: a transcript starts with a \`$ command\` line`);
        else steps[steps.length - 1]!.expected.push(l);
      }
      out.push({ file, line: lineOf(text, m.index), steps });
    }
  }
  return out;
}

/** Fenced blocks that hold commands (a shell language, or `$ ` lines) but carry no marker. */
export async function unmarkedCommandBlocks(): Promise<string[]> {
  const bad: string[] = [];
  for (const file of await DOC_FILES()) {
    const text = await readFile(join(ROOT, file), 'utf8');
    // FENCE_RE pairs the fences in order (the next match starts after this block's closing fence).
    for (const m of text.matchAll(FENCE_RE)) {
      const lang = m[2] ?? '';
      const body = m[3] ?? '';
      const commands = SHELL_LANGS.has(lang) || (lang === '' && /^\$ /m.test(body));
      if (commands && !MARKER_RE.test(m[1] ?? '')) bad.push(`${file}:${lineOf(text, m.index) + 1}`);
    }
  }
  return bad;
}

/** Whether `actual` lines are what `expected` describes (`…` within a line, a lone `…` for lines). */
export function matchesTranscript(expected: readonly string[], actual: readonly string[]): boolean {
  const line = (e: string) => new RegExp(`^${e.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const go = (i: number, j: number): boolean => {
    if (i === expected.length) return j === actual.length;
    if (expected[i] === '…') return go(i + 1, j) || (j < actual.length && go(i, j + 1));
    return j < actual.length && line(expected[i]!).test(actual[j]!) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

function bash(script: string, env: Record<string, string>, cwd: string, options: { failOk?: boolean } = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [...(options.failOk ? [] : ['-e']), '-o', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
const scripted = await transcripts();
const files = [...new Set([...blocks.map((b) => b.file), ...scripted.map((t) => t.file)])];

const coverage = suite('docs examples: coverage');

coverage('commands.md has runnable examples and every command of every bin is in one', async () => {
  assert.ok(files.includes('docs/commands.md'), 'docs/commands.md has no <!-- doc-test --> blocks');
  const scripts = blocks.filter((b) => b.file === 'docs/commands.md').map((b) => b.script).join('\n');
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

coverage('every command block in the README and docs/*.md is run, or says why not', async () => {
  const bad = await unmarkedCommandBlocks();
  assert.equal(bad, [], `command blocks with no <!-- doc-test --> / <!-- doc-test transcript --> / <!-- not-run: why --> above them:\n${bad.join('\n')}`);
});

coverage('the transcript matcher: … within a line, a lone … for any lines, nothing else', () => {
  assert.ok(matchesTranscript(['loaded 3 events in … ms'], ['loaded 3 events in 25 ms']));
  assert.ok(matchesTranscript(['a', '…', 'z'], ['a', 'b', 'c', 'z']));
  assert.ok(matchesTranscript(['a', '…', 'z'], ['a', 'z']));
  assert.not.ok(matchesTranscript(['loaded 3 events'], ['loaded 4 events']));
  assert.not.ok(matchesTranscript(['a'], ['a', 'b']));
  assert.not.ok(matchesTranscript(['x (1+1)'], ['x 2']));
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
  // Scripts and transcripts of one file run in the order they appear in it.
  const items = [
    ...blocks.filter((x) => x.file === file).map((b) => ({ line: b.line, block: b })),
    ...scripted.filter((x) => x.file === file).map((t) => ({ line: t.line, transcript: t })),
  ].sort((a, b) => a.line - b.line);
  for (const item of items) {
    if ('block' in item && item.block) {
      const b = item.block;
      s(`${file}:${b.line}`, async () => {
        const r = await bash(b.script, env, work);
        assert.is(r.code, b.exit, `${file}:${b.line} exited ${r.code}, expected ${b.exit}:\n${b.script}\n--- output ---\n${r.out}`);
      });
    } else if ('transcript' in item && item.transcript) {
      const t = item.transcript;
      s(`${file}:${t.line} (transcript)`, async () => {
        for (const step of t.steps) {
          // stdout and stderr through one pipe, so they interleave as on a terminal
          const r = await bash(`{ ${step.command}\n} 2>&1`, env, work, { failOk: true });
          const actual = r.out.replace(/\n$/, '').split('\n');
          assert.ok(
            matchesTranscript(step.expected, r.out === '' ? [] : actual),
            `${file}:${t.line}: \`${step.command}\` printed:\n${r.out}--- the doc shows ---\n${step.expected.join('\n')}`,
          );
        }
      });
    }
  }
  s.run();
}
