import fc from 'fast-check';
import { nastyString } from './fuzz-targets.js';

/** How a file gets broken: bytes flipped, cut short, a value swapped for another type, a huge string, deep nesting. */
export type Mutation =
  | { kind: 'none' }
  | { kind: 'flip'; flips: Array<[number, number]> }
  | { kind: 'truncate'; at: number }
  | { kind: 'retype'; pick: number; value: unknown }
  | { kind: 'huge'; pick: number; size: number }
  | { kind: 'deep'; pick: number; depth: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }).map((flips) => ({ kind: 'flip' as const, flips })) },
  { weight: 2, arbitrary: fc.nat().map((at) => ({ kind: 'truncate' as const, at })) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retype' as const), pick: fc.nat(), value: fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.string(), fc.array(fc.integer(), { maxLength: 3 }), fc.constant({}), nastyString()) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), pick: fc.nat(), size: fc.integer({ min: 10_000, max: 300_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), pick: fc.nat(), depth: fc.integer({ min: 50, max: 1500 }) }) },
);

/** Every (parent, key) slot of a JSON document, so a mutation can pick one by index. */
function slots(doc: unknown): Array<[Record<string, unknown> | unknown[], string | number]> {
  const out: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), walk(x)));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push([v as Record<string, unknown>, k]), walk(x);
  };
  walk(doc);
  return out;
}

export function applyMutation(text: string, m: Mutation): Buffer {
  if (m.kind === 'none') return Buffer.from(text);
  if (m.kind === 'flip') {
    const b = Buffer.from(text);
    for (const [at, byte] of m.flips) b[at % b.length] = byte;
    return b;
  }
  if (m.kind === 'truncate') return Buffer.from(text).subarray(0, m.at % Buffer.byteLength(text));
  const doc = JSON.parse(text) as unknown;
  const all = slots(doc);
  if (all.length === 0) return Buffer.from(text);
  const [parent, key] = all[m.pick % all.length]!;
  let value: unknown;
  if (m.kind === 'retype') value = m.value;
  else if (m.kind === 'huge') value = 'x'.repeat(m.size);
  else {
    value = 'bottom';
    for (let i = 0; i < m.depth; i++) value = [value];
  }
  (parent as Record<string | number, unknown>)[key] = value;
  return Buffer.from(JSON.stringify(doc, null, 2));
}

