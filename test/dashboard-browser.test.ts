// The web dashboard in a real browser: the machine's chromium driven by playwright-core, against a
// real `pygubu-db serve --port 0` process in a temporary home, seeded with the real bins.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, tempDir, type RunResult } from './helpers.js';
import { bin, db, http, serve, type ServeProcess } from './server-helpers.js';

const CHROMIUM = [process.env.CHROMIUM_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const FIXTURES = join(ROOT, 'test', 'fixtures', 'ui');
/** Screenshots for a person to look at: under dist/ (never committed). */
const SHOTS = join(ROOT, 'dist', 'screenshots', 'dashboard');

const HOSTILE_SCRIPT = '<script>alert(1)</script>';
const HOSTILE_IMG = '"><img src=x onerror=alert(1)>';

interface Ctx {
  dir: string;
  cleanup: () => Promise<void>;
  server: ServeProcess;
  base: string;
  token: string;
  browser: Browser;
  context: BrowserContext;
  /** Console errors, page errors, CSP violations and dialogs seen by any page of the context. */
  problems: string[];
}

const ok = (r: RunResult, what: string): RunResult => {
  assert.is(r.code, 0, `${what}: ${r.stderr}`);
  return r;
};

const t = suite<Ctx>('dashboard in a browser');

t.before(async (ctx) => {
  assert.ok(CHROMIUM, 'chromium is not installed (npm test runs scripts/ensure-test-deps.mjs first)');
  const { dir, cleanup } = await tempDir('pygubuai-dash-');
  ctx.dir = dir;
  ctx.cleanup = cleanup;
  ctx.problems = [];
  for (const [name, files] of [['inventory', ['nested.ui', 'notebook.ui']], ['menus', ['menu.ui']], ['hostile', ['nested.ui']], ['tpl', ['nested.ui']]] as const) {
    await mkdir(join(dir, name));
    for (const f of files) await copyFile(join(FIXTURES, f), join(dir, name, f));
  }
  ctx.server = await serve(dir, ['--port', '0']);
  ctx.base = `http://127.0.0.1:${ctx.server.descriptor.port}`;
  ctx.token = (await readFile(ctx.server.descriptor.tokenFile, 'utf8')).trim();

  // Seeded with the bins, through the running server, as a user in a terminal would.
  const d = (args: string[]) => db(dir, args).then((r) => ok(r, `pygubu-db ${args.join(' ')}`));
  const tpl = (args: string[]) => bin('pygubu-template', dir, args).then((r) => ok(r, `pygubu-template ${args.join(' ')}`));
  const an = (args: string[]) => bin('pygubu-analytics', dir, args).then((r) => ok(r, `pygubu-analytics ${args.join(' ')}`));
  await d(['project', 'add', join(dir, 'inventory'), '--description', 'Stock keeping', '--tags', 'forms,desktop']);
  await d(['project', 'add', join(dir, 'menus'), '--description', 'Menu bar demo', '--tags', 'menus']);
  await d(['project', 'add', join(dir, 'hostile'), '--name', HOSTILE_SCRIPT, '--description', HOSTILE_IMG, '--tags', `${HOSTILE_SCRIPT},forms`]);
  await an(['scan']);
  await d(['history', 'record', 'inventory', 'file_changed', '--description', 'main.ui changed']);
  await d(['history', 'record', 'inventory', 'ui_generated', '--description', HOSTILE_IMG, '--user', HOSTILE_SCRIPT]);
  for (const v of ['40', '60']) await an(['record', 'build_ms', v, '--project', 'inventory']);
  const ui = join(dir, 'tpl', 'nested.ui');
  await tpl(['publish', ui, '--name', 'login-form', '--version', '1.0.0', '--description', 'A login dialog', '--tags', 'auth,forms', '--author', 'alice']);
  await tpl(['publish', ui, '--name', 'login-form', '--version', '1.1.0', '--description', 'A login dialog', '--tags', 'auth,forms', '--author', 'alice']);
  await tpl(['publish', ui, '--name', 'settings-dialog', '--version', '0.3.0', '--description', 'Preferences window', '--tags', 'forms', '--author', 'bob']);
  await tpl(['publish', ui, '--name', 'old-thing', '--version', '1.0.0', '--description', 'Replaced by login-form', '--author', 'bob']);
  await tpl(['publish', ui, '--name', HOSTILE_IMG, '--version', '1.0.0', '--description', HOSTILE_SCRIPT, '--tags', HOSTILE_IMG, '--author', HOSTILE_SCRIPT]);
  await tpl(['deprecate', 'old-thing', '--reason', 'use login-form']);
  await tpl(['rate', 'login-form', '5', '--user', 'carol', '--review', 'Works well']);
  await tpl(['rate', 'login-form', '4', '--user', HOSTILE_SCRIPT, '--review', HOSTILE_IMG]);
  await tpl(['rate', 'settings-dialog', '2', '--user', 'dave', '--review', HOSTILE_SCRIPT]);
  await tpl(['rate', HOSTILE_IMG, '3', '--user', 'erin', '--review', HOSTILE_SCRIPT]);
  await tpl(['install', 'login-form', '--dest', join(dir, 'installed')]);

  ctx.browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  ctx.context = await newContext(ctx, { width: 1280, height: 900 });
  await mkdir(SHOTS, { recursive: true });
  console.log(`dashboard screenshots: ${SHOTS}`);
});

t.after(async (ctx) => {
  await ctx.browser?.close().catch(() => {});
  if (ctx.server) {
    ctx.server.child.kill('SIGTERM');
    await ctx.server.exited;
  }
  await ctx.cleanup?.();
});

/** A browser context that reports every console error, page error, CSP violation and dialog. */
async function newContext(ctx: Ctx, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const context = await ctx.browser.newContext({ viewport });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  context.on('page', (page) => watchPage(ctx, page));
  return context;
}

function watchPage(ctx: Ctx, page: Page): void {
  page.on('console', (m) => {
    if (m.type() === 'error') ctx.problems.push(`console: ${m.text()} (${m.location().url || page.url()})`);
  });
  page.on('pageerror', (e) => ctx.problems.push(`page error: ${e.message} (${page.url()})`));
  page.on('dialog', (dialog) => {
    ctx.problems.push(`dialog: ${dialog.type()} ${dialog.message()} (${page.url()})`);
    void dialog.dismiss();
  });
}

/** Sign in through the form (once per context); the cookie then carries every page. */
async function signIn(ctx: Ctx, context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${ctx.base}/`);
  assert.is(new URL(page.url()).pathname, '/login');
  await page.fill('#token', ctx.token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${ctx.base}/`);
  await page.close();
}

