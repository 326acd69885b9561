import { dirname } from 'node:path';
import { wellFormedText } from '../lib/text.js';
import { StoreError, ValidationError, isStoreError } from '../errors.js';
import type { EventMeta, NewEvent, StoredEvent } from '../log/envelope.js';
import type { Transaction } from '../log/event-log.js';
import { idKey } from '../log/keys.js';
import type { SchemaRegistry } from '../log/schema-registry.js';
import { projectStream, type ProjectRow } from '../projections/projects.js';
import { workflowStream, type SyncState, type WorkflowEntry } from '../projections/workflow.js';
import type { Views } from '../queries/index.js';
import type { Store } from '../store.js';
import { canonical, derivedId, legacyStream } from './ids.js';
import {
  entryOfRow,
  entryText as entryTextOf,
  layoutData,
  parseRegistryModel,
  parseWorkflowModel,
  recordedData,
  registeredData,
  syncedData,
  updatedData,
  type LegacyProjectEntry,
  type RegistryModel,
  type WorkflowModel,
} from './model.js';
import { parsePyJson, pythonJson } from './python-json.js';
import { legacyAt, readLegacyFile, resolveLegacyPath, workflowFileOf, type LegacyFile } from './parse.js';

export type ImportSource = 'import' | 'sync';

export interface ImportOptions {
  registryPath: string;
  /** Also import each project's `.pygubu-workflow.json` (default true). */
  workflows?: boolean;
  /** Compute the report, append nothing. */
  dryRun?: boolean;
  /** Any broken file → nothing is imported at all. */
  strict?: boolean;
  /** `import` for migrate, `sync` for hybrid-mode pulls (meta.source of every event). */
  source?: ImportSource;
  actor?: string;
  onProgress?: (done: number, total: number) => void;
  /** Files read and imported at once; their appends share group commits. */
  concurrency?: number;
}

export interface FileReport {
  file: string;
  kind: 'registry' | 'workflow';
  project?: string;
  /** imported: events appended (or, dry run, would be) · unchanged: all already present · absent: no such file · error */
  status: 'imported' | 'unchanged' | 'absent' | 'error';
  imported: number;
  skipped: number;
  error?: { code: string; message: string };
  warnings?: string[];
  /** Odd entries imported as they were written (the typed view had to substitute something). */
  flagged?: string[];
}

export interface ImportReport {
  registry: string;
  dryRun: boolean;
  strict: boolean;
  /** --strict met a broken file, so nothing was imported. */
  aborted: boolean;
  files: FileReport[];
  /** Projects whose directory does not exist on this machine (imported all the same). */
  missingDirectories: Array<{ name: string; path: string }>;
  totals: { files: number; imported: number; skipped: number; errors: number };
  ms: number;
}

/** How the planner sees the store: views, and whether an event id is already in the log. */
interface StoreSide {
  views: Views;
  has(id: string): Promise<boolean>;
}

export const txSide = (tx: Transaction, views: Views): StoreSide => ({ views, has: async (id) => (await tx.get(idKey(id))) !== undefined });
const storeSide = (store: Store): StoreSide => ({ views: store.views, has: async (id) => (await store.log.getById(id)) !== undefined });

/** A legacy time for ordering: unparsable and null sort before everything. */
const timeValue = (t: string | null | undefined): number => {
  const at = legacyAt(t);
  return at === undefined ? -Infinity : Date.parse(at);
};

/**
 * The conflict rule shared by migrate and sync: the side whose `modified` is newer wins; on a tie
 * (or when neither has a time) the store keeps its version and the report warns.
 */
export const legacyWins = (legacy: string | null, store: string | null): boolean => timeValue(legacy) > timeValue(store);

export const legacyProjectId = (name: string, salt = ''): string => derivedId('legacy-project', name, salt);

const nowIso = () => new Date().toISOString();

export interface RegistryPlan {
  events: NewEvent[];
  /** name → project id, for the workflow files (live or about to be registered). */
  projectIds: Map<string, string>;
  /** name → the store's resolved path of the entry's path (none when the entry has no string path). */
  paths: Map<string, { path: string; exists: boolean }>;
  skipped: number;
  warnings: string[];
  flagged: string[];
}

/**
 * Whether a registry entry says nothing new about a store row: the same entry, or one that only
 * lacks some of the row's keys with the rest equal (the Python tool with pydantic drops unknown
 * keys when it rewrites the file; that is not an edit, and the store keeps them).
 */
