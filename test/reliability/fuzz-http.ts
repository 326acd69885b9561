import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { openStore } from '../../src/index.js';
import { nastyString, type FuzzFigures, type FuzzOptions } from './fuzz-targets.js';
import { httpOverSocket, ServerProcess, type HttpAnswer } from '../../bench/lib/server-process.js';

/**
 * Generated requests against a real `pygubu-db serve`, spread over every route of its
 * /openapi.json (plus the internal POST /v1/cli and unknown routes): path parameters, queries and
 * bodies drawn from the route schemas and then broken (wrong types, unknown keys, hostile strings,
 * not JSON, over the body limit, wrong content type).
 *
 * Every answer must be a success, or a refusal with a 4xx status and `{error:{code,message}}`; the
 * server must never crash or answer 5xx; a refused request must leave the log head where it was.
 * At the end the server stops cleanly, and the store (opened directly) verifies and holds exactly
 * the events the server reported.
 */

interface Route {
  method: string;
  /** e.g. /v1/projects/{name} */
  path: string;
  params: string[];
  query: Record<string, Schema>;
  body?: Schema;
}

type Schema = { [k: string]: unknown };

const BODY_LIMIT = 64 * 1024;
const NEVER = new Set(['POST /v1/admin/stop']); // stops the server; tested by its own suite

/** Strings a route may meet that are real in the seeded store. */
const known = (dir: string) => ['base', 'base-tpl', 'other', '1.0.0', '^1.0.0', '*', 'project.registered', 'workflow.recorded', 'forms', dir, `${dir}/x`, 'build_seconds', '1', 'day'];

function routesOf(doc: { paths: Record<string, Record<string, Schema>>; components?: { schemas?: Record<string, Schema> } }): Route[] {
  const out: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const parameters = (op.parameters as Array<{ in: string; name: string; schema: Schema }> | undefined) ?? [];
      const body = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema])),
        ...(body ? { body } : {}),
      });
    }
  }
  return out;
}

/** Values for a JSON schema: mostly of its shape (so requests get past validation), sometimes not. */
function fromSchema(schema: Schema | undefined, ctx: { components: Record<string, Schema>; strings: string[] }, depth = 0): fc.Arbitrary<unknown> {
  const str = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ctx.strings) }, { weight: 2, arbitrary: nastyString(30) });
  if (!schema || depth > 4) return fc.oneof(str, fc.integer(), fc.constant(null));
  if (typeof schema.$ref === 'string') return fromSchema(ctx.components[schema.$ref.split('/').pop()!], ctx, depth + 1);
  if (Array.isArray(schema.enum)) return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...(schema.enum as unknown[])) }, { weight: 1, arbitrary: str });
  const alts = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alts) return fc.oneof(...alts.map((s) => fromSchema(s, ctx, depth + 1)));
  const type = Array.isArray(schema.type) ? (schema.type[0] as string) : (schema.type as string | undefined);
  switch (type) {
    case 'string':
      return str;
    case 'integer':
      return fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constantFrom(0, 1, 2 ** 31, 1e6, 1e9), fc.integer());
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -5, max: 10 }));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items as Schema, ctx, depth + 1), { maxLength: 4 });
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fromSchema(s, ctx, depth + 1)])), {
        requiredKeys: required.filter((k) => k in props),
      });
      return fc.oneof({ weight: 6, arbitrary: record }, { weight: 1, arbitrary: fc.tuple(record, nastyString(10), fc.jsonValue({ maxDepth: 1 })).map(([r, k, v]) => ({ ...(r as object), [k]: v })) });
    }
    default:
      return fc.oneof(str, fc.jsonValue({ maxDepth: 2 }));
  }
}

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  route: string;
  stream: boolean;
}

