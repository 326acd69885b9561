import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Packr, isNativeAccelerationEnabled } from 'msgpackr';
import { decode, decodingNatively, encode } from '../src/log/codec.js';
import { rng } from '../bench/lib/random.js';

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

test("the codec (msgpackr's CommonJS build) writes the bytes its ES-module build wrote, and reads them back the same", () => {
  const esm = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });
  for (const value of corpus(3000)) {
    const bytes = encode(value);
    assert.equal(Buffer.compare(bytes, esm.pack(value)), 0, 'same bytes as the ES-module build');
    assert.equal(decode(bytes), value);
    assert.equal(esm.unpack(bytes), decode(bytes));
  }
});

test('the codec decodes natively exactly when msgpackr-extract loads', () => {
  assert.is(decodingNatively(), isNativeAccelerationEnabled);
});

test.run();
