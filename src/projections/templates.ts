import type { EventDataMap } from '../generated/events.js';
import { words } from '../lib/text.js';
import { SEP } from '../log/keys.js';
import { defineProjection, type Rows } from './projection.js';

export type TemplateFile = EventDataMap['template.published']['files'][number];

/** One template as search and `info` show it: its latest version plus running totals. */
export interface TemplateRow {
  name: string;
  latest: string;
  description: string;
  author: string;
  tags: string[];
  /** Envelope time and seq of the latest publish (the `recent` order). */
  publishedAt: string;
  publishedSeq: number;
  firstPublishedAt: string;
  versionCount: number;
  downloads: number;
  ratingSum: number;
  ratingCount: number;
  /** Reason the whole template was deprecated (a later publish lifts it), else null. */
  deprecated: string | null;
  /** Reason the latest version was deprecated, else null. */
  latestDeprecated: string | null;
}

/** One published version, without its file contents (those live in their own row). */
export interface TemplateVersionRow {
  name: string;
  version: string;
  /** 1 for the first version published, 2 for the next … — also semver order, as each must be newer. */
  ordinal: number;
  description: string;
  author: string;
  tags: string[];
  hash: string;
  files: Array<{ path: string; sha256: string; bytes: number }>;
  metadata: Record<string, unknown>;
  publishedAt: string;
  seq: number;
  downloads: number;
  deprecated: string | null;
}

export interface TemplateRating {
  user: string;
  stars: number;
  review: string | null;
  at: string;
  seq: number;
}

export const TEMPLATES = 'templates';
export const templateStream = (name: string): string => `template-${name}`;

/** Fixed-width, order-preserving encodings: ascending key order = descending number. */
const MAX_COUNT = 0xffffffffffff;
const invCount = (n: number): string => (MAX_COUNT - Math.min(n, MAX_COUNT)).toString(16).padStart(12, '0');
const invSeq = (seq: number): string => invCount(seq);
/** Average stars ×10^6 inverted in 7 digits, then the rating count inverted: best-rated first, more votes first. */
const ratingOrder = (t: TemplateRow): string => {
  const avg = t.ratingCount === 0 ? 0 : Math.round((t.ratingSum / t.ratingCount) * 1e6);
  return (5_000_000 - avg).toString().padStart(7, '0') + invCount(t.ratingCount).slice(4);
};
const ordinalHex = (n: number): string => n.toString(16).padStart(8, '0');

export const averageRating = (t: Pick<TemplateRow, 'ratingSum' | 'ratingCount'>): number | null =>
  t.ratingCount === 0 ? null : Math.round((t.ratingSum / t.ratingCount) * 100) / 100;

/** Row keys of the templates view (inside `v!templates!`). Every user string ends with SEP or the key. */
export const templateKeys = {
  byName: (name: string) => `t!${name}`,
  namePrefix: 't!',
  version: (name: string, version: string) => `ver!${name}${SEP}${version}`,
  /** Versions in publish order, which is semver order: each must be newer than the last. */
  versionOrder: (name: string, ordinal: number) => `vord!${name}${SEP}${ordinalHex(ordinal)}`,
  versionOrderPrefix: (name: string) => `vord!${name}${SEP}`,
  files: (name: string, version: string) => `files!${name}${SEP}${version}`,
  rating: (name: string, user: string) => `rt!${name}${SEP}${user}`,
  review: (name: string, seq: number) => `rv!${name}${SEP}${invSeq(seq)}`,
  reviewPrefix: (name: string) => `rv!${name}${SEP}`,
  byWord: (word: string, name: string) => `word!${word}${SEP}${name}`,
  wordPrefix: (wordPrefix: string) => `word!${wordPrefix}`,
  /** Word + downloads (most first): "word X, top N by downloads" is one short range read per word. */
  byWordDownloads: (word: string, t: Pick<TemplateRow, 'name' | 'downloads'>) => `wdl!${word}${SEP}${invCount(t.downloads)}${SEP}${t.name}`,
  wordDownloadsPrefix: (word: string) => `wdl!${word}${SEP}`,
  /** The first entries of that word's `wdl!` range in one row (WordTop): a search by downloads is one point read. */
  wordTop: (word: string) => `wtop!${word}`,
  /** How many templates have that word: the distinct words a query word is a prefix of, and how common each is. */
  wordCount: (word: string) => `wn!${word}`,
  wordCountPrefix: (wordPrefix: string) => `wn!${wordPrefix}`,
  /**
   * For every prefix of an indexed word: the words that start with it (in key order), or null when
   * there are more than MAX_PREFIX_WORDS: a query word is expanded with one point read.
   */
  prefixWords: (prefix: string) => `wp!${prefix}`,
  byTag: (tag: string, name: string) => `tag!${tag}${SEP}${name}`,
  tagPrefix: (tag: string) => `tag!${tag}${SEP}`,
  byAuthor: (author: string, name: string) => `author!${author}${SEP}${name}`,
  authorPrefix: (author: string) => `author!${author}${SEP}`,
  byDownloads: (t: TemplateRow) => `dl!${invCount(t.downloads)}${SEP}${t.name}`,
  downloadsPrefix: 'dl!',
  byRating: (t: TemplateRow) => `rate!${ratingOrder(t)}${SEP}${t.name}`,
  ratingPrefix: 'rate!',
  byRecent: (t: TemplateRow) => `recent!${invSeq(t.publishedSeq)}${SEP}${t.name}`,
  recentPrefix: 'recent!',
  count: 'count',
} as const;

