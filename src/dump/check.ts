import { isUtf8 } from 'node:buffer';
import { StoreError } from '../errors.js';
import { DOMAIN_RULES, type EventRules } from '../domain/rules.js';
import { encode } from '../log/codec.js';
import type { StoredEvent } from '../log/envelope.js';
import { toJsonValue } from '../log/json-value.js';
import type { SchemaRegistry } from '../log/schema-registry.js';
import { describePosition, type Position } from './format.js';

/**
 * The checks every event of a dump or a backup passes before a single key is written, the same
 * for `load` and `restore`, and the same an append makes: plain JSON data (no `__proto__` key, no
 * half surrogate pair, nesting within the limit, integers JSON carries exactly), the envelope and
 * data schemas, the domain rules on the event alone, an id not seen before in the file, and bytes
 * that decode to exactly that event (msgpack decoders quietly replace bad UTF-8 and rename
 * `__proto__`). Rules against the views are checked as the events are appended or replayed.
 */
export class IncomingEvents {
  private readonly ids = new Set<string>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly rules: EventRules = DOMAIN_RULES,
  ) {}

  /** The event as the store will keep it; throws DUMP_CORRUPT naming the position, the seq and the rule. */
  check(raw: Record<string, unknown>, where: Position, bytes: Buffer): StoredEvent {
    const type = typeof raw.type === 'string' ? raw.type : 'unknown';
    let event: StoredEvent;
    try {
      // one level up from append's `data`, so the nesting limit counts the same
      event = toJsonValue(raw, type, '', -1) as StoredEvent;
      this.registry.validate(event);
      this.checkBytes(event, bytes);
      this.rules.checkAlone(this.registry.upcast(event));
    } catch (err) {
      throw refusedAt(where, raw, err);
    }
    if (this.ids.has(event.id)) throw refusedAt(where, raw, new StoreError('DUMP_CORRUPT', `event id ${event.id} appears twice`));
    this.ids.add(event.id);
    return event;
  }

  private checkBytes(event: StoredEvent, bytes: Buffer): void {
    // a frame's 4-byte length of at most 64 MiB starts with a byte below 5; a JSON line never does
    if (bytes.length === 0 || bytes[0]! > 4) {
      if (!isUtf8(bytes)) throw new StoreError('DUMP_CORRUPT', 'the line holds bytes that are not UTF-8');
      return;
    }
    // Our own dumps frame the log's stored bytes, which re-encode identically; another encoder's
    // may differ in integer widths, which is harmless, so only a changed string or key is refused.
    if (encode(event).equals(bytes.subarray(4))) return;
    const changed = alteredByDecoding(event);
    if (changed) throw new StoreError('DUMP_CORRUPT', `${changed}, which msgpack decoding does not keep as written`);
  }
}

/** A refused record as DUMP_CORRUPT: where it is, which event, which rule. */
export function refusedAt(where: Position, raw: Record<string, unknown> | StoredEvent, err: unknown): StoreError {
  if (!(err instanceof StoreError)) return err as StoreError;
  const d = err.details ?? {};
  if (err.code === 'DUMP_CORRUPT' && ('line' in d || 'offset' in d)) return err;
  const seq = typeof raw.seq === 'number' ? raw.seq : undefined;
  const rule = err.code === 'DUMP_CORRUPT' || err.code === 'VALIDATION_FAILED' ? '' : ` (rule ${err.code})`;
  return new StoreError('DUMP_CORRUPT', `${describePosition(where)}: ${err.message}${rule}`, {
    cause: err,
    details: { ...d, ...where, ...(seq !== undefined ? { seq } : {}), rule: err.code },
    hint: 'the dump or backup holds an event this store refuses; nothing was written',
  });
}

/** What in a decoded msgpack value may not be what its bytes said: U+FFFD (bad UTF-8) or `__proto_`. */
function alteredByDecoding(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\uFFFD') ? `${path || '/'} holds U+FFFD (bytes that are not UTF-8, or half a surrogate pair)` : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = alteredByDecoding(value[i], `${path}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto_') return `${path}/__proto_ may be a __proto__ key`;
      if (k.includes('\uFFFD')) return `${path}/${k} holds U+FFFD (bytes that are not UTF-8)`;
      const found = alteredByDecoding(v, `${path}/${k}`);
      if (found) return found;
    }
  }
  return undefined;
}
