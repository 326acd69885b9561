/**
 * The on-disk key layout: one LevelDB, utf8 keys, msgpack values. Documented in the README.
 *
 *   e!<seq>                     → envelope              the log itself
 *   i!<event id>                → seq                   idempotent appends
 *   s!<stream>\0<version>       → seq                   reading a stream
 *   t!<type>\0<seq>             → null                  reading by type
 *   a!<at>\0<seq>               → null                  reading by time
 *   c!inline                    → checkpoint            last seq + version of each inline projection
 *   m!<name>                    → store metadata (format version, checksumsFrom; m!damage)
 *   v!<projection>!<row key>    → rows of the views
 *
 * User-supplied parts (names, tags, words) end with \0, which validation keeps out of them, so a
 * prefix scan for "a" never sees the keys of "a!b". Numbers are fixed-width hex so they sort.
 */
export const SEP = '\u0000';
/** Sorts after every utf8 key that starts with the same prefix (U+10FFFF encodes as F4 8F BF BF). */
export const HIGH = '\u{10FFFF}';

export const seqHex = (seq: number): string => seq.toString(16).padStart(12, '0');
export const versionHex = (version: number): string => version.toString(16).padStart(10, '0');

export const logKey = (seq: number): string => `e!${seqHex(seq)}`;
export const LOG_PREFIX = 'e!';
export const idKey = (id: string): string => `i!${id}`;
export const streamPrefix = (stream: string): string => `s!${stream}${SEP}`;
export const streamKey = (stream: string, version: number): string => streamPrefix(stream) + versionHex(version);
export const typePrefix = (type: string): string => `t!${type}${SEP}`;
export const typeKey = (type: string, seq: number): string => typePrefix(type) + seqHex(seq);
export const TIME_PREFIX = 'a!';
export const timeKey = (at: string, seq: number): string => `${TIME_PREFIX}${at}${SEP}${seqHex(seq)}`;
export const CHECKPOINT_KEY = 'c!inline';
export const FORMAT_KEY = 'm!format';
/** What LevelDB reported lost on an open (a damaged write-ahead log record); verify reports it. */
export const DAMAGE_KEY = 'm!damage';
export const VIEW_PREFIX = 'v!';
export const viewPrefix = (projection: string): string => `${VIEW_PREFIX}${projection}!`;

export const seqFromHex = (hex: string): number => parseInt(hex, 16);

/** Range options that select every key starting with `prefix`. */
export const prefixRange = (prefix: string): { gte: string; lt: string } => ({ gte: prefix, lt: prefix + HIGH });
