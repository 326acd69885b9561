import type { Store } from '../store.js';
import type { AsOf } from '../projections/replay.js';
import type { Views } from '../queries/index.js';
import { trend } from '../domain/analytics.js';
import type { StoreApi } from './api.js';

/** The views now, or folded as of a point; closed after `work`. */
async function at<T>(store: Store, asOf: AsOf | undefined, work: (views: Views) => Promise<T>): Promise<T> {
  const views = await store.viewsAt(asOf);
  try {
    return await work(views);
  } finally {
    await views.close();
  }
}

/** The typed interface over an open store, in this process. The server serves exactly this. */
export function storeApi(store: Store): StoreApi {
  const v = store.views;
  return {
    location: store.location,
    projects: {
      list: ({ asOf, ...options } = {}) => at(store, asOf, (views) => views.projects.list(options)),
      get: (name, { asOf } = {}) => at(store, asOf, (views) => views.projects.byName(name)),
      search: (query, { asOf, ...options } = {}) => at(store, asOf, (views) => views.projects.search(query, options)),
      active: () => v.projects.active(),
      register: async (input) => store.projects.register(input),
      update: (name, input) => store.projects.update(name, input),
      rename: (from, to, input) => store.projects.rename(from, to, input),
      remove: (name, input) => store.projects.remove(name, input),
      activate: (name, input) => store.projects.activate(name, input),
    },
    history: {
      list: async (project, options = {}) => v.history.list((await v.projects.require(project)).id, options),
      record: (project, input) => store.history.record(project, input),
    },
    templates: {
      search: (query, options) => v.templates.search(query, options),
      list: (options) => v.templates.list(options),
      get: (name) => v.templates.get(name),
      versions: async (name) => (await v.templates.require(name), v.templates.versions(name)),
      reviews: async (name, options) => (await v.templates.require(name), v.templates.reviews(name, options)),
      resolve: (name, range) => v.templates.resolve(name, range),
      files: (name, version) => v.templates.files(name, version),
      download: (name, range) => v.templates.download(name, range),
      publish: (input) => store.templates.publish(input),
      rate: (input) => store.templates.rate(input),
      deprecate: (input) => store.templates.deprecate(input),
      install: (input) => store.templates.install(input),
      countDownload: (name, version, input) => store.templates.countDownload(name, version, input),
    },
    analytics: {
      widgets: async ({ project, top } = {}) =>
        v.analytics.widgetUsage({
          ...(project !== undefined ? { projectId: (await v.projects.require(project)).id } : {}),
          ...(top !== undefined ? { top } : {}),
        }),
      complexity: async (project) => v.analytics.complexity((await v.projects.require(project)).id),
      trend: async (options) => {
        const projectId = options.project !== undefined ? (await v.projects.require(options.project)).id : options.projectId;
        return trend(v, { ...options, ...(projectId !== undefined ? { projectId } : {}) });
      },
      record: (input) => store.transact(async (tx, views) => (await import('../domain/analytics.js')).recordMetric(tx, views, input)),
    },
    head: async () => store.log.head,
    append: async (events, options) => store.append(events as never, options),
    readLog: async ({ fromSeq, limit, type, stream } = {}) => {
      if (stream !== undefined) {
        const events = await store.log.readStream(stream);
        return events.filter((e) => (fromSeq === undefined || e.seq >= fromSeq) && (type === undefined || e.type === type)).slice(0, limit ?? Infinity);
      }
      if (type !== undefined) return store.log.readByType(type, { ...(fromSeq !== undefined ? { fromSeq } : {}), ...(limit !== undefined ? { limit } : {}) });
      const out = [];
      for await (const e of store.log.readAll({ ...(fromSeq !== undefined ? { fromSeq } : {}), ...(limit !== undefined ? { limit } : {}) })) out.push(e);
      return out;
    },
    getEvent: (seq) => store.log.get(seq),
    subscribe: (options) => store.subscribe(options),
    stats: ({ asOf } = {}) => at(store, asOf, (views) => store.stats(views)),
    verify: async () => store.verify(),
    rebuild: async (names) => store.rebuild(names),
    compact: async () => store.compact(),
    close: () => store.close(),
  };
}
