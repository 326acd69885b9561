import { pythonJson } from '../legacy/python-json.js';
import type { Upcaster } from './schema-registry.js';

const KNOWN_PROJECT = ['path', 'created', 'modified', 'description', 'tags'];
const KNOWN_ENTRY = ['timestamp', 'action', 'description', 'user'];

/**
 * v1 kept a legacy entry's unknown keys as `extra` (known keys first on export); v2 keeps the
 * whole entry as written in `legacy.entry`. The v1 entry is rebuilt in the order v1 wrote it.
 */
const entryFrom = (d: Record<string, unknown>, known: string[]): { entry: string } => {
  const extra = Object.entries((d.extra ?? {}) as Record<string, unknown>).filter(([k]) => !known.includes(k));
  const own = known.filter((k) => d[k] !== undefined).map((k) => [k, d[k]] as [string, unknown]);
  return { entry: pythonJson(new Map([...own, ...extra])) };
};

const dropExtra = (d: Record<string, unknown>): Record<string, unknown> => {
  const { extra: _extra, ...rest } = d;
  return rest;
};

/** The built-in upcasters: [type, from version, lift to from + 1]. */
export const BUILT_IN_UPCASTERS: ReadonlyArray<readonly [string, number, Upcaster]> = [
  ['project.registered', 1, (d) => (d.extra ? { ...dropExtra(d), legacy: entryFrom(d, KNOWN_PROJECT) } : d)],
  // A v1 update's `extra` cannot be rebuilt into a whole entry without the row; v1 export wrote
  // the unknown keys of the registration only, so nothing a v1 store exported is lost.
  ['project.updated', 1, (d) => dropExtra(d)],
  ['workflow.recorded', 1, (d) => (d.extra ? { ...dropExtra(d), legacy: entryFrom(d, KNOWN_ENTRY) } : d)],
  ['workflow.synced', 1, (d) => d],
];