function caseFor(route: Route, ctx: { components: Record<string, Schema>; strings: string[]; dir: string }): fc.Arbitrary<Case> {
  const param = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ctx.strings) }, { weight: 1, arbitrary: fc.constantFrom('%!%ZZ', '%!%ED%A0%80', '%!%00', '%!..', '%!%2e%2e%2f', '%!a%2Fb', '%!%C0%AF') }, { weight: 2, arbitrary: nastyString(40) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 50 }).map(String) });
  const params = fc.tuple(...route.params.map(() => param));
  const queryValue = (s: Schema) => fc.oneof({ weight: 4, arbitrary: fromSchema(s, ctx) }, { weight: 1, arbitrary: nastyString(20) });
  const query = fc.record(Object.fromEntries(Object.entries(route.query).map(([k, s]) => [k, queryValue(s)])), { requiredKeys: [] });
  const extraQuery = fc.option(fc.tuple(nastyString(8), nastyString(8)), { freq: 6, nil: undefined });
  let bodyValue: fc.Arbitrary<unknown> = route.body ? fromSchema(route.body, ctx) : fc.constant(undefined);
  // never let a generated install or restore touch a real path outside the fuzz directory
  if (route.path.endsWith('/install')) bodyValue = bodyValue.map((b) => (b && typeof b === 'object' && 'dest' in b && String((b as { dest: unknown }).dest).startsWith('/') ? { ...b, dest: join(ctx.dir, 'installs') } : b));
  if (route.path.endsWith('/restore')) bodyValue = bodyValue.map((b) => (b && typeof b === 'object' && 'file' in b && String((b as { file: unknown }).file).startsWith('/') ? { ...b, file: join(ctx.dir, 'no-backup.pgb') } : b));
  const body = fc.oneof(
    { weight: 8, arbitrary: bodyValue.map((b) => ({ kind: 'json', text: b === undefined ? undefined : JSON.stringify(b) })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'json', text: JSON.stringify(v) })) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('{', '{"name":', '[1,', 'null', '"x"', '\u0000', '{"a":1}}')).map((t) => ({ kind: 'json', text: t })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'json', text: JSON.stringify({ name: 'big', path: '/x', description: 'x'.repeat(BODY_LIMIT + 10) }) }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((t) => ({ kind: 'text', text: t })) },
  );
  return fc.tuple(params, query, extraQuery, body, fc.integer({ min: 0, max: 9 })).map(([ps, q, extra, b, dice]) => {
    let path = route.path;
    route.params.forEach((name, i) => (path = path.replace(`{${name}}`, encodeSegment(ps[i]!))));
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(q as Record<string, unknown>)) if (v !== undefined) qs.append(k, typeof v === 'string' ? v : JSON.stringify(v));
    if (extra) qs.append(extra[0], extra[1]);
    const s = qs.toString();
    const headers: Record<string, string> = {};
    let sent: string | undefined = b.text;
    if (route.method === 'GET' || route.method === 'DELETE') sent = b.kind === 'json' && b.text !== undefined && b.text.length < 100 && dice === 0 ? b.text : undefined;
    if (sent !== undefined) headers['content-type'] = b.kind === 'json' ? 'application/json' : 'text/plain';
    const full = s ? `${path}?${s}` : path;
    return { [fc.toStringMethod]: () => `${route.method} ${full.slice(0, 300)}${sent === undefined ? '' : ` ${sent.slice(0, 300)}`}`, method: route.method, path: full, headers, ...(sent !== undefined ? { body: sent } : {}), route: `${route.method} ${route.path}`, stream: route.path === '/v1/subscribe' };
  });
}

/** The internal route the bins use: harmless command lines with hostile arguments. */
function cliCase(ctx: { dir: string; strings: string[] }): fc.Arbitrary<Case> {
  const arg = fc.oneof(fc.constantFrom(...ctx.strings), nastyString(20).filter((s) => !s.includes('\u0000')));
  const argv = fc.oneof(
    fc.tuple(arg).map(([a]) => ['project', 'show', a]),
    fc.tuple(arg).map(([a]) => ['project', 'search', a]),
    fc.tuple(arg, arg).map(([a, b]) => ['project', 'update', a, '--description', b]),
    fc.tuple(arg).map(([a]) => ['project', 'add', ctx.dir, '--name', a]),
    fc.tuple(arg).map(([a]) => ['history', a]),
    fc.tuple(arg).map(([a]) => ['log', '--limit', a]),
    fc.constant(['stats', '--json']),
    fc.tuple(arg).map(([a]) => [a]),
  );
  const bin = fc.oneof({ weight: 6, arbitrary: fc.constant('pygubu-db') }, { weight: 1, arbitrary: fc.constantFrom('pygubu-template', 'pygubu-analytics', 'nope') });
  return fc.tuple(bin, argv).map(([b, a]) => ({
    method: 'POST',
    path: '/v1/cli',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bin: b, argv: b === 'pygubu-db' ? a : ['search', ...a.slice(1)], cwd: ctx.dir, env: ServerProcess.env(ctx.dir) }),
    route: 'POST /v1/cli',
    stream: false,
  }));
}

