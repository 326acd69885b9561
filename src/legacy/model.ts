/**
 * The lossless model of the Python tool's files, and its mapping to and from the store.
 *
 * Interface (what sync, migrate and export build on):
 *
 *   parseRegistryModel(text, file)  registry bytes (as text) → RegistryModel: the projects in file
 *                                   order, each with its entry exactly as written (`value`, a
 *                                   PyValue tree: key order, raw numbers, odd values) and a typed
 *                                   view for the store (path as written, description, tags,
 *                                   created, modified, `flags` naming what was odd); `layout` is
 *                                   the top-level object (projects, active, version, unknown keys)
 *                                   in file order. Throws LEGACY_INVALID_JSON / LEGACY_BAD_SHAPE
 *                                   only where the Python tool itself cannot read the file.
 *   parseWorkflowModel(text, file)  the same for a `.pygubu-workflow.json`: `entries` in write
 *                                   order (history or the old changes list), each as written plus
 *                                   typed timestamp/action/description/user and flags; `layout`.
 *   serializeRegistry(model) /      the model back to bytes, as `json.dump(indent=2)` (ensure_ascii,
 *   serializeWorkflow(model)        no trailing newline) writes it: parse → serialize is the
 *                                   identity on every file the Python tool writes.
 *   Model → events: registeredData / updatedData (project entries, with `legacy.entry`, the entry
 *   text), recordedData (a history entry, `legacy.entry`), syncedData (workflow top level,
 *   `legacy.document`), layoutData (registry top level, event `legacy.layout`).
 *   Events → model: registryModelFromViews(views) / workflowModelFromViews(views, row): what the
 *   store holds now, as the Python tool would have written it. An entry the store did not change
 *   since it was imported is written back as it was read; a field the store changed is set in
 *   place (a missing key goes last), as the tool's own update does.
 *
 * The store's text of a raw value is always `pythonJson(value)` at indent 0 (`RawJson` embeds it
 * at any depth), so raw values survive msgpack, LevelDB keys and dumps unchanged.
 */
import { wellFormedText } from '../lib/text.js';
import { StoreError } from '../errors.js';
import type { ProjectRow } from '../projections/projects.js';
import type { SyncState, WorkflowEntry } from '../projections/workflow.js';
import type { Views } from '../queries/index.js';
import { parsePyJson, pyFloat, PyJsonError, PyNumber, pyString, pythonJson, RawJson, type PyValue } from './python-json.js';

export interface LegacyProjectEntry {
  /** The key of `projects`, as written (any string). */
  name: string;
  /** The entry as written: an object, an old plain path string, or whatever the file holds. */
  value: PyValue;
  /** pythonJson(value): what export writes back while the store leaves the project alone. */
  text: string;
  /** Typed view. `path` is as written (not resolved); undefined when the entry has no string path. */
  path: string | undefined;
  description: string;
  tags: string[];
  created: string | null;
  modified: string | null;
  /** What the typed view had to substitute (reported; the entry itself is kept as written). */
  flags: string[];
}

export interface RegistryModel {
  /** Top-level keys in file order; the value under "projects" is a placeholder (see projects). */
  layout: Map<string, PyValue>;
  projects: LegacyProjectEntry[];
  /** `active_project` (the old name) wins over `active` when both are set, as in the tool. */
  active: string | null;
}

export interface LegacyEntry {
  value: PyValue;
  text: string;
  /** Typed view: null when the entry has no string timestamp. */
  timestamp: string | null;
  action: string;
  description: string;
  user?: string | null;
  flags: string[];
}

export type WorkflowFormat = 'history' | 'changes' | 'none';

export interface WorkflowModel {
  /** Top-level keys in file order; the value under the format's list key is a placeholder. */
  layout: Map<string, PyValue>;
  format: WorkflowFormat;
  entries: LegacyEntry[];
  /** Typed file-sync state (NaN/Infinity mtimes and non-string hashes left out; the layout keeps them). */
  sync: SyncState;
}

const isMap = (v: PyValue | undefined): v is Map<string, PyValue> => v instanceof Map;

const typeOf = (v: PyValue | undefined): string =>
  v === undefined ? 'missing' : v === null ? 'null' : Array.isArray(v) ? 'a list' : v instanceof Map ? 'an object' : v instanceof PyNumber ? 'a number' : `a ${typeof v}`;

/** Text the store can keep (UTF-8 has no form for half a surrogate pair). */
const storable = (s: string): string => wellFormedText(s);

