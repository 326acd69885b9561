import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordMetric, scanProjects } from '../src/domain/analytics.js';
import { json, ROOT, run, tempDir } from './helpers.js';
import { openStore } from '../src/index.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'ui');
const CHROMIUM = [process.env.CHROMIUM_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));

/** Run headless chromium on a page with a fresh profile; no network, no first-run work. */
async function chromium(args: string[], dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assert.ok(CHROMIUM, 'chromium is not installed (npm test runs scripts/ensure-test-deps.mjs first)');
  const profile = await mkdtemp(join(dir, 'profile-'));
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM!, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the HTML report renders in a real browser with the charts and numbers, and screenshots', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const home = join(dir, 'home');
    const app = join(dir, 'app');
    const menus = join(dir, 'menus');
    await mkdir(app);
    await mkdir(menus);
    await copyFile(join(FIXTURES, 'nested.ui'), join(app, 'main.ui'));
    await copyFile(join(FIXTURES, 'notebook.ui'), join(app, 'settings.ui'));
    await copyFile(join(FIXTURES, 'menu.ui'), join(menus, 'menu.ui'));
    const store = await openStore({ location: join(home, 'store'), sync: false });
    try {
      await store.projects.register({ name: 'app', path: app });
      await store.projects.register({ name: 'menus <b>&', path: menus });
      await scanProjects(store);
      for (const [day, value] of [['01', 40], ['02', 60], ['05', 55]] as const) {
        await store.transact((tx, v) => recordMetric(tx, v, { metric: 'build_ms', value, project: 'app', at: `2026-02-${day}T12:00:00Z` }));
      }
      await store.history.record('app', { action: 'file_changed', timestamp: '2026-02-03T09:00:00+00:00' });
    } finally {
      await store.close();
    }
    const html = join(dir, 'report.html');
    const r = await run('pygubu-analytics', ['report', '--html', html, '--days', '7', '--until', '2026-02-06', '--json'], { env: { PYGUBUAI_HOME: home } });
    assert.is(r.code, 0, r.stderr);
    assert.equal(json(r).trends, ['workflow.actions', 'build_ms']);
    const source = await readFile(html, 'utf8');
    assert.not.match(source, /\b(src|href)\s*=/i, 'nothing is loaded from anywhere');
    assert.not.match(source, /<script/i);

    const dom = await chromium(['--dump-dom', pathToFileURL(html).href], dir);
    assert.is(dom.code, 0, dom.stderr);
    const page = dom.stdout;
    assert.match(page, /<svg id="widget-chart"/);
    // ttk.Frame: 2 (nested) + 3 (notebook); tk.Menuitem.Command: 3 (menu)
    assert.match(page, /data-class="ttk\.Frame" data-count="5"/);
    assert.match(page, /data-class="tk\.Menuitem\.Command" data-count="3"/);
    // 10 distinct classes in app (7 nested + 3 more in the notebook) and 4 in the menu file
    assert.is((page.match(/<g class="bar"/g) ?? []).length, 14);
    assert.match(page, /<div class="card" id="total-widgets"><b>23<\/b>/);
    assert.match(page, /data-metric="build_ms" data-total="3"/);
    assert.match(page, /data-metric="workflow\.actions" data-total="1"/);
    assert.is((page.match(/<svg id="trend-\d+" class="trend-chart"/g) ?? []).length, 2);
    // app: 17 widgets, 7 callbacks, depth 5, 3 layout managers → 17 + 14 + 25 + 6
    assert.match(page, /<tr data-project="app"><td>app<\/td><td class="score">62<\/td>/);
    assert.match(page, /<td>menus &lt;b&gt;&amp;<\/td>/, 'names are escaped, not markup');

    const png = join(dir, 'report.png');
    const shot = await chromium(['--window-size=1000,1400', `--screenshot=${png}`, pathToFileURL(html).href], dir);
    assert.is(shot.code, 0, shot.stderr);
    const bytes = await readFile(png);
    assert.ok((await stat(png)).size > 10_000);
    assert.equal([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  } finally {
    await cleanup();
  }
});

test.run();