function sameProject(row: ProjectRow, p: LegacyProjectEntry, path: string): boolean {
  const mine = entryOfRow(row).text;
  if (mine === p.text) return true;
  if (path !== row.path || p.description !== row.description || p.modified !== row.modified || canonical(p.tags) !== canonical(row.tags)) return false;
  const have = parsePyJson(mine);
  if (!(have instanceof Map) || !(p.value instanceof Map)) return false;
  for (const [k, v] of p.value) if (!have.has(k) || pythonJson(have.get(k)) !== pythonJson(v)) return false;
  return true;
}

/** The store's resolved path of each entry, against the registry's directory. */
export async function resolveEntryPaths(model: RegistryModel, file: string): Promise<Map<string, { path: string; exists: boolean }>> {
  const out = new Map<string, { path: string; exists: boolean }>();
  for (const p of model.projects) {
    if (p.path !== undefined && p.path !== '') out.set(p.name, await resolveLegacyPath(p.path, dirname(file)));
  }
  return out;
}

/** Decide what the registry adds to the store: new projects, changed ones, the active project, the layout. */
export async function planRegistry(
  model: RegistryModel,
  file: LegacyFile,
  side: StoreSide,
  meta: Partial<EventMeta>,
  options: { provenance: boolean; gone?: ReadonlyMap<string, string>; paths?: Map<string, { path: string; exists: boolean }> },
): Promise<RegistryPlan> {
  const events: NewEvent[] = [];
  const projectIds = new Map<string, string>();
  const paths = options.paths ?? (await resolveEntryPaths(model, file.path));
  const warnings: string[] = [];
  const flagged: string[] = [];
  let skipped = 0;
  let registered = 0;
  let updated = 0;
  const seen = new Set<string>();
  for (const p of model.projects) {
    const data = registeredData(p, paths.get(p.name)?.path ?? '');
    const name = data.name;
    flagged.push(...p.flags.map((f) => `project ${JSON.stringify(p.name)}: ${f}`));
    if (seen.has(name)) {
      warnings.push(`project ${JSON.stringify(p.name)}: its name is not well-formed Unicode and reads as another project's; not imported`);
      skipped++;
      continue;
    }
    seen.add(name);
    const contentId = derivedId('registry-project', p.name, p.text);
    const live = await side.views.projects.byName(name);
    if (live) projectIds.set(name, live.id);
    if (live && sameProject(live, p, data.path)) {
      skipped++;
      continue;
    }
    const goneAt = live ? undefined : options.gone?.get(name);
    if (goneAt !== undefined && !legacyWins(p.modified, goneAt)) {
      warnings.push(`${name}: removed or renamed in the store at ${goneAt}, after the last sync; kept it that way`);
      skipped++;
      continue;
    }
    if (await side.has(contentId)) {
      skipped++; // this very state was imported before; the store has moved on since
      continue;
    }
    if (live) {
      if (!legacyWins(p.modified, live.modified)) {
        warnings.push(`${name}: the store's version is as new or newer (modified ${live.modified ?? 'never'}); kept it`);
        skipped++;
        continue;
      }
      events.push({
        id: contentId,
        stream: projectStream(live.id),
        type: 'project.updated',
        at: legacyAt(p.modified) ?? nowIso(),
        data: updatedData(p, data.path),
        meta,
      });
      updated++;
      continue;
    }
    let id = legacyProjectId(name);
    if (await side.views.projects.byId(id)) id = legacyProjectId(name, contentId); // that id was renamed in the store
    projectIds.set(name, id);
    events.push({ id: contentId, stream: projectStream(id), type: 'project.registered', at: legacyAt(p.created) ?? legacyAt(p.modified) ?? nowIso(), data, meta });
    registered++;
  }
  let activated = 0;
  if (model.active !== null) {
    const id = projectIds.get(model.active);
    if (id === undefined) warnings.push(`the active project ${JSON.stringify(model.active)} is not in the registry; not activated (kept as written for export)`);
    else {
      const current = await side.views.projects.active();
      const eventId = derivedId('registry-active', model.active, file.sha256);
      if (current?.id !== id && !(await side.has(eventId))) {
        events.push({ id: eventId, stream: projectStream(id), type: 'project.activated', data: { name: model.active }, meta });
        activated++;
      }
    }
  }
  // After the activation: the layout records the file's active as the store's, until the store moves it.
  const layout = layoutData(model);
  const layoutId = derivedId('registry-layout', layout.document, file.sha256);
  if ((await side.views.projects.layout())?.document !== layout.document && !(await side.has(layoutId))) {
    events.push({ id: layoutId, stream: LAYOUT_STREAM, type: 'legacy.layout', data: layout, meta });
  }
  if (options.provenance && events.length > 0) {
    events.push(provenance(file, 'registry', { registered, updated, activated, skipped }, meta));
  }
  return { events, projectIds, paths, skipped, warnings, flagged };
}