const badShape = (file: string, what: string): StoreError => new StoreError('LEGACY_BAD_SHAPE', `${file}: ${what}`);

export function parsePyFile(text: string, file: string): PyValue {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return parsePyJson(body);
  } catch (cause) {
    if (!(cause instanceof PyJsonError)) throw cause;
    const before = body.slice(0, cause.position);
    const where =
      cause.position >= body.length ? ' (it ends too early: truncated?)' : ` at line ${before.split('\n').length} column ${cause.position - before.lastIndexOf('\n')}`;
    throw new StoreError('LEGACY_INVALID_JSON', `${file} is not valid JSON${where}`, { cause, hint: 'restore it from a backup, or fix it by hand' });
  }
}

const timeOf = (v: PyValue | undefined, field: string, flags: string[]): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return storable(v);
  flags.push(`"${field}" is ${typeOf(v)}; kept as written`);
  return null;
};

function typedProject(name: string, value: PyValue): LegacyProjectEntry {
  const flags: string[] = [];
  const text = pythonJson(value);
  const base = { name, value, text, flags, description: '', tags: [] as string[], created: null, modified: null };
  if (typeof value === 'string') return { ...base, path: storable(value) };
  if (!isMap(value)) {
    flags.push(`the entry is ${typeOf(value)}, not an object or a path; kept as written`);
    return { ...base, path: undefined };
  }
  const path = value.get('path');
  if (typeof path !== 'string') flags.push(`"path" is ${typeOf(path)}; kept as written, no directory to read`);
  const description = value.get('description');
  if (description !== undefined && typeof description !== 'string') flags.push(`"description" is ${typeOf(description)}; kept as written`);
  const tags = value.get('tags');
  let typedTags: string[] = [];
  if (Array.isArray(tags)) {
    typedTags = tags.filter((t): t is string => typeof t === 'string').map(storable);
    if (typedTags.length !== tags.length) flags.push('"tags" holds values that are not strings; kept as written');
  } else if (tags !== undefined) flags.push(`"tags" is ${typeOf(tags)}; kept as written`);
  return {
    ...base,
    path: typeof path === 'string' ? storable(path) : undefined,
    description: typeof description === 'string' ? storable(description) : '',
    tags: typedTags,
    created: timeOf(value.get('created'), 'created', flags),
    modified: timeOf(value.get('modified'), 'modified', flags),
  };
}

/** The registry in any shape the Python tool reads; LEGACY_BAD_SHAPE only where the tool crashes. */
export function parseRegistryModel(text: string, file: string): RegistryModel {
  const doc = parsePyFile(text, file);
  if (Array.isArray(doc)) throw badShape(file, 'the registry is a JSON list; expected an object with a "projects" key');
  if (!isMap(doc)) throw badShape(file, `the registry is ${typeOf(doc)}; expected an object with a "projects" key`);
  const projects = doc.get('projects');
  if (projects === undefined) throw badShape(file, 'the registry has no "projects" key');
  if (!isMap(projects)) throw badShape(file, `"projects" is ${typeOf(projects)}; expected an object of name → project`);
  const layout = new Map(doc);
  layout.set('projects', new Map());
  const old = doc.get('active_project');
  const active = old !== undefined && old !== null ? old : doc.get('active');
  return {
    layout,
    projects: [...projects].map(([name, value]) => typedProject(name, value)),
    active: typeof active === 'string' ? storable(active) : null,
  };
}

function typedEntry(value: PyValue, format: WorkflowFormat, i: number): LegacyEntry {
  const flags: string[] = [];
  const where = `${format === 'changes' ? 'change' : 'history entry'} ${i + 1}`;
  const text = pythonJson(value);
  if (!isMap(value)) {
    flags.push(`${where} is ${typeOf(value)}; kept as written`);
    return { value, text, timestamp: null, action: '', description: '', flags };
  }
  const ts = value.get('timestamp');
  if (typeof ts !== 'string') flags.push(`${where}: "timestamp" is ${typeOf(ts)}; kept as written`);
  const timestamp = typeof ts === 'string' ? storable(ts) : null;
  if (format === 'changes') {
    const file = value.get('file');
    if (typeof file !== 'string') flags.push(`${where}: "file" is ${typeOf(file)}; kept as written`);
    return { value, text, timestamp, action: 'file_changed', description: `File ${typeof file === 'string' ? storable(file) : ''} changed`, flags };
  }
  const action = value.get('action');
  if (typeof action !== 'string') flags.push(`${where}: "action" is ${typeOf(action)}; kept as written`);
  const description = value.get('description');
  if (description !== undefined && typeof description !== 'string') flags.push(`${where}: "description" is ${typeOf(description)}; kept as written`);
  const user = value.get('user');
  if (user !== undefined && user !== null && typeof user !== 'string') flags.push(`${where}: "user" is ${typeOf(user)}; kept as written`);
  return {
    value,
    text,
    timestamp,
    action: typeof action === 'string' ? storable(action) : '',
    description: typeof description === 'string' ? storable(description) : '',
    ...(user === null ? { user: null } : typeof user === 'string' ? { user: storable(user) } : {}),
    flags,
  };
}

