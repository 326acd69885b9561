import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * A dependency loaded on first use instead of at import, for code that must stay synchronous (a
 * fold, a check). semver and fast-xml-parser are only needed by template writes and template
 * queries, yet the store imports their modules: loaded eagerly they cost every CLI start (even a
 * `project show`) about 5% of a bare `node -e 0`. Resolved from this package's node_modules (both
 * are runtime dependencies), by their CommonJS entry.
 */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(id) as T);
}
