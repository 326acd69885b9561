import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isStoreError, StoreError } from '../errors.js';
import { decode, encode } from '../log/codec.js';
import type { EventMeta, NewEvent } from '../log/envelope.js';
import { projectIdOf, projectKeys, projectsProjection, projectStream, type ProjectRow } from '../projections/projects.js';
import type { Rows } from '../projections/projection.js';
import { safeWorkflowFile } from '../paths.js';
import type { Store } from '../store.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import type { ExportReport } from './export.js';
import { canonical, derivedId, legacyStream } from './ids.js';
import { appendNew, asReportError, LAYOUT_STREAM, legacyProjectId, loadWorkflow, planWorkflow, pool, resolveEntryPaths, txSide, validateEvents, type FileReport } from './import.js';
import { withRegistryLock } from './lock.js';
import { entryOfRow, layoutData, parseRegistryModel, registeredData, registryModelFromViews, serializeRegistry, updatedData, workflowModelFromViews, type LegacyProjectEntry, type RegistryModel } from './model.js';
import { legacyAt, readLegacyFile, sha256, type LegacyFile } from './parse.js';
import { parsePyJson, pythonJson, type PyValue } from './python-json.js';
import { wellFormedText } from '../lib/text.js';

export interface SyncOptions {
  registryPath: string;
  /** Pull and push workflow files: of every project (true), none (false), or these project ids. */
  workflows?: boolean | ReadonlySet<string>;
  actor?: string;
  /** Projects missing from the registry are removed from the store instead of written back. */
  acceptRemovals?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface SyncConflict {
  project: string;
  field: string;
  winner: 'store' | 'json';
  kept: unknown;
  lost: unknown;
}

export interface PullReport {
  registered: number;
  updated: number;
  removed: string[];
  activated: number;
  history: number;
  files: FileReport[];
  /** In the base, missing from the registry (a stale writer dropped them): written back. */
  restored: string[];
  /** Not in the base, stale copies of projects the store removed or renamed: not imported. */
  staleIgnored: string[];
  /** Entries that differ from the base without a newer `modified`: the store's values written back. */
  staleOverwritten: string[];
  conflicts: SyncConflict[];
  /** Registry entries the store cannot hold: left in the file as they were. */
  refused: Array<{ name: string; reason: string }>;
  /** Reads that met a half-written registry before a whole one. */
  tornReads: number;
}

export interface SyncReport {
  registry: string;
  /** What came in from the JSON files (events with meta.source = "sync"). */
  pulled: PullReport;
  warnings: string[];
  pushed: ExportReport;
  ms: number;
}

/** A sync's base, as its `legacy.synced` event recorded it. */
export interface SyncBase {
  seq: number;
  at: string;
  sha256: string;
  active: string | null;
  refused: RefusedEntry[];
}

/** A registry entry the store's schemas refuse: its key and its text as written, kept in the file. */
interface RefusedEntry {
  name: string;
  entry: string;
  reason: string;
}

/** Registry text and the stat of each file as the last sync left them: a cache, not data. */
interface FileStamps {
  baseSeq: number;
  registry: string | null;
  workflows: Record<string, string | null>;
}

const stampKey = (registryPath: string): string => `m!legacy-stamps!${legacyStream(registryPath)}`;

/** The file's identity and change marks (inode, size, mtime, ctime), or null when it is not there. */
export async function fileStamp(path: string): Promise<string | null> {
  const s = await stat(path, { bigint: true }).catch(() => undefined);
  return s ? `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` : null;
}

/** The last sync of this registry: the newest `legacy.synced` event in its stream. */
export async function readBase(store: Store, registryPath: string): Promise<SyncBase | undefined> {
  const stream = legacyStream(registryPath);
  let fromVersion: number | undefined;
  for (;;) {
    const page = await store.log.readStream(stream, { direction: 'backward', limit: 200, ...(fromVersion !== undefined ? { fromVersion } : {}) });
    const hit = page.find((e) => e.type === 'legacy.synced');
    if (hit) {
      const d = hit.data as { sha256: string; active: string | null; refused: RefusedEntry[] };
      return { seq: hit.seq, at: hit.at, sha256: d.sha256, active: d.active, refused: d.refused };
    }
    const last = page[page.length - 1];
    if (page.length < 200 || !last || last.version <= 1) return undefined;
    fromVersion = last.version - 1;
  }
}

async function readStamps(store: Store, registryPath: string): Promise<FileStamps | undefined> {
  const buf = await store.db.get(stampKey(registryPath));
  return buf === undefined ? undefined : decode<FileStamps>(buf);
}

/**
 * The cheap check a hybrid read makes: did the registry or a live project's workflow file change
 * since the last sync (by stat)? No base or no stamps count as changed.
 */
export async function changedSinceSync(store: Store, registryPath: string): Promise<boolean> {
  const [base, stamps] = await Promise.all([readBase(store, registryPath), readStamps(store, registryPath)]);
  if (!base || !stamps || stamps.baseSeq !== base.seq) return true;
  if ((await fileStamp(registryPath)) !== stamps.registry) return true;
  for (const p of await store.views.projects.list()) {
    const file = safeWorkflowFile(p.path);
    if (file && (await fileStamp(file)) !== (stamps.workflows[p.id] ?? null)) return true;
  }
  return false;
}

/** How long a torn registry is re-read before it counts as broken (a real in-place write takes milliseconds). */
const TORN_RETRY_MS = 2000;

/**
 * The registry as JSON, read under the tool's lock. A tool without filelock writes in place, so a
 * read can meet a half-written file: re-read it for a while before calling it invalid.
 */
async function readRegistryModel(path: string): Promise<{ file: LegacyFile; model: RegistryModel; torn: number } | undefined> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const file = await readLegacyFile(path);
    if (!file) return undefined;
    try {
      return { file, model: parseRegistryModel(file.text, path), torn: attempt };
    } catch (err) {
      if (!isStoreError(err) || err.code !== 'LEGACY_INVALID_JSON') throw err;
      if (Date.now() - started >= TORN_RETRY_MS) {
        throw new StoreError('LEGACY_INVALID_JSON', `${err.message} (read ${attempt + 1} times over ${Date.now() - started} ms); nothing was changed`, { cause: err, hint: err.hint });
      }
      await sleep(Math.min(10 * 2 ** attempt, 200));
    }
  }
}

