import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
type Width = (s: string, options?: { ambiguousIsNarrow?: boolean }) => number;

test("the build's lazy-regex rewrite of yargs' string-width measures every string as the original does", async () => {
  const { lazyPropertyRegexes } = (await import(pathToFileURL(join(ROOT, 'scripts', 'string-width-lazy.mjs')).href)) as { lazyPropertyRegexes: (code: string, path: string) => string };
  const original = join(ROOT, 'node_modules', 'yargs', 'node_modules', 'string-width', 'index.js');
  const source = await readFile(original, 'utf8');
  const rewritten = lazyPropertyRegexes(source, original);
  assert.not.equal(rewritten, source, 'the rewrite applies to this string-width');
  assert.not.match(rewritten, /^const \w+ = \/.*\\p\{.*\/[a-z]*v[a-z]*;$/m, 'no v-flag property regex is left at load');
  // the rewritten module, with its two imports pointed at what the original resolves them to
  const from = createRequire(original);
  const code = rewritten.replace(/from '(strip-ansi|get-east-asian-width)'/g, (_, m: string) => `from ${JSON.stringify(pathToFileURL(from.resolve(m)).href)}`);
  const dir = await mkdtemp(join(tmpdir(), 'pygubuai-rewrite-'));
  try {
    await writeFile(join(dir, 'index.mjs'), code);
    const lazy = ((await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { default: Width }).default;
    const eager = ((await import(pathToFileURL(original).href)) as { default: Width }).default;
    const samples = ['', 'plain ascii', 'tabs\tand\nnewlines', '\u001b[31mred\u001b[0m', 'é', 'e\u0301', '中文字符', 'ｶﾞ', '👍', '👨‍👩‍👧', '1️⃣', '#⃣', '🏳️‍🌈', '\u200b', '\u00ad', '한국어', '\u1100\u1161\u11a8', 'a\u0903b', '±§¶', '🇫🇷', '\ud83d'];
    for (const s of samples) {
      for (const ambiguousIsNarrow of [true, false]) assert.is(lazy(s, { ambiguousIsNarrow }), eager(s, { ambiguousIsNarrow }), JSON.stringify(s));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
