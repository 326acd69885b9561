import { ValidationError } from '../errors.js';

/**
 * A deep copy that keeps only what JSON can carry (and so what dumps can round-trip): plain objects,
 * arrays, strings, finite numbers (BigInts within ±2^53 become numbers), booleans and null.
 * Undefined properties are dropped. The copy
 * also means a caller mutating its input after append cannot change what was stored.
 */
export function toJsonValue(value: unknown, type: string, path: string, depth = 0): unknown {
  if (depth > 64) throw new ValidationError(type, path, 'is nested deeper than 64 levels');
  if (typeof value === 'string') return wellFormed(value, type, path);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(type, path, 'must be a finite number');
    return value;
  }
  if (typeof value === 'bigint') {
    // msgpack decodes every 64-bit integer as a BigInt, which JSON cannot carry: one that a
    // double holds exactly becomes a number, a bigger one is refused rather than rounded
    if (value >= -MAX_EXACT && value <= MAX_EXACT) return Number(value);
    throw new ValidationError(type, path, `is the integer ${value}, beyond ±2^53 that JSON numbers carry exactly`);
  }
  if (Array.isArray(value)) return value.map((v, i) => toJsonValue(v, type, `${path}/${i}`, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new ValidationError(type, path, 'must be plain JSON data');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // msgpack decoding renames `__proto__` (a guard against prototype pollution), so it could
      // never be read back as written: refuse it rather than store something else
      if (k === '__proto__') throw new ValidationError(type, `${path}/${k}`, 'is a key the store cannot keep');
      if (v !== undefined) out[wellFormed(k, type, `${path}/${k}`)] = toJsonValue(v, type, `${path}/${k}`, depth + 1);
    }
    return out;
  }
  throw new ValidationError(type, path, `must be JSON data, not ${typeof value}`);
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Keys and values are stored as UTF-8, which has no form for half of a surrogate pair: such a
 * string would come back as U+FFFD and two different names would share one index key.
 */
export function wellFormed(value: string, type: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new ValidationError(type, path, 'is not well-formed Unicode (it holds half of a surrogate pair)');
  return value;
}
