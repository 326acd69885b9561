import type { Trend } from '../../domain/analytics.js';
import type { ProjectRow } from '../../projections/projects.js';
import type { WorkflowEntry } from '../../projections/workflow.js';
import { averageRating, type TemplateFile, type TemplateRating, type TemplateRow, type TemplateVersionRow } from '../../projections/templates.js';
import type { Complexity, WidgetCount } from '../../queries/analytics.js';
import type { Totals } from '../../projections/analytics.js';
import { TEMPLATE_SORTS } from '../../queries/templates.js';
import { barChart, num, trendChart } from './charts.js';
import { href, html, seg, type Html } from './html.js';

export type PageId = 'overview' | 'projects' | 'templates' | 'analytics' | 'login' | 'error';

export interface Chrome {
  version: string;
  /** Shown when the dashboard is reached over TCP: a sign-out button. */
  signedIn: boolean;
}

const NAV: ReadonlyArray<[PageId, string, string]> = [
  ['overview', '/', 'Overview'],
  ['projects', '/projects', 'Projects'],
  ['templates', '/templates', 'Marketplace'],
  ['analytics', '/analytics', 'Analytics'],
];

/**
 * The page around every view. `watch` lists the event-type prefixes that make the page refresh its
 * `data-live` regions (read by /assets/dashboard.js from the body; nothing inline).
 */
