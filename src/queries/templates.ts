import { StoreError } from '../errors.js';
import { prefixRange } from '../log/keys.js';
import { words } from '../lib/text.js';
import {
  averageRating,
  byteOrder,
  NO_WORD_TOP,
  TEMPLATES,
  templateKeys,
  type TemplateFile,
  type TemplateRating,
  type TemplateRow,
  type TemplateVersionRow,
  type WordTop,
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

  /** The version `install` picks for `range` (see resolve) and its files: what an install writes. */
  async download(name: string, range?: string): Promise<{ version: TemplateVersionRow; files: TemplateFile[] }> {
    const version = await this.resolve(name, range);
    return { version, files: await this.files(name, version.version) };
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

    if (sort === 'downloads' && limit > 0 && terms.length > 0 && options.tag === undefined && options.author === undefined) {
      const walk = await this.wordDownloadsPlan(terms, limit);
      if (walk === 'none') return [];
      if (walk) return this.walkWordDownloads(walk.words, terms.filter((t) => t !== walk.term), options, limit);
    }

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

  /**
   * Whether to answer from the word + downloads index: for each query word, the words it is a
   * prefix of (`wp!`, one point read; null when over MAX_PREFIX_WORDS) and how many templates have
   * each (`wn!`). The walk
   * starts from the rarest query word and checks the others on the rows it reads; it is chosen when
   * those rows (about `limit` divided by the other words' shares) cost less than reading every
   * word's candidate keys. 'none': some query word matches nothing.
   */
  private async wordDownloadsPlan(terms: readonly string[], limit: number): Promise<{ term: string; words: string[] } | 'none' | undefined> {
    const perTerm: Array<{ term: string; words: string[]; count: number }> = [];
    for (const term of terms) {
      const list = await this.rows.get<string[] | null>(templateKeys.prefixWords(term));
      if (list === undefined) return 'none';
      if (list === null) return undefined;
      const counts = await Promise.all(list.map((w) => this.rows.get<number>(templateKeys.wordCount(w))));
      perTerm.push({ term, words: list, count: counts.reduce<number>((a, n) => a + (n ?? 0), 0) });
    }
    perTerm.sort((a, b) => a.count - b.count);
    const driver = perTerm[0]!;
    const total = Math.max(1, await this.count());
    let rowsToRead = limit;
    for (const other of perTerm.slice(1)) rowsToRead *= total / Math.max(1, other.count);
    const candidateKeys = perTerm.reduce((a, t) => a + Math.min(t.count, NARROW_CAP), 0);
    return rowsToRead * ROW_COST_IN_KEYS <= candidateKeys ? { term: driver.term, words: driver.words } : undefined;
  }

  /**
   * Templates having one of `driverWords`, most downloaded first, merged from those words' `wdl!`
   * ranges (whose keys end with the `dl!` index's own order, downloads then name), each name once,
   * checked against the other query words and the filters, until `limit` match.
   */
  private async walkWordDownloads(driverWords: readonly string[], others: readonly string[], options: SearchTemplatesOptions, limit: number): Promise<TemplateRow[]> {
    const matches = matcher(others, options);
    // Each word's first entries come from its WordTop row (a point read); the range is read only past them.
    const tops = await Promise.all(driverWords.map((w) => this.rows.get<WordTop>(templateKeys.wordTop(w))));
    const streams = driverWords.map((w, i) => {
      const prefix = templateKeys.wordDownloadsPrefix(w);
      const top = tops[i] ?? NO_WORD_TOP;
      const buf = top.entries.map(([downloads, name]) => templateKeys.byWordDownloads(w, { downloads, name }).slice(prefix.length));
      return { prefix, buf, at: 0, after: buf.length > 0 ? prefix + buf[buf.length - 1] : undefined, done: top.complete };
    });
    const seen = new Set<string>();
    const out: TemplateRow[] = [];
    let page = limit;
    for (;;) {
      await Promise.all(
        streams
          .filter((st) => st.at >= st.buf.length && !st.done)
          .map(async (st) => {
            const keys = await this.keys(st.prefix, page, st.after);
            if (keys.length < page) st.done = true;
            if (keys.length > 0) st.after = keys[keys.length - 1];
            st.buf = keys.map((k) => k.slice(st.prefix.length));
            st.at = 0;
          }),
      );
      const names: string[] = [];
      // Merge in key order; stop where a stream that has more keys ran dry (refill it first).
      while (!streams.some((st) => st.at >= st.buf.length && !st.done)) {
        let best: (typeof streams)[number] | undefined;
        for (const st of streams) if (st.at < st.buf.length && (best === undefined || byteOrder(st.buf[st.at]!, best.buf[best.at]!) < 0)) best = st;
        if (best === undefined) break;
        const name = lastPart(best.buf[best.at++]!);
        if (!seen.has(name)) {
          seen.add(name);
          names.push(name);
        }
      }
      for (const t of await this.rows.getAll<TemplateRow>(names.map(templateKeys.byName))) {
        if (!matches(t)) continue;
        out.push(t);
        if (out.length === limit) return out;
      }
      if (streams.every((st) => st.done && st.at >= st.buf.length)) return out;
      page = Math.min(PAGE, page * 4);
    }
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
