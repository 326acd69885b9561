import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { trend } from '../../domain/analytics.js';
import { StoreError } from '../../errors.js';
import { describeError } from '../../cli/failure.js';
import { TEMPLATE_SORTS, type TemplateSort } from '../../queries/templates.js';
import type { Views } from '../../queries/index.js';
import type { Store } from '../../store.js';
import type { StoreHolder } from '../holder.js';
import { errorReply, statusOf } from '../http-errors.js';
import { followHeld, openSubscriptions } from '../sse.js';
import { loadAssets, type Asset } from './assets.js';
import { clearedCookie, newSession, safeNext, sameSecret, sessionCookie, signedInToDashboard } from './auth.js';
import { href } from './html.js';
import {
  analyticsPage,
  errorPage,
  layout,
  loginPage,
  overviewPage,
  projectPage,
  projectsPage,
  templatePage,
  templatesPage,
  type AnalyticsQuery,
  type PageId,
  type ProjectsQuery,
  type TemplatesQuery,
} from './pages.js';

export interface DashboardOptions {
  holder: StoreHolder;
  version: string;
  /** Set on TCP: pages need a session cookie (from /login) or the bearer token. */
  token?: string;
}

/**
 * The strictest policy the pages work under: scripts and styles only as files from this server (no
 * inline script, no inline style, no eval), no frames, forms post only here, nothing loaded from
 * anywhere else.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the sign-in form
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Event types that can change what a page shows, by the prefix the page watches. */
const WATCH: Record<Exclude<PageId, 'login' | 'error'>, string[]> = {
  overview: ['project.', 'template.', 'workflow.', 'analytics.', 'legacy.'],
  projects: ['project.', 'legacy.'],
  templates: ['template.'],
  analytics: ['analytics.', 'workflow.', 'project.', 'legacy.'],
};
const PROJECT_WATCH = ['project.', 'workflow.', 'analytics.', 'legacy.'];
const TEMPLATE_WATCH = ['template.'];

/** Rows a list page reads at most. */
const LIST_CAP = 500;
/** Timeline entries a project page shows (the newest). */
const TIMELINE_CAP = 200;

type Query = Record<string, string | string[] | undefined>;
const first = (q: Query, key: string): string => {
  const v = q[key];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
};

/** A browser loading a page (its Accept names HTML); anything else gets the API's coded JSON errors. */
const wantsHtml = (req: FastifyRequest): boolean => /text\/html/.test(req.headers.accept ?? '');

const invalid = (message: string): StoreError => new StoreError('INVALID_ARGUMENT', message);