/** The stream of the registry's top-level layout (one per store: a store pairs with one registry). */
export const LAYOUT_STREAM = 'legacy-layout';

export function provenance(file: LegacyFile, kind: 'registry' | 'workflow', counts: Record<string, number>, meta: Partial<EventMeta>, salt = ''): NewEvent {
  return {
    id: derivedId('legacy.imported', file.path, file.sha256, meta.source ?? 'import', salt),
    stream: legacyStream(file.path),
    type: 'legacy.imported',
    data: { source: file.path, kind, sha256: file.sha256, counts },
    meta,
  };
}

/**
 * What makes two history entries the same entry: time, action, description and user, with a
 * missing user equal to `user: null` and unknown keys left out — the Python tool with pydantic
 * adds the one and drops the other when it rewrites the file, and that must not read as new
 * entries. An odd entry (no timestamp or action) is identified by its whole text.
 */
export const entryContent = (e: { timestamp: string | null; action: string; description: string; user?: string | null }, text: () => string): string =>
  e.timestamp === null || e.action === '' ? `raw:${text()}` : canonical([e.timestamp, e.action, e.description, e.user ?? null]);

export interface WorkflowPlan {
  events: NewEvent[];
  skipped: number;
  warnings: string[];
  flagged: string[];
}

/**
 * The history entries of a workflow file the store does not have yet, in write order. An entry
 * counts as present when the project's history holds an equal entry not already matched (so
 * entries the store wrote out itself are not imported back); new ones get ids derived from the
 * project, their content and their ordinal among identical entries of the file. Then the file's
 * top level (sync state, layout) when it changed.
 */
export async function planWorkflow(
  model: WorkflowModel,
  file: LegacyFile,
  projectId: string,
  side: StoreSide | undefined,
  meta: Partial<EventMeta>,
  options: { provenance: boolean },
): Promise<WorkflowPlan> {
  const have = new Map<string, number>();
  if (side) {
    for (const e of await side.views.history.list(projectId)) {
      const k = entryContent(e, () => entryText(e));
      have.set(k, (have.get(k) ?? 0) + 1);
    }
  }
  const seen = new Map<string, number>();
  const events: NewEvent[] = [];
  const warnings: string[] = [];
  const flagged: string[] = [];
  let skipped = 0;
  let at: string | undefined;
  for (const e of model.entries) {
    flagged.push(...e.flags);
    const k = entryContent(e, () => e.text);
    const ordinal = seen.get(k) ?? 0;
    seen.set(k, ordinal + 1);
    at = legacyAt(e.timestamp) ?? at;
    const left = have.get(k) ?? 0;
    if (left > 0) {
      have.set(k, left - 1);
      skipped++;
      continue;
    }
    if (e.timestamp !== null && legacyAt(e.timestamp) === undefined) flagged.push(`entry at ${JSON.stringify(e.timestamp)}: not an ISO-8601 time; kept as written`);
    events.push({
      id: derivedId('workflow-entry', projectId, k, String(ordinal)),
      stream: workflowStream(projectId),
      type: 'workflow.recorded',
      at: at ?? nowIso(),
      data: recordedData(e),
      meta,
    });
  }
  const history = events.length;
  let synced = 0;
  const state = syncedData(model);
  const current = side ? await side.views.history.syncState(projectId) : undefined;
  if (!current || canonical(current) !== canonical(state)) {
    if (current && !legacyWins(state.last_sync, current.last_sync) && timeValue(state.last_sync) !== timeValue(current.last_sync)) {
      warnings.push(`the store's file-sync state is newer (last_sync ${current.last_sync ?? 'never'}); kept it`);
    } else {
      events.push(syncedEvent(projectId, state, meta));
      synced = 1;
    }
  }
  if (options.provenance && events.length > 0) events.push(provenance(file, 'workflow', { history, synced, skipped }, meta));
  return { events, skipped, warnings, flagged };
}

/** An entry of the history view as the tool writes it (see model.ts). */
export const entryText = (e: WorkflowEntry): string => entryTextOf(e);

export const syncedEvent = (projectId: string, sync: SyncState, meta: Partial<EventMeta>): NewEvent => ({
  id: derivedId('workflow-sync', projectId, canonical(sync)),
  stream: workflowStream(projectId),
  type: 'workflow.synced',
  at: legacyAt(sync.last_sync) ?? nowIso(),
  data: sync,
  meta,
});