export function layout(chrome: Chrome, page: PageId, title: string, watch: readonly string[], main: Html): string {
  const v = encodeURIComponent(chrome.version);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · PygubuAI dashboard</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/dashboard.css?v=${v}">
<script type="module" src="/assets/dashboard.js?v=${v}"></script>
</head>
<body data-page="${page}" data-watch="${watch.join(' ')}">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">PygubuAI <span>store</span></a>
<nav aria-label="Main"><ul>${NAV.map(([id, path, label]) => html`<li><a href="${path}"${id === page ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
<p class="live" id="live-status" role="status" aria-live="polite">${watch.length > 0 ? 'connecting…' : ''}</p>
${chrome.signedIn ? html`<form class="signout" method="post" action="/logout"><button type="submit">Sign out</button></form>` : ''}
</header>
<main id="main" tabindex="-1">
${main}
</main>
<footer><p>pygubuai-store ${chrome.version} · <a href="/openapi.json">HTTP API</a></p></footer>
</body>
</html>
`.text;
}

/** An ISO time as a short UTC text in a <time> element. */
export const when = (iso: string | null | undefined): Html | string => {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return html`<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 16).replace('T', ' ')}</time>`;
};

const tagLinks = (tags: readonly string[], base: string): Html =>
  tags.length === 0 ? html`<span class="muted">–</span>` : html`<ul class="tags">${tags.map((t) => html`<li><a class="tag" href="${href(base, { tag: t })}">${t}</a></li>`)}</ul>`;

const rating = (t: TemplateRow): Html => {
  const avg = averageRating(t);
  return avg === null ? html`<span class="muted">not rated</span>` : html`<span class="stars" aria-label="${num(avg)} of 5 stars">${'★'.repeat(Math.round(avg))}${'☆'.repeat(5 - Math.round(avg))}</span> ${num(avg)} <small>(${t.ratingCount})</small>`;
};

const card = (id: string, value: number | string, label: string, link?: string): Html =>
  html`<li class="card" id="${id}">${link ? html`<a href="${link}"><b>${value}</b> ${label}</a>` : html`<b>${value}</b> ${label}`}</li>`;

/** A shell word: as it is when it is plain, else in single quotes (a ' inside becomes '\''). */
export const shellWord = (s: string): string => (/^[A-Za-z0-9_.,:+=@^~%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

// ---- overview ---------------------------------------------------------------------------------

export interface OverviewData {
  stats: { events: number; projects: number; workflowEvents: number; activeProject: string | null };
  templates: number;
  recentProjects: ProjectRow[];
  popular: TemplateRow[];
  widgets: WidgetCount[];
}

export function overviewPage(d: OverviewData): Html {
  return html`<h1>Overview</h1>
<section data-live id="overview-cards" aria-label="Totals">
<ul class="cards">
${card('card-projects', d.stats.projects, d.stats.projects === 1 ? 'project' : 'projects', '/projects')}
${card('card-templates', d.templates, d.templates === 1 ? 'template' : 'templates', '/templates')}
${card('card-workflow', d.stats.workflowEvents, 'workflow actions')}
${card('card-events', d.stats.events, 'events in the log')}
</ul>
${d.stats.activeProject ? html`<p>Active project: <a href="/projects/${seg(d.stats.activeProject)}">${d.stats.activeProject}</a></p>` : ''}
</section>
<div class="columns">
<section data-live id="recent-projects" aria-labelledby="h-recent">
<h2 id="h-recent">Recently changed projects</h2>
${d.recentProjects.length === 0
    ? html`<p class="empty">No projects yet: <code>pygubu-db project add DIR</code>.</p>`
    : html`<ul class="plain">${d.recentProjects.map((p) => html`<li><a href="/projects/${seg(p.name)}">${p.name}</a> <small class="muted">${when(p.modified ?? p.created)}</small></li>`)}</ul>`}
</section>
<section data-live id="popular-templates" aria-labelledby="h-popular">
<h2 id="h-popular">Popular templates</h2>
${d.popular.length === 0
    ? html`<p class="empty">No templates yet: <code>pygubu-template publish PATH --name N --version 1.0.0</code>.</p>`
    : html`<ul class="plain">${d.popular.map((t) => html`<li><a href="/templates/${seg(t.name)}">${t.name}</a> <small class="muted">${t.latest} · ${t.downloads} downloads</small></li>`)}</ul>`}
</section>
</div>
<section data-live id="overview-widgets" aria-labelledby="h-widgets">
<h2 id="h-widgets">Most used widgets</h2>
${barChart('overview-widget-chart', 'Widget classes by use, across projects', d.widgets.map((w) => ({ label: w.class, value: w.count })), html`No scanned widgets yet: run <code>pygubu-analytics scan</code>.`)}
</section>`;
}

// ---- projects ---------------------------------------------------------------------------------

export interface ProjectsQuery {
  q: string;
  tag: string;
  sort: 'name' | 'created' | 'modified' | 'order';
}

export interface ProjectsData {
  query: ProjectsQuery;
  rows: ProjectRow[];
  total: number;
  tags: Array<[string, number]>;
  shown: number;
}

const PROJECT_SORTS = [['name', 'name'], ['modified', 'last changed'], ['created', 'created'], ['order', 'registration order']] as const;

export function projectsPage(d: ProjectsData): Html {
  const q = d.query;
  return html`<h1>Projects</h1>
<form class="filters" method="get" action="/projects" role="search" aria-label="Find projects">
<p><label for="pq">Search</label><input id="pq" name="q" type="search" value="${q.q}" placeholder="words of a name, description or tag" autocomplete="off"></p>
<p><label for="ptag">Tag</label><select id="ptag" name="tag"><option value="">any</option>${d.tags.map(([t]) => html`<option value="${t}"${t === q.tag ? html` selected` : ''}>${t}</option>`)}${q.tag && !d.tags.some(([t]) => t === q.tag) ? html`<option value="${q.tag}" selected>${q.tag}</option>` : ''}</select></p>
<p><label for="psort">Sort</label><select id="psort" name="sort">${PROJECT_SORTS.map(([v, l]) => html`<option value="${v}"${v === q.sort ? html` selected` : ''}>${l}</option>`)}</select></p>
<p class="actions"><button type="submit">Show</button> <a href="/projects">Reset</a></p>
</form>
<section data-live id="project-tags" aria-labelledby="h-tags">
<h2 id="h-tags" class="small">Tags</h2>
${d.tags.length === 0 ? html`<p class="empty">No tags.</p>` : html`<ul class="tags">${d.tags.map(([t, n]) => html`<li><a class="tag${t === q.tag ? ' current' : ''}" href="${href('/projects', { tag: t })}">${t} <small>${n}</small></a></li>`)}</ul>`}
</section>
<section data-live id="project-list" aria-labelledby="h-list">
<h2 id="h-list" class="small">${d.rows.length === d.total ? `${d.total} ${d.total === 1 ? 'project' : 'projects'}` : `${d.rows.length} of ${d.total} projects`}${q.q ? html` matching “${q.q}”` : ''}${q.tag ? html` tagged ${q.tag}` : ''}</h2>
${d.rows.length === 0
    ? html`<p class="empty">No projects${q.q || q.tag ? ' match' : ' yet'}.</p>`
    : html`<div class="table-wrap"><table class="list" id="projects-table"><thead><tr><th scope="col">Name</th><th scope="col">Tags</th><th scope="col">Description</th><th scope="col">Changed</th></tr></thead>
<tbody>${d.rows.map((p) => html`<tr data-project="${p.name}"><td><a href="/projects/${seg(p.name)}">${p.name}</a><br><small class="path">${p.path}</small></td><td>${tagLinks(p.tags, '/projects')}</td><td>${p.description || html`<span class="muted">–</span>`}</td><td>${when(p.modified ?? p.created)}</td></tr>`)}</tbody></table></div>`}
${d.shown < d.total && d.rows.length === d.shown ? html`<p class="muted">Showing the first ${d.shown}; narrow the search to see others.</p>` : ''}
</section>`;
}

export interface ProjectData {
  project: ProjectRow;
  active: boolean;
  history: WorkflowEntry[];
  historyCount: number;
  complexity: Complexity | undefined;
  widgets: WidgetCount[];
  activity: Trend;
}

export function projectPage(d: ProjectData): Html {
  const p = d.project;
  const c = d.complexity;
  const newestFirst = [...d.history].reverse();
  return html`<p class="crumbs"><a href="/projects">Projects</a> /</p>
<h1>${p.name}${d.active ? html` <span class="badge">active</span>` : ''}</h1>
<section data-live id="project-details" aria-label="Details">
<dl class="facts">
<dt>Path</dt><dd class="path">${p.path}</dd>
<dt>Description</dt><dd>${p.description || html`<span class="muted">–</span>`}</dd>
<dt>Tags</dt><dd>${tagLinks(p.tags, '/projects')}</dd>
<dt>Created</dt><dd>${when(p.created)}</dd>
<dt>Changed</dt><dd>${when(p.modified)}</dd>
</dl>
</section>
<section data-live id="project-complexity" aria-labelledby="h-complexity">
<h2 id="h-complexity">.ui complexity</h2>
${c === undefined
    ? html`<p class="empty">Not scanned yet: <code>pygubu-analytics scan ${shellWord(p.name)}</code>.</p>`
    : html`<ul class="cards">
${card('cx-score', c.score, 'score')}${card('cx-files', c.files, '.ui files')}${card('cx-widgets', c.widgets, 'widgets')}${card('cx-classes', c.widget_classes, 'widget classes')}${card('cx-depth', c.max_depth, 'max depth')}${card('cx-callbacks', c.callbacks, 'callbacks')}
</ul>
<p class="muted">Layouts: ${Object.entries(c.layouts).map(([m, n]) => `${m} ${n}`).join(', ') || '–'}. Score = widgets + 2 × callbacks + 5 × max depth + 3 × (layout managers − 1).</p>
${barChart('project-widget-chart', `Widget classes in ${p.name}`, d.widgets.map((w) => ({ label: w.class, value: w.count })), 'No widgets.')}`}
</section>
<section data-live id="project-activity" aria-labelledby="h-activity">
<h2 id="h-activity">Activity</h2>
${trendChart('project-activity-chart', d.activity)}
</section>
<section data-live id="project-history" aria-labelledby="h-history">
<h2 id="h-history">Workflow history <small>(${d.historyCount} ${d.historyCount === 1 ? 'entry' : 'entries'}${d.history.length < d.historyCount ? `, newest ${d.history.length} shown` : ''})</small></h2>
${newestFirst.length === 0
    ? html`<p class="empty">No workflow history yet.</p>`
    : html`<ol class="timeline" id="timeline">${newestFirst.map((e) => html`<li data-seq="${e.seq}"><p class="when">${when(e.timestamp)}</p><p class="what"><b class="action">${e.action}</b>${e.description ? html` <span>${e.description}</span>` : ''}${e.user ? html` <small class="muted">by ${e.user}</small>` : ''}</p></li>`)}</ol>`}
</section>`;
}

// ---- marketplace ------------------------------------------------------------------------------

export interface TemplatesQuery {
  q: string;
  tag: string;
  author: string;
  minRating: number | undefined;
  sort: (typeof TEMPLATE_SORTS)[number];
  limit: number;
  all: boolean;
}

export function templatesPage(query: TemplatesQuery, rows: TemplateRow[], problem?: string): Html {
  const q = query;
  const cli = ['pygubu-template', 'search', ...(q.q ? [q.q] : []), ...(q.tag ? ['--tag', q.tag] : []), ...(q.author ? ['--author', q.author] : []), ...(q.minRating !== undefined ? ['--min-rating', String(q.minRating)] : []), '--sort', q.sort, ...(q.limit !== 20 ? ['--limit', String(q.limit)] : []), ...(q.all ? ['--all'] : [])];
  return html`<h1>Marketplace</h1>
<form class="filters" method="get" action="/templates" role="search" aria-label="Find templates">
<p><label for="tq">Search</label><input id="tq" name="q" type="search" value="${q.q}" placeholder="words of a name, description or tag" autocomplete="off"></p>
<p><label for="ttag">Tag</label><input id="ttag" name="tag" value="${q.tag}" autocomplete="off"></p>
<p><label for="tauthor">Author</label><input id="tauthor" name="author" value="${q.author}" autocomplete="off"></p>
<p><label for="tmin">Min. rating</label><input id="tmin" name="minRating" type="number" min="0" max="5" step="0.5" value="${q.minRating ?? ''}"></p>
<p><label for="tsort">Sort</label><select id="tsort" name="sort">${TEMPLATE_SORTS.map((s) => html`<option value="${s}"${s === q.sort ? html` selected` : ''}>${s}</option>`)}</select></p>
<p><label for="tlimit">At most</label><input id="tlimit" name="limit" type="number" min="1" max="1000" value="${q.limit}"></p>
<p class="check"><input id="tall" name="all" type="checkbox" value="true"${q.all ? html` checked` : ''}><label for="tall">include deprecated</label></p>
<p class="actions"><button type="submit">Search</button> <a href="/templates">Reset</a></p>
</form>
<p class="muted">The same search in a terminal: <code>${cli.map(shellWord).join(' ')}</code></p>
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<section data-live id="template-list" aria-labelledby="h-results">
<h2 id="h-results" class="small">${rows.length} ${rows.length === 1 ? 'template' : 'templates'}</h2>
${rows.length === 0
    ? html`<p class="empty">No templates${q.q || q.tag || q.author || q.minRating !== undefined ? ' match' : ' yet'}.</p>`
    : html`<ol class="results" id="templates-list">${rows.map((t) => html`<li class="result" data-template="${t.name}">
<h3><a href="/templates/${seg(t.name)}">${t.name}</a> <small>${t.latest}</small>${t.deprecated !== null || t.latestDeprecated !== null ? html` <span class="badge warn">deprecated</span>` : ''}</h3>
<p>${t.description || html`<span class="muted">no description</span>`}</p>
<p class="meta">${rating(t)} · ${t.downloads} ${t.downloads === 1 ? 'download' : 'downloads'} · by <a href="${href('/templates', { author: t.author })}">${t.author}</a> · ${when(t.publishedAt)}</p>
${tagLinks(t.tags, '/templates')}
</li>`)}</ol>`}
</section>`;
}

export interface TemplateData {
  template: TemplateRow;
  versions: TemplateVersionRow[];
  reviews: TemplateRating[];
  shown: TemplateVersionRow;
  files: TemplateFile[];
}

/** Files up to this size are shown inline (in a closed <details>). */
const PREVIEW_BYTES = 32 * 1024;

export function templatePage(d: TemplateData): Html {
  const t = d.template;
  const install = `pygubu-template install ${shellWord(t.name)}`;
  return html`<p class="crumbs"><a href="/templates">Marketplace</a> /</p>
<h1>${t.name} <small>${t.latest}</small>${t.deprecated !== null ? html` <span class="badge warn">deprecated${t.deprecated ? `: ${t.deprecated}` : ''}</span>` : ''}</h1>
<section aria-labelledby="h-install">
<h2 id="h-install" class="small">Install</h2>
<div class="copy"><input id="install-command" class="command" readonly value="${install}" aria-label="Install command"><button type="button" data-copy="install-command">Copy</button></div>
</section>
<section data-live id="template-details" aria-label="Details">
<p>${t.description || html`<span class="muted">no description</span>`}</p>
<dl class="facts">
<dt>Author</dt><dd><a href="${href('/templates', { author: t.author })}">${t.author}</a></dd>
<dt>Rating</dt><dd id="template-rating">${rating(t)}</dd>
<dt>Downloads</dt><dd id="template-downloads">${t.downloads}</dd>
<dt>Tags</dt><dd>${tagLinks(t.tags, '/templates')}</dd>
<dt>First published</dt><dd>${when(t.firstPublishedAt)}</dd>
<dt>Latest</dt><dd>${t.latest}, ${when(t.publishedAt)}${t.latestDeprecated !== null ? html` <span class="badge warn">deprecated${t.latestDeprecated ? `: ${t.latestDeprecated}` : ''}</span>` : ''}</dd>
</dl>
</section>
<section data-live id="template-versions" aria-labelledby="h-versions">
<h2 id="h-versions">Versions <small>(${d.versions.length})</small></h2>
<div class="table-wrap"><table class="list" id="versions-table"><thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">Downloads</th><th scope="col">Files</th><th scope="col">Status</th></tr></thead>
<tbody>${d.versions.map((v) => html`<tr data-version="${v.version}"><td>${v.version}</td><td>${when(v.publishedAt)}</td><td>${v.downloads}</td><td>${v.files.length}</td><td>${v.deprecated !== null ? html`<span class="badge warn">deprecated${v.deprecated ? `: ${v.deprecated}` : ''}</span>` : 'current'}</td></tr>`)}</tbody></table></div>
</section>
<section data-live id="template-files" aria-labelledby="h-files">
<h2 id="h-files">Files of ${d.shown.version} <small>(${d.shown.files.reduce((n, f) => n + f.bytes, 0)} bytes)</small></h2>
<ul class="files" id="files-list">${d.shown.files.map((f) => {
    const content = d.files.find((x) => x.path === f.path)?.content;
    return html`<li data-file="${f.path}"><details><summary><code>${f.path}</code> <small class="muted">${f.bytes} bytes · sha256 ${f.sha256.slice(0, 12)}…</small></summary>${content !== undefined && f.bytes <= PREVIEW_BYTES ? html`<pre><code>${content}</code></pre>` : html`<p class="muted">Too large to show here; install it to read it.</p>`}</details></li>`;
  })}</ul>
</section>
<section data-live id="template-reviews" aria-labelledby="h-reviews">
<h2 id="h-reviews">Reviews <small>(${d.reviews.length})</small></h2>
${d.reviews.length === 0
    ? html`<p class="empty">No reviews yet: <code>pygubu-template rate ${shellWord(t.name)} 5 --review "…"</code>.</p>`
    : html`<ol class="reviews" id="reviews-list">${d.reviews.map((r) => html`<li data-user="${r.user}"><p class="meta"><span class="stars" aria-label="${r.stars} of 5 stars">${'★'.repeat(r.stars)}${'☆'.repeat(5 - r.stars)}</span> <b>${r.user}</b> · ${when(r.at)}</p><blockquote>${r.review ?? ''}</blockquote></li>`)}</ol>`}
</section>`;
}

// ---- analytics --------------------------------------------------------------------------------

export interface AnalyticsQuery {
  metric: string;
  days: number;
  by: 'day' | 'week';
  project: string;
}

export interface AnalyticsData {
  query: AnalyticsQuery;
  totals: Totals;
  widgets: WidgetCount[];
  metrics: Array<{ metric: string; count: number }>;
  projects: string[];
  trend: Trend | undefined;
  complexity: Complexity[];
  problem?: string;
}

const DAY_CHOICES = [7, 30, 90, 365] as const;

export function analyticsPage(d: AnalyticsData): Html {
  const q = d.query;
  const t = d.totals;
  return html`<h1>Analytics</h1>
<section data-live id="analytics-cards" aria-label="Totals">
<ul class="cards">${card('total-files', t.files, '.ui files')}${card('total-widgets', t.widgets, 'widgets')}${card('total-callbacks', t.callbacks, 'callbacks')}${card('total-projects', d.complexity.length, 'projects scanned')}</ul>
</section>
<section data-live id="analytics-widgets" aria-labelledby="h-widgets">
<h2 id="h-widgets">Widget usage</h2>
${barChart('widget-chart', 'Widget classes by use, across projects (top 20)', d.widgets.map((w) => ({ label: w.class, value: w.count })), html`No scanned widgets yet: run <code>pygubu-analytics scan</code>.`)}
</section>
<section aria-labelledby="h-trends">
<h2 id="h-trends">Trends</h2>
<form class="filters" method="get" action="/analytics#h-trends" id="trend-form" aria-label="Choose a trend">
<p><label for="metric">Metric</label><select id="metric" name="metric">
<option value="workflow.actions"${q.metric === 'workflow.actions' ? html` selected` : ''}>workflow actions</option>
${d.metrics.map((m) => html`<option value="${m.metric}"${m.metric === q.metric ? html` selected` : ''}>${m.metric} (${m.count})</option>`)}
</select></p>
<p><label for="days">Days</label><select id="days" name="days">${[...new Set([...DAY_CHOICES, q.days])].sort((a, b) => a - b).map((n) => html`<option value="${n}"${n === q.days ? html` selected` : ''}>${n}</option>`)}</select></p>
<p><label for="by">Per</label><select id="by" name="by"><option value="day"${q.by === 'day' ? html` selected` : ''}>day</option><option value="week"${q.by === 'week' ? html` selected` : ''}>week</option></select></p>
<p><label for="tproject">Project</label><select id="tproject" name="project"><option value="">all</option>${d.projects.map((p) => html`<option value="${p}"${p === q.project ? html` selected` : ''}>${p}</option>`)}</select></p>
<p class="actions"><button type="submit">Show</button></p>
</form>
${d.problem ? html`<p class="error" role="alert">${d.problem}</p>` : ''}
<div data-live id="analytics-trend">${d.trend ? trendChart('trend-chart', d.trend) : ''}</div>
</section>
<section data-live id="analytics-complexity" aria-labelledby="h-complexity">
<h2 id="h-complexity">Complexity across projects</h2>
${barChart('complexity-chart', 'Complexity score by project', d.complexity.map((c) => ({ label: c.project, value: c.score, href: `/projects/${seg(c.project)}` })), 'No scanned projects.')}
${d.complexity.length === 0
    ? ''
    : html`<div class="table-wrap"><table class="list numeric" id="complexity"><thead><tr><th scope="col">Project</th><th scope="col">Score</th><th scope="col">Files</th><th scope="col">Widgets</th><th scope="col">Classes</th><th scope="col">Max depth</th><th scope="col">Callbacks</th><th scope="col">Layouts</th></tr></thead>
<tbody>${d.complexity.map((c) => html`<tr data-project="${c.project}"><td><a href="/projects/${seg(c.project)}">${c.project}</a></td><td class="score">${c.score}</td><td>${c.files}</td><td>${c.widgets}</td><td>${c.widget_classes}</td><td>${c.max_depth}</td><td>${c.callbacks}</td><td>${Object.entries(c.layouts).map(([m, n]) => `${m} ${n}`).join(', ')}</td></tr>`)}</tbody></table></div>
<p class="muted">Score = widgets + 2 × callbacks + 5 × max depth + 3 × (layout managers − 1).</p>`}
</section>`;
}

// ---- sign-in and errors -----------------------------------------------------------------------

export function loginPage(next: string, problem?: string): Html {
  return html`<h1>Sign in</h1>
<p>This dashboard is served over TCP, where the server asks for its bearer token. On the server's machine, <code>pygubu-db server token</code> prints it.</p>
${problem ? html`<p class="error" role="alert" id="login-error">${problem}</p>` : ''}
<form class="login" method="post" action="/login">
<input type="hidden" name="next" value="${next}">
<p><label for="token">Token</label><input id="token" name="token" type="password" autocomplete="current-password" required></p>
<p class="actions"><button type="submit">Sign in</button></p>
</form>
<p class="muted">Signing in sets a cookie (HttpOnly, SameSite=Strict) that holds a signature of an expiry time, not the token. It lasts 7 days, or until the token changes.</p>`;
}

export function errorPage(status: number, code: string, message: string): Html {
  return html`<h1>${status === 404 ? 'Not found' : 'Something is wrong'}</h1>
<p class="error" role="alert" id="page-error">error: ${message} (${code})</p>
<p><a href="/">Back to the overview</a></p>`;
}
