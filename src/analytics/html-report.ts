import { trend, trendStat, type Trend } from '../domain/analytics.js';
import type { Complexity, WidgetCount } from '../queries/analytics.js';
import type { Totals } from '../projections/analytics.js';
import type { Views } from '../queries/index.js';

export interface ReportData {
  generated: string;
  totals: Totals;
  widgets: WidgetCount[];
  trends: Trend[];
  projects: Complexity[];
}

/** Everything the HTML report shows, read from the views (the same queries the commands use). */
export async function gatherReport(
  views: Views,
  options: { days: number; until?: string; topWidgets?: number; metrics?: number; generated?: string },
): Promise<ReportData> {
  const base = { days: options.days, ...(options.until ? { until: options.until } : {}) };
  const metricNames = (await views.analytics.metrics())
    .filter((m) => !m.metric.startsWith('perf.'))
    .sort((a, b) => b.count - a.count || (a.metric < b.metric ? -1 : 1))
    .slice(0, options.metrics ?? 6)
    .map((m) => m.metric);
  const trends = [await trend(views, base)];
  for (const metric of metricNames) trends.push(await trend(views, { ...base, metric }));
  return {
    generated: options.generated ?? new Date().toISOString(),
    totals: await views.analytics.totals(),
    widgets: await views.analytics.widgetUsage({ top: options.topWidgets ?? 20 }),
    trends,
    projects: await views.analytics.complexityRanking(),
  };
}

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const num = (x: number | null): string => (x === null ? '' : Number.isInteger(x) ? String(x) : x.toFixed(2));

/** Width of one label character: 11px monospace is 6.6px; a little more for fonts that run wide. */
export const LABEL_CHAR_PX = 7;

export function widgetSvg(widgets: WidgetCount[]): string {
  if (widgets.length === 0) return '<p class="empty">No scanned widgets yet: run <code>pygubu-analytics scan</code>.</p>';
  const rowH = 22;
  // Labels are right-aligned at labelW in an 11px monospace font (0.6em a character): make room for
  // the longest class name, so none is clipped at the left edge.
  const labelW = Math.max(120, Math.ceil(Math.max(...widgets.map((w) => w.class.length)) * LABEL_CHAR_PX) + 16);
  const barW = 420;
  const max = Math.max(...widgets.map((w) => w.count), 1);
  const h = widgets.length * rowH + 10;
  const bars = widgets
    .map((w, i) => {
      const y = i * rowH + 5;
      const len = Math.max(1, Math.round((w.count / max) * barW));
      return (
        `<g class="bar" data-class="${esc(w.class)}" data-count="${w.count}">` +
        `<text class="label" x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(w.class)}</text>` +
        `<rect x="${labelW}" y="${y + 2}" width="${len}" height="${rowH - 6}" rx="2"></rect>` +
        `<text x="${labelW + len + 6}" y="${y + 15}">${w.count}</text></g>`
      );
    })
    .join('');
  return `<svg id="widget-chart" role="img" aria-label="Widget usage" width="${labelW + barW + 60}" height="${h}" viewBox="0 0 ${labelW + barW + 60} ${h}">${bars}</svg>`;
}

