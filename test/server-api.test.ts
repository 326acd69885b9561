import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectStore, openStore, storeApi, type StoreApi, type StoreError } from '../src/index.js';
import { tempDir } from './helpers.js';
import { serve, storeOf, type ServeProcess } from './server-helpers.js';

const UI = `<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.2">\n  <object class="tk.Toplevel" id="top">\n    <child>\n      <object class="ttk.Label" id="l1" />\n    </child>\n  </object>\n</interface>\n`;

interface Backend {
  api: StoreApi;
  dir: string;
  done(): Promise<void>;
}

/** One suite, two implementations of the interface: the store in this process, and a server process. */
const factories: Record<string, () => Promise<Backend>> = {
  'storeApi(openStore)': async () => {
    const { dir, cleanup } = await tempDir();
    const api = storeApi(await openStore({ location: storeOf(dir) }));
    return { api, dir, done: async () => (await api.close(), await cleanup()) };
  },
  'connectStore (pygubu-db serve)': async () => {
    const { dir, cleanup } = await tempDir();
    const server: ServeProcess = await serve(dir);
    const api = await connectStore({ location: storeOf(dir) });
    return {
      api,
      dir,
      done: async () => {
        await api.close();
        server.child.kill('SIGTERM');
        await server.exited;
        await cleanup();
      },
    };
  },
};

const code = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (err) {
    return String((err as StoreError).code);
  }
  throw new Error('expected an error');
};