function intIn(q: Query, key: string, fallback: number, min: number, max: number, what: string): number {
  const s = first(q, key);
  if (s === '') return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${what} takes a whole number from ${min} to ${max}, not ${JSON.stringify(s)}`);
  return n;
}

function templatesQuery(q: Query): TemplatesQuery {
  const sort = (first(q, 'sort') || 'downloads') as TemplateSort;
  if (!TEMPLATE_SORTS.includes(sort)) throw invalid(`sort takes ${TEMPLATE_SORTS.join(', ')}, not ${JSON.stringify(sort)}`);
  const min = first(q, 'minRating');
  const minRating = min === '' ? undefined : Number(min);
  if (minRating !== undefined && !(minRating >= 0 && minRating <= 5)) throw invalid(`the minimum rating takes a number from 0 to 5, not ${JSON.stringify(min)}`);
  return {
    q: first(q, 'q'),
    tag: first(q, 'tag'),
    author: first(q, 'author'),
    minRating,
    sort,
    limit: intIn(q, 'limit', 20, 1, 1000, 'limit'),
    all: ['true', 'on', '1'].includes(first(q, 'all')),
  };
}

function projectsQuery(q: Query): ProjectsQuery {
  const sort = first(q, 'sort') || 'name';
  if (!['name', 'created', 'modified', 'order'].includes(sort)) throw invalid(`sort takes name, created, modified or order, not ${JSON.stringify(sort)}`);
  return { q: first(q, 'q'), tag: first(q, 'tag'), sort: sort as ProjectsQuery['sort'] };
}

function analyticsQuery(q: Query): AnalyticsQuery {
  const by = first(q, 'by') || 'day';
  if (by !== 'day' && by !== 'week') throw invalid(`by takes day or week, not ${JSON.stringify(by)}`);
  return { metric: first(q, 'metric') || 'workflow.actions', days: intIn(q, 'days', 30, 1, 3660, 'days'), by, project: first(q, 'project') };
}

/**
 * The web dashboard (docs/server.md, "The web dashboard"): server-rendered pages over the store's
 * views, one script and one stylesheet as files, and `/events`, a stream that tells open pages
 * something changed so they fetch their live regions again.
 */
export async function dashboard(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const { holder, token } = options;
  const assets = loadAssets();
  const route = { config: { web: true }, schema: { hide: true } } as const;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  const signedIn = (req: FastifyRequest): boolean => token === undefined || signedInToDashboard(req.headers, token);
  const chrome = (req: FastifyRequest) => ({ version: options.version, signedIn: token !== undefined && signedIn(req) });

  app.addHook('onRequest', async (req, reply) => {
    if (token === undefined) return;
    const path = req.url.split('?')[0]!;
    if (path === '/login' || path.startsWith('/assets/')) return;
    if (signedIn(req)) return;
    if (path === '/events' || req.method !== 'GET' || !wantsHtml(req)) {
      await coded(reply, new StoreError('UNAUTHORIZED', 'the dashboard needs a sign-in', { hint: 'sign in at /login, or send Authorization: Bearer <token>' }));
      return;
    }
    await reply.redirect(href('/login', { next: req.url }), 303);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    if (!req.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  /** Posts (sign in, sign out) come from these pages only: a cross-site form cannot sign anyone in or out. */
  const sameOrigin = (req: FastifyRequest): boolean => {
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string') return site === 'same-origin' || site === 'none';
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser (curl): nothing to forge
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false; // "null" and anything else that is not this server
    }
  };

  const send = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);
  /** A refusal as the API words it ({error:{code,message,hint}}), for what is not a browser's page load. */
  const coded = (reply: FastifyReply, err: unknown) => {
    const { status, body } = errorReply(err);
    return reply.code(status).send(body);
  };

  /** Render a page from the views; a coded error becomes an error page with its status. */
  const page = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: PageId,
    watch: readonly string[],
    build: (views: Views, store: Store) => Promise<{ title: string; main: import('./html.js').Html; status?: number }>,
  ) => {
    try {
      // one use of the store per page: a nested use would wait for a restore that waits for this one
      const out = await holder.use((_api, store) => build(store.views, store));
      return send(reply, out.status ?? 200, layout(chrome(req), id, out.title, watch, out.main));
    } catch (err) {
      if (!wantsHtml(req)) return coded(reply, err);
      const { code, message } = describeError(err);
      const status = statusOf(code);
      return send(reply, status, layout(chrome(req), 'error', status === 404 ? 'Not found' : 'Error', [], errorPage(status, code, message)));
    }
  };

  app.get('/', route, (req, reply) =>
    page(req, reply, 'overview', WATCH.overview, async (views, store) => {
      const [stats, templates, recentProjects, popular, widgets] = await Promise.all([
        store.stats(),
        views.templates.count(),
        views.projects.list({ sort: 'modified', limit: 8 }),
        views.templates.list({ sort: 'downloads', limit: 8 }),
        views.analytics.widgetUsage({ top: 10 }),
      ]);
      return { title: 'Overview', main: overviewPage({ stats, templates, recentProjects, popular, widgets }) };
    }),
  );

  app.get('/projects', route, (req, reply) =>
    page(req, reply, 'projects', WATCH.projects, async (views) => {
      const query = projectsQuery(req.query as Query);
      const [all, total] = await Promise.all([views.projects.list({ sort: 'name' }), views.projects.count()]);
      const tags = new Map<string, number>();
      for (const p of all) for (const t of p.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
      let rows = query.q ? await views.projects.search(query.q, { limit: LIST_CAP }) : await views.projects.list({ sort: query.sort, ...(query.tag ? { tag: query.tag } : {}), limit: LIST_CAP });
      if (query.q && query.tag) rows = rows.filter((p) => p.tags.includes(query.tag));
      if (query.q && query.sort !== 'name') {
        const key = query.sort === 'order' ? (p: (typeof rows)[number]) => String(p.order).padStart(16, '0') : (p: (typeof rows)[number]) => String(p[query.sort as 'created' | 'modified'] ?? '');
        rows.sort((a, b) => (query.sort === 'order' ? key(a).localeCompare(key(b)) : key(b).localeCompare(key(a))));
      } else if (query.q) rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        title: 'Projects',
        main: projectsPage({ query, rows, total: query.q || query.tag ? rows.length : total, tags: [...tags].sort(([a], [b]) => (a < b ? -1 : 1)), shown: LIST_CAP }),
      };
    }),
  );

  app.get('/projects/:name', route, (req, reply) =>
    page(req, reply, 'projects', PROJECT_WATCH, async (views) => {
      const { name } = req.params as { name: string };
      const project = await views.projects.require(name);
      const [active, history, historyCount, complexity, widgets, activity] = await Promise.all([
        views.projects.active(),
        views.history.list(project.id, { limit: TIMELINE_CAP }),
        views.history.count(project.id),
        views.analytics.complexity(project.id),
        views.analytics.widgetUsage({ projectId: project.id, top: 15 }),
        trend(views, { projectId: project.id, project: project.name, days: 30 }),
      ]);
      return { title: project.name, main: projectPage({ project, active: active?.id === project.id, history, historyCount, complexity, widgets, activity }) };
    }),
  );

  app.get('/templates', route, async (req, reply) => {
    let query: TemplatesQuery;
    try {
      query = templatesQuery(req.query as Query);
    } catch (err) {
      const { code, message } = describeError(err);
      const fallback = templatesQuery({});
      return page(req, reply, 'templates', WATCH.templates, async () => ({ title: 'Marketplace', status: 400, main: templatesPage(fallback, [], `error: ${message} (${code})`) }));
    }
    return page(req, reply, 'templates', WATCH.templates, async (views) => {
      const { q, tag, author, minRating, ...rest } = query;
      const rows = await views.templates.search(q, { ...rest, ...(tag ? { tag } : {}), ...(author ? { author } : {}), ...(minRating !== undefined ? { minRating } : {}) });
      return { title: 'Marketplace', main: templatesPage(query, rows) };
    });
  });

  app.get('/templates/:name', route, (req, reply) =>
    page(req, reply, 'templates', TEMPLATE_WATCH, async (views) => {
      const { name } = req.params as { name: string };
      const template = await views.templates.require(name);
      const [versions, reviews, { version: shown, files }] = await Promise.all([views.templates.versions(name), views.templates.reviews(name, { limit: 100 }), views.templates.download(name)]);
      return { title: template.name, main: templatePage({ template, versions, reviews, shown, files }) };
    }),
  );

  app.get('/analytics', route, (req, reply) =>
    page(req, reply, 'analytics', WATCH.analytics, async (views) => {
      const query = analyticsQuery(req.query as Query);
      const [totals, widgets, metrics, projects, complexity] = await Promise.all([
        views.analytics.totals(),
        views.analytics.widgetUsage({ top: 20 }),
        views.analytics.metrics(),
        views.projects.list({ sort: 'name', limit: LIST_CAP }),
        views.analytics.complexityRanking(LIST_CAP),
      ]);
      let problem: string | undefined;
      let shown;
      const project = query.project ? projects.find((p) => p.name === query.project) ?? (await views.projects.byName(query.project)) : undefined;
      if (query.project && !project) problem = `error: no project named ${JSON.stringify(query.project)} (PROJECT_NOT_FOUND)`;
      else if (query.metric !== 'workflow.actions' && !metrics.some((m) => m.metric === query.metric)) problem = `error: no metric ${JSON.stringify(query.metric)} has been recorded (INVALID_ARGUMENT)`;
      else shown = await trend(views, { metric: query.metric, days: query.days, by: query.by, ...(project ? { projectId: project.id, project: project.name } : {}) });
      const visible = metrics.filter((m) => !m.metric.startsWith('perf.') || m.metric === query.metric);
      return {
        title: 'Analytics',
        ...(problem ? { status: 400 } : {}),
        main: analyticsPage({ query, totals, widgets, metrics: visible.map((m) => ({ metric: m.metric, count: m.count })), projects: projects.map((p) => p.name), trend: shown, complexity, ...(problem ? { problem } : {}) }),
      };
    }),
  );

  // ---- sign-in (TCP only) -------------------------------------------------------------------
  app.get('/login', route, async (req, reply) => {
    const next = safeNext((req.query as Query).next);
    if (token === undefined || signedIn(req)) return reply.redirect(next, 303);
    return send(reply, 200, layout(chrome(req), 'login', 'Sign in', [], loginPage(next)));
  });
  app.post('/login', route, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (token === undefined) return reply.redirect(next, 303);
    if (!sameOrigin(req)) return send(reply, 403, layout(chrome(req), 'login', 'Sign in', [], loginPage(next, 'error: a sign-in must come from this dashboard (UNAUTHORIZED)')));
    const given = typeof body.token === 'string' ? body.token.trim() : '';
    if (!sameSecret(given, token)) {
      return send(reply, 401, layout(chrome(req), 'login', 'Sign in', [], loginPage(next, `error: ${given ? 'the token is wrong' : 'enter the token'} (UNAUTHORIZED)`)));
    }
    const session = newSession(token);
    return reply.header('set-cookie', sessionCookie(session.value, session.maxAge)).redirect(next, 303);
  });
  app.post('/logout', route, async (req, reply) => {
    if (!sameOrigin(req)) return coded(reply, new StoreError('UNAUTHORIZED', 'a sign-out must come from this dashboard'));
    return reply.header('set-cookie', clearedCookie()).redirect(token === undefined ? '/' : '/login', 303);
  });

  // ---- assets ---------------------------------------------------------------------------------
  app.get('/assets/:file', route, async (req, reply) => {
    const asset: Asset | undefined = assets.get((req.params as { file: string }).file);
    if (!asset) return coded(reply, new StoreError('ROUTE_NOT_FOUND', `no dashboard file ${JSON.stringify((req.params as { file: string }).file)}`));
    reply.header('etag', asset.etag).header('cache-control', 'no-cache');
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  });

  // ---- live updates ---------------------------------------------------------------------------
  /**
   * Server-Sent Events for the open pages: one small `change` message ({seq, type}) per durable
   * event from the moment the page connects. The page fetches its live regions again; nothing of
   * the event itself is needed, so nothing user-written travels here.
   */
  app.get('/events', route, async (req, reply) => {
    await holder.current();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no', 'x-content-type-options': 'nosniff' });
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    res.write(`retry: 1000\n: dashboard at head ${holder.head}\n\n`);
    const entry = { res, next: holder.head + 1, limit: 64 * 1024 };
    openSubscriptions.add(entry);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    try {
      for await (const event of followHeld(holder, { fromSeq: entry.next }, stop.signal)) {
        entry.next = event.seq + 1;
        // A page far behind only needs to know that something changed: skip what it has not read.
        if (res.writableLength > entry.limit) continue;
        res.write(`id: ${event.seq}\nevent: change\ndata: ${JSON.stringify({ seq: event.seq, type: event.type })}\n\n`);
      }
    } catch {
      // the store went away under the stream: the page reconnects
    } finally {
      clearInterval(heartbeat);
      openSubscriptions.delete(entry);
      if (!res.destroyed) res.end();
    }
  });
}

