import type { EventType, KnownEvent } from '../log/envelope.js';
import { viewPrefix } from '../log/keys.js';
import type { Overlay } from '../log/overlay.js';

/** The rows one projection owns, addressed without its `v!<name>!` prefix. */
export interface Rows {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): void;
  del(key: string): void;
  /** The row keys that start with `prefix` (without the projection's prefix), sorted: for rare folds only. */
  keys(prefix: string): Promise<string[]>;
}

/**
 * A projection: a name, a version (bump it and the store rebuilds the view on open), the event
 * types it folds, and a pure fold from (event, current rows) to row puts and deletes.
 */
export interface Projection<T extends EventType = EventType> {
  readonly name: string;
  readonly version: number;
  readonly handles: readonly T[];
  fold(event: Extract<KnownEvent, { type: T }>, rows: Rows): void | Promise<void>;
}

export const defineProjection = <T extends EventType>(p: Projection<T>): Projection<T> => p;

export function scopedRows(overlay: Overlay, projection: string): Rows {
  const prefix = viewPrefix(projection);
  return {
    get: <T>(key: string) => overlay.get<T>(prefix + key),
    put: (key, value) => overlay.put(prefix + key, value),
    del: (key) => overlay.del(prefix + key),
    keys: async (start) => (await overlay.keys(prefix + start)).map((k) => k.slice(prefix.length)),
  };
}

/** The event types → projections table, built once per store. */
export class ProjectionSet {
  private readonly byType = new Map<string, Projection[]>();

  constructor(readonly all: readonly Projection[]) {
    const names = new Set<string>();
    for (const p of all) {
      if (names.has(p.name)) throw new Error(`two projections are named ${p.name}`);
      names.add(p.name);
      for (const t of p.handles) {
        const list = this.byType.get(t) ?? [];
        list.push(p);
        this.byType.set(t, list);
      }
    }
  }

  get(name: string): Projection | undefined {
    return this.all.find((p) => p.name === name);
  }

  subset(names: readonly string[]): ProjectionSet {
    return new ProjectionSet(this.all.filter((p) => names.includes(p.name)));
  }

  versions(): Record<string, number> {
    return Object.fromEntries(this.all.map((p) => [p.name, p.version]));
  }

  /** Fold one (upcast) event into every projection that handles its type. */
  async apply(event: KnownEvent, overlay: Overlay): Promise<void> {
    const list = this.byType.get(event.type);
    if (!list) return;
    for (const p of list) await p.fold(event as never, scopedRows(overlay, p.name));
  }
}
