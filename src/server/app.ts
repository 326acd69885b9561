import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { StoreError } from '../errors.js';
import { STORE_FORMAT } from '../store.js';
import type { StoreApi } from '../client/api.js';
import { API_VERSION } from './descriptor.js';
import { errorReply } from './http-errors.js';
import { S, arrayOf, commandFields, errorSchema, projectRow, ref, sharedSchemas, templateRow, templateVersionRow, workflowEntry } from './schemas.js';
import type { StoreHolder } from './holder.js';
import { openSubscriptions, streamSubscription, SUBSCRIPTION_BUFFER_BYTES } from './sse.js';
import { execCli } from './exec.js';
import { actorOf, Authenticator, checkAccess, type Access, type Principal } from './auth.js';
import { dashboard } from './web/index.js';
import { signedInToDashboard } from './web/auth.js';

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

export interface AppOptions {
  holder: StoreHolder;
  version: string;
  /** Required as `Authorization: Bearer <token>` on every request (TCP). */
  token?: string;
  bodyLimit?: number;
  /** Bytes a subscription may have queued for a client that does not read before it waits (back-pressure). */
  subscriptionBufferBytes?: number;
  /** Called with each request's response (the idle-exit clock counts open ones). */
  onActivity?: (res: import('node:http').ServerResponse) => void;
  /** Called by POST /v1/admin/stop. */
  onStop?: () => void;
  /** TCP: requests allowed per window, counted per address and per account token (default 300 a minute; false: none); the server's own token is not limited. */
  rateLimit?: { max: number; windowMs: number } | false;
  /** TCP: marketplace reads need a token too (an account's or the server's). */
  privateReads?: boolean;
  /** Serve the web dashboard at / (default true; `serve --no-web` turns it off). */
  web?: boolean;
}

export const DEFAULT_RATE_LIMIT = { max: 300, windowMs: 60_000 } as const;

type RateCheck = { isAllowed: true } | { isAllowed: false; isExceeded: boolean; max: number; timeWindow: number; ttlInSeconds: number };

