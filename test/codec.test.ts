import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, decodingNatively, encode, NATIVE_AFTER } from '../src/log/codec.js';
import { rng } from '../bench/lib/random.js';

type Msgpackr = typeof import('msgpackr');
const load = createRequire(import.meta.url);
const OPTIONS = { useRecords: false, mapsAsObjects: true, variableMapSize: true } as const;

/** Values shaped like envelopes and view rows: short and long strings (native extraction starts past a few bytes), non-ASCII, numbers, nesting, binary. */
function corpus(n: number): unknown[] {
  const r = rng(7);
  const alphabet = [...'abcxyz-_ /.éßü中文😀\u0000\n"\\']; // code points: the store takes well-formed text only
  const text = (len: number) => Array.from({ length: len }, () => alphabet[Math.floor(r() * alphabet.length)]!).join('');
  const out: unknown[] = [null, true, 0, -1, 2 ** 40, 1.5, '', 'x', Buffer.from([0, 1, 255]), [], {}];
  for (let i = 0; i < n; i++) {
    out.push({
      id: `e${i}`,
      seq: i + 1,
      at: '2025-01-02T03:04:05.678901+00:00',
      type: 'workflow.recorded',
      stream: `workflow-p${i.toString(36)}`,
      data: { timestamp: text(8), action: text(Math.floor(r() * 40)), description: text(Math.floor(r() * 600)), tags: [text(3), text(12)], n: r() * 1e6, nested: { deep: [text(70), { k: text(5) }] } },
      meta: { source: 'api' },
    });
  }
  return out;
}

test("msgpackr's pure-JS build and its native build decode the store's bytes to the same values", () => {
  const pure = new (load('msgpackr/index-no-eval') as Msgpackr).Packr(OPTIONS);
  const native = new (load('msgpackr') as Msgpackr).Packr(OPTIONS);
  for (const value of corpus(2000)) {
    const bytes = encode(value);
    assert.equal(pure.unpack(bytes), value);
    assert.equal(native.unpack(bytes), pure.unpack(bytes));
    assert.equal(Buffer.compare(native.pack(value), bytes), 0, 'both builds encode the same bytes');
  }
});

test('decode switches to the native build after NATIVE_AFTER values and still round-trips every value', () => {
  const values = corpus(NATIVE_AFTER + 500);
  for (const value of values) assert.equal(decode(encode(value)), value);
  assert.is(decodingNatively(), (load('msgpackr') as Msgpackr).isNativeAccelerationEnabled, 'native once past the threshold, where msgpackr-extract is installed');
});

test.run();