/** Check events against their schemas before anything is appended (for --strict and reports). */
export async function validateEvents(registry: SchemaRegistry, events: readonly NewEvent[], label: string): Promise<void> {
  await registry.ready();
  for (const e of events) {
    const probe: StoredEvent = {
      seq: 1,
      id: e.id ?? 'probe',
      stream: e.stream,
      version: 1,
      type: e.type,
      v: e.v ?? registry.latestVersion(e.type) ?? 1,
      at: e.at ?? nowIso(),
      data: e.data as Record<string, unknown>,
      meta: { source: 'import', ...e.meta },
    };
    try {
      registry.validate(probe);
    } catch (err) {
      if (!isStoreError(err)) throw err;
      const data = e.data as { name?: string; timestamp?: string; action?: string };
      const what = e.type === 'workflow.recorded' ? `history entry at ${data.timestamp} (${data.action})` : data.name ? `project ${JSON.stringify(data.name)}` : e.type;
      throw new StoreError('LEGACY_BAD_SHAPE', `${label}: ${what}: ${err.message.replace(/^invalid [a-z._]+ event: /, '')}`, { cause: err });
    }
  }
}

export const asReportError = (err: unknown): { code: string; message: string } => {
  if (isStoreError(err)) return { code: String(err.code), message: err.message };
  throw err;
};

/** Read and parse the registry; a missing or broken registry stops the whole import. */
export async function loadRegistry(path: string): Promise<{ file: LegacyFile; model: RegistryModel }> {
  const file = await readLegacyFile(path);
  if (!file) {
    throw new StoreError('LEGACY_NOT_FOUND', `no legacy registry at ${path}`, { hint: 'pass --registry FILE or set PYGUBUAI_REGISTRY_PATH' });
  }
  return { file, model: parseRegistryModel(file.text, path) };
}

/**
 * Read, parse and schema-check one workflow file (undefined: there is none). `check: false` leaves
 * the schema check to the append (appendChecked), which validates every event anyway: planning and
 * validating each file twice made a re-run of migrate over 2,000 × 100 entries take ~4.5 s, not ~2.9 s.
 */
export async function loadWorkflow(
  path: string,
  registry: SchemaRegistry,
  { check = true }: { check?: boolean } = {},
): Promise<{ file: LegacyFile; model: WorkflowModel } | undefined> {
  const file = await readLegacyFile(path);
  if (!file) return undefined;
  const model = parseWorkflowModel(file.text, path);
  if (!check) return { file, model };
  const probe = await planWorkflow(model, file, '00000000-0000-8000-0000-000000000000', undefined, { source: 'import' }, { provenance: false });
  await validateEvents(registry, probe.events, path);
  return { file, model };
}

export async function pool<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}

/**
 * Import the legacy registry and its projects' workflow files into the store. Each file's events
 * append as one atomic batch (nothing of a broken file lands); `dryRun` appends nothing.
 */