const searchWords = (t: Pick<TemplateRow, 'name' | 'description' | 'tags'>): string[] => words(t.name, t.description, t.tags);

/**
 * The first `entries` of a word's `wdl!` range, in its order (downloads, most first, then name),
 * at most WORD_TOP_SIZE. `complete`: they are the whole range. Invariant: the entries are exactly
 * the range's first ones, so a reader that needs more goes on reading the range after the last.
 * An absent row is a word with no templates (complete and empty).
 */
export interface WordTop {
  entries: Array<[downloads: number, name: string]>;
  complete: boolean;
}

/** What an absent WordTop row means: a word no template has. */
export const NO_WORD_TOP: WordTop = Object.freeze({ entries: [], complete: true });

/** A search asks for 20 by default: room for that and for hidden (deprecated) templates among them. */
export const WORD_TOP_SIZE = 32;

const topOrder = (a: readonly [number, string], b: readonly [number, string]): number => b[0] - a[0] || byteOrder(a[1], b[1]);

/** The `wdl!` keys one fold adds and removes, per word, applied to the WordTop rows at the end. */
class WordTopChanges {
  private readonly changes = new Map<string, Array<[op: 'put' | 'del', downloads: number, name: string]>>();

  put(word: string, t: Pick<TemplateRow, 'name' | 'downloads'>): void {
    this.of(word).push(['put', Math.min(t.downloads, MAX_COUNT), t.name]);
  }

  del(word: string, t: Pick<TemplateRow, 'name' | 'downloads'>): void {
    this.of(word).push(['del', Math.min(t.downloads, MAX_COUNT), t.name]);
  }

  private of(word: string) {
    let list = this.changes.get(word);
    if (!list) this.changes.set(word, (list = []));
    return list;
  }

  async apply(rows: Rows): Promise<void> {
    const words = [...this.changes.keys()];
    const tops = await Promise.all(words.map((w) => rows.get<WordTop>(templateKeys.wordTop(w))));
    words.forEach((word, i) => {
      const top = tops[i] ?? NO_WORD_TOP;
      const entries = [...top.entries];
      // How far this row knows the range: all of it, or up to its last entry. A delete keeps that
      // knowledge, so a download of the last entry (deleted, then put a little higher) stays listed.
      let known: 'all' | [number, string] | undefined = top.complete ? 'all' : entries[entries.length - 1];
      for (const [op, downloads, name] of this.changes.get(word)!) {
        const entry: [number, string] = [downloads, name];
        let at = 0;
        while (at < entries.length && topOrder(entries[at]!, entry) < 0) at++;
        const present = at < entries.length && topOrder(entries[at]!, entry) === 0;
        if (op === 'del') {
          if (present) entries.splice(at, 1);
        } else if (!present && (known === 'all' || (known !== undefined && topOrder(entry, known) <= 0))) {
          entries.splice(at, 0, entry);
          if (entries.length > WORD_TOP_SIZE) {
            entries.pop();
            known = entries[entries.length - 1];
          }
        }
        // else: already listed, or past what the row knows of the range (not listed)
      }
      const complete = known === 'all';
      if (entries.length === 0 && complete) rows.del(templateKeys.wordTop(word));
      else rows.put(templateKeys.wordTop(word), { entries, complete } satisfies WordTop);
    });
  }
}