/** An error status the test asked for is logged by chromium as a failed load: take exactly that one out. */
function expectFailedLoad(ctx: Ctx, status: number, path: string): void {
  const i = ctx.problems.findIndex((p) => p.includes(`status of ${status}`) && p.includes(`${path})`));
  assert.ok(i >= 0, `chromium saw the ${status} of ${path}: ${ctx.problems.join('; ')}`);
  ctx.problems.splice(i, 1);
}

const noProblems = (ctx: Ctx) => {
  assert.equal(ctx.problems, [], 'no console errors, page errors, CSP violations or dialogs');
};

t('over TCP the pages need a sign-in: a wrong token is refused, the right one sets an HttpOnly SameSite=Strict cookie that is not the token', async (ctx) => {
  const page = await ctx.context.newPage();
  const first = await page.goto(`${ctx.base}/projects?tag=forms`);
  assert.is(first!.status(), 200);
  assert.is(new URL(page.url()).pathname, '/login', 'redirected to the sign-in page');
  await page.fill('#token', 'not-the-token');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error');
  assert.match((await page.textContent('#login-error'))!, /the token is wrong \(UNAUTHORIZED\)/);
  expectFailedLoad(ctx, 401, '/login');
  assert.equal(await ctx.context.cookies(), []);

  await page.fill('#token', ctx.token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${ctx.base}/projects?tag=forms`);
  const cookies = await ctx.context.cookies();
  assert.is(cookies.length, 1);
  assert.is(cookies[0]!.httpOnly, true);
  assert.is(cookies[0]!.sameSite, 'Strict');
  assert.not.ok(cookies[0]!.value.includes(ctx.token), 'the cookie does not hold the token');
  assert.is(await page.evaluate(() => document.cookie), '', 'scripts cannot read it');
  assert.not.ok((await page.content()).includes(ctx.token), 'the token is in no page');
  // the cookie opens the dashboard only, not the API (that still wants the bearer token)
  const api = await page.evaluate(async () => (await fetch('/v1/projects')).status);
  assert.is(api, 401);
  expectFailedLoad(ctx, 401, '/v1/projects');
  await page.close();
  noProblems(ctx);
});

t('every page renders its content, with the strict CSP header, and is screenshotted', async (ctx) => {
  const page = await ctx.context.newPage();
  const visit = async (path: string, shot: string) => {
    const res = await page.goto(`${ctx.base}${path}`);
    assert.is(res!.status(), 200, path);
    const csp = res!.headers()['content-security-policy']!;
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /default-src 'none'/);
    assert.not.match(csp, /unsafe/);
    await page.waitForFunction(() => document.getElementById('live-status')?.textContent === 'live');
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  };

  await visit('/', 'overview');
  assert.is(await page.textContent('#card-projects b'), '3');
  assert.is(await page.textContent('#card-templates b'), '4');
  assert.ok((await page.locator('#overview-widget-chart .bar-row').count()) > 0);

  await visit('/projects', 'projects');
  assert.equal(await page.locator('#projects-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-project'))), [HOSTILE_SCRIPT, 'inventory', 'menus']);
  assert.ok(await page.locator('#project-tags a.tag', { hasText: 'desktop' }).count());

  await visit('/projects/inventory', 'project');
  assert.is(await page.textContent('h1'), 'inventory');
  assert.is(await page.locator('#timeline li').count(), 2, 'the workflow history as a timeline');
  assert.is(await page.textContent('#timeline li:first-child .action'), 'ui_generated', 'newest first');
  // nested.ui + notebook.ui: 17 widgets, 7 callbacks, depth 5, 3 layout managers → score 62
  assert.is(await page.textContent('#cx-score b'), '62');
  assert.is(await page.textContent('#cx-widgets b'), '17');
  assert.ok((await page.locator('#project-widget-chart .bar-row').count()) >= 10);
  assert.is(await page.getAttribute('#project-activity-chart', 'data-total'), '2');

  await visit('/templates', 'templates');
  assert.equal(await page.locator('#templates-list > li').evaluateAll((li) => li.map((l) => l.getAttribute('data-template'))).then((n) => n.sort()), [HOSTILE_IMG, 'login-form', 'settings-dialog'].sort(), 'deprecated ones hidden');

  await visit('/templates/login-form', 'template');
  assert.is(await page.inputValue('#install-command'), 'pygubu-template install login-form');
  assert.equal(await page.locator('#versions-table tbody tr').evaluateAll((r) => r.map((x) => x.getAttribute('data-version'))), ['1.1.0', '1.0.0']);
  assert.match((await page.textContent('#template-rating'))!, /4\.5/);
  assert.is(await page.textContent('#template-downloads'), '1');
  assert.equal(await page.locator('#files-list li').evaluateAll((l) => l.map((x) => x.getAttribute('data-file'))), ['nested.ui']);
  assert.is(await page.locator('#reviews-list li').count(), 2);
  // the copy button copies (or, where the clipboard is closed, selects) the command
  await page.click('button[data-copy]');
  await page.waitForFunction(() => /Copied|Ctrl\+C/.test(document.querySelector('button[data-copy]')!.textContent ?? ''));

  await visit('/analytics', 'analytics');
  assert.ok((await page.locator('#widget-chart .bar-row').count()) >= 10);
  assert.is(await page.getAttribute('#trend-chart', 'data-metric'), 'workflow.actions');
  assert.is(await page.getAttribute('#trend-chart', 'data-total'), '2');
  assert.equal(await page.locator('#complexity tbody tr').evaluateAll((r) => r.map((x) => x.getAttribute('data-project'))).then((n) => n.length), 3);
  // the metric picker: a real form, submitted from the keyboard-reachable button
  await page.selectOption('#metric', 'build_ms');
  await page.click('#trend-form button[type=submit]');
  await page.waitForURL(/metric=build_ms/);
  assert.is(await page.getAttribute('#trend-chart', 'data-metric'), 'build_ms');
  assert.is(await page.getAttribute('#trend-chart', 'data-total'), '2');
  assert.is(await page.locator('#trend-chart circle').count(), 1, 'both measurements are today: one point, the average');
  await page.screenshot({ path: join(SHOTS, 'analytics-metric.png'), fullPage: true });
  // one window-sized picture for a person (the README's candidate; docs/images/dashboard.png is made from it by hand)
  await page.setViewportSize({ width: 1000, height: 720 });
  await page.goto(`${ctx.base}/analytics`);
  await page.screenshot({ path: join(SHOTS, 'window-analytics.png'), fullPage: true });
  await page.goto(`${ctx.base}/projects/inventory`);
  await page.screenshot({ path: join(SHOTS, 'window-project.png') });
  await page.setViewportSize({ width: 1280, height: 900 });

  const missing = await page.goto(`${ctx.base}/projects/no-such-project`);
  assert.is(missing!.status(), 404);
  assert.match((await page.textContent('#page-error'))!, /PROJECT_NOT_FOUND/);
  expectFailedLoad(ctx, 404, '/projects/no-such-project');
  await page.close();
  noProblems(ctx);
});

t('search filters projects and templates as the CLI does', async (ctx) => {
  const page = await ctx.context.newPage();
  const names = (sel: string, attr: string) => page.locator(sel).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);

  await page.goto(`${ctx.base}/projects`);
  await page.fill('#pq', 'stock');
  await page.click('form[role=search] button[type=submit]');
  await page.waitForURL(/q=stock/);
  assert.equal(await names('#projects-table tbody tr', 'data-project'), ['inventory']);
  await page.goto(`${ctx.base}/projects`);
  await page.selectOption('#ptag', 'forms');
  await page.click('form[role=search] button[type=submit]');
  await page.waitForURL(/tag=forms/);
  assert.equal((await names('#projects-table tbody tr', 'data-project')).sort(), [HOSTILE_SCRIPT, 'inventory'].sort());

  const search = async (fill: Record<string, string>, check?: boolean) => {
    await page.goto(`${ctx.base}/templates`);
    for (const [sel, value] of Object.entries(fill)) {
      if (sel === '#tsort') await page.selectOption(sel, value);
      else await page.fill(sel, value);
    }
    if (check) await page.check('#tall');
    await Promise.all([page.waitForNavigation(), page.click('form[role=search] button[type=submit]')]);
    return names('#templates-list > li', 'data-template');
  };
  assert.equal(await search({ '#tq': 'login' }), ['login-form']);
  assert.equal(await search({ '#tq': 'dialog' , '#tsort': 'name' }), ['login-form', 'settings-dialog']);
  assert.equal(await search({ '#ttag': 'auth' }), ['login-form']);
  assert.equal(await search({ '#tauthor': 'bob' }), ['settings-dialog']);
  assert.equal((await search({ '#tauthor': 'bob' }, true)).sort(), ['old-thing', 'settings-dialog'], 'all: deprecated ones too');
  assert.equal(await search({ '#tmin': '4' }), ['login-form']);
  assert.equal(await search({ '#tsort': 'rating' }), ['login-form', HOSTILE_IMG, 'settings-dialog']);
  assert.equal(await search({ '#tsort': 'name', '#tlimit': '2' }), [HOSTILE_IMG, 'login-form'].sort());

  // the same filters as the CLI: compare with `pygubu-template search --json`
  const cli = JSON.parse(ok(await bin('pygubu-template', ctx.dir, ['search', '--tag', 'forms', '--sort', 'rating', '--json']), 'search').stdout) as Array<{ name: string }>;
  await page.goto(`${ctx.base}/templates?tag=forms&sort=rating`);
  assert.equal(await names('#templates-list > li', 'data-template'), cli.map((t) => t.name));

  const bad = await page.goto(`${ctx.base}/templates?minRating=9`);
  assert.is(bad!.status(), 400);
  assert.match((await page.textContent('.error'))!, /minimum rating takes a number from 0 to 5.*\(INVALID_ARGUMENT\)/);
  expectFailedLoad(ctx, 400, '/templates?minRating=9');
  await page.close();
  noProblems(ctx);
});

t('a project added, a history entry recorded and a template published in a terminal appear without a reload', async (ctx) => {
  const page = await ctx.context.newPage();
  const live = () => page.waitForFunction(() => document.getElementById('live-status')?.textContent === 'live');
  const mark = () => page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  const same = () => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

  await page.goto(`${ctx.base}/projects`);
  await live();
  await mark();
  await mkdir(join(ctx.dir, 'live-one'));
  ok(await db(ctx.dir, ['project', 'add', join(ctx.dir, 'live-one'), '--tags', 'fresh']), 'project add');
  const added = Date.now();
  await page.locator('#projects-table tr[data-project="live-one"]').waitFor({ timeout: 1000 });
  console.log(`live update: the project was on the page ${Date.now() - added} ms after \`project add\` exited (not asserted)`);
  assert.ok(await page.locator('#project-tags a.tag', { hasText: 'fresh' }).count(), 'the tag list too');
  assert.ok(await same(), 'the page was not reloaded');

  await page.goto(`${ctx.base}/projects/live-one`);
  await live();
  await mark();
  ok(await db(ctx.dir, ['history', 'record', 'live-one', 'file_changed', '--description', 'first edit']), 'history record');
  await page.locator('#timeline li', { hasText: 'first edit' }).waitFor({ timeout: 1000 });
  assert.ok(await same());

  await page.goto(`${ctx.base}/templates?sort=recent`);
  await live();
  await mark();
  ok(await bin('pygubu-template', ctx.dir, ['publish', join(ctx.dir, 'tpl', 'nested.ui'), '--name', 'fresh-template', '--version', '1.0.0', '--author', 'zoe']), 'publish');
  await page.locator('#templates-list > li[data-template="fresh-template"]').waitFor({ timeout: 1000 });
  assert.is(await page.locator('#templates-list > li').first().getAttribute('data-template'), 'fresh-template', 'newest first');
  assert.ok(await same());
  await page.close();
  noProblems(ctx);
});