/** Parse an `asOf` query value: a seq number or an ISO-8601 time. */
const asOfOf = (value: string | undefined): number | string | undefined => {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (Number.isNaN(Date.parse(value))) throw new StoreError('INVALID_ARGUMENT', `asOf takes a seq number or an ISO-8601 time, not ${JSON.stringify(value)}`);
  return value;
};
const listOf = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * The HTTP API: a thin adapter from routes to the typed store interface (src/client/api.ts). Route
 * schemas validate the requests and are the source of /openapi.json.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { holder } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
    // names from the legacy registry can be up to 4 KiB: let them reach the route's own validation
    // (under routerOptions: fastify 5 warns FSTDEP022 at every start for the top-level option)
    routerOptions: { maxParamLength: 16_384 },
    // what the router or Node's parser refuses before a route runs still answers {error:{code}}
    frameworkErrors: (err, _req, reply) => {
      const { body } = errorReply(new StoreError('BAD_REQUEST', `the request cannot be routed: ${err.message}`, { hint: 'check the URL and its percent-encoding' }));
      // fastify types this hook generic over every route's reply schema, so code(400) and send(body)
      // do not type-check against it; the reply is an ordinary one at run time
      void (reply as unknown as { code(n: number): { send(b: unknown): unknown } }).code(400).send(body);
    },
    clientErrorHandler: (err, socket) => {
      const tooLarge = (err as { code?: string }).code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : 400;
      const { body } = errorReply(
        new StoreError('BAD_REQUEST', tooLarge ? 'the request line and headers are too large' : 'the request is not valid HTTP', { hint: 'see docs/http-api.md' }),
      );
      const text = JSON.stringify(body);
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
        );
      } else socket.destroy();
    },
  });
  // Response schemas document the shapes; the payloads are the store's own objects, sent as they are.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'pygubuai-store HTTP API',
        version: options.version,
        description: 'The store served by `pygubu-db serve`. Errors are {error:{code,message,hint}}. See docs/http-api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => String(json.$id ?? `def-${i}`) },
  });
  for (const schema of [...sharedSchemas(), projectRow, workflowEntry, templateRow, templateVersionRow]) app.addSchema(schema);

  // TCP: who sends each request (the server's token, an account's, none), what the route allows it,
  // and how many requests its address and its token have sent in the window. The Unix socket is the owner's.
  const principals = new WeakMap<FastifyRequest, Principal>();
  const principalOf = (req: FastifyRequest): Principal => principals.get(req) ?? { kind: 'owner' };
  const auth = options.token === undefined ? undefined : new Authenticator(holder, options.token);
  const limits = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  let byAddress: ((req: FastifyRequest) => Promise<RateCheck>) | undefined;
  let byToken: ((req: FastifyRequest) => Promise<RateCheck>) | undefined;
  if (auth && limits) {
    await app.register(rateLimit, { global: false });
    const window = { max: limits.max, timeWindow: limits.windowMs };
    byAddress = app.createRateLimit({ ...window, keyGenerator: (req) => `address:${req.ip}` }) as never;
    byToken = app.createRateLimit({ ...window, keyGenerator: (req) => `token:${(principalOf(req) as { keyId?: string }).keyId ?? '-'}` }) as never;
  }
  const limit = async (check: ((req: FastifyRequest) => Promise<RateCheck>) | undefined, req: FastifyRequest, whose: string) => {
    if (!check) return;
    const r = await check(req);
    if (r.isAllowed || !r.isExceeded) return;
    throw new StoreError('RATE_LIMITED', `too many requests from ${whose}: more than ${r.max} in ${Math.round(r.timeWindow / 1000)} s`, {
      hint: `retry in ${r.ttlInSeconds} s`,
      details: { retryAfter: r.ttlInSeconds },
    });
  };

  app.addHook('onRequest', async (req, reply) => {
    options.onActivity?.(reply.raw);
    if (!auth) return;
    // the dashboard's pages check their own sign-in (a cookie, as a browser cannot send the header):
    // a signed-in page is the owner's and not limited; anything else (the sign-in form) is, by address
    if ((req.routeOptions.config as { web?: boolean } | undefined)?.web) {
      if (!signedInToDashboard(req.headers, options.token!)) await limit(byAddress, req, 'this address');
      return;
    }
    // the owner's own token is not limited; anything else is, by address before its token is even checked
    if (auth.isOwner(req.headers.authorization)) return void principals.set(req, { kind: 'owner' });
    await limit(byAddress, req, 'this address');
    const principal = await auth.identify(req.headers.authorization);
    principals.set(req, principal);
    checkAccess(principal, ((req.routeOptions.config as { access?: Access } | undefined)?.access ?? 'owner'), options.privateReads ?? false);
    if (principal.kind === 'account') await limit(byToken, req, `account ${principal.account}`);
  });
  app.setErrorHandler(async (err, _req, reply) => {
    const { status, body } = errorReply(err);
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    const retryAfter = (err as StoreError).details?.retryAfter;
    if (status === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    await reply.code(status).send(body);
  });
  app.setNotFoundHandler(async (req, reply) => {
    const { status, body } = errorReply(new StoreError('ROUTE_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`, { hint: 'GET /openapi.json lists the routes' }));
    await reply.code(status).send(body);
  });

  const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 429: errorSchema, 500: errorSchema, 503: errorSchema };
  type Q = Record<string, string | undefined>;
  const use = <T>(work: (api: StoreApi) => Promise<T>) => holder.use((api) => work(api));
  const meta = (body: object) => ({ ...body, meta: { source: 'api', ...((body as { meta?: object }).meta ?? {}) } });
  /** A marketplace write: as the request's account (its name is the actor, and the author or rater), or as the owner. */
  const acting = (req: FastifyRequest, body: object) => {
    const as = actorOf(principalOf(req));
    const m = meta(body);
    return as ? { ...m, as, meta: { ...m.meta, actor: as.account } } : m;
  };
  const read = { access: 'read' as Access };
  const write = { access: 'write' as Access };
  const nameParam = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
  const limitQ = { limit: { type: 'integer', minimum: 0, maximum: 1_000_000 } } as const;
  const asOfQ = { asOf: { type: 'string', description: 'a seq number or an ISO-8601 time: answer as the store stood then' } } as const;

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (options.web !== false) await app.register(dashboard, { holder, version: options.version, ...(options.token !== undefined ? { token: options.token } : {}) });

  app.get('/v1/handshake', {
    config: read,
    schema: {
      summary: 'Versions of the server, its API and its store format',
      querystring: { type: 'object', properties: { api: S.int, storeFormat: S.int, client: S.str } },
      response: { 200: { type: 'object', properties: { server: S.str, api: S.int, storeFormat: S.int, location: S.str, pid: S.int, head: S.int } }, ...errors },
    },
  }, async (req) => {
    const q = req.query as { api?: number; storeFormat?: number };
    if (q.api !== undefined && q.api > API_VERSION) {
      throw new StoreError('SERVER_TOO_OLD', `the client speaks API v${q.api}; this server (${options.version}) speaks v${API_VERSION}`, { hint: 'upgrade pygubuai-store where the server runs, and restart it' });
    }
    if (q.storeFormat !== undefined && q.storeFormat > STORE_FORMAT) {
      throw new StoreError('SERVER_TOO_OLD', `the client expects store format ${q.storeFormat}; this server reads up to ${STORE_FORMAT}`, { hint: 'upgrade pygubuai-store where the server runs' });
    }
    return { server: options.version, api: API_VERSION, storeFormat: STORE_FORMAT, location: holder.location, pid: process.pid, head: holder.head };
  });

  app.get('/v1/server', {
    schema: {
      summary: 'The server process: memory, open subscriptions and how much each has queued',
      response: { 200: { type: 'object', properties: { pid: S.int, version: S.str, uptimeSeconds: { type: 'number' }, rssBytes: S.int, heapUsedBytes: S.int, subscriptionBufferBytes: S.int, subscriptions: { type: 'array', items: { type: 'object', properties: { next: S.int, queuedBytes: S.int } } } } } },
    },
  }, async () => {
    const m = process.memoryUsage();
    return {
      pid: process.pid,
      version: options.version,
      uptimeSeconds: process.uptime(),
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      subscriptionBufferBytes: options.subscriptionBufferBytes ?? SUBSCRIPTION_BUFFER_BYTES,
      subscriptions: [...openSubscriptions].map((s) => ({ next: s.next, queuedBytes: s.res.writableLength })),
    };
  });

  // ---- projects --------------------------------------------------------------------------------
  const projectBody = { project: ref('ProjectRow') };
  app.get('/v1/projects', {
    schema: {
      summary: 'List projects',
      querystring: { type: 'object', additionalProperties: false, properties: { tag: S.str, sort: { enum: ['name', 'created', 'modified'] }, ...limitQ, ...asOfQ } },
      response: { 200: { type: 'object', properties: { projects: arrayOf('ProjectRow') } }, ...errors },
    },
  }, async (req) => {
    const q = req.query as Q & { limit?: number };
    return { projects: await use((api) => api.projects.list(defined({ tag: q.tag, sort: q.sort as never, limit: q.limit, asOf: asOfOf(q.asOf) }))) };
  });
  app.post('/v1/projects', {
    schema: {
      summary: 'Register a project (its path is taken as given: send an absolute path)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'path'],
        properties: { name: S.str, path: S.str, description: S.str, tags: S.strings, created: S.nullable(S.str), modified: S.nullable(S.str), extra: S.obj, id: S.str, ...commandFields },
      },
      response: { 201: { type: 'object', properties: projectBody }, ...errors },
    },
  }, async (req, reply) => {
    const project = await use((api) => api.projects.register(meta(req.body as never) as never));
    return reply.code(201).send({ project });
  });
  app.get('/v1/projects/:name', {
    schema: { summary: 'One project by name', params: nameParam, querystring: { type: 'object', additionalProperties: false, properties: { ...asOfQ } }, response: { 200: { type: 'object', properties: projectBody }, ...errors } },
  }, async (req) => {
    const { name } = req.params as { name: string };
    const project = await use((api) => api.projects.get(name, defined({ asOf: asOfOf((req.query as Q).asOf) })));
    if (!project) throw new StoreError('PROJECT_NOT_FOUND', `no project named ${JSON.stringify(name)}`);
    return { project };
  });
  app.patch('/v1/projects/:name', {
    schema: {
      summary: 'Change a project\'s description, tags or path',
      params: nameParam,
      body: { type: 'object', additionalProperties: false, properties: { description: S.str, tags: S.strings, path: S.str, ...commandFields } },
      response: { 200: { type: 'object', properties: projectBody }, ...errors },
    },
  }, async (req) => ({ project: await use((api) => api.projects.update((req.params as { name: string }).name, meta(req.body as never) as never)) }));
  app.delete('/v1/projects/:name', {
    schema: { summary: 'Remove a project (its history stays in the log)', params: nameParam, response: { 200: { type: 'object', properties: projectBody }, ...errors } },
  }, async (req) => ({ project: await use((api) => api.projects.remove((req.params as { name: string }).name, meta({}) as never)) }));
  app.post('/v1/projects/:name/rename', {
    schema: {
      summary: 'Rename a project',
      params: nameParam,
      body: { type: 'object', additionalProperties: false, required: ['to'], properties: { to: { type: 'string', minLength: 1 }, ...commandFields } },
      response: { 200: { type: 'object', properties: projectBody }, ...errors },
    },
  }, async (req) => {
    const { to, ...rest } = req.body as { to: string };
    return { project: await use((api) => api.projects.rename((req.params as { name: string }).name, to, meta(rest) as never)) };
  });
  app.get('/v1/projects-search', {
    schema: {
      summary: 'Projects whose name, description or tags hold every word of q',
      querystring: { type: 'object', additionalProperties: false, required: ['q'], properties: { q: S.str, ...limitQ, ...asOfQ } },
      response: { 200: { type: 'object', properties: { projects: arrayOf('ProjectRow') } }, ...errors },
    },
  }, async (req) => {
    const q = req.query as Q & { limit?: number };
    return { projects: await use((api) => api.projects.search(q.q!, defined({ limit: q.limit, asOf: asOfOf(q.asOf) }))) };
  });
  app.get('/v1/active', {
    schema: { summary: 'The active project (null when none)', response: { 200: { type: 'object', properties: { project: S.nullable(ref('ProjectRow')) } }, ...errors } },
  }, async () => ({ project: (await use((api) => api.projects.active())) ?? null }));
  app.put('/v1/active', {
    schema: {
      summary: 'Make a project the active one',
      body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: S.str, ...commandFields } },
      response: { 200: { type: 'object', properties: projectBody }, ...errors },
    },
  }, async (req) => {
    const { name, ...rest } = req.body as { name: string };
    return { project: await use((api) => api.projects.activate(name, meta(rest) as never)) };
  });

  // ---- workflow history ------------------------------------------------------------------------
  app.get('/v1/projects/:name/history', {
    schema: {
      summary: 'A project\'s workflow history, oldest first',
      params: nameParam,
      querystring: { type: 'object', additionalProperties: false, properties: { ...limitQ } },
      response: { 200: { type: 'object', properties: { history: arrayOf('WorkflowEntry') } }, ...errors },
    },
  }, async (req) => {
    const { limit } = req.query as { limit?: number };
    return { history: await use((api) => api.history.list((req.params as { name: string }).name, defined({ limit }))) };
  });
  app.post('/v1/projects/:name/history', {
    schema: {
      summary: 'Record a workflow action',
      params: nameParam,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['action'],
        properties: { action: S.str, description: S.str, timestamp: S.str, user: S.nullable(S.str), extra: S.obj, ...commandFields },
      },
      response: { 201: { type: 'object', properties: { event: ref('StoredEvent') } }, ...errors },
    },
  }, async (req, reply) => {
    const event = await use((api) => api.history.record((req.params as { name: string }).name, meta(req.body as never) as never));
    return reply.code(201).send({ event });
  });

  // ---- the log -------------------------------------------------------------------------------
  app.get('/v1/log', {
    schema: {
      summary: 'Events in log order (from a seq, of a type or of a stream)',
      querystring: { type: 'object', additionalProperties: false, properties: { fromSeq: { type: 'integer', minimum: 1 }, type: S.str, stream: S.str, limit: { type: 'integer', minimum: 0, maximum: 10_000, default: 1000 } } },
      response: { 200: { type: 'object', properties: { events: arrayOf('StoredEvent'), head: S.int } }, ...errors },
    },
  }, async (req) => {
    const q = req.query as { fromSeq?: number; type?: string; stream?: string; limit?: number };
    return use(async (api) => ({ events: await api.readLog(defined(q)), head: await api.head() }));
  });
  app.get('/v1/events/:seq', {
    schema: { summary: 'One event by seq', params: { type: 'object', properties: { seq: { type: 'integer', minimum: 1 } } }, response: { 200: { type: 'object', properties: { event: ref('StoredEvent') } }, ...errors } },
  }, async (req) => {
    const { seq } = req.params as { seq: number };
    const event = await use((api) => api.getEvent(seq));
    if (!event) throw new StoreError('EVENT_NOT_FOUND', `no event at seq ${seq}`);
    return { event };
  });
  app.post('/v1/events', {
    schema: {
      summary: 'Append events atomically, optionally at an expected stream version',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['events'],
        properties: {
          events: {
            type: 'array',
            minItems: 1,
            maxItems: 10_000,
            items: { type: 'object', required: ['stream', 'type', 'data'], properties: { id: S.str, stream: S.str, type: S.str, v: S.int, at: S.str, data: S.obj, meta: S.obj } },
          },
          expectedVersion: {
            description: 'a version number, "any", "no_stream", "stream_exists", or an object of one per stream',
            anyOf: [{ type: 'integer', minimum: 0 }, { enum: ['any', 'no_stream', 'stream_exists'] }, { type: 'object', additionalProperties: { anyOf: [{ type: 'integer', minimum: 0 }, { enum: ['any', 'no_stream', 'stream_exists'] }] } }],
          },
        },
      },
      response: { 201: { type: 'object', properties: { events: arrayOf('StoredEvent') } }, ...errors },
    },
  }, async (req, reply) => {
    const { events, expectedVersion } = req.body as { events: Array<{ meta?: object }>; expectedVersion?: never };
    const stamped = events.map((e) => ({ ...e, meta: { source: 'api', ...(e.meta ?? {}) } }));
    const stored = await use((api) => api.append(stamped as never, expectedVersion === undefined ? {} : { expectedVersion }));
    return reply.code(201).send({ events: stored });
  });
  app.get('/v1/subscribe', {
    schema: {
      summary: 'Server-Sent Events: each durable event as `id: <seq>`, `event: <type>`, `data: <envelope>`; resumes from Last-Event-ID',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { fromSeq: { type: 'integer', minimum: 1, description: 'first seq to send (default: from now)' }, types: { type: 'string', description: 'comma-separated event types' }, streams: { type: 'string', description: 'comma-separated streams' } },
      },
      headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^\\d+$' } } },
      response: { 200: { description: 'text/event-stream', type: 'string' }, ...errors },
    },
  }, async (req, reply) => {
    const q = req.query as { fromSeq?: number; types?: string; streams?: string };
    const last = req.headers['last-event-id'];
    const fromSeq = typeof last === 'string' && /^\d+$/.test(last) ? Number(last) + 1 : q.fromSeq;
    await holder.current(); // refuse while stopping, before the stream is opened
    return streamSubscription(req, reply, holder, defined({ fromSeq, types: listOf(q.types), streams: listOf(q.streams) }), options.subscriptionBufferBytes);
  });

  // ---- templates -----------------------------------------------------------------------------
  const searchQ = {
    type: 'object',
    additionalProperties: false,
    properties: { q: S.str, tag: S.str, author: S.str, minRating: { type: 'number', minimum: 0, maximum: 5 }, sort: { enum: ['downloads', 'rating', 'recent', 'name'] }, limit: { type: 'integer', minimum: -1, maximum: 100_000 }, all: S.bool },
  } as const;
  app.get('/v1/templates', {
    config: read,
    schema: { summary: 'Search (q) or list templates', querystring: searchQ, response: { 200: { type: 'object', properties: { templates: arrayOf('TemplateRow') } }, ...errors } },
  }, async (req) => {
    const { q, ...rest } = req.query as { q?: string } & Record<string, never>;
    return { templates: await use((api) => (q !== undefined && q.trim() !== '' ? api.templates.search(q, rest) : api.templates.list(rest))) };
  });
  app.post('/v1/templates', {
    config: write,
    schema: {
      summary: 'Publish a template version (files as UTF-8 text). With an account token the account is the author, and must own the template (or be an admin)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'version', 'files'],
        properties: {
          name: S.str, version: S.str, description: S.str, author: S.str, tags: S.strings, metadata: S.obj,
          files: { type: 'array', maxItems: 1000, items: { type: 'object', additionalProperties: false, required: ['path', 'content'], properties: { path: S.str, content: S.str } } },
          ...commandFields,
        },
      },
      response: { 201: { type: 'object', properties: { published: S.bool, template: ref('TemplateRow'), version: ref('TemplateVersionRow') } }, ...errors },
    },
  }, async (req, reply) => reply.code(201).send(await use((api) => api.templates.publish(acting(req, req.body as object) as never))));
  app.get('/v1/templates/:name', {
    config: read,
    schema: { summary: 'One template', params: nameParam, response: { 200: { type: 'object', properties: { template: ref('TemplateRow') } }, ...errors } },
  }, async (req) => {
    const { name } = req.params as { name: string };
    const template = await use((api) => api.templates.get(name));
    if (!template) throw new StoreError('TEMPLATE_NOT_FOUND', `no template named ${JSON.stringify(name)}`);
    return { template };
  });
  app.get('/v1/templates/:name/versions', {
    config: read,
    schema: { summary: 'Every version of a template', params: nameParam, response: { 200: { type: 'object', properties: { versions: arrayOf('TemplateVersionRow') } }, ...errors } },
  }, async (req) => ({ versions: await use((api) => api.templates.versions((req.params as { name: string }).name)) }));
  app.get('/v1/templates/:name/reviews', {
    config: read,
    schema: { summary: 'Ratings and reviews, newest first', params: nameParam, querystring: { type: 'object', additionalProperties: false, properties: { ...limitQ } }, response: { 200: { type: 'object', properties: { reviews: { type: 'array', items: S.obj } } }, ...errors } },
  }, async (req) => ({ reviews: await use((api) => api.templates.reviews((req.params as { name: string }).name, defined({ limit: (req.query as { limit?: number }).limit }))) }));
  app.get('/v1/templates/:name/files', {
    config: read,
    schema: {
      summary: 'The files of the newest version matching range (default: latest), each with its sha256 (a client checks them, and the version\'s hash, before writing)',
      params: nameParam,
      querystring: { type: 'object', additionalProperties: false, properties: { range: S.str } },
      response: { 200: { type: 'object', properties: { version: ref('TemplateVersionRow'), files: { type: 'array', items: { type: 'object', properties: { path: S.str, content: S.str, sha256: S.str } } } } }, ...errors },
    },
  }, async (req) => {
    const { name } = req.params as { name: string };
    const { range } = req.query as { range?: string };
    return use((api) => api.templates.download(name, range));
  });
  app.post('/v1/templates/:name/install', {
    schema: {
      summary: 'Write the files into <dest>/<name>/ on the server\'s machine and count the download',
      params: nameParam,
      body: { type: 'object', additionalProperties: false, required: ['dest'], properties: { dest: S.str, range: S.str, force: S.bool, ...commandFields } },
      response: { 200: S.obj, ...errors },
    },
  }, async (req) => {
    const { name } = req.params as { name: string };
    const { range, ...rest } = req.body as { range?: string; dest: string };
    if (!rest.dest.startsWith('/')) throw new StoreError('INVALID_ARGUMENT', 'dest must be an absolute path');
    return use((api) => api.templates.install(meta({ ...rest, spec: range ? `${name}@${range}` : name }) as never));
  });
  app.post('/v1/templates/:name/ratings', {
    config: write,
    schema: {
      summary: 'Rate a template (a user\'s new rating replaces their old one). With an account token the account is the user',
      params: nameParam,
      body: { type: 'object', additionalProperties: false, required: ['stars'], properties: { user: S.str, stars: S.int, review: S.str, ...commandFields } },
      response: { 200: S.obj, ...errors },
    },
  }, async (req) => use((api) => api.templates.rate(acting(req, { ...(req.body as object), name: (req.params as { name: string }).name }) as never)));
  app.post('/v1/templates/:name/deprecate', {
    config: write,
    schema: {
      summary: 'Deprecate a template or one version (an account: only a template it owns, unless it is an admin)',
      params: nameParam,
      body: { type: 'object', additionalProperties: false, properties: { version: S.str, reason: S.str, ...commandFields } },
      response: { 200: S.obj, ...errors },
    },
  }, async (req) => use((api) => api.templates.deprecate(acting(req, { ...(req.body as object), name: (req.params as { name: string }).name }) as never)));
  app.post('/v1/templates/:name/downloads', {
    config: read,
    schema: {
      summary: 'Count one download of a version a client installed itself (after checking its files); open like the reads',
      params: nameParam,
      body: { type: 'object', additionalProperties: false, required: ['version'], properties: { version: S.str, ...commandFields } },
      response: { 200: { type: 'object', properties: { template: ref('TemplateRow'), version: ref('TemplateVersionRow') } }, ...errors },
    },
  }, async (req) => {
    const { name } = req.params as { name: string };
    const { version, ...rest } = req.body as { version: string };
    return use((api) => api.templates.countDownload(name, version, acting(req, rest) as never));
  });
  app.get('/v1/whoami', {
    config: read,
    schema: {
      summary: 'Who the request\'s token is: an account (name, admin), the server\'s owner, or nobody',
      response: { 200: { type: 'object', properties: { kind: { enum: ['owner', 'account', 'anonymous'] }, account: S.nullable(S.str), admin: S.bool } }, ...errors },
    },
  }, async (req) => {
    const p = principalOf(req);
    return p.kind === 'account' ? { kind: p.kind, account: p.account, admin: p.admin } : { kind: p.kind, account: null, admin: p.kind === 'owner' };
  });

  // ---- analytics -----------------------------------------------------------------------------
  app.get('/v1/analytics/widgets', {
    schema: {
      summary: 'Widget classes by use, most first',
      querystring: { type: 'object', additionalProperties: false, properties: { project: S.str, top: { type: 'integer', minimum: 1, maximum: 100_000 } } },
      response: { 200: { type: 'object', properties: { widgets: { type: 'array', items: { type: 'object', properties: { class: S.str, count: S.int } } } } }, ...errors },
    },
  }, async (req) => ({ widgets: await use((api) => api.analytics.widgets(defined(req.query as { project?: string; top?: number }))) }));
  app.get('/v1/analytics/projects/:name', {
    schema: { summary: 'A project\'s complexity (null before its first scan)', params: nameParam, response: { 200: { type: 'object', properties: { complexity: S.nullable(S.obj) } }, ...errors } },
  }, async (req) => ({ complexity: (await use((api) => api.analytics.complexity((req.params as { name: string }).name))) ?? null }));
  app.get('/v1/analytics/trends', {
    schema: {
      summary: 'A metric\'s (default: workflow actions) daily or weekly series',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { metric: S.str, project: S.str, days: { type: 'integer', minimum: 1, maximum: 3660, default: 30 }, until: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, by: { enum: ['day', 'week'] } },
      },
      response: { 200: S.obj, ...errors },
    },
  }, async (req) => use((api) => api.analytics.trend(defined(req.query as { days: number }))));
  app.post('/v1/analytics/metrics', {
    schema: {
      summary: 'Record one measurement of a metric',
      body: { type: 'object', additionalProperties: false, required: ['metric', 'value'], properties: { metric: S.str, value: { type: 'number' }, project: S.str, metadata: S.obj, ...commandFields } },
      response: { 201: { type: 'object', properties: { event: ref('StoredEvent') } }, ...errors },
    },
  }, async (req, reply) => reply.code(201).send({ event: await use((api) => api.analytics.record(meta(req.body as never) as never)) }));

  // ---- the store -----------------------------------------------------------------------------
  app.get('/v1/stats', {
    schema: { summary: 'Counts and sizes', querystring: { type: 'object', additionalProperties: false, properties: { ...asOfQ } }, response: { 200: S.obj, ...errors } },
  }, async (req) => use((api) => api.stats(defined({ asOf: asOfOf((req.query as Q).asOf) }))));
  app.post('/v1/verify', { schema: { summary: 'Replay the log and compare it with the stored views', response: { 200: S.obj, ...errors } } }, async () => use((api) => api.verify()));
  app.post('/v1/admin/rebuild', {
    schema: { summary: 'Fold projections again from the log', body: { type: 'object', additionalProperties: false, properties: { projections: S.strings } }, response: { 200: S.obj, ...errors } },
  }, async (req) => use((api) => api.rebuild((req.body as { projections?: string[] } | undefined)?.projections)));
  app.post('/v1/admin/compact', { schema: { summary: 'Let LevelDB merge its files', response: { 200: S.obj, ...errors } } }, async () => use((api) => api.compact()));
  app.post('/v1/admin/restore', {
    schema: {
      summary: 'Replace the store with a backup file on the server\'s machine (confirmed by the call itself)',
      body: { type: 'object', additionalProperties: false, required: ['file'], properties: { file: S.str } },
      response: { 200: S.obj, ...errors },
    },
  }, async (req) => {
    const { file } = req.body as { file: string };
    if (!file.startsWith('/')) throw new StoreError('INVALID_ARGUMENT', 'file must be an absolute path');
    const { restoreStore } = await import('../dump/restore.js');
    return holder.exclusive((location) => restoreStore(location, file));
  });
  app.post('/v1/admin/stop', { schema: { summary: 'Stop the server gracefully', response: { 202: S.obj } } }, async (_req, reply) => {
    setImmediate(() => options.onStop?.());
    return reply.code(202).send({ stopping: true, pid: process.pid });
  });

  // The bins run their commands here when a server is up: same code, same output (src/server/exec.ts).
  // Only on the Unix socket: a command may read and write the user's files as the user.
  if (options.token === undefined) app.post('/v1/cli', {
    schema: {
      hide: true,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['bin', 'argv', 'cwd'],
        properties: {
          bin: { enum: ['pygubu-db', 'pygubu-template', 'pygubu-analytics'] },
          argv: { type: 'array', items: S.str, maxItems: 10_000 },
          cwd: S.str,
          env: { type: 'object', additionalProperties: S.str },
          columns: S.int,
          stdin: { type: 'string', description: 'base64 of what the command reads from stdin' },
        },
      },
    },
  }, async (req: FastifyRequest, reply: FastifyReply) => execCli(req, reply, holder));

  return app;
}