export async function importLegacy(store: Store, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const source = options.source ?? 'import';
  const meta: Partial<EventMeta> = { source, ...(options.actor ? { actor: options.actor } : {}) };
  const dryRun = options.dryRun ?? false;
  const strict = options.strict ?? false;
  const withWorkflows = options.workflows ?? true;
  const width = options.concurrency ?? 16;
  const { file: regFile, model } = await loadRegistry(options.registryPath);
  const paths = await resolveEntryPaths(model, options.registryPath);
  const files: FileReport[] = [];
  const missingDirectories = model.projects.filter((p) => !paths.get(p.name)?.exists).map((p) => ({ name: p.name, path: paths.get(p.name)?.path ?? '' }));
  const withPath = model.projects.filter((p) => paths.has(p.name));
  const total = 1 + (withWorkflows ? withPath.length : 0) * (strict ? 2 : 1);
  let done = 0;
  const tick = () => options.onProgress?.(++done, total);

  const probe = await planRegistry(model, regFile, { views: emptyViews(store), has: async () => false }, meta, { provenance: true, paths });
  await validateEvents(store.registry, probe.events, options.registryPath);

  const workflowPaths = withWorkflows ? withPath.map((p) => ({ project: p, path: workflowFileOf(paths.get(p.name)!.path) })) : [];
  if (strict) {
    const broken: FileReport[] = [];
    await pool(workflowPaths, width, async ({ project, path }) => {
      try {
        await loadWorkflow(path, store.registry);
      } catch (err) {
        broken.push({ file: path, kind: 'workflow', project: project.name, status: 'error', imported: 0, skipped: 0, error: asReportError(err) });
      }
      tick();
    });
    if (broken.length > 0) {
      return finish({ registry: options.registryPath, dryRun, strict, aborted: true, files: broken, missingDirectories }, started);
    }
  }

  let plan: RegistryPlan;
  let imported = 0;
  if (dryRun) {
    plan = await planRegistry(model, regFile, storeSide(store), meta, { provenance: true, paths });
    imported = plan.events.filter((e) => e.type !== 'legacy.imported').length;
  } else {
    plan = await store.transact(async (tx, views) => {
      const p = await planRegistry(model, regFile, txSide(tx, views), meta, { provenance: true, paths });
      imported = (await appendNew(tx, p.events)).length;
      return p;
    });
  }
  files.push({
    file: options.registryPath,
    kind: 'registry',
    status: imported > 0 ? 'imported' : 'unchanged',
    imported,
    skipped: plan.skipped,
    ...(plan.warnings.length > 0 ? { warnings: plan.warnings } : {}),
    ...(plan.flagged.length > 0 ? { flagged: plan.flagged } : {}),
  });
  tick();

  const rows: FileReport[] = new Array(workflowPaths.length);
  await pool(workflowPaths, width, async ({ project, path }, i) => {
    const row: FileReport = { file: path, kind: 'workflow', project: project.name, status: 'unchanged', imported: 0, skipped: 0 };
    rows[i] = row;
    try {
      const loaded = await loadWorkflow(path, store.registry, { check: dryRun });
      const projectId = plan.projectIds.get(wellFormedText(project.name));
      const report = (p: WorkflowPlan, imported: number) =>
        Object.assign(row, { imported, skipped: p.skipped }, p.warnings.length > 0 ? { warnings: p.warnings } : {}, p.flagged.length > 0 ? { flagged: p.flagged } : {});
      if (!loaded) row.status = 'absent';
      else if (projectId === undefined) row.warnings = ['its project is not live in the store (removed or renamed there); not imported'];
      else if (dryRun) {
        const p = await planWorkflow(loaded.model, loaded.file, projectId, storeSide(store), meta, { provenance: true });
        report(p, p.events.filter((e) => e.type !== 'legacy.imported').length);
      } else {
        await store.transact(async (tx, views) => {
          const p = await planWorkflow(loaded.model, loaded.file, projectId, txSide(tx, views), meta, { provenance: true });
          report(p, (await appendChecked(tx, p.events, store.registry, path)).length);
        });
      }
      if (row.imported > 0) row.status = 'imported';
    } catch (err) {
      row.status = 'error';
      row.error = asReportError(err);
    }
    tick();
  });
  files.push(...rows);
  return finish({ registry: options.registryPath, dryRun, strict, aborted: false, files, missingDirectories }, started);
}

/** Append a file's events as one batch; those that were new (not ids already in the log), provenance left out. */
export async function appendNew(tx: Transaction, events: readonly NewEvent[]): Promise<StoredEvent[]> {
  const before = tx.lastSeq;
  const stored = await tx.append(events);
  return stored.filter((e) => e.seq > before && e.type !== 'legacy.imported');
}

/**
 * appendNew for events nobody schema-checked yet: a schema failure is reported as the up-front
 * check would have (LEGACY_BAD_SHAPE naming the entry), and the transaction lands nothing.
 */
async function appendChecked(tx: Transaction, events: readonly NewEvent[], registry: SchemaRegistry, label: string): Promise<StoredEvent[]> {
  try {
    return await appendNew(tx, events);
  } catch (err) {
    if (err instanceof ValidationError) await validateEvents(registry, events, label);
    throw err;
  }
}

function finish(partial: Omit<ImportReport, 'totals' | 'ms'>, started: number): ImportReport {
  const totals = { files: partial.files.length, imported: 0, skipped: 0, errors: 0 };
  for (const f of partial.files) {
    totals.imported += f.imported;
    totals.skipped += f.skipped;
    if (f.status === 'error') totals.errors++;
  }
  return { ...partial, totals, ms: Math.round(performance.now() - started) };
}

/** Views of an empty store, for checking a registry's events against their schemas up front. */
function emptyViews(store: Store): Views {
  const none = { byName: async () => undefined, byId: async () => undefined, active: async () => undefined, layout: async () => undefined };
  return { ...store.views, projects: none as unknown as Views['projects'] };
}