t('hostile names, descriptions, tags and reviews show as text and run nothing', async (ctx) => {
  const page = await ctx.context.newPage();
  const noInjected = async (where: string) => {
    assert.is(await page.locator('img').count(), 0, `${where}: no <img> was made`);
    assert.is(await page.evaluate(() => document.scripts.length), 1, `${where}: only the dashboard's own script`);
    assert.is(await page.evaluate(() => document.querySelectorAll('[onerror]').length), 0, where);
  };

  await page.goto(`${ctx.base}/projects`);
  await page.click(`#projects-table a:text-is("${HOSTILE_SCRIPT}")`);
  await page.waitForURL(/\/projects\/%3Cscript%3E/);
  assert.is(await page.textContent('h1'), HOSTILE_SCRIPT);
  assert.is(await page.textContent('#project-details dd:nth-of-type(2)'), HOSTILE_IMG);
  assert.ok(await page.locator('#project-details a.tag', { hasText: HOSTILE_SCRIPT }).count());
  await noInjected('project page');

  await page.goto(`${ctx.base}/projects/inventory`);
  assert.is(await page.textContent('#timeline li:first-child .what span'), HOSTILE_IMG);
  assert.is(await page.textContent('#timeline li:first-child .what small'), `by ${HOSTILE_SCRIPT}`);
  await noInjected('timeline');

  await page.goto(`${ctx.base}/templates/login-form`);
  const reviews = await page.locator('#reviews-list blockquote').allTextContents();
  assert.ok(reviews.includes(HOSTILE_IMG), 'the review is text');
  assert.ok(await page.locator(`#reviews-list li[data-user="${HOSTILE_SCRIPT.replace(/"/g, '\\"')}"]`).count(), 'the reviewer too');
  await noInjected('template page');

  await page.goto(`${ctx.base}/templates`);
  await page.click(`#templates-list a:text-is('${HOSTILE_IMG}')`);
  await page.waitForURL(/\/templates\/%22%3E%3Cimg/);
  assert.is(await page.textContent('h1'), `${HOSTILE_IMG} 1.0.0`);
  assert.is(await page.inputValue('#install-command'), `pygubu-template install '${HOSTILE_IMG}'`, 'shell-quoted, and still text');
  assert.is(await page.textContent('#template-details p'), HOSTILE_SCRIPT);
  await noInjected('hostile template');

  for (const path of ['/', '/analytics', '/templates?tag=' + encodeURIComponent(HOSTILE_IMG)]) {
    await page.goto(`${ctx.base}${path}`);
    await noInjected(path);
  }
  assert.is(await page.locator('#templates-list > li').count(), 1, 'the hostile tag finds its template');
  await page.close();
  noProblems(ctx);
});