function putIndexes(rows: Rows, t: TemplateRow, tops: WordTopChanges): void {
  for (const w of searchWords(t)) {
    rows.put(templateKeys.byWord(w, t.name), null);
    rows.put(templateKeys.byWordDownloads(w, t), null);
    tops.put(w, t);
  }
  for (const tag of t.tags) rows.put(templateKeys.byTag(tag, t.name), null);
  rows.put(templateKeys.byAuthor(t.author, t.name), null);
  rows.put(templateKeys.byDownloads(t), null);
  rows.put(templateKeys.byRating(t), null);
  rows.put(templateKeys.byRecent(t), null);
}

function delIndexes(rows: Rows, t: TemplateRow, tops: WordTopChanges): void {
  for (const w of searchWords(t)) {
    rows.del(templateKeys.byWord(w, t.name));
    rows.del(templateKeys.byWordDownloads(w, t));
    tops.del(w, t);
  }
  for (const tag of t.tags) rows.del(templateKeys.byTag(tag, t.name));
  rows.del(templateKeys.byAuthor(t.author, t.name));
  rows.del(templateKeys.byDownloads(t));
  rows.del(templateKeys.byRating(t));
  rows.del(templateKeys.byRecent(t));
}

/** Move only the keys whose sort value changed: a download touches the row and one index key. */
function moveKey(rows: Rows, key: (t: TemplateRow) => string, before: TemplateRow, after: TemplateRow): void {
  const a = key(before);
  const b = key(after);
  if (a === b) return;
  rows.del(a);
  rows.put(b, null);
}

/** A prefix-words row lists at most this many words; a prefix of more has null. */
export const MAX_PREFIX_WORDS = 8;