/**
 * The fields a sync merges one by one. `rest` is the entry without them (created, unknown keys):
 * only the Python tool changes it. `name` is the key; `modified` follows the winner.
 */
const FIELDS = ['path', 'description', 'tags', 'rest'] as const;
type Field = (typeof FIELDS)[number];
const TYPED = new Set(['path', 'description', 'tags', 'modified']);

/** The entry's other keys as text (created, unknown keys), in file order. */
const restOf = (text: string): string => {
  const v = parsePyJson(text);
  return v instanceof Map ? pythonJson(new Map([...v].filter(([k]) => !TYPED.has(k)))) : `raw:${text}`;
};

/** One side's value of a field: a store row (rest from its entry as the tool would write it) or a registry entry. */
interface Sided {
  path: string;
  description: string;
  tags: string[];
  rest: string;
  modified: string | null;
}
const ofRow = (row: ProjectRow): Sided => ({ path: row.path, description: row.description, tags: row.tags, modified: row.modified, rest: restOf(entryOfRow(row).text) });
const ofEntry = (p: LegacyProjectEntry, path: string): Sided => ({ path, description: p.description, tags: p.tags, modified: p.modified, rest: restOf(p.text) });
const fieldOf = (p: Sided, f: Field): unknown => p[f];
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

const timeValue = (t: string | null | undefined): number => {
  const at = t ? legacyAt(t) : undefined;
  return at === undefined ? -Infinity : Date.parse(at);
};
const newer = (a: string | null | undefined, b: string | null | undefined): boolean => timeValue(a) > timeValue(b);

/** A Rows over a Map, for folding one project's stream in memory. */
function memoryRows(): Rows & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async <T>(k: string) => map.get(k) as T | undefined,
    put: (k, v) => void map.set(k, v),
    del: (k) => void map.delete(k),
    keys: async (prefix) => [...map.keys()].filter((k) => k.startsWith(prefix)).sort(),
  };
}