t('at 375 px wide no page scrolls sideways, and screenshots are taken', async (ctx) => {
  const narrow = await newContext(ctx, { width: 375, height: 812 });
  await signIn(ctx, narrow);
  const page = await narrow.newPage();
  for (const [path, shot] of [
    ['/', 'overview'],
    ['/projects', 'projects'],
    ['/projects/inventory', 'project'],
    [`/projects/${encodeURIComponent(HOSTILE_SCRIPT)}`, 'project-hostile'],
    ['/templates', 'templates'],
    ['/templates/login-form', 'template'],
    ['/analytics', 'analytics'],
    ['/analytics?metric=build_ms', 'analytics-metric'],
  ] as const) {
    await page.goto(`${ctx.base}${path}`);
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `${path}: ${scroll}px of content in a ${client}px window`);
    await page.screenshot({ path: join(SHOTS, `${shot}-375.png`), fullPage: true });
  }
  await narrow.close();
  noProblems(ctx);
});

t('the keyboard reaches the skip link first, then every nav link, with a visible focus ring', async (ctx) => {
  const page = await ctx.context.newPage();
  await page.goto(`${ctx.base}/templates`);
  await page.keyboard.press('Tab');
  assert.is(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.is(await page.evaluate(() => document.activeElement?.id), 'main', 'the skip link moves focus to the content');

  await page.goto(`${ctx.base}/templates`);
  const reached: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { href: el?.closest('nav') ? el.getAttribute('href') : null, outline: el ? getComputedStyle(el).outlineStyle : 'none' };
    });
    if (focus.href !== null) {
      reached.push(focus.href);
      assert.is.not(focus.outline, 'none', `focus is visible on ${focus.href}`);
    }
  }
  assert.equal(reached, ['/', '/projects', '/templates', '/analytics']);
  await page.close();
  noProblems(ctx);
});

