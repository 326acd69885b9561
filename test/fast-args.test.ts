// The fast command-line parser (src/cli/fast-args.ts) against yargs: over a corpus built from every
// leaf command's own declaration — positionals, each option in each spelling, globals before and
// after the command, repeats, and lines yargs rejects — wherever the fast parser answers, yargs
// must accept the same line and hand the command the same arguments. Lines it leaves to yargs are
// counted, so a parser that answered nothing would fail too. No store is opened: the commands'
// handlers are replaced by a capture (parsedArguments in src/cli/command.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN_NAMES, binSpec, type BinSpec } from '../src/cli/bins.js';
import { parsedArguments } from '../src/cli/command.js';
import { fastParse, leafShapes, type LeafShape } from '../src/cli/fast-args.js';
import type { Output } from '../src/cli/output.js';
import { parseWithYargs } from '../src/cli/yargs-cli.js';

/** What yargs hands the command for this line; undefined when it refused the line (a usage error). */
async function viaYargs(spec: BinSpec, line: readonly string[]): Promise<Record<string, unknown> | undefined> {
  let captured: Record<string, unknown> | undefined;
  let refused = false;
  parsedArguments.capture = (argv) => {
    captured = argv;
  };
  const early = () => ({ error: () => ((refused = true), 2) }) as unknown as Output;
  const exitCode = process.exitCode;
  try {
    await parseWithYargs(spec, line, { exitProcess: false, early });
  } finally {
    parsedArguments.capture = undefined;
    process.exitCode = exitCode;
  }
  return refused ? undefined : captured;
}

const plain = (argv: Record<string, unknown>): unknown => JSON.parse(JSON.stringify(argv));

const sample = (type: string | undefined, choices: readonly unknown[] | undefined, i: number): string[] => {
  if (choices) return choices.map(String);
  if (type === 'number') return ['5', '2.5', '0'];
  return [['demo', 'two words', '-', '42', 'ünï'][i % 5]!];
};

/** Lines for one leaf: valid ones in several spellings, and some yargs refuses. */
function corpus(leaf: LeafShape): string[][] {
  const lines: string[][] = [];
  const required = leaf.positionals.filter((p) => p.required);
  const demanded = leaf.options.filter((o) => o.demandOption).flatMap((o) => [`--${o.name}`, sample(o.type, o.choices, 0)[0]!]);
  const base = [...leaf.path, ...required.map((p, i) => sample(p.type, p.choices, i)[0]!), ...demanded];
  lines.push(base);
  lines.push(['--json', ...base], [...base, '--json', '-q'], [...base, '--no-server', '--store', '/tmp/s', '-y'], [...base, '--color'], [...base, '--no-color']);
  lines.push(['--store=/tmp/x', ...base], [...base, '--store', '-'], [...base, '--yes', '--quiet']);
  for (const p of leaf.positionals.filter((x) => !x.required)) {
    for (const v of sample(p.type, p.choices, 1)) lines.push([...base, v]);
    if (p.variadic) lines.push([...base, 'a', 'b', 'c']);
  }
  for (const o of leaf.options) {
    if (['store', 'json', 'quiet', 'yes', 'color', 'server'].includes(o.name)) continue;
    const names = [`--${o.name}`, ...[o.alias ?? []].flat().map((a) => (a.length === 1 ? `-${a}` : `--${a}`))];
    for (const flag of names) {
      if (o.type === 'boolean') {
        lines.push([...base, flag], [flag, ...base]);
        if (flag.startsWith('--')) lines.push([...base, `--no-${flag.slice(2)}`], [...base, `${flag}=false`], [...base, flag, 'false']);
        continue;
      }
      for (const v of sample(o.type, o.choices, 0)) lines.push([...base, flag, v]);
      lines.push([...base, flag, 'x y'], [...base, flag]);
      if (flag.startsWith('--')) lines.push([...base, `${flag}=v=w`], [...base, `${flag}=`]);
      lines.push([...base, flag, 'a', flag, 'b']); // repeated
      if (o.type === 'number') lines.push([...base, flag, 'abc'], [...base, flag, '-3']);
      if (o.choices) lines.push([...base, flag, 'not-a-choice']);
    }
  }
  // what yargs refuses or explains
  lines.push([...base, '--bogus'], [...base, 'extra', 'extra2'], [...base, '--help'], [...base, '-h'], [...base, '--', 'x'], [...base, '-qy'], [...base, '--version']);
  if (required.length > 0) lines.push([...leaf.path, ...base.slice(leaf.path.length, leaf.path.length + required.length - 1)]);
  if (demanded.length > 0) lines.push(base.slice(0, -2));
  return lines;
}

for (const bin of BIN_NAMES) {
  test(`${bin}: the fast parser agrees with yargs wherever it answers`, async () => {
    const spec = await binSpec(bin);
    const leaves = await leafShapes(spec);
    assert.ok(leaves.length >= 8, `${bin} has its leaf commands`);
    let answered = 0;
    let left = 0;
    for (const leaf of leaves) {
      for (const line of corpus(leaf)) {
        const fast = await fastParse(spec, line);
        if (fast === undefined) {
          left++;
          continue;
        }
        answered++;
        const slow = await viaYargs(spec, line);
        assert.ok(slow !== undefined, `${bin} ${JSON.stringify(line)}: the fast parser took a line yargs refuses`);
        assert.equal(plain(fast.argv), plain(slow), `${bin} ${JSON.stringify(line)}`);
      }
      // the line with only what the command needs is always the fast parser's (unless its builder is not modelled)
      if (!leaf.unsupported) {
        const base = corpus(leaf)[0]!;
        assert.ok((await fastParse(spec, base)) !== undefined, `${bin} ${base.join(' ')} is parsed without yargs`);
      }
    }
    assert.ok(answered > left / 2, `${bin}: ${answered} lines answered, ${left} left to yargs`);
  });
}

test('help, completion, unknown commands, a missing subcommand and `--` are left to yargs', async () => {
  const spec = await binSpec('pygubu-db');
  for (const line of [[], ['--help'], ['project', '--help'], ['project', 'show', 'x', '-h'], ['completion'], ['--get-yargs-completions', 'pro'], ['projekt', 'list'], ['project'], ['project', 'show', '--', 'x'], ['--version', 'project', 'list']]) {
    assert.is(await fastParse(spec, line), undefined, JSON.stringify(line));
  }
});

test('a builder that uses an Argv method the fast parser does not model leaves its lines to yargs', async () => {
  const handler = async () => {};
  const spec: BinSpec = {
    scriptName: 'x',
    describe: 'x',
    commands: [
      { command: 'a', describe: 'a', load: async () => ({ command: 'a', builder: (y: { option: (n: string, o: object) => unknown }) => y.option('n', { type: 'string', coerce: (v: string) => v.toUpperCase() }), handler }) },
      { command: 'b', describe: 'b', load: async () => ({ command: 'b', builder: (y: { conflicts: (a: string, b: string) => unknown }) => y.conflicts('p', 'q'), handler }) },
      { command: 'c <v>', describe: 'c', load: async () => ({ command: 'c <v>', builder: (y: { positional: (n: string, o: object) => unknown }) => y.positional('v', { type: 'string' }), handler }) },
    ],
  };
  assert.is(await fastParse(spec, ['a', '--n', 'v']), undefined);
  assert.is(await fastParse(spec, ['b']), undefined);
  const c = await fastParse(spec, ['c', '42']);
  assert.ok(c !== undefined);
  assert.equal(plain(c.argv), { _: ['c'], json: false, quiet: false, q: false, yes: false, y: false, server: true, v: '42', $0: 'x' });
});

test.run();