/** A project as its stream had folded it at `seq`, and every earlier value of each field. */
async function projectAt(store: Store, stream: string, seq: number): Promise<{ row: ProjectRow | undefined; earlier: Record<Field, unknown[]> }> {
  const rows = memoryRows();
  const key = projectKeys.byId(projectIdOf(stream));
  const earlier: Record<Field, unknown[]> = { path: [], description: [], tags: [], rest: [] };
  for (const e of await store.log.readStream(stream)) {
    if (e.seq > seq) break;
    const before = rows.map.get(key) as ProjectRow | undefined;
    await projectsProjection.fold(e as never, rows);
    const after = rows.map.get(key) as ProjectRow | undefined;
    if (before && after) {
      const [b, a] = [ofRow(before), ofRow(after)];
      for (const f of FIELDS) if (!same(fieldOf(b, f), fieldOf(a, f))) earlier[f].push(fieldOf(b, f));
    }
  }
  return { row: rows.map.get(key) as ProjectRow | undefined, earlier };
}

interface BaseView {
  byName: Map<string, ProjectRow>;
  /** Project streams the store changed after the base, with the time of their last such change. */
  storeChanged: Map<string, string>;
}

/** The projects as the last sync wrote them: today's rows, refolded up to the base for those changed since. */
async function baseView(store: Store, base: SyncBase): Promise<BaseView> {
  const storeChanged = new Map<string, string>();
  for await (const e of store.log.readAll({ fromSeq: base.seq + 1 })) {
    if (e.stream.startsWith('project-')) storeChanged.set(e.stream, e.at);
  }
  const byName = new Map<string, ProjectRow>();
  for (const row of await store.views.projects.list()) if (!storeChanged.has(projectStream(row.id))) byName.set(row.name, row);
  for (const stream of storeChanged.keys()) {
    const { row } = await projectAt(store, stream, base.seq);
    if (row) byName.set(row.name, row);
  }
  return { byName, storeChanged };
}

/** When the store last removed a project by this name, or renamed one away from it. */
async function goneAt(store: Store, name: string): Promise<string | undefined> {
  let at: string | undefined;
  for (const e of await store.log.readByType('project.removed')) if ((e.data as { name: string }).name === name) at = e.at;
  for (const e of await store.log.readByType('project.renamed')) if ((e.data as { from: string }).from === name && (!at || e.at > at)) at = e.at;
  return at;
}

const emptyPull = (): PullReport => ({
  registered: 0,
  updated: 0,
  removed: [],
  activated: 0,
  history: 0,
  files: [],
  restored: [],
  staleIgnored: [],
  staleOverwritten: [],
  conflicts: [],
  refused: [],
  tornReads: 0,
});

interface PullOutcome {
  report: PullReport;
  warnings: string[];
  /** Entries to write back as they were (the store cannot hold them). */
  refused: RefusedEntry[];
  /** Workflow files read by this pull: project id → stamp. */
  stamps: Record<string, string | null>;
  /** Projects whose workflow file could not be read. */
  broken: Set<string>;
}

/**
 * Pull: the three-way merge of the registry now against the base (what the last sync wrote) and
 * the store now (SPEC §9), then new history of the workflow files. Call it holding the tool's lock.
 */