t('--no-web serves the API only; without a sign-in the pages and the event stream are closed', async (ctx) => {
  const anon = await fetch(`${ctx.base}/events`);
  assert.is(anon.status, 401);
  assert.is(((await anon.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED', 'refusals to what is not a page load are coded as in the API');
  const script = await fetch(`${ctx.base}/projects`);
  assert.is(script.status, 401, 'a page asked for without Accept: text/html is refused, not redirected');
  await script.body?.cancel();
  const missing = await fetch(`${ctx.base}/projects/nope`, { headers: { authorization: `Bearer ${ctx.token}` } });
  assert.is(missing.status, 404);
  assert.is(((await missing.json()) as { error: { code: string } }).error.code, 'PROJECT_NOT_FOUND');
  const asset = await fetch(`${ctx.base}/assets/dashboard.js`);
  assert.is(asset.status, 200, 'the script and stylesheet are public: they hold nothing of the store');
  assert.match(asset.headers.get('content-type')!, /text\/javascript/);
  assert.not.match(await asset.text(), /(inner|outer)HTML\s*=(?!=)|insertAdjacentHTML|document\.write|eval\(/, 'the script never writes markup from strings');
  const bearer = await fetch(`${ctx.base}/projects`, { headers: { authorization: `Bearer ${ctx.token}` } });
  assert.is(bearer.status, 200, 'the bearer token opens the pages too (curl)');
  assert.match(await bearer.text(), /<h1>Projects<\/h1>/);
  const post = await fetch(`${ctx.base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' }, body: `token=${ctx.token}`, redirect: 'manual' });
  assert.is(post.status, 403, 'a sign-in from another site is refused');
  assert.is(post.headers.get('set-cookie'), null);

  const { dir, cleanup } = await tempDir('pygubuai-noweb-');
  try {
    const server = await serve(dir, ['--port', '0', '--no-web']);
    try {
      const page = await http(server.descriptor.socket, 'GET', '/');
      assert.is(page.status, 404);
      assert.is(page.json.error.code, 'ROUTE_NOT_FOUND');
      assert.is((await http(server.descriptor.socket, 'GET', '/v1/handshake')).status, 200);
      const onSocket = await http(ctx.server.descriptor.socket, 'GET', '/projects');
      assert.is(onSocket.status, 200, 'on the Unix socket the dashboard needs no sign-in');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    await cleanup();
  }
});

t.run();