/** A workflow file: `changes` (old) wins over `history` when both are there, as in the tool. */
export function parseWorkflowModel(text: string, file: string): WorkflowModel {
  const doc = parsePyFile(text, file);
  if (Array.isArray(doc)) throw badShape(file, 'the workflow file is a JSON list; expected an object with "history"');
  if (!isMap(doc)) throw badShape(file, `the workflow file is ${typeOf(doc)}; expected an object with "history"`);
  const format: WorkflowFormat = doc.has('changes') ? 'changes' : doc.has('history') ? 'history' : 'none';
  const layout = new Map(doc);
  let entries: LegacyEntry[] = [];
  if (format !== 'none') {
    const list = doc.get(format);
    if (!Array.isArray(list)) throw badShape(file, `"${format}" is ${typeOf(list)}, expected a list`);
    entries = list.map((v, i) => typedEntry(v, format, i));
    layout.set(format, []);
  }
  const hashes = doc.get('file_hashes');
  const mtimes = doc.get('file_mtimes');
  const last = doc.get('last_sync');
  const sync: SyncState = {
    file_hashes: isMap(hashes) ? Object.fromEntries([...hashes].filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '__proto__').map(([k, v]) => [storable(k), storable(v)])) : {},
    file_mtimes: isMap(mtimes)
      ? Object.fromEntries(
          [...mtimes].filter((e): e is [string, PyNumber] => e[1] instanceof PyNumber && Number.isFinite(e[1].value) && e[0] !== '__proto__').map(([k, v]) => [storable(k), v.value]),
        )
      : {},
    last_sync: typeof last === 'string' ? storable(last) : null,
  };
  return { layout, format, entries, sync };
}

const withPlaceholder = (layout: Map<string, PyValue>, key: string, value: unknown): Map<string, unknown> => {
  const out = new Map<string, unknown>(layout);
  out.set(key, value);
  return out;
};

export function serializeRegistry(model: RegistryModel): string {
  const projects = new Map(model.projects.map((p) => [p.name, new RawJson(p.text)]));
  return pythonJson(withPlaceholder(model.layout, 'projects', projects));
}

export function serializeWorkflow(model: WorkflowModel): string {
  if (model.format === 'none') return pythonJson(model.layout);
  return pythonJson(withPlaceholder(model.layout, model.format, model.entries.map((e) => new RawJson(e.text))));
}

// ---- model → events ------------------------------------------------------------------------

/** What a legacy project entry adds to its events: the entry text, and the key when not storable. */
export interface LegacyProjectData {
  entry: string;
  /** pyString(name), when the name holds half a surrogate pair (the typed name cannot keep it). */
  key?: string;
}

const legacyOf = (p: LegacyProjectEntry): LegacyProjectData => ({ entry: p.text, ...(storable(p.name) !== p.name ? { key: pyString(p.name) } : {}) });

/** project.registered data for an entry; `path` is the store's resolved path of it. */
export const registeredData = (p: LegacyProjectEntry, path: string) => ({
  name: storable(p.name),
  path,
  description: p.description,
  tags: p.tags,
  created: p.created,
  modified: p.modified,
  legacy: legacyOf(p),
});

export const updatedData = (p: LegacyProjectEntry, path: string) => ({
  description: p.description,
  tags: p.tags,
  path,
  modified: p.modified,
  legacy: legacyOf(p),
});

export const recordedData = (e: LegacyEntry) => ({
  timestamp: e.timestamp,
  action: e.action,
  description: e.description,
  ...(e.user !== undefined ? { user: e.user } : {}),
  legacy: { entry: e.text },
});

export const syncedData = (m: WorkflowModel) => ({ ...m.sync, legacy: { document: pythonJson(m.layout), format: m.format } });

