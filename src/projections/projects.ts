import { words } from '../lib/text.js';
import { pythonIso, timeSortKey } from '../lib/time.js';
import { SEP, seqHex } from '../log/keys.js';
import { defineProjection, type Rows } from './projection.js';

export interface ProjectRow {
  id: string;
  name: string;
  path: string;
  description: string;
  tags: string[];
  created: string | null;
  modified: string | null;
  /** Log position of its registration: the registry's project order (the Python tool's insertion order). */
  order: number;
  /**
   * The legacy registry entry as imported (see src/legacy/model.ts), and the fields a store
   * command changed since (export sets those in the entry and keeps the rest as written).
   */
  legacy?: { entry: string; key?: string; dirty: Array<'path' | 'description' | 'tags' | 'modified'> };
}

/** The legacy registry's top level as last imported; `activeChanged` once the store's active project moved. */
export interface LayoutRow {
  document: string;
  activeChanged: boolean;
}

export const PROJECTS = 'projects';
export const projectStream = (id: string): string => `project-${id}`;
export const projectIdOf = (stream: string): string => stream.slice(stream.indexOf('-') + 1);

/** Row keys of the projects view (inside `v!projects!`). */
export const projectKeys = {
  byId: (id: string) => `id!${id}`,
  /** The whole row (format 3): a lookup by name is one read. `id!` holds the same row. */
  byName: (name: string) => `name!${name}`,
  namePrefix: 'name!',
  byTag: (tag: string, name: string) => `tag!${tag}${SEP}${name}`,
  tagPrefix: (tag: string) => `tag!${tag}${SEP}`,
  byWord: (word: string, id: string) => `word!${word}${SEP}${id}`,
  wordPrefix: (wordPrefix: string) => `word!${wordPrefix}`,
  byModified: (row: ProjectRow) => `mod!${timeSortKey(row.modified)}${SEP}${row.id}`,
  modifiedPrefix: 'mod!',
  byCreated: (row: ProjectRow) => `created!${timeSortKey(row.created)}${SEP}${row.id}`,
  createdPrefix: 'created!',
  byOrder: (row: ProjectRow) => `order!${seqHex(row.order)}`,
  orderPrefix: 'order!',
  layout: 'layout',
  active: 'active',
  count: 'count',
} as const;

function putIndexes(rows: Rows, p: ProjectRow): void {
  rows.put(projectKeys.byName(p.name), p);
  for (const tag of p.tags) rows.put(projectKeys.byTag(tag, p.name), p.id);
  for (const w of words(p.name, p.description, p.tags)) rows.put(projectKeys.byWord(w, p.id), null);
  rows.put(projectKeys.byModified(p), null);
  rows.put(projectKeys.byCreated(p), null);
  rows.put(projectKeys.byOrder(p), p.id);
}

function delIndexes(rows: Rows, p: ProjectRow): void {
  rows.del(projectKeys.byName(p.name));
  for (const tag of p.tags) rows.del(projectKeys.byTag(tag, p.name));
  for (const w of words(p.name, p.description, p.tags)) rows.del(projectKeys.byWord(w, p.id));
  rows.del(projectKeys.byModified(p));
  rows.del(projectKeys.byCreated(p));
  rows.del(projectKeys.byOrder(p));
}

async function activeMoved(rows: Rows): Promise<void> {
  const layout = await rows.get<LayoutRow>(projectKeys.layout);
  if (layout && !layout.activeChanged) rows.put(projectKeys.layout, { ...layout, activeChanged: true });
}

const DIRTY = ['path', 'description', 'tags', 'modified'] as const;

async function bumpCount(rows: Rows, by: number): Promise<void> {
  rows.put(projectKeys.count, ((await rows.get<number>(projectKeys.count)) ?? 0) + by);
}

/** Live projects by id, with indexes by name, name prefix, tag, word, created and modified time. */
export const projectsProjection = defineProjection({
  name: PROJECTS,
  // 3: `name!` holds the row itself, not its id (store format 3)
  version: 3,
  handles: ['project.registered', 'project.updated', 'project.renamed', 'project.removed', 'project.activated', 'legacy.layout'],
  async fold(event, rows) {
    if (event.type === 'legacy.layout') {
      rows.put(projectKeys.layout, { document: event.data.document, activeChanged: false } satisfies LayoutRow);
      return;
    }
    const id = projectIdOf(event.stream);
    const key = projectKeys.byId(id);
    if (event.type === 'project.registered') {
      const d = event.data;
      const previous = await rows.get<ProjectRow>(key);
      const row: ProjectRow = {
        id,
        name: d.name,
        path: d.path,
        description: d.description,
        tags: d.tags,
        created: d.created,
        modified: d.modified,
        order: previous?.order ?? event.seq,
        ...(d.legacy ? { legacy: { ...d.legacy, dirty: [] } } : {}),
      };
      if (previous) delIndexes(rows, previous);
      else await bumpCount(rows, 1);
      rows.put(key, row);
      putIndexes(rows, row);
      return;
    }
    const row = await rows.get<ProjectRow>(key);
    if (!row) return; // an event for a removed project changes no live view
    switch (event.type) {
      case 'project.updated': {
        const d = event.data;
        const next: ProjectRow = {
          ...row,
          ...(d.description !== undefined ? { description: d.description } : {}),
          ...(d.tags !== undefined ? { tags: d.tags } : {}),
          ...(d.path !== undefined ? { path: d.path } : {}),
          modified: d.modified !== undefined ? d.modified : pythonIso(event.at),
        };
        if (d.legacy) next.legacy = { ...d.legacy, dirty: [] };
        else if (row.legacy) {
          const changed = DIRTY.filter((f) => f === 'modified' || d[f] !== undefined);
          next.legacy = { ...row.legacy, dirty: DIRTY.filter((f) => row.legacy!.dirty.includes(f) || changed.includes(f)) };
        }
        delIndexes(rows, row);
        rows.put(key, next);
        putIndexes(rows, next);
        return;
      }
      case 'project.renamed': {
        const next: ProjectRow = { ...row, name: event.data.to, modified: pythonIso(event.at) };
        // The name is the entry's key, not part of it; the new key is the store's typed name.
        if (row.legacy) {
          const { key: _key, ...entry } = row.legacy;
          next.legacy = { ...entry, dirty: row.legacy.dirty.includes('modified') ? row.legacy.dirty : [...row.legacy.dirty, 'modified'] };
        }
        if ((await rows.get<string>(projectKeys.active)) === id) await activeMoved(rows);
        delIndexes(rows, row);
        rows.put(key, next);
        putIndexes(rows, next);
        return;
      }
      case 'project.removed':
        delIndexes(rows, row);
        rows.del(key);
        if ((await rows.get<string>(projectKeys.active)) === id) {
          rows.del(projectKeys.active);
          await activeMoved(rows);
        }
        await bumpCount(rows, -1);
        return;
      case 'project.activated':
        rows.put(projectKeys.active, id);
        await activeMoved(rows);
        return;
    }
  },
});
