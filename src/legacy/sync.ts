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
import { registryDocument, workflowDocument, type ExportReport } from './export.js';
import { canonical, derivedId, legacyStream } from './ids.js';
import { appendNew, asReportError, legacyProjectId, loadWorkflow, planWorkflow, pool, validateEvents, type FileReport } from './import.js';
import { withRegistryLock } from './lock.js';
import { legacyAt, parseLegacyJson, parseRegistry, readLegacyFile, sha256, type LegacyFile, type LegacyProject } from './parse.js';
import { pythonJson } from './python-json.js';

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

interface RefusedEntry {
  name: string;
  entry: unknown;
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
async function readRegistryDoc(path: string): Promise<{ file: LegacyFile; doc: unknown; torn: number } | undefined> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const file = await readLegacyFile(path);
    if (!file) return undefined;
    try {
      return { file, doc: parseLegacyJson(file), torn: attempt };
    } catch (err) {
      if (!isStoreError(err) || err.code !== 'LEGACY_INVALID_JSON') throw err;
      if (Date.now() - started >= TORN_RETRY_MS) {
        throw new StoreError('LEGACY_INVALID_JSON', `${err.message} (read ${attempt + 1} times over ${Date.now() - started} ms); nothing was changed`, { cause: err, hint: err.hint });
      }
      await sleep(Math.min(10 * 2 ** attempt, 200));
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each entry parsed on its own, so one the store cannot take does not stop the others. */
async function parseEntries(doc: unknown, path: string): Promise<{ projects: LegacyProject[]; active: string | null; refused: RefusedEntry[] }> {
  if (!isObject(doc) || !isObject(doc.projects)) return { ...(await parseRegistry(doc, path)), refused: [] };
  const projects: LegacyProject[] = [];
  const refused: RefusedEntry[] = [];
  for (const [name, entry] of Object.entries(doc.projects)) {
    try {
      projects.push(...(await parseRegistry({ projects: { [name]: entry } }, path)).projects);
    } catch (err) {
      if (!isStoreError(err) || err.code !== 'LEGACY_BAD_SHAPE') throw err;
      refused.push({ name, entry, reason: err.message.replace(`${path}: `, '') });
    }
  }
  const { active } = await parseRegistry({ ...doc, projects: {} }, path);
  return { projects, active, refused };
}

/** The fields a sync merges one by one (`name` is the key; `modified` follows the winner). */
const FIELDS = ['path', 'description', 'tags', 'extra'] as const;
type Field = (typeof FIELDS)[number];
const fieldOf = (p: Pick<ProjectRow, Field>, f: Field): unknown => (f === 'extra' ? (p.extra ?? {}) : p[f]);
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

const timeValue = (t: string | null | undefined): number => {
  const at = t ? legacyAt(t) : undefined;
  return at === undefined ? -Infinity : Date.parse(at);
};
const newer = (a: string | null | undefined, b: string | null | undefined): boolean => timeValue(a) > timeValue(b);

/** A Rows over a Map, for folding one project's stream in memory. */
function memoryRows(): Rows & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return { map, get: async <T>(k: string) => map.get(k) as T | undefined, put: (k, v) => void map.set(k, v), del: (k) => void map.delete(k) };
}

/** A project as its stream had folded it at `seq`, and every earlier value of each field. */
async function projectAt(store: Store, stream: string, seq: number): Promise<{ row: ProjectRow | undefined; earlier: Record<Field, unknown[]> }> {
  const rows = memoryRows();
  const key = projectKeys.byId(projectIdOf(stream));
  const earlier: Record<Field, unknown[]> = { path: [], description: [], tags: [], extra: [] };
  for (const e of await store.log.readStream(stream)) {
    if (e.seq > seq) break;
    const before = rows.map.get(key) as ProjectRow | undefined;
    await projectsProjection.fold(e as never, rows);
    const after = rows.map.get(key) as ProjectRow | undefined;
    if (before && after) for (const f of FIELDS) if (!same(fieldOf(before, f), fieldOf(after, f))) earlier[f].push(fieldOf(before, f));
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
  const read = await readRegistryDoc(registryPath);
  report.tornReads = read?.torn ?? 0;
  let refusedNow: RefusedEntry[] = base?.refused ?? [];
  if (!read || read.file.sha256 === base?.sha256) report.refused = refusedNow.map((r) => ({ name: r.name, reason: r.reason }));
  else {
    const parsed = await parseEntries(read.doc, registryPath);
    refusedNow = parsed.refused;
    const events = await mergeRegistry(store, parsed, base, options, meta, report);
    const accepted: NewEvent[] = [];
    // An entry the schemas refuse is left in the file as it is; it must not stop the others.
    for (const group of events) {
      try {
        await validateEvents(store.registry, group.events, registryPath);
        accepted.push(...group.events);
        group.count();
      } catch (err) {
        if (!isStoreError(err) || err.code !== 'LEGACY_BAD_SHAPE' || group.name === undefined) throw err;
        const entry = isObject(read.doc) && isObject(read.doc.projects) ? read.doc.projects[group.name] : undefined;
        refusedNow.push({ name: group.name, entry, reason: err.message.replace(`${registryPath}: `, '') });
      }
    }
    const knownRefused = new Map((base?.refused ?? []).map((r) => [r.name, canonical(r.entry)]));
    for (const r of refusedNow) {
      report.refused.push({ name: r.name, reason: r.reason });
      if (knownRefused.get(r.name) !== canonical(r.entry)) {
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
        const plan = await planWorkflow(loaded.workflow, loaded.file, p.id, { views, has: async (id) => (await tx.get(`i!${id}`)) !== undefined }, meta, { provenance: true });
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
  name?: string;
  events: NewEvent[];
  count: () => void;
}

async function mergeRegistry(
  store: Store,
  json: { projects: LegacyProject[]; active: string | null },
  base: SyncBase | undefined,
  options: SyncOptions,
  meta: Partial<EventMeta>,
  report: PullReport,
): Promise<EntryEvents[]> {
  const registry = options.registryPath;
  const view = base ? await baseView(store, base) : undefined;
  const out: EntryEvents[] = [];
  const seen = new Set<string>();
  const salt = String(base?.seq ?? 0);
  for (const j of json.projects) {
    seen.add(j.name);
    const b = view?.byName.get(j.name);
    if (b) {
      if (FIELDS.every((f) => same(fieldOf(j, f), fieldOf(b, f))) && j.modified === b.modified) continue;
      if (!newer(j.modified, b.modified)) {
        report.staleOverwritten.push(j.name);
        continue;
      }
      const s = await store.views.projects.byId(b.id);
      if (!s) {
        // The store removed it after the base and has not written that back yet.
        const removed = await goneAt(store, b.name);
        if (removed !== undefined && !newer(j.modified, removed)) {
          report.staleIgnored.push(j.name);
          continue;
        }
        out.push(registration(j, legacyProjectId(j.name, `${b.id}:${salt}`), meta, report));
        continue;
      }
      const { earlier } = await projectAt(store, projectStream(b.id), base!.seq);
      const storeAt = view!.storeChanged.get(projectStream(b.id));
      const changes: Record<string, unknown> = {};
      const conflicts: NewEvent[] = [];
      for (const f of FIELDS) {
        const jv = fieldOf(j, f);
        if (same(jv, fieldOf(b, f)) || same(jv, fieldOf(s, f))) continue;
        // A value this field had before the base is a stale read of it, not an edit.
        if (earlier[f].some((v) => same(v, jv))) continue;
        if (!same(fieldOf(s, f), fieldOf(b, f))) {
          const winner = newer(j.modified, storeAt) ? 'json' : 'store';
          const c: SyncConflict = { project: s.name, field: f, winner, kept: winner === 'json' ? jv : fieldOf(s, f), lost: winner === 'json' ? fieldOf(s, f) : jv };
          report.conflicts.push(c);
          conflicts.push({
            id: derivedId('sync-conflict', s.id, f, canonical(jv), salt),
            stream: legacyStream(registry),
            type: 'legacy.conflict',
            data: { registry, projectId: s.id, ...c, ...(storeAt ? { storeAt } : {}), jsonModified: j.modified },
            meta,
          });
          if (winner === 'store') continue;
        }
        changes[f] = jv;
      }
      const modifiedWins = Object.keys(changes).length > 0 || (conflicts.length === 0 && newer(j.modified, s.modified));
      const events = [...conflicts];
      if (modifiedWins) {
        events.push({
          id: derivedId('sync-update', s.id, canonical(changes), String(j.modified), salt),
          stream: projectStream(s.id),
          type: 'project.updated',
          at: (j.modified && legacyAt(j.modified)) || new Date().toISOString(),
          data: { ...changes, modified: j.modified },
          meta,
        });
      }
      if (events.length > 0) out.push({ name: j.name, events, count: () => void (modifiedWins && report.updated++) });
      continue;
    }
    const s = await store.views.projects.byName(j.name);
    if (s) {
      // The same name on both sides, not in the base: the newer `modified` wins, the store on a tie.
      const changes = Object.fromEntries(FIELDS.filter((f) => !same(fieldOf(j, f), fieldOf(s, f))).map((f) => [f, fieldOf(j, f)]));
      if (!newer(j.modified, s.modified) || (Object.keys(changes).length === 0 && j.modified === s.modified)) continue;
      out.push({
        name: j.name,
        events: [{
          id: derivedId('sync-update', s.id, canonical(changes), String(j.modified), salt),
          stream: projectStream(s.id),
          type: 'project.updated',
          at: (j.modified && legacyAt(j.modified)) || new Date().toISOString(),
          data: { ...changes, modified: j.modified },
          meta,
        }],
        count: () => void report.updated++,
      });
      continue;
    }
    if (base) {
      // Only a name the store once had can be a stale copy; a name it never knew is a new project.
      const removed = await goneAt(store, j.name);
      if (removed !== undefined && !newer(j.modified ?? j.created, removed)) {
        report.staleIgnored.push(j.name);
        continue;
      }
    }
    let id = legacyProjectId(j.name);
    if ((await store.log.readStream(projectStream(id), { limit: 1 })).length > 0) id = legacyProjectId(j.name, `${canonical(j)}:${salt}`);
    out.push(registration(j, id, meta, report));
  }

  if (view) {
    for (const [name, b] of view.byName) {
      if (seen.has(name)) continue;
      const s = await store.views.projects.byId(b.id);
      if (!s || s.name !== name) continue; // the store removed or renamed it: nothing was lost
      if (options.acceptRemovals) {
        out.push({
          name,
          events: [{ id: derivedId('sync-remove', s.id, salt), stream: projectStream(s.id), type: 'project.removed', data: { name }, meta }],
          count: () => void report.removed.push(name),
        });
      } else report.restored.push(name);
    }
  }

  const jActive = json.active;
  const sActive = (await store.views.projects.active())?.name ?? null;
  const changedByJson = base ? jActive !== base.active : jActive !== null;
  const changedByStore = base ? sActive !== base.active : false;
  if (jActive !== null && changedByJson && !changedByStore && jActive !== sActive) {
    const live = (await store.views.projects.byName(jActive)) ?? out.flatMap((g) => g.events).find((e) => e.type === 'project.registered' && (e.data as { name: string }).name === jActive);
    if (live) {
      const stream = 'stream' in live ? live.stream : projectStream(live.id);
      out.push({
        events: [{ id: derivedId('sync-active', jActive, salt, String(sActive)), stream, type: 'project.activated', data: { name: jActive }, meta }],
        count: () => void report.activated++,
      });
    }
  }
  return out;
}

function registration(j: LegacyProject, id: string, meta: Partial<EventMeta>, report: PullReport): EntryEvents {
  return {
    name: j.name,
    events: [{
      id: derivedId('sync-register', id, canonical({ ...j, pathExists: undefined })),
      stream: projectStream(id),
      type: 'project.registered',
      at: (j.created && legacyAt(j.created)) || (j.modified && legacyAt(j.modified)) || new Date().toISOString(),
      data: {
        name: j.name,
        path: j.path,
        description: j.description,
        tags: j.tags,
        created: j.created,
        modified: j.modified,
        ...(j.extra ? { extra: j.extra } : {}),
      },
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
  const { doc, rows } = await registryDocument(store.views);
  const projects = (doc as { projects: Record<string, unknown> }).projects;
  const kept = options.refused.filter((r) => !(r.name in projects));
  for (const r of kept) projects[r.name] = r.entry;
  const text = pythonJson(doc);
  await writeFileAtomic(options.registryPath, text);
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
    const wf = await workflowDocument(store.views, p);
    if (!wf) continue;
    if (!(await stat(p.path).catch(() => undefined))?.isDirectory()) {
      report.skipped.push({ project: p.name, reason: `directory ${p.path} does not exist` });
      continue;
    }
    try {
      await writeFileAtomic(file, pythonJson(wf.doc));
      report.workflowFiles.push({ project: p.name, file, entries: wf.entries });
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
