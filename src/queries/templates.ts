import { StoreError } from '../errors.js';
import { prefixRange } from '../log/keys.js';
import { words } from '../lib/text.js';
import {
  averageRating,
  TEMPLATES,
  templateKeys,
  type TemplateFile,
  type TemplateRating,
  type TemplateRow,
  type TemplateVersionRow,
} from '../projections/templates.js';
import { lastPart, ViewReader, type ViewSource } from './source.js';
import { lazyRequire } from '../lib/lazy-require.js';

const semverLib = lazyRequire<typeof import('semver')>('semver');

export type TemplateSort = 'downloads' | 'rating' | 'recent' | 'name';
export const TEMPLATE_SORTS: readonly TemplateSort[] = ['downloads', 'rating', 'recent', 'name'];

export interface SearchTemplatesOptions {
  tag?: string;
  author?: string;
  /** Only templates whose average rating is at least this (unrated ones are left out). */
  minRating?: number;
  /** Default: downloads (most first). rating: best first; recent: latest publish first; name: A→Z. */
  sort?: TemplateSort;
  /** Default 20; -1 for all. */
  limit?: number;
  /** Include deprecated templates (and templates whose latest version is deprecated). */
  all?: boolean;
}

/** Index pages are read this many keys at a time. */
const PAGE = 256;
/** Reading one row costs about this many index keys read in a range (classic-level, warm cache). */
const ROW_COST_IN_KEYS = 10;
/** A narrowing index range (word, tag, author) is read when it has at most this many keys. */
const NARROW_CAP = 2000;

const sortKey: Record<Exclude<TemplateSort, 'name'>, (t: TemplateRow) => string> = {
  downloads: templateKeys.byDownloads,
  rating: templateKeys.byRating,
  recent: templateKeys.byRecent,
};
const sortPrefix: Record<TemplateSort, string> = {
  downloads: templateKeys.downloadsPrefix,
  rating: templateKeys.ratingPrefix,
  recent: templateKeys.recentPrefix,
  name: templateKeys.namePrefix,
};

export const isHidden = (t: TemplateRow): boolean => t.deprecated !== null || t.latestDeprecated !== null;

/** Queries over the templates view; each reads only the index keys it needs. */
export class TemplateViews {
  private readonly rows: ViewReader;
  constructor(source: ViewSource) {
    this.rows = new ViewReader(source, TEMPLATES);
  }

  get(name: string): Promise<TemplateRow | undefined> {
    return this.rows.get<TemplateRow>(templateKeys.byName(name));
  }

  async require(name: string): Promise<TemplateRow> {
    const row = await this.get(name);
    if (!row) {
      throw new StoreError('TEMPLATE_NOT_FOUND', `no template named ${JSON.stringify(name)}`, {
        hint: 'see `pygubu-template search` or `pygubu-template list`',
      });
    }
    return row;
  }

  async count(): Promise<number> {
    return (await this.rows.get<number>(templateKeys.count)) ?? 0;
  }

  /** Every version of a template, newest first (publish order is semver order). */
  async versions(name: string): Promise<TemplateVersionRow[]> {
    const order = await this.rows.values<string>(templateKeys.versionOrderPrefix(name), { reverse: true });
    return this.rows.getAll<TemplateVersionRow>(order.map((v) => templateKeys.version(name, v)));
  }

  /**
   * The template's owner on a shared marketplace: the author of its first version (on a server, a
   * publishing account is always its own author, so this is the account that first published it).
   */
  async owner(name: string): Promise<string | undefined> {
    const first = await this.rows.get<string>(templateKeys.versionOrder(name, 1));
    return first === undefined ? undefined : (await this.version(name, first))?.author;
  }

  version(name: string, version: string): Promise<TemplateVersionRow | undefined> {
    return this.rows.get<TemplateVersionRow>(templateKeys.version(name, version));
  }

  async files(name: string, version: string): Promise<TemplateFile[]> {
    const files = await this.rows.get<TemplateFile[]>(templateKeys.files(name, version));
    if (!files) throw new StoreError('TEMPLATE_NOT_FOUND', `template ${name} has no version ${version}`);
    return files;
  }

  /**
   * The version `install` picks: the highest one matching `range` (any version when none),
   * preferring versions that are not deprecated.
   */
  async resolve(name: string, range?: string): Promise<TemplateVersionRow> {
    const template = await this.require(name);
    if (range !== undefined && semverLib().validRange(range) === null) {
      throw new StoreError('TEMPLATE_VERSION_INVALID', `${JSON.stringify(range)} is not a semver version or range`, {
        hint: 'e.g. 1.2.0, ^1.0.0, ~1.2, >=1.0.0 <2.0.0',
      });
    }
    const all = await this.versions(name);
    const candidates = range === undefined ? all : all.filter((v) => semverLib().satisfies(v.version, range));
    const pick = candidates.find((v) => v.deprecated === null) ?? candidates[0];
    if (!pick) {
      throw new StoreError('TEMPLATE_NOT_FOUND', `no version of ${name} matches ${range}`, {
        hint: `published: ${all.map((v) => v.version).join(', ')} (latest ${template.latest})`,
      });
    }
    return pick;
  }

  rating(name: string, user: string): Promise<TemplateRating | undefined> {
    return this.rows.get<TemplateRating>(templateKeys.rating(name, user));
  }