function trendSvg(t: Trend, index: number): string {
  const stat = trendStat(t);
  const values = t.points.map((p) => (stat === 'count' ? p.count : p.avg));
  const known = values.filter((v): v is number => v !== null);
  const w = 640;
  const h = 160;
  const pad = { l: 48, r: 10, t: 10, b: 24 };
  const max = known.length > 0 ? Math.max(...known) : 1;
  const min = known.length > 0 ? Math.min(0, ...known) : 0;
  const span = max - min || 1;
  const x = (i: number) => pad.l + (t.points.length <= 1 ? 0 : (i / (t.points.length - 1)) * (w - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - min) / span) * (h - pad.t - pad.b);
  // Days without data break the line (a gap), rather than being drawn as zero.
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current.join(' '));
  const lines = segments.map((pts) => `<polyline points="${pts}"></polyline>`).join('');
  const dots = values
    .map((v, i) => (v === null ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2"><title>${esc(t.points[i]!.day)}: ${num(v)}</title></circle>`))
    .join('');
  const axis =
    `<line class="axis" x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}"></line>` +
    `<text x="${pad.l - 6}" y="${pad.t + 8}" text-anchor="end">${num(max)}</text>` +
    `<text x="${pad.l - 6}" y="${h - pad.b}" text-anchor="end">${num(min)}</text>` +
    `<text x="${pad.l}" y="${h - 6}">${esc(t.from)}</text>` +
    `<text x="${w - pad.r}" y="${h - 6}" text-anchor="end">${esc(t.to)}</text>`;
  const total = t.points.reduce((n, p) => n + p.count, 0);
  return (
    `<section class="trend" data-metric="${esc(t.metric)}" data-total="${total}">` +
    `<h3>${esc(t.metric)} <small>(${stat} per ${t.by}; ${total} measurements)</small></h3>` +
    `<svg id="trend-${index}" class="trend-chart" role="img" aria-label="${esc(t.metric)} trend" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${axis}${lines}${dots}</svg>` +
    `</section>`
  );
}

function projectTable(projects: Complexity[]): string {
  if (projects.length === 0) return '<p class="empty">No scanned projects.</p>';
  const head = ['Project', 'Score', 'Files', 'Widgets', 'Classes', 'Max depth', 'Callbacks', 'Layouts'];
  const rows = projects
    .map(
      (p) =>
        `<tr data-project="${esc(p.project)}"><td>${esc(p.project)}</td><td class="score">${p.score}</td><td>${p.files}</td><td class="widgets">${p.widgets}</td>` +
        `<td>${p.widget_classes}</td><td>${p.max_depth}</td><td>${p.callbacks}</td><td>${esc(Object.entries(p.layouts).map(([m, n]) => `${m} ${n}`).join(', '))}</td></tr>`,
    )
    .join('');
  return `<table id="complexity"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** One self-contained HTML page: inline CSS and SVG, no scripts, no network requests. */
export function renderReport(data: ReportData): string {
  const t = data.totals;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>PygubuAI analytics</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2433;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde}h3{font-size:14px;margin:14px 0 4px}
small,.meta{color:#667}.cards{display:flex;gap:12px;margin:12px 0}.card{border:1px solid #dde;border-radius:6px;padding:8px 14px}
.card b{display:block;font-size:20px}svg text{font-size:11px;fill:#334}svg text.label{font-family:ui-monospace,Menlo,Consolas,monospace}.bar rect{fill:#4c78a8}
.trend-chart polyline{fill:none;stroke:#e45756;stroke-width:1.5}.trend-chart circle{fill:#e45756}.axis{stroke:#99a}
table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid #eef;text-align:right}th:first-child,td:first-child{text-align:left}
td:last-child{text-align:left}.empty{color:#889}
</style>
</head>
<body>
<h1>PygubuAI analytics</h1>
<p class="meta">Generated ${esc(data.generated)}</p>
<div class="cards">
<div class="card" id="total-files"><b>${t.files}</b>.ui files</div>
<div class="card" id="total-widgets"><b>${t.widgets}</b>widgets</div>
<div class="card" id="total-callbacks"><b>${t.callbacks}</b>callbacks</div>
<div class="card" id="total-projects"><b>${data.projects.length}</b>projects scanned</div>
</div>
<h2>Widget usage</h2>
${widgetSvg(data.widgets)}
<h2>Trends</h2>
${data.trends.map(trendSvg).join('\n')}
<h2>Project complexity</h2>
${projectTable(data.projects)}
<p class="meta">Score = widgets + 2 × callbacks + 5 × max depth + 3 × (layout managers − 1).</p>
</body>
</html>
`;
}