for (const [name, factory] of Object.entries(factories)) {
  const t = suite<{ b: Backend }>(name, {} as { b: Backend });
  t.before(async (ctx) => {
    ctx.b = await factory();
  });
  t.after(async (ctx) => ctx.b.done());

  t('projects: register, read, search, update, rename, activate, remove; errors keep their codes', async ({ b: { api } }) => {
    const p = await api.projects.register({ name: 'alpha', path: '/tmp/alpha', description: 'first demo', tags: ['ui'] });
    assert.is(p.name, 'alpha');
    assert.equal((await api.projects.get('alpha'))?.tags, ['ui']);
    assert.is(await api.projects.get('missing'), undefined);
    assert.is(await code(api.projects.register({ name: 'alpha', path: '/tmp/x' })), 'PROJECT_EXISTS');
    assert.is(await code(api.projects.update('missing', { description: 'x' })), 'PROJECT_NOT_FOUND');
    await api.projects.register({ name: 'beta', path: '/tmp/beta', tags: ['ui', 'db'] });
    assert.equal((await api.projects.list()).map((r) => r.name), ['alpha', 'beta']);
    assert.equal((await api.projects.list({ tag: 'db' })).map((r) => r.name), ['beta']);
    assert.equal((await api.projects.search('demo')).map((r) => r.name), ['alpha']);
    assert.is((await api.projects.update('alpha', { description: 'changed' })).description, 'changed');
    assert.is((await api.projects.rename('beta', 'gamma')).name, 'gamma');
    assert.is(await api.projects.active(), undefined);
    await api.projects.activate('gamma');
    assert.is((await api.projects.active())?.name, 'gamma');
    await api.projects.remove('gamma');
    assert.equal((await api.projects.list()).map((r) => r.name), ['alpha']);
    assert.equal((await api.projects.list({ asOf: 3 })).map((r) => r.name).sort(), ['alpha', 'beta']);
  });

  t('history, append with expected versions, the log and subscriptions', async ({ b: { api } }) => {
    const e = await api.history.record('alpha', { action: 'build', description: 'ok' });
    assert.is(e.type, 'workflow.recorded');
    assert.equal((await api.history.list('alpha')).map((h) => h.action), ['build']);
    assert.is(await code(api.history.record('missing', { action: 'x' })), 'PROJECT_NOT_FOUND');
    const head = await api.head();
    const [a] = await api.append({ stream: 'note-1', type: 'analytics.recorded', data: { metric: 'm', value: 1 } }, { expectedVersion: 'no_stream' });
    assert.is(a!.seq, head + 1);
    assert.is(await code(api.append({ stream: 'note-1', type: 'analytics.recorded', data: { metric: 'm', value: 2 } }, { expectedVersion: 'no_stream' })), 'CONCURRENCY_CONFLICT');
    assert.is(await code(api.append({ stream: 'note-1', type: 'no.such_type', data: {} } as never)), 'UNKNOWN_EVENT_TYPE');
    assert.is(await api.head(), head + 1, 'refused appends add nothing');
    assert.is((await api.getEvent(a!.seq))?.id, a!.id);
    assert.is(await api.getEvent(10_000), undefined);
    assert.equal((await api.readLog({ type: 'analytics.recorded' })).map((x) => x.seq), [a!.seq]);
    const all = await api.readLog({ fromSeq: 1 });
    all.forEach((x, i) => assert.is(x.seq, i + 1));

    const ac = new AbortController();
    const got: number[] = [];
    const sub = (async () => {
      for await (const ev of api.subscribe({ fromSeq: head, types: ['analytics.recorded', 'workflow.recorded'], signal: ac.signal })) {
        got.push(ev.seq);
        if (got.length === 3) ac.abort();
      }
    })();
    await api.append({ stream: 'note-1', type: 'analytics.recorded', data: { metric: 'm', value: 3 } }, { expectedVersion: 1 });
    await sub;
    assert.equal(got, [head, head + 1, head + 2]);
  });

  t('templates: publish, search, info, versions, files, rate, reviews, deprecate, install', async ({ b: { api, dir } }) => {
    const r = await api.templates.publish({ name: 'card', version: '1.0.0', author: 'me', description: 'a label card', files: [{ path: 'card.ui', content: UI }] });
    assert.is(r.published, true);
    await api.templates.publish({ name: 'card', version: '1.1.0', author: 'me', description: 'a label card', files: [{ path: 'card.ui', content: UI }] });
    assert.is(await code(api.templates.publish({ name: 'card', version: '1.0.5', author: 'me', files: [{ path: 'card.ui', content: UI }] })), 'TEMPLATE_VERSION_NOT_NEWER');
    assert.equal((await api.templates.search('label')).map((x) => x.name), ['card']);
    assert.equal((await api.templates.list()).map((x) => x.name), ['card']);
    assert.is((await api.templates.get('card'))?.name, 'card');
    assert.is(await api.templates.get('nope'), undefined);
    assert.equal((await api.templates.versions('card')).map((v) => v.version).sort(), ['1.0.0', '1.1.0']);
    assert.is((await api.templates.resolve('card', '^1.0.0')).version, '1.1.0');
    assert.is(await code(api.templates.resolve('card', '^2')), 'TEMPLATE_NOT_FOUND');
    assert.equal((await api.templates.files('card', '1.0.0')).map((f) => f.path), ['card.ui']);
    const dl = await api.templates.download('card', '~1.0.0');
    assert.is(dl.version.version, '1.0.0');
    assert.equal(dl.files.map((f) => [f.path, f.sha256]), dl.version.files.map((f) => [f.path, f.sha256]));
    assert.is((await api.templates.download('card')).version.version, '1.1.0');
    assert.is(await code(api.templates.download('card', '^2')), 'TEMPLATE_NOT_FOUND');
    const rated = await api.templates.rate({ name: 'card', user: 'ann', stars: 4, review: 'nice' });
    assert.is(rated.rating.stars, 4);
    assert.is(await code(api.templates.rate({ name: 'card', user: 'ann', stars: 9 })), 'TEMPLATE_RATING_INVALID');
    assert.equal((await api.templates.reviews('card')).map((x) => x.user), ['ann']);
    const dest = join(dir, 'installed');
    await mkdir(dest);
    const inst = await api.templates.install({ spec: 'card@1.0.0', dest });
    assert.is(inst.version.version, '1.0.0');
    assert.is(await readFile(join(dest, 'card', 'card.ui'), 'utf8'), UI);
    assert.is((await api.templates.deprecate({ name: 'card', version: '1.0.0', reason: 'old' })).deprecated, true);
  });

  t('analytics, stats, verify, rebuild, compact', async ({ b: { api } }) => {
    const ev = await api.analytics.record({ metric: 'build.seconds', value: 2.5, project: 'alpha', at: '2026-01-05T10:00:00Z' });
    assert.is(ev.type, 'analytics.recorded');
    assert.is(await code(api.analytics.record({ metric: 'x', value: 1, project: 'missing' })), 'PROJECT_NOT_FOUND');
    const trend = await api.analytics.trend({ metric: 'build.seconds', days: 7, until: '2026-01-07' });
    assert.is(trend.points.length, 7);
    assert.is(trend.points.find((p) => p.day === '2026-01-05')?.sum, 2.5);
    assert.equal(await api.analytics.widgets(), []);
    assert.is(await api.analytics.complexity('alpha'), undefined);
    const stats = await api.stats();
    assert.is(stats.events, await api.head());
    assert.is(stats.projects, 1);
    assert.is((await api.stats({ asOf: 1 })).projects, 1);
    assert.is((await api.verify()).ok, true);
    assert.ok((await api.rebuild(['projects'])).events > 0);
    assert.is(await code(api.rebuild(['nope'])), 'UNKNOWN_PROJECTION');
    const c = await api.compact();
    assert.type(c.before, 'number');
  });

  t.run();
}
