import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzHttp } from './reliability/fuzz-http.js';

// CI runs 400 generated requests with a fixed seed; `npm run fuzz -- --only http` runs 10,000.
test('fuzz: generated requests over every route of the HTTP API — success, or a coded 4xx that changed nothing; the server never crashes', async () => {
  const r = await fuzzHttp({ numRuns: 400, seed: 42 });
  assert.is(r.cases, 400);
  assert.is(r.routesHit, r.routes, `only ${r.routesHit} of ${r.routes} routes were hit`);
  const refusals = Object.keys(r.outcomes).filter((k) => /^4\d\d [A-Z_]+$/.test(k));
  for (const code of ['VALIDATION_FAILED', 'ROUTE_NOT_FOUND', 'INVALID_JSON']) assert.ok(refusals.some((k) => k.endsWith(` ${code}`)), `no ${code} refusal among ${refusals.join(', ')}`);
  assert.ok((r.outcomes['2xx'] ?? 0) > 0, 'some requests succeeded');
  assert.not.ok(r.outcomes['5xx'], 'no 5xx');
});

test.run();
