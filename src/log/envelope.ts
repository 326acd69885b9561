import type { EventDataMap, EventType } from '../generated/events.js';

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

/** Normalise any ISO-8601 time to the envelope's form (UTC, milliseconds); undefined if invalid. */
export function normaliseAt(value: string | Date): string | undefined {
  const d = value instanceof Date ? value : new Date(value);
  const t = d.getTime();
  return Number.isFinite(t) ? d.toISOString() : undefined;
}
