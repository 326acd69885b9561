import { normaliseAt } from '../log/envelope.js';

/**
 * A time the way Python's `datetime.now(timezone.utc).isoformat()` writes it:
 * `2024-03-01T09:00:00.250000+00:00`, the fraction dropped when it is zero.
 */
export function pythonIso(at: string | Date): string {
  const iso = typeof at === 'string' ? (normaliseAt(at) ?? at) : at.toISOString();
  const [, base, ms] = /^(.*T\d{2}:\d{2}:\d{2})\.(\d{3})Z$/.exec(iso) ?? [];
  if (base === undefined || ms === undefined) return iso;
  return ms === '000' ? `${base}+00:00` : `${base}.${ms}000+00:00`;
}

/** A sortable key for a legacy time that may be null or unparsable (those sort first). */
export const timeSortKey = (t: string | null | undefined): string => (t ? (normaliseAt(t) ?? '') : '');
