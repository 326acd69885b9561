import type { EventDataMap, EventType } from '../generated/events.js';
import { daysInMonth } from '../lib/calendar.js';

export type { EventDataMap, EventType };
export type EventSource = 'cli' | 'api' | 'import' | 'sync';

export interface EventMeta {
  source: EventSource;
  actor?: string;
  correlationId?: string;
  causationId?: string;
}

/** The envelope as the log stores it (docs/database.md, "Events"). */
export interface StoredEvent<T extends string = string, D = Record<string, unknown>> {
  readonly seq: number;
  readonly id: string;
  readonly stream: string;
  readonly version: number;
  readonly type: T;
  readonly v: number;
  readonly at: string;
  readonly data: D;
  readonly meta: EventMeta;
}

/** A stored event of a built-in type, upcast to that type's newest schema. */
export type KnownEvent = { [K in EventType]: StoredEvent<K, EventDataMap[K]> }[EventType];
export type EventOf<K extends EventType> = StoredEvent<K, EventDataMap[K]>;

/** What a caller appends; the log assigns seq and version, and fills defaults. */
export type NewEvent = {
  [K in EventType]: {
    id?: string;
    stream: string;
    type: K;
    v?: number;
    at?: string;
    data: EventDataMap[K];
    meta?: Partial<EventMeta>;
  };
}[EventType];

/** Appending a type that only a test or plug-in registered at run time. */
export interface NewEventOfAnyType {
  id?: string;
  stream: string;
  type: string;
  v?: number;
  at?: string;
  data: Record<string, unknown>;
  meta?: Partial<EventMeta>;
}

const CANONICAL_AT = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * Whether a string already is the envelope's form of a real time, so that normalising would give
 * it back unchanged (Date would roll 02-30 over into March, so the day is checked too). Most times
 * arrive in that form — the log's own, and legacyAt's — and a Date round trip costs four times more.
 */
function isCanonicalAt(value: string): boolean {
  const m = CANONICAL_AT.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Normalise any ISO-8601 time to the envelope's form (UTC, milliseconds); undefined if invalid. */
export function normaliseAt(value: string | Date): string | undefined {
  if (typeof value === 'string' && isCanonicalAt(value)) return value;
  const d = value instanceof Date ? value : new Date(value);
  const t = d.getTime();
  return Number.isFinite(t) ? d.toISOString() : undefined;
}