export const layoutData = (m: RegistryModel) => ({ document: pythonJson(m.layout) });

// ---- events (views) → model ----------------------------------------------------------------

/** The fields a store command can change, in the order the tool's update sets them. */
const FIELDS = ['path', 'description', 'tags', 'modified'] as const;

/** A project's registry entry as the tool would write it now. */
export function entryOfRow(row: ProjectRow): LegacyProjectEntry {
  const typed = { name: row.legacy?.key !== undefined ? (parsePyJson(row.legacy.key) as string) : row.name, path: row.path, description: row.description, tags: row.tags, created: row.created, modified: row.modified, flags: [] };
  if (row.legacy && row.legacy.dirty.length === 0) return { ...typed, value: null, text: row.legacy.entry };
  let value: Map<string, PyValue>;
  if (row.legacy) {
    const was = parsePyJson(row.legacy.entry);
    value = was instanceof Map ? was : new Map<string, PyValue>([['path', typeof was === 'string' ? was : row.path], ['created', null], ['modified', null], ['description', ''], ['tags', []]]);
    for (const f of FIELDS) if (row.legacy.dirty.includes(f)) value.set(f, row[f]);
  } else {
    value = new Map<string, PyValue>([['path', row.path], ['created', row.created], ['modified', row.modified], ['description', row.description], ['tags', row.tags]]);
  }
  return { ...typed, value, text: pythonJson(value) };
}

const DEFAULT_LAYOUT = (): Map<string, PyValue> => new Map<string, PyValue>([['projects', new Map()], ['active', null]]);

/** The registry as the tool would write it from what the store holds: projects in registration order. */
export async function registryModelFromViews(views: Views): Promise<{ model: RegistryModel; rows: ProjectRow[] }> {
  const rows = await views.projects.list({ sort: 'order' });
  const active = (await views.projects.active())?.name ?? null;
  const stored = await views.projects.layout();
  const layout = stored ? (parsePyJson(stored.document) as Map<string, PyValue>) : DEFAULT_LAYOUT();
  if (!stored || stored.activeChanged) {
    if (layout.has('active_project')) layout.set('active_project', active);
    if (layout.has('active') || !layout.has('active_project')) layout.set('active', active);
  }
  return { model: { layout, projects: rows.map(entryOfRow), active }, rows };
}

/** The Python tool keeps only this many history entries in a workflow file. */
export const HISTORY_KEPT = 100;

export const entryText = (e: WorkflowEntry): string =>
  e.legacy?.entry ??
  pythonJson(new Map<string, unknown>([['timestamp', e.timestamp], ['action', e.action], ['description', e.description], ...(e.user !== undefined ? [['user', e.user] as [string, unknown]] : [])]));

/** A project's workflow file as the tool would write it now (undefined: the store has nothing for it). */
export async function workflowModelFromViews(views: Views, row: ProjectRow): Promise<{ model: WorkflowModel; text: string } | undefined> {
  const [entries, sync] = await Promise.all([views.history.list(row.id, { limit: HISTORY_KEPT }), views.history.syncState(row.id)]);
  if (entries.length === 0 && !sync) return undefined;
  const legacy = entries.map((e): LegacyEntry => ({ value: null, text: entryText(e), timestamp: e.timestamp, action: e.action, description: e.description, flags: [] }));
  const state: SyncState = { file_hashes: sync?.file_hashes ?? {}, file_mtimes: sync?.file_mtimes ?? {}, last_sync: sync?.last_sync ?? null };
  let layout: Map<string, PyValue>;
  let format: WorkflowFormat;
  if (sync?.legacy) {
    layout = parsePyJson(sync.legacy.document) as Map<string, PyValue>;
    format = sync.legacy.format === 'none' && entries.length > 0 ? 'history' : sync.legacy.format;
  } else {
    const mtimes = new Map(Object.entries(state.file_mtimes).map(([k, v]) => [k, new PyNumber(pyFloat(v))] as [string, PyValue]));
    layout = new Map<string, PyValue>([
      ['project', row.name],
      ['history', []],
      ['last_sync', state.last_sync],
      ['version', '1.0'],
      ['file_hashes', new Map(Object.entries(state.file_hashes))],
      ['file_mtimes', mtimes],
    ]);
    format = 'history';
  }
  const model: WorkflowModel = { layout, format, entries: legacy, sync: state };
  return { model, text: serializeWorkflow(model) };
}