export async function pullLegacy(store: Store, options: SyncOptions & { base?: SyncBase; onlyChangedWorkflows?: boolean }): Promise<PullOutcome> {
  const meta: Partial<EventMeta> = { source: 'sync', ...(options.actor ? { actor: options.actor } : {}) };
  const report = emptyPull();
  const warnings: string[] = [];
  const registryPath = options.registryPath;
  const base = 'base' in options ? options.base : await readBase(store, registryPath);
  const read = await readRegistryModel(registryPath);
  report.tornReads = read?.torn ?? 0;
  let refusedNow: RefusedEntry[] = base?.refused ?? [];
  if (!read || read.file.sha256 === base?.sha256) report.refused = refusedNow.map((r) => ({ name: r.name, reason: r.reason }));
  else {
    refusedNow = [];
    const groups = await mergeRegistry(store, read.model, base, options, meta, report);
    const accepted: NewEvent[] = [];
    // An entry the schemas refuse is left in the file as it is; it must not stop the others.
    for (const group of groups) {
      try {
        await validateEvents(store.registry, group.events, registryPath);
        accepted.push(...group.events);
        group.count();
      } catch (err) {
        if (!isStoreError(err) || err.code !== 'LEGACY_BAD_SHAPE' || group.entry === undefined) throw err;
        refusedNow.push({ name: group.entry.name, entry: group.entry.text, reason: err.message.replace(`${registryPath}: `, '') });
      }
    }
    const knownRefused = new Map((base?.refused ?? []).map((r) => [r.name, r.entry]));
    for (const r of refusedNow) {
      report.refused.push({ name: r.name, reason: r.reason });
      if (knownRefused.get(r.name) !== r.entry) {
        warnings.push(`${r.name.length > 60 ? `${r.name.slice(0, 57)}...` : r.name}: the store cannot hold this registry entry (${r.reason}); it stays in the file as it is`);
      }
    }
    if (accepted.length > 0) await store.transact(async (tx) => appendNew(tx, accepted));
  }

  const which = options.workflows ?? true;
  const live = which === false ? [] : (await store.views.projects.list()).filter((p) => which === true || which.has(p.id));
  const oldStamps = options.onlyChangedWorkflows ? await readStamps(store, registryPath) : undefined;
  const stamps: Record<string, string | null> = {};
  const broken = new Set<string>();
  await pool(live, 16, async (p) => {
    const path = safeWorkflowFile(p.path);
    if (!path) {
      warnings.push(`${p.name}: its path ${JSON.stringify(p.path)} is not a plain absolute path; its workflow file is neither read nor written`);
      return;
    }
    const stamp = await fileStamp(path);
    stamps[p.id] = stamp;
    if (oldStamps && oldStamps.baseSeq === base?.seq && (oldStamps.workflows[p.id] ?? null) === stamp) return;
    try {
      const loaded = await loadWorkflow(path, store.registry);
      if (!loaded) return;
      const imported = await store.transact(async (tx, views) => {
        const plan = await planWorkflow(loaded.model, loaded.file, p.id, txSide(tx, views), meta, { provenance: true });
        warnings.push(...plan.warnings.map((w) => `${p.name}: ${w}`));
        return (await appendNew(tx, plan.events)).filter((e) => e.type === 'workflow.recorded').length;
      });
      report.history += imported;
      if (imported > 0) report.files.push({ file: path, kind: 'workflow', project: p.name, status: 'imported', imported, skipped: 0 });
    } catch (err) {
      const error = asReportError(err);
      broken.add(p.id);
      delete stamps[p.id];
      report.files.push({ file: path, kind: 'workflow', project: p.name, status: 'error', imported: 0, skipped: 0, error });
      warnings.push(`${p.name}: ${error.message} (${error.code}); its workflow file was left as it is`);
    }
  });
  if (report.restored.length > 0) warnings.push(`restored ${report.restored.length} project${report.restored.length === 1 ? '' : 's'} a stale write dropped: ${report.restored.join(', ')}`);
  if (report.staleIgnored.length > 0) warnings.push(`not imported, stale copies of projects the store removed or renamed: ${report.staleIgnored.join(', ')}`);
  for (const c of report.conflicts) {
    warnings.push(`${c.project}: ${c.field} changed on both sides; the later change (${c.winner === 'store' ? 'the store' : 'the Python tool'}) won, ${JSON.stringify(c.lost)} is kept in the log`);
  }
  return { report, warnings, refused: refusedNow, stamps, broken };
}

/** The events one registry entry leads to, validated together; `count` tallies them once accepted. */
interface EntryEvents {
  entry?: LegacyProjectEntry;
  events: NewEvent[];
  count: () => void;
}

const nowIso = () => new Date().toISOString();