  /** Ratings that carry a review, newest first. */
  reviews(name: string, options: { limit?: number } = {}): Promise<TemplateRating[]> {
    return this.rows.values<TemplateRating>(templateKeys.reviewPrefix(name), { limit: options.limit ?? -1 });
  }

  /** Templates in an order read from an index, optionally filtered; `search('')` without a query. */
  list(options: SearchTemplatesOptions = {}): Promise<TemplateRow[]> {
    return this.search('', options);
  }

  /**
   * Templates whose name, description or tags have a word starting with every word of the query,
   * filtered by tag, author and minimum rating, in the order of one sort index.
   *
   * Plan: the names under each narrowing index (one per query word, the tag, the author) are read
   * as keys only, up to NARROW_CAP each, and intersected. When fetching the candidates' rows costs
   * less than walking the sort index far enough to fill `limit`, they are fetched and put in
   * sort-index order by the very key that index stores. Otherwise the sort index is walked from the
   * top, skipping names outside the candidates before any row is read, until `limit` match.
   */
  async search(query: string, options: SearchTemplatesOptions = {}): Promise<TemplateRow[]> {
    const sort = options.sort ?? 'downloads';
    const limit = options.limit ?? 20;
    if (limit === 0) return [];
    const terms = [...new Set(words(query))];

    let candidates: Set<string> | undefined;
    const unchecked: string[] = []; // query words whose index range was too big to read
    const narrowing: Array<[string, string | undefined]> = [
      ...(options.tag !== undefined ? [[templateKeys.tagPrefix(options.tag), undefined] as [string, undefined]] : []),
      ...(options.author !== undefined ? [[templateKeys.authorPrefix(options.author), undefined] as [string, undefined]] : []),
      ...terms.map((t) => [templateKeys.wordPrefix(t), t] as [string, string]),
    ];
    for (const [prefix, term] of narrowing) {
      const names = await this.namesUnder(prefix, NARROW_CAP);
      if (names === undefined) {
        if (term !== undefined) unchecked.push(term);
        continue;
      }
      candidates = candidates === undefined ? names : new Set([...candidates].filter((n) => names.has(n)));
      if (candidates.size === 0) return [];
    }
    const matches = matcher(unchecked, options);

    if (candidates !== undefined) {
      const total = await this.count();
      // A walk reads about limit × total / |candidates| keys but fetches only `limit` rows; the
      // candidate path fetches every candidate's row. A row read costs about ten key reads.
      const walkKeys = limit < 0 ? Infinity : (limit * total) / candidates.size;
      if (candidates.size * ROW_COST_IN_KEYS <= walkKeys) {
        const rows = (await this.rows.getAll<TemplateRow>([...candidates].map(templateKeys.byName))).filter(matches);
        const keyOf = sort === 'name' ? (t: TemplateRow) => t.name : sortKey[sort];
        const ordered = rows.map((t) => [keyOf(t), t] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return ordered.slice(0, limit < 0 ? undefined : limit).map(([, t]) => t);
      }
    }

    const out: TemplateRow[] = [];
    const nameOf = sort === 'name' ? (k: string) => k.slice(templateKeys.namePrefix.length) : lastPart;
    let after: string | undefined;
    for (;;) {
      const keys = await this.keys(sortPrefix[sort], PAGE, after);
      if (keys.length === 0) break;
      after = keys[keys.length - 1];
      const names = keys.map(nameOf).filter((n) => candidates === undefined || candidates.has(n));
      for (const t of await this.rows.getAll<TemplateRow>(names.map(templateKeys.byName))) {
        // Rating order is best first: once below the minimum, nothing further can match.
        if (sort === 'rating' && options.minRating !== undefined && (averageRating(t) ?? 0) < options.minRating) return out;
        if (!matches(t)) continue;
        out.push(t);
        if (out.length === limit) return out;
      }
      if (keys.length < PAGE) break;
    }
    return out;
  }

  /** Distinct names under an index prefix, or undefined when there are more than `cap` keys. */
  private async namesUnder(prefix: string, cap: number): Promise<Set<string> | undefined> {
    const keys = await this.keys(prefix, cap + 1);
    return keys.length > cap ? undefined : new Set(keys.map(lastPart));
  }

  /**
   * Index keys (without the view prefix) in one `all()` call: several times faster than iterating
   * key by key, which matters for the up-to-2,000-key ranges a search reads.
   */
  private async keys(prefix: string, limit: number, after?: string): Promise<string[]> {
    const full = this.rows.prefix + prefix;
    const range = prefixRange(full);
    const keys = await this.rows.source.db.keys({ ...(after !== undefined ? { gt: this.rows.prefix + after, lt: range.lt } : range), limit }).all();
    const cut = this.rows.prefix.length;
    return keys.map((k) => k.slice(cut));
  }
}

function matcher(terms: readonly string[], options: SearchTemplatesOptions): (t: TemplateRow) => boolean {
  return (t) => {
    if (!options.all && isHidden(t)) return false;
    if (options.tag !== undefined && !t.tags.includes(options.tag)) return false;
    if (options.author !== undefined && t.author !== options.author) return false;
    if (options.minRating !== undefined && (averageRating(t) ?? -1) < options.minRating) return false;
    if (terms.length > 0) {
      const own = words(t.name, t.description, t.tags);
      if (!terms.every((term) => own.some((w) => w.startsWith(term)))) return false;
    }
    return true;
  };
}
