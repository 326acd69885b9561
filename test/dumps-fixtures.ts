import type { NewEvent, Store, StoredEvent } from '../src/index.js';

/** `projects` registered projects with `entries` workflow entries each, appended in batches. */
export async function seed(store: Store, projects: number, entries: number, options: { prefix?: string; start?: number } = {}): Promise<void> {
  const prefix = options.prefix ?? 'p';
  const base = Date.parse('2025-01-01T00:00:00.000Z') + (options.start ?? 0) * 3_600_000;
  let batch: NewEvent[] = [];
  const flush = async () => {
    if (batch.length > 0) await store.append(batch);
    batch = [];
  };
  for (let p = 0; p < projects; p++) {
    const id = `${prefix}${p}`;
    const at = new Date(base + p * 60_000).toISOString();
    batch.push({
      id: `${id}-reg`,
      stream: `project-${id}`,
      type: 'project.registered',
      at,
      data: { name: `${prefix}-app-${p}`, path: `/home/me/${id}`, description: `Project ${p} ünïcode ✓`, tags: ['ui', `t${p % 3}`], created: at, modified: at },
    });
    for (let e = 0; e < entries; e++) {
      const when = new Date(base + p * 60_000 + (e + 1) * 1000).toISOString();
      batch.push({
        id: `${id}-w${e}`,
        stream: `workflow-${id}`,
        type: 'workflow.recorded',
        at: when,
        data: { timestamp: when, action: e % 2 ? 'file_changed' : 'build', description: `entry ${e} of ${id}` },
        meta: { source: 'import' },
      });
    }
    if (batch.length >= 1000) await flush();
  }
  await flush();
}

/** The raw log, for before/after comparisons. */
export async function logOf(store: Store): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.log.readAll({ raw: true })) out.push(e);
  return out;
}

/** An event without the fields that belong to its position in one store. */
export const portable = ({ seq: _s, version: _v, ...rest }: StoredEvent) => rest;