async function mergeRegistry(
  store: Store,
  json: RegistryModel,
  base: SyncBase | undefined,
  options: SyncOptions,
  meta: Partial<EventMeta>,
  report: PullReport,
): Promise<EntryEvents[]> {
  const registry = options.registryPath;
  const view = base ? await baseView(store, base) : undefined;
  const paths = await resolveEntryPaths(json, registry);
  const out: EntryEvents[] = [];
  const seen = new Set<string>();
  const salt = String(base?.seq ?? 0);
  const registered = new Map<string, string>();
  for (const p of json.projects) {
    const name = wellFormedText(p.name);
    if (seen.has(name)) continue; // a name that is not well-formed Unicode reads as another's; the import says so
    seen.add(name);
    const path = paths.get(p.name)?.path ?? '';
    const j = ofEntry(p, path);
    const b = view?.byName.get(name);
    if (b) {
      const bs = ofRow(b);
      const unchanged = entryOfRow(b).text === p.text || (FIELDS.every((f) => same(fieldOf(j, f), fieldOf(bs, f))) && j.modified === bs.modified);
      if (unchanged) continue;
      if (!newer(j.modified, bs.modified)) {
        report.staleOverwritten.push(name);
        continue;
      }
      const s = await store.views.projects.byId(b.id);
      if (!s) {
        // The store removed it after the base and has not written that back yet.
        const removed = await goneAt(store, b.name);
        if (removed !== undefined && !newer(j.modified, removed)) {
          report.staleIgnored.push(name);
          continue;
        }
        out.push(registration(p, path, legacyProjectId(name, `${b.id}:${salt}`), meta, report));
        continue;
      }
      const ss = ofRow(s);
      const { earlier } = await projectAt(store, projectStream(b.id), base!.seq);
      const storeAt = view!.storeChanged.get(projectStream(b.id));
      const storeWins: Field[] = [];
      const conflicts: NewEvent[] = [];
      for (const f of FIELDS) {
        const jv = fieldOf(j, f);
        if (same(jv, fieldOf(bs, f))) {
          if (!same(fieldOf(ss, f), jv)) storeWins.push(f); // only the store changed it
          continue;
        }
        if (same(jv, fieldOf(ss, f))) continue;
        // A value this field had before the base is a stale read of it, not an edit.
        if (earlier[f].some((v) => same(v, jv))) {
          storeWins.push(f);
          continue;
        }
        if (!same(fieldOf(ss, f), fieldOf(bs, f))) {
          const winner = newer(j.modified, storeAt) ? 'json' : 'store';
          const c: SyncConflict = { project: s.name, field: f, winner, kept: winner === 'json' ? jv : fieldOf(ss, f), lost: winner === 'json' ? fieldOf(ss, f) : jv };
          report.conflicts.push(c);
          conflicts.push({
            id: derivedId('sync-conflict', s.id, f, canonical(jv), salt),
            stream: legacyStream(registry),
            type: 'legacy.conflict',
            data: { registry, projectId: s.id, ...c, ...(storeAt ? { storeAt } : {}), jsonModified: j.modified },
            meta,
          });
          if (winner === 'store') storeWins.push(f);
        }
      }
      const taken = FIELDS.filter((f) => !storeWins.includes(f) && !same(fieldOf(j, f), fieldOf(ss, f)));
      if (taken.length === 0) {
        if (conflicts.length > 0) out.push({ events: conflicts, count: () => {} });
        continue;
      }
      // The entry as the tool wrote it, with the fields the store keeps set in place.
      const merged = mergedEntry(p, s, newer(s.modified, j.modified) ? [...storeWins, 'modified'] : storeWins);
      const mergedPath = storeWins.includes('path') ? s.path : path;
      out.push({
        entry: p,
        events: [
          ...conflicts,
          {
            id: derivedId('sync-update', s.id, merged.text, salt),
            stream: projectStream(s.id),
            type: 'project.updated',
            at: legacyAt(j.modified) ?? nowIso(),
            data: updatedData(merged, mergedPath),
            meta,
          },
        ],
        count: () => void report.updated++,
      });
      continue;
    }
    const s = await store.views.projects.byName(name);
    if (s) {
      // The same name on both sides, not in the base: the newer `modified` wins, the store on a tie.
      if (entryOfRow(s).text === p.text || !newer(j.modified, s.modified)) continue;
      out.push({
        entry: p,
        events: [{ id: derivedId('sync-update', s.id, p.text, salt), stream: projectStream(s.id), type: 'project.updated', at: legacyAt(j.modified) ?? nowIso(), data: updatedData(p, path), meta }],
        count: () => void report.updated++,
      });
      continue;
    }
    if (base) {
      // Only a name the store once had can be a stale copy; a name it never knew is a new project.
      const removed = await goneAt(store, name);
      if (removed !== undefined && !newer(j.modified ?? p.created, removed)) {
        report.staleIgnored.push(name);
        continue;
      }
    }
    let id = legacyProjectId(name);
    if ((await store.log.readStream(projectStream(id), { limit: 1 })).length > 0) id = legacyProjectId(name, `${p.text}:${salt}`);
    registered.set(name, id);
    out.push(registration(p, path, id, meta, report));
  }

  if (view) {
    for (const [name, b] of view.byName) {
      if (seen.has(name)) continue;
      const s = await store.views.projects.byId(b.id);
      if (!s || s.name !== name) continue; // the store removed or renamed it: nothing was lost
      if (options.acceptRemovals) {
        out.push({
          events: [{ id: derivedId('sync-remove', s.id, salt), stream: projectStream(s.id), type: 'project.removed', data: { name }, meta }],
          count: () => void report.removed.push(name),
        });
      } else report.restored.push(name);
    }
  }

  // The top level (version, unknown keys) as the tool wrote it, then the active project.
  const layout = layoutData(json);
  if ((await store.views.projects.layout())?.document !== layout.document) {
    out.push({ events: [{ id: derivedId('sync-layout', layout.document, salt), stream: LAYOUT_STREAM, type: 'legacy.layout', data: layout, meta }], count: () => {} });
  }
  const jActive = json.active;
  const sActive = (await store.views.projects.active())?.name ?? null;
  const changedByJson = base ? jActive !== base.active : jActive !== null;
  const changedByStore = base ? sActive !== base.active : false;
  if (jActive !== null && changedByJson && !changedByStore && jActive !== sActive) {
    const id = (await store.views.projects.byName(jActive))?.id ?? registered.get(jActive);
    if (id !== undefined) {
      out.push({
        events: [{ id: derivedId('sync-active', jActive, salt, String(sActive)), stream: projectStream(id), type: 'project.activated', data: { name: jActive }, meta }],
        count: () => void report.activated++,
      });
    }
  } else if (sActive !== null && jActive !== sActive && out.some((g) => g.events.some((e) => e.type === 'legacy.layout'))) {
    // The layout just read names the file's active; the store's own choice stands over it.
    const id = (await store.views.projects.byName(sActive))!.id;
    out.push({ events: [{ id: derivedId('sync-active-kept', sActive, salt, String(jActive)), stream: projectStream(id), type: 'project.activated', data: { name: sActive }, meta }], count: () => {} });
  }
  return out;
}

