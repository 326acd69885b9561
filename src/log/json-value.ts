import { ValidationError } from '../errors.js';

/**
 * A deep copy that keeps only what JSON can carry (and so what dumps can round-trip): plain objects,
 * arrays, strings, finite numbers, booleans and null. Undefined properties are dropped. The copy
 * also means a caller mutating its input after append cannot change what was stored.
 */
export function toJsonValue(value: unknown, type: string, path: string, depth = 0): unknown {
  if (depth > 64) throw new ValidationError(type, path, 'is nested deeper than 64 levels');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(type, path, 'must be a finite number');
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toJsonValue(v, type, `${path}/${i}`, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new ValidationError(type, path, 'must be plain JSON data');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJsonValue(v, type, `${path}/${k}`, depth + 1);
    }
    return out;
  }
  throw new ValidationError(type, path, `must be JSON data, not ${typeof value}`);
}
