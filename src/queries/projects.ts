import { StoreError } from '../errors.js';
import { words } from '../lib/text.js';
import { PROJECTS, projectKeys, type LayoutRow, type ProjectRow } from '../projections/projects.js';
import { lastPart, ViewReader, type ViewSource } from './source.js';

/** `order`: registration order, the Python tool's insertion order of the registry. */
export type ProjectSort = 'name' | 'created' | 'modified' | 'order';

export interface ListProjectsOptions {
  tag?: string;
  sort?: ProjectSort;
  limit?: number;
}

/** Queries over the projects view; each reads only the index keys it needs. */
export class ProjectViews {
  private readonly rows: ViewReader;
  constructor(source: ViewSource) {
    this.rows = new ViewReader(source, PROJECTS);
  }

  byId(id: string): Promise<ProjectRow | undefined> {
    return this.rows.get<ProjectRow>(projectKeys.byId(id));
  }

  /** One read: the name index holds the row itself. */
  byName(name: string): Promise<ProjectRow | undefined> {
    return this.rows.get<ProjectRow>(projectKeys.byName(name));
  }

  async require(name: string): Promise<ProjectRow> {
    const row = await this.byName(name);
    if (!row) {
      throw new StoreError('PROJECT_NOT_FOUND', `no project named ${JSON.stringify(name)}`, {
        hint: 'see `pygubu-db project list`',
      });
    }
    return row;
  }

  async active(): Promise<ProjectRow | undefined> {
    const id = await this.rows.get<string>(projectKeys.active);
    return id === undefined ? undefined : this.byId(id);
  }

  /** The legacy registry's top level as last imported (undefined: never imported). */
  layout(): Promise<LayoutRow | undefined> {
    return this.rows.get<LayoutRow>(projectKeys.layout);
  }

  async count(): Promise<number> {
    return (await this.rows.get<number>(projectKeys.count)) ?? 0;
  }

  /** Projects by name, created or modified time (newest first for times), optionally with a tag. */
  async list(options: ListProjectsOptions = {}): Promise<ProjectRow[]> {
    const limit = options.limit ?? -1;
    const sort = options.sort ?? 'name';
    let ids: string[];
    if (options.tag !== undefined) {
      ids = await this.rows.values<string>(projectKeys.tagPrefix(options.tag), sort === 'name' ? { limit } : {});
    } else if (sort === 'name') {
      return this.rows.values<ProjectRow>(projectKeys.namePrefix, { limit });
    } else if (sort === 'order') {
      ids = await this.rows.values<string>(projectKeys.orderPrefix, { limit });
    } else {
      const prefix = sort === 'created' ? projectKeys.createdPrefix : projectKeys.modifiedPrefix;
      ids = (await this.rows.keys(prefix, { reverse: true, limit })).map(lastPart);
    }
    const rows = await this.rows.getAll<ProjectRow>(ids.map(projectKeys.byId));
    if (options.tag !== undefined && sort === 'order') {
      rows.sort((a, b) => a.order - b.order);
      return limit >= 0 ? rows.slice(0, limit) : rows;
    }
    if (options.tag !== undefined && sort !== 'name') {
      const field = sort === 'created' ? 'created' : 'modified';
      rows.sort((a, b) => String(b[field] ?? '').localeCompare(String(a[field] ?? '')));
      return limit >= 0 ? rows.slice(0, limit) : rows;
    }
    return rows;
  }

  /** Names starting with `prefix`, in name order. */
  async namesStartingWith(prefix: string, limit = 20): Promise<ProjectRow[]> {
    return this.rows.values<ProjectRow>(projectKeys.byName(prefix), { limit });
  }

  /**
   * Projects whose name, description or tags have a word starting with every word of the query.
   * Reads the index range of the first query word and checks the rest on the few rows it finds.
   */
  async search(query: string, options: { limit?: number } = {}): Promise<ProjectRow[]> {
    const terms = words(query);
    const limit = options.limit ?? 20;
    if (terms.length === 0) return [];
    terms.sort((a, b) => b.length - a.length); // the longest word narrows the scan most
    const [first, ...rest] = terms as [string, ...string[]];
    const seen = new Set<string>();
    const out: ProjectRow[] = [];
    let after: string | undefined;
    for (;;) {
      // One word: every key is a hit, so read only as many as are still wanted.
      const chunk = rest.length === 0 ? limit - out.length : 256;
      const keys = await this.rows.keys(projectKeys.wordPrefix(first), { limit: chunk, ...(after ? { after } : {}) });
      if (keys.length === 0) break;
      after = keys[keys.length - 1];
      const fresh = keys.map(lastPart).filter((id) => !seen.has(id) && seen.add(id));
      const rows = await this.rows.getAll<ProjectRow>(fresh.map(projectKeys.byId));
      for (const row of rows) {
        if (rest.length > 0) {
          const own = words(row.name, row.description, row.tags);
          if (!rest.every((t) => own.some((w) => w.startsWith(t)))) continue;
        }
        out.push(row);
        if (out.length === limit) return out;
      }
      if (keys.length < chunk) break;
    }
    return out;
  }
}
