// The dashboard's escaping tag and its sign-in cookie, without a browser (the browser test drives both for real).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cookieValue, newSession, safeNext, SESSION_SECONDS, validSession } from '../src/server/web/auth.js';
import { barChart, trendChart } from '../src/server/web/charts.js';
import { escapeHtml, href, html } from '../src/server/web/html.js';
import { shellWord, templatePage } from '../src/server/web/pages.js';

const HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)", '`${x}`', '&amp;'];

test('every value put into html`` is text: no tag, no attribute break-out, entities kept literal', () => {
  for (const s of HOSTILE) {
    const out = html`<p title="${s}">${s}</p>`.text;
    const m = /^<p title="([^"]*)">([^<]*)<\/p>$/.exec(out);
    assert.ok(m, out);
    assert.not.match(m![1]! + m![2]!, /[<>"'`]/, out);
    assert.is(out, `<p title="${escapeHtml(s)}">${escapeHtml(s)}</p>`);
  }
  assert.is(escapeHtml('&amp;'), '&amp;amp;', 'an entity in user text shows as written');
  // fragments built by the tag are kept, arrays joined, null/undefined/false are nothing
  assert.is(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>${null}${undefined}${false}${0}`.text, '<ul><li>a&lt;</li><li>b</li></ul>0');
  // a plain string that looks like markup is still escaped: only Html passes through
  assert.is(html`${'<b>x</b>'}`.text, '&lt;b&gt;x&lt;/b&gt;');
});

test('links and charts escape names; the install command is shell-quoted and then escaped', () => {
  assert.is(href('/projects', { tag: 'a&b c', q: '', sort: undefined }), '/projects?tag=a%26b+c');
  const chart = barChart('c', 'T<', [{ label: HOSTILE[1]!, value: 3, href: '/x?a=1&b=2' }], 'none').text;
  assert.not.match(chart, /<img/);
  assert.match(chart, /href="\/x\?a=1&amp;b=2"/);
  assert.match(chart, /aria-label="T&lt;"/);
  const trend = trendChart('t', { metric: '<m>', project: null, from: '2026-01-01', to: '2026-01-02', by: 'day', points: [{ day: '2026-01-01', count: 1, sum: 2, min: 2, max: 2, avg: 2 }, { day: '2026-01-02', count: 0, sum: 0, min: null, max: null, avg: null }] }).text;
  assert.not.match(trend, /<m>/);
  assert.match(trend, /data-metric="&lt;m&gt;"/);
  assert.is(shellWord('login-form'), 'login-form');
  assert.is(shellWord(`it's <x>`), `'it'\\''s <x>'`);
  const name = HOSTILE[1]!;
  const page = templatePage({
    template: { name, latest: '1.0.0', description: HOSTILE[0]!, author: HOSTILE[2]!, tags: [name], publishedAt: '2026-01-01T00:00:00Z', publishedSeq: 1, firstPublishedAt: '2026-01-01T00:00:00Z', versionCount: 1, downloads: 0, ratingSum: 0, ratingCount: 0, deprecated: null, latestDeprecated: null },
    versions: [],
    reviews: [{ user: HOSTILE[0]!, stars: 3, review: HOSTILE[1]!, at: '2026-01-01T00:00:00Z', seq: 2 }],
    shown: { name, version: '1.0.0', ordinal: 1, description: '', author: '', tags: [], hash: 'h', files: [{ path: 'a<b>.ui', sha256: 'f'.repeat(64), bytes: 3 }], metadata: {}, publishedAt: '2026-01-01T00:00:00Z', seq: 1, downloads: 0, deprecated: null },
    files: [{ path: 'a<b>.ui', sha256: 'f'.repeat(64), content: '</pre><script>alert(1)</script>' }],
  }).text;
  assert.not.match(page, /<script|<img|onmouseover='/i);
  assert.match(page, /<pre><code>&lt;\/pre&gt;&lt;script&gt;/, 'file contents are text inside the pre');
  assert.match(page, /<code>a&lt;b&gt;\.ui<\/code>/);
  assert.match(page, /value="pygubu-template install &#39;&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;&#39;"/);
});

test('a session cookie is an expiry and its HMAC: tampered, expired, foreign-keyed or malformed ones fail', () => {
  const now = Date.UTC(2026, 11, 2);
  const { value, maxAge } = newSession('tok', now);
  assert.is(maxAge, SESSION_SECONDS);
  assert.not.ok(value.includes('tok'));
  assert.ok(validSession('tok', value, now));
  assert.ok(validSession('tok', value, now + (SESSION_SECONDS - 1) * 1000));
  assert.not.ok(validSession('tok', value, now + SESSION_SECONDS * 1000), 'expired');
  assert.not.ok(validSession('other', value, now), 'a new token ends the session');
  const [exp, mac] = value.split('.') as [string, string];
  assert.not.ok(validSession('tok', `${Number(exp) + 3600}.${mac}`, now), 'a longer expiry is not signed');
  assert.not.ok(validSession('tok', `${exp}.${mac.replace(/^./, (c) => (c === '0' ? '1' : '0'))}`, now));
  for (const bad of ['', 'x', `${exp}.`, `.${mac}`, `${exp}.${mac}x`, `-1.${mac}`]) assert.not.ok(validSession('tok', bad, now), bad);
  assert.is(cookieValue(`a=1; pygubu_dashboard=${value}; b=2`, 'pygubu_dashboard'), value);
  assert.is(cookieValue('a=1', 'pygubu_dashboard'), undefined);
});

test('after sign-in only a path of this server is followed', () => {
  for (const ok of ['/', '/projects?tag=a', '/templates/x%2Fy']) assert.is(safeNext(ok), ok);
  for (const bad of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', undefined, 42, '/x\nSet-Cookie: a=b']) assert.is(safeNext(bad), '/');
});

test.run();