/** The registry entry `p` with the fields the store keeps (store's values) set in place. */
function mergedEntry(p: LegacyProjectEntry, s: ProjectRow, storeWins: ReadonlyArray<Field | 'modified'>): LegacyProjectEntry {
  const typed = storeWins.filter((f): f is Exclude<Field | 'modified', 'rest'> => f !== 'rest');
  if (typed.length === 0 && !storeWins.includes('rest')) return p;
  let value: PyValue = p.value;
  if (storeWins.includes('rest')) {
    const mine = parsePyJson(entryOfRow(s).text);
    value = mine instanceof Map ? new Map([...mine].map(([k, v]) => [k, p.value instanceof Map && TYPED.has(k) && p.value.has(k) ? p.value.get(k)! : v])) : value;
  }
  if (!(value instanceof Map)) return p;
  const next = new Map(value);
  for (const f of typed) next.set(f, s[f] as PyValue);
  const text = pythonJson(next);
  return {
    ...p,
    value: next,
    text,
    ...(typed.includes('description') ? { description: s.description } : {}),
    ...(typed.includes('tags') ? { tags: s.tags } : {}),
    ...(typed.includes('modified') ? { modified: s.modified } : {}),
  };
}

function registration(p: LegacyProjectEntry, path: string, id: string, meta: Partial<EventMeta>, report: PullReport): EntryEvents {
  return {
    entry: p,
    events: [{
      id: derivedId('sync-register', id, p.text),
      stream: projectStream(id),
      type: 'project.registered',
      at: legacyAt(p.created) ?? legacyAt(p.modified) ?? nowIso(),
      data: registeredData(p, path),
      meta,
    }],
    count: () => void report.registered++,
  };
}

/**
 * Push: write the store's state to the registry (atomically, with the entries the store refused
 * left as they were) and to the chosen projects' workflow files, then record the new base. Call it
 * holding the tool's lock.
 */
