import { createHash } from 'node:crypto';

/** Stable JSON: object keys sorted, so equal content always hashes the same. */
export function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * A UUID-shaped id derived from its parts (sha256): the same legacy content always gets the same
 * event or project id, so re-importing it is a no-op for the log.
 */
export function derivedId(...parts: readonly string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The stream of a legacy file's provenance events. */
export const legacyStream = (file: string): string => `legacy-${createHash('sha256').update(file).digest('hex').slice(0, 32)}`;