/** LevelDB's order of utf8 keys (UTF-16 `<` differs for characters beyond the BMP). */
export const byteOrder = (a: string, b: string): number => (a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** Every prefix of a word, by code point (so none ends in half a surrogate pair). */
const prefixesOf = (word: string): string[] => {
  const cps = Array.from(word);
  return cps.map((_, i) => cps.slice(0, i + 1).join(''));
};

/**
 * Per-word template counts: +1 for each word the new version has that the old did not, −1 the
 * other way; a word that appears or vanishes is added to or taken from its prefixes' word lists.
 */
async function countWords(rows: Rows, before: TemplateRow | undefined, after: TemplateRow): Promise<void> {
  const old = new Set(before ? searchWords(before) : []);
  const now = new Set(searchWords(after));
  const changes: Array<[string, number]> = [];
  for (const w of now) if (!old.has(w)) changes.push([w, 1]);
  for (const w of old) if (!now.has(w)) changes.push([w, -1]);
  const counts = await Promise.all(changes.map(([w]) => rows.get<number>(templateKeys.wordCount(w))));
  const appeared: string[] = [];
  const vanished: string[] = [];
  changes.forEach(([w, by], i) => {
    const before = counts[i] ?? 0;
    const n = before + by;
    if (n > 0) rows.put(templateKeys.wordCount(w), n);
    else rows.del(templateKeys.wordCount(w));
    if (before === 0 && n > 0) appeared.push(w);
    if (before > 0 && n <= 0) vanished.push(w);
  });
  for (const w of appeared) {
    for (const p of prefixesOf(w)) {
      const list = await rows.get<string[] | null>(templateKeys.prefixWords(p));
      if (list === null) continue;
      const next = [...(list ?? []), w].sort(byteOrder);
      rows.put(templateKeys.prefixWords(p), next.length > MAX_PREFIX_WORDS ? null : next);
    }
  }
  for (const w of vanished) {
    for (const p of prefixesOf(w)) {
      const key = templateKeys.prefixWords(p);
      const list = await rows.get<string[] | null>(key);
      if (list === undefined) continue;
      // a full prefix is listed again from the counts once it has few enough words (rare: a word leaves the index)
      const next = list === null ? (await rows.keys(templateKeys.wordCountPrefix(p))).map((k) => k.slice(WORD_COUNT.length)).sort(byteOrder) : list.filter((x) => x !== w);
      if (next.length === 0) rows.del(key);
      else rows.put(key, next.length > MAX_PREFIX_WORDS ? null : next);
    }
  }
}
const WORD_COUNT = templateKeys.wordCountPrefix('');

/**
 * The marketplace: latest version per template, every version with its files, ratings (one per
 * user), reviews newest first, download counts; indexes by word, tag, author, downloads, rating,
 * publish order and word + downloads, and the number of templates per word. Commands have checked every event against these rows before appending it, so the
 * fold trusts its input and ignores events for templates or versions it does not know.
 */
export const templatesProjection = defineProjection({
  name: TEMPLATES,
  // 2: the word + downloads index (`wdl!`), per-word counts (`wn!`) and prefix word lists (`wp!`)
  // 3: the first entries of each word's `wdl!` range in one row (`wtop!`)
  version: 3,
  handles: ['template.published', 'template.downloaded', 'template.rated', 'template.deprecated'],
  async fold(event, rows) {
    const name = event.data.name;
    const key = templateKeys.byName(name);
    const versionKey = 'version' in event.data && event.data.version !== undefined ? templateKeys.version(name, event.data.version) : undefined;
    // The template row and the version row are read together: a download costs one round of reads.
    const [row, versionRow] = await Promise.all([
      rows.get<TemplateRow>(key),
      versionKey === undefined ? undefined : rows.get<TemplateVersionRow>(versionKey),
    ]);
    switch (event.type) {
      case 'template.published': {
        const d = event.data;
        if (versionRow) return;
        const ordinal = (row?.versionCount ?? 0) + 1;
        const version: TemplateVersionRow = {
          name,
          version: d.version,
          ordinal,
          description: d.description,
          author: d.author,
          tags: d.tags,
          hash: d.hash,
          files: d.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: Buffer.byteLength(f.content, 'utf8') })),
          metadata: d.metadata ?? {},
          publishedAt: event.at,
          seq: event.seq,
          downloads: 0,
          deprecated: null,
        };
        rows.put(templateKeys.version(name, d.version), version);
        rows.put(templateKeys.versionOrder(name, ordinal), d.version);
        rows.put(templateKeys.files(name, d.version), d.files);
        const next: TemplateRow = {
          name,
          latest: d.version,
          description: d.description,
          author: d.author,
          tags: d.tags,
          publishedAt: event.at,
          publishedSeq: event.seq,
          firstPublishedAt: row?.firstPublishedAt ?? event.at,
          versionCount: ordinal,
          downloads: row?.downloads ?? 0,
          ratingSum: row?.ratingSum ?? 0,
          ratingCount: row?.ratingCount ?? 0,
          deprecated: null,
          latestDeprecated: null,
        };
        const tops = new WordTopChanges();
        if (row) delIndexes(rows, row, tops);
        else rows.put(templateKeys.count, ((await rows.get<number>(templateKeys.count)) ?? 0) + 1);
        rows.put(key, next);
        putIndexes(rows, next, tops);
        await tops.apply(rows);
        await countWords(rows, row, next);
        return;
      }
      case 'template.downloaded': {
        if (!row || !versionRow || versionKey === undefined) return;
        rows.put(versionKey, { ...versionRow, downloads: versionRow.downloads + 1 });
        const next = { ...row, downloads: row.downloads + 1 };
        rows.put(key, next);
        moveKey(rows, templateKeys.byDownloads, row, next);
        const tops = new WordTopChanges();
        for (const w of searchWords(row)) {
          moveKey(rows, (t) => templateKeys.byWordDownloads(w, t), row, next);
          tops.del(w, row);
          tops.put(w, next);
        }
        await tops.apply(rows);
        return;
      }
      case 'template.rated': {
        if (!row) return;
        const d = event.data;
        const ratingKey = templateKeys.rating(name, d.user);
        const previous = await rows.get<TemplateRating>(ratingKey);
        if (previous?.review) rows.del(templateKeys.review(name, previous.seq));
        const rating: TemplateRating = { user: d.user, stars: d.stars, review: d.review ?? null, at: event.at, seq: event.seq };
        rows.put(ratingKey, rating);
        if (rating.review) rows.put(templateKeys.review(name, event.seq), rating);
        const next: TemplateRow = {
          ...row,
          ratingSum: row.ratingSum - (previous?.stars ?? 0) + d.stars,
          ratingCount: row.ratingCount + (previous ? 0 : 1),
        };
        rows.put(key, next);
        moveKey(rows, templateKeys.byRating, row, next);
        return;
      }
      case 'template.deprecated': {
        if (!row) return;
        const { version: v, reason } = event.data;
        if (v === undefined) {
          rows.put(key, { ...row, deprecated: reason });
          return;
        }
        if (!versionRow || versionKey === undefined) return;
        rows.put(versionKey, { ...versionRow, deprecated: reason });
        if (v === row.latest) rows.put(key, { ...row, latestDeprecated: reason });
        return;
      }
    }
  },
});