export async function pushLegacy(
  store: Store,
  options: { registryPath: string; workflows: boolean | ReadonlySet<string>; refused: RefusedEntry[]; stamps?: Record<string, string | null>; counts?: Record<string, number>; actor?: string },
): Promise<ExportReport> {
  const started = performance.now();
  const { model, rows } = await registryModelFromViews(store.views);
  // An entry the store refused goes back as the tool wrote it: in place of the store's, or last.
  const kept = options.refused;
  for (const r of kept) {
    const entry: LegacyProjectEntry = { name: r.name, value: null, text: r.entry, path: undefined, description: '', tags: [], created: null, modified: null, flags: [] };
    const at = model.projects.findIndex((p) => p.name === r.name);
    if (at >= 0) model.projects[at] = entry;
    else model.projects.push(entry);
  }
  const text = serializeRegistry(model);
  await writeFileAtomic(options.registryPath, text, { keepMode: true, followLinks: true });
  const report: ExportReport = { registry: options.registryPath, registrySha256: sha256(text), projects: rows.length, workflowFiles: [], skipped: [], ms: 0 };
  const which = options.workflows;
  const chosen = which === false ? [] : which === true ? rows : rows.filter((p) => which.has(p.id));
  const old = await readStamps(store, options.registryPath);
  const stamps: Record<string, string | null> = { ...(old?.workflows ?? {}), ...(options.stamps ?? {}) };
  for (const p of chosen) {
    const file = safeWorkflowFile(p.path);
    if (!file) {
      report.skipped.push({ project: p.name, reason: `its path ${JSON.stringify(p.path)} is not a plain absolute path` });
      continue;
    }
    const wf = await workflowModelFromViews(store.views, p);
    if (!wf) continue;
    if (!(await stat(p.path).catch(() => undefined))?.isDirectory()) {
      report.skipped.push({ project: p.name, reason: `directory ${p.path} does not exist` });
      continue;
    }
    try {
      await writeFileAtomic(file, wf.text, { keepMode: true, followLinks: true });
      report.workflowFiles.push({ project: p.name, file, entries: wf.model.entries.length });
      stamps[p.id] = await fileStamp(file);
    } catch (err) {
      if (!isStoreError(err)) throw err;
      report.skipped.push({ project: p.name, reason: err.message });
    }
  }
  const active = (await store.views.projects.active())?.name ?? null;
  const meta: Partial<EventMeta> = { source: 'sync', ...(options.actor ? { actor: options.actor } : {}) };
  const [synced] = await store.append({
    stream: legacyStream(options.registryPath),
    type: 'legacy.synced',
    data: { registry: options.registryPath, sha256: report.registrySha256, active, refused: kept, counts: options.counts ?? {} },
    meta,
  });
  const stampDoc: FileStamps = { baseSeq: synced!.seq, registry: await fileStamp(options.registryPath), workflows: stamps };
  await store.db.put(stampKey(options.registryPath), encode(stampDoc));
  report.ms = Math.round(performance.now() - started);
  return report;
}

/**
 * Two-way sync with the Python tool's files, holding its lock: pull (three-way merge against the
 * last sync's base), push the store's state back, record the new base.
 */
export async function syncLegacy(store: Store, options: SyncOptions): Promise<SyncReport> {
  const started = performance.now();
  return withRegistryLock(options.registryPath, async () => {
    const pulled = await pullLegacy(store, options);
    const r = pulled.report;
    const counts = { registered: r.registered, updated: r.updated, removed: r.removed.length, activated: r.activated, history: r.history, restored: r.restored.length, conflicts: r.conflicts.length };
    const pushed = await pushLegacy(store, {
      registryPath: options.registryPath,
      workflows: withoutBroken(options.workflows ?? true, pulled.broken, await store.views.projects.list()),
      refused: pulled.refused,
      stamps: pulled.stamps,
      counts,
      ...(options.actor ? { actor: options.actor } : {}),
    });
    return { registry: options.registryPath, pulled: r, warnings: pulled.warnings, pushed, ms: Math.round(performance.now() - started) };
  });
}

/** Without the projects whose workflow file could not be read: it is not overwritten, its entries would be lost. */
export function withoutBroken(which: boolean | ReadonlySet<string>, broken: ReadonlySet<string>, live: readonly { id: string }[]): boolean | ReadonlySet<string> {
  if (broken.size === 0 || which === false) return which;
  return new Set(live.map((p) => p.id).filter((id) => (which === true || which.has(id)) && !broken.has(id)));
}
