// The build's rewrite of string-width 8 (yargs' copy): its `v`-flag Unicode-property regexes are made
// on first use instead of at load (see lazyIntlInStringWidth in build.mjs). test/build-rewrite.test.ts
// checks the rewritten module measures every string as the original does.
const PROPERTY_REGEX = /^const (\w+) = (\/.*\\p\{.*\/[a-z]*v[a-z]*);$/gm;
const GRAPHEME_LOOP = '\tfor (const {segment} of segmenter.segment(string)) {';
export function lazyPropertyRegexes(code, path) {
  const names = [];
  const assignments = [];
  const out = code.replace(PROPERTY_REGEX, (_, name, literal) => {
    names.push(name);
    assignments.push(`${name} = ${literal};`);
    return `let ${name};`;
  });
  if (names.length === 0) return code; // string-width 7: no `v`-flag regexes at load
  if (!out.includes(GRAPHEME_LOOP)) throw new Error(`${path}: regexes made at load, but no grapheme loop to make them in first; update lazyPropertyRegexes`);
  // every function that reads them is called from inside that loop only
  const init = `function lazyRegexes$() {\n\tif (${names[0]} !== undefined) return;\n\t${assignments.join('\n\t')}\n}\n`;
  return out.replace(GRAPHEME_LOOP, `\tlazyRegexes$();\n${GRAPHEME_LOOP}`).replace(/^export default function/m, `${init}export default function`);
}
