// The bench's side-by-side timing helper: every subject timed equally often, in rotating order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { latencyInterleaved } from '../bench/lib/measure.js';

test('latencyInterleaved calls every subject once per round, rotating who goes first, and leaves the warm-up out of the figures', async () => {
  const calls: string[] = [];
  const op = (k: string) => () => void calls.push(k);
  const figures = await latencyInterleaved({ a: op('a'), b: op('b'), c: op('c') }, { iterations: 4, warmup: 2 });
  assert.equal(calls, ['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b', 'a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
  for (const k of ['a', 'b', 'c'] as const) {
    assert.is(figures[k].n, 4, k);
    assert.ok(figures[k].p50! >= 0 && figures[k].p99! >= figures[k].p50! && figures[k].ops > 0, k);
  }
});

test('latencyInterleaved reports each subject its own latency', async () => {
  const spin = (ms: number) => () => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  const { slow, fast } = await latencyInterleaved({ slow: spin(8), fast: spin(0) }, { iterations: 5 });
  assert.ok(slow.p50! >= 8, `slow p50 ${slow.p50}`);
  assert.ok(fast.p50! < slow.p50!, `fast ${fast.p50} < slow ${slow.p50}`);
});

test.run();