/** Percent-encode every byte but the unreserved ones; raw invalid escapes pass through (`%ZZ`, `%ED%A0%80`). */
function encodeSegment(s: string): string {
  if (s.startsWith('%!')) return s.slice(2);
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const CODED = /^[A-Z][A-Z0-9_]+$/;

/**
 * Refusals the server (src/server, another branch) still answers in Fastify's or Node's own shape
 * instead of `{error:{code,message}}`: reported to its author, counted here under their name so
 * the run shows them, and anything else uncoded still fails. Remove an entry once it is fixed.
 * (Fastify: `frameworkErrors` for FST_ERR_BAD_URL, a larger `maxParamLength`, and a
 * `clientErrorHandler` that writes a coded 400/431 itself.)
 */
// Every refusal the fuzzer met used to include framework answers without a code (a long path
// parameter, bad percent-encoding, a request line over 16 KiB, unparsable HTTP); the server now
// codes them all (frameworkErrors, maxParamLength, clientErrorHandler), so none is tolerated.
export const KNOWN_UNCODED: ReadonlyArray<{ name: string; status: number; body: RegExp }> = [];

/** What was wrong with an answer, or undefined; and the outcome to count. */
function judge(c: Case, a: HttpAnswer): { problem?: string; outcome: string; refused: boolean } {
  if (a.status >= 500) return { problem: `${a.status}: ${a.body.toString('utf8').slice(0, 300)}`, outcome: '5xx', refused: true };
  if (a.status < 400) {
    if (c.route === 'POST /v1/cli') {
      const last = a.body.toString('utf8').trim().split('\n').pop() ?? '';
      const exit = (JSON.parse(last) as { exit?: number }).exit;
      if (exit === undefined) return { problem: `cli answer without an exit frame: ${last.slice(0, 200)}`, outcome: 'bad', refused: true };
      if (exit !== 0 && !/\(([A-Z_]+)\)/.test(a.body.toString('utf8')) && exit !== 2) return { problem: `cli exit ${exit} without a coded error: ${a.body.toString('utf8').slice(0, 300)}`, outcome: 'bad', refused: true };
      return { outcome: exit === 0 ? 'cli exit 0' : `cli exit ${exit}`, refused: exit !== 0 };
    }
    return { outcome: `${Math.floor(a.status / 100)}xx`, refused: false };
  }
  let body: { error?: { code?: unknown; message?: unknown } } | undefined;
  try {
    body = JSON.parse(a.body.toString('utf8'));
  } catch {
    return { problem: `${a.status} with a body that is not JSON: ${a.body.toString('utf8').slice(0, 200)}`, outcome: 'bad', refused: true };
  }
  const code = body?.error?.code;
  const known = KNOWN_UNCODED.find((k) => k.status === a.status && k.body.test(a.body.toString('utf8')));
  if (known) return { outcome: `KNOWN UNCODED: ${known.name}`, refused: true };
  if (typeof code !== 'string' || !CODED.test(code) || typeof body?.error?.message !== 'string') {
    return { problem: `${a.status} without a coded error: ${a.body.toString('utf8').slice(0, 200)}`, outcome: 'bad', refused: true };
  }
  return { outcome: `${a.status} ${code}`, refused: true };
}

export async function fuzzHttp(options: FuzzOptions & { collect?: boolean }): Promise<FuzzFigures & { routes: number; routesHit: number; defects: Record<string, string> }> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const defects: Record<string, string> = {};
  const dir = await mkdtemp(join(tmpdir(), 'pygubuai-fuzz-http-'));
  const location = join(dir, 'store');
  const server = await ServerProcess.start(location, dir, ['--body-limit', String(BODY_LIMIT)]);
  // a connection per request: a refusal that closes its connection cannot break the next request
  const agent = new Agent({ keepAlive: false });
  const ctx = { dir, strings: known(dir), components: {} as Record<string, Schema> };
  try {
    // something real to hit: a project with history, a second one, a template
    await server.json('POST', '/v1/projects', { name: 'base', path: dir, tags: ['forms'] });
    await server.json('POST', '/v1/projects', { name: 'other', path: `${dir}/x` });
    await server.json('POST', '/v1/projects/base/history', { action: 'build', description: 'seed' });
    const ui = '<interface><object class="ttk.Frame" id="main" /></interface>';
    const pub = await server.json('POST', '/v1/templates', { name: 'base-tpl', version: '1.0.0', author: 'fuzz', tags: ['forms'], files: [{ path: 'main.ui', content: ui }] });
    if (pub.status !== 201) throw new Error(`seeding the template failed: ${JSON.stringify(pub.body)}`);
    const doc = (await server.json('GET', '/openapi.json')).body;
    ctx.components = doc.components?.schemas ?? {};
    const routes = routesOf(doc).filter((r) => !NEVER.has(`${r.method} ${r.path}`));
    const arbitraries: Array<fc.Arbitrary<Case>> = [
      ...routes.map((r) => caseFor(r, ctx)),
      cliCase(ctx),
      // unknown routes and methods
      fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), nastyString(30)).map(([m, p]) => ({ method: m, path: `/${encodeSegment(p)}`, headers: {}, route: 'unknown', stream: false })),
    ];
    const hit = new Set<string>();
    let head = await server.head(agent);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat().chain((i) => arbitraries[i % arbitraries.length]!), async (c) => {
        n++;
        hit.add(c.route);
        let a: HttpAnswer;
        try {
          a = await httpOverSocket(server.socket, { method: c.method, path: c.path, headers: c.headers, ...(c.body !== undefined ? { body: c.body } : {}), headersOnly: c.stream, timeoutMs: 60_000 }, agent);
        } catch (err) {
          // a refusal before the whole body was read can cut the upload short; the server must live on
          if (!server.alive) throw new Error(`the server died on ${c.method} ${c.path}: ${server.output.slice(-2000)}`);
          const cut = /EPIPE|ECONNRESET|Parse Error/.test(String((err as Error).message));
          // Node's HTTP parser answers a request line over its 16 KiB header limit with a bare 431 and a closed
          // socket; an oversized body is refused before it is all sent
          const oversized = (c.body !== undefined && c.body.length > BODY_LIMIT) || c.path.length > 8 * 1024;
          // a refused URL on a request with a body: the server answers, closes, and writes more after it
          if (/Data after `Connection: close`/.test(String((err as Error).message))) {
            count(outcomes, 'KNOWN UNCODED: bytes after a `Connection: close` answer (refused URL with a body)');
            if ((await server.head(agent)) !== head) throw new Error('a refused request changed the log');
            return;
          }
          if (cut && oversized) {
            count(outcomes, c.path.length > 8 * 1024 ? 'KNOWN UNCODED: request line over 16 KiB (Node parser, 431)' : 'oversized body cut off');
            if ((await server.head(agent)) !== head) throw new Error('a cut-off oversized request changed the log');
            return;
          }
          throw new Error(`${c.method} ${c.path.slice(0, 100)}… (URL ${c.path.length} chars, body ${c.body?.length ?? 0} bytes): ${(err as Error).message}`);
        }
        if (!server.alive) throw new Error(`the server died on ${c.method} ${c.path}: ${server.output.slice(-2000)}`);
        const { problem, outcome, refused } = judge(c, a);
        count(outcomes, outcome);
        if (problem) {
          const what = `${c.method} ${c.path.slice(0, 200)}${c.body !== undefined ? ` ${String(c.body).slice(0, 300)}` : ''}: ${problem}`;
          if (!options.collect) throw new Error(what);
          const kind = `${c.route} → ${problem.slice(0, 60)}`;
          if (!(kind in defects)) defects[kind] = what;
        }
        const now = await server.head(agent);
        if (refused && now !== head) throw new Error(`refused ${c.method} ${c.path} changed the log head ${head} → ${now}: ${a.body.toString('utf8').slice(0, 200)}`);
        head = now;
      }),
      { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
    agent.destroy();
    const code = await server.stop();
    if (code !== 0) throw new Error(`the server exited ${code} on SIGTERM after fuzzing: ${server.output.slice(-2000)}`);
    const store = await openStore({ location, createIfMissing: false });
    try {
      const report = await store.verify();
      if (!report.ok) throw new Error(`verify after HTTP fuzzing: ${JSON.stringify(report.problems.slice(0, 3))}`);
      if (store.log.head !== head) throw new Error(`the store holds ${store.log.head} events, the server last said ${head}`);
    } finally {
      await store.close();
    }
    return { target: 'HTTP API (real server)', cases: n, outcomes, ms: performance.now() - started, routes: arbitraries.length, routesHit: hit.size, defects };
  } finally {
    agent.destroy();
    server.kill();
    await server.exited.catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

const count = (outcomes: Record<string, number>, key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);
