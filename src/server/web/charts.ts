import { trendStat, type Trend } from '../../domain/analytics.js';
import { html, type Html } from './html.js';

/** A number as a chart shows it: whole numbers as they are, others with two decimals. */
export const num = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : Number.isInteger(x) ? String(x) : x.toFixed(2));

export interface Bar {
  label: string;
  value: number;
  /** A link for the label (a dashboard path). */
  href?: string;
}

/**
 * A horizontal bar chart: one row per bar, the label and the value as HTML text (readable and
 * wrapping at any width), the bar an SVG rect scaled to the largest value. No style attributes: the
 * CSP allows none.
 */
export function barChart(id: string, title: string, bars: readonly Bar[], empty: Html | string): Html {
  if (bars.length === 0) return html`<p class="empty" id="${id}">${empty}</p>`;
  const max = Math.max(1, ...bars.map((b) => b.value));
  return html`<figure class="chart bars" id="${id}" aria-label="${title}">
<figcaption>${title}</figcaption>
<ol class="bar-rows">${bars.map((b) => {
    const w = Math.max(0.5, (b.value / max) * 100);
    return html`<li class="bar-row" data-label="${b.label}" data-value="${b.value}"><span class="bar-label">${b.href ? html`<a href="${b.href}">${b.label}</a>` : b.label}</span><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect x="0" y="0" width="${w.toFixed(2)}" height="10"></rect></svg><span class="bar-value">${num(b.value)}</span></li>`;
  })}</ol>
</figure>`;
}

/**
 * A line chart of a trend, as one SVG (viewBox scaled to the width it gets), with a gap where a day
 * has no data, and the numbers as a table under it for screen readers and for copying.
 */
export function trendChart(id: string, t: Trend): Html {
  const stat = trendStat(t);
  const values = t.points.map((p) => (stat === 'count' ? p.count : p.avg));
  const known = values.filter((v): v is number => v !== null);
  const W = 480;
  const H = 200;
  const pad = { l: 44, r: 12, t: 12, b: 28 };
  const max = known.length > 0 ? Math.max(...known) : 1;
  const min = known.length > 0 ? Math.min(0, ...known) : 0;
  const span = max - min || 1;
  const x = (i: number) => pad.l + (t.points.length <= 1 ? (W - pad.l - pad.r) / 2 : (i / (t.points.length - 1)) * (W - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - min) / span) * (H - pad.t - pad.b);
  const segments: string[][] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length > 0) segments.push(current);
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current);
  const total = t.points.reduce((n, p) => n + p.count, 0);
  const label = `${t.metric}: ${stat} per ${t.by}, ${t.from} to ${t.to}`;
  return html`<figure class="chart trend" id="${id}" data-metric="${t.metric}" data-total="${total}">
<figcaption>${t.metric} <small>(${stat} per ${t.by}; ${total} ${stat === 'count' ? (total === 1 ? 'action' : 'actions') : total === 1 ? 'measurement' : 'measurements'}${t.project ? html`; project ${t.project}` : ''})</small></figcaption>
<svg class="trend-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">
<line class="axis" x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}"></line>
<line class="axis" x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}"></line>
<text x="${pad.l - 6}" y="${pad.t + 10}" text-anchor="end">${num(max)}</text>
<text x="${pad.l - 6}" y="${H - pad.b}" text-anchor="end">${num(min)}</text>
<text x="${pad.l}" y="${H - 8}">${t.from}</text>
<text x="${W - pad.r}" y="${H - 8}" text-anchor="end">${t.to}</text>
${segments.map((pts) => (pts.length === 1 ? html`` : html`<polyline points="${pts.join(' ')}"></polyline>`))}
${values.map((v, i) => (v === null ? '' : html`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3"><title>${t.points[i]!.day}: ${num(v)}</title></circle>`))}
</svg>
${known.length === 0 ? html`<p class="empty">No data in this window.</p>` : ''}
<details><summary>Numbers</summary>
<div class="table-wrap"><table class="numbers"><thead><tr><th scope="col">${t.by === 'week' ? 'Week of' : 'Day'}</th><th scope="col">Count</th><th scope="col">Sum</th><th scope="col">Min</th><th scope="col">Max</th><th scope="col">Avg</th></tr></thead>
<tbody>${t.points.filter((p) => p.count > 0).map((p) => html`<tr><td>${p.day}</td><td>${p.count}</td><td>${num(p.sum)}</td><td>${num(p.min)}</td><td>${num(p.max)}</td><td>${num(p.avg)}</td></tr>`)}</tbody></table></div>
</details>
</figure>`;
}
