import type { EventMeta, NewEvent } from '../log/envelope.js';
import { wellFormedText } from '../lib/text.js';
import { projectStream, type ProjectRow } from '../projections/projects.js';
import type { Store } from '../store.js';
import { exportLegacy, type ExportReport } from './export.js';
import { derivedId, legacyStream } from './ids.js';
import {
  appendNew,
  asReportError,
  loadWorkflow,
  planRegistry,
  planWorkflow,
  pool,
  provenance,
  txSide,
  type FileReport,
} from './import.js';
import { parseRegistryModel } from './model.js';
import { readLegacyFile, workflowFileOf } from './parse.js';

export interface SyncOptions {
  registryPath: string;
  /** Pull and push workflow files: of every project (true), none (false), or these project ids. */
  workflows?: boolean | ReadonlySet<string>;
  actor?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface SyncReport {
  registry: string;
  /** What came in from the JSON files (events with meta.source = "sync"). */
  pulled: { registered: number; updated: number; removed: string[]; activated: number; history: number; files: FileReport[] };
  /** Conflicts resolved (which side won) and files that could not be read. */
  warnings: string[];
  pushed: ExportReport;
  ms: number;
}

interface SyncBase {
  sha256: string;
  seq: number;
}

/** The last sync of this registry file: its content hash as written back, and the log position then. */
async function lastSyncBase(store: Store, registryPath: string): Promise<SyncBase | undefined> {
  const events = await store.log.readStream(legacyStream(registryPath), { direction: 'backward', limit: 100 });
  const last = events.find((e) => e.meta.source === 'sync' && e.type === 'legacy.imported');
  return last ? { sha256: (last.data as { sha256: string }).sha256, seq: last.seq } : undefined;
}

/**
 * Two-way sync with the Python tool's files. Pull: when the registry changed since the last sync,
 * apply its new, changed and removed projects; then new history entries and file-sync state of
 * the workflow files. Push: write the store's state back to every file. Conflict rule: per
 * project, the newer `modified` wins; on a tie the store wins (with a warning). A project the
 * Python tool removed is removed here unless the store changed it since the last sync; a project
 * the store removed or renamed since then stays so unless the JSON's copy is newer.
 */
export async function syncLegacy(store: Store, options: SyncOptions): Promise<SyncReport> {
  const started = performance.now();
  const meta: Partial<EventMeta> = { source: 'sync', ...(options.actor ? { actor: options.actor } : {}) };
  const warnings: string[] = [];
  const pulled: SyncReport['pulled'] = { registered: 0, updated: 0, removed: [], activated: 0, history: 0, files: [] };
  const base = await lastSyncBase(store, options.registryPath);
  const file = await readLegacyFile(options.registryPath);
  if (file && file.sha256 !== base?.sha256) {
    const registry = parseRegistryModel(file.text, options.registryPath);
    await store.transact(async (tx, views) => {
      const gone = new Map<string, string>();
      if (base) {
        for (const e of await store.log.readByType('project.removed', { fromSeq: base.seq + 1 })) {
          if (e.meta.source !== 'sync') gone.set((e.data as { name: string }).name, e.at);
        }
        for (const e of await store.log.readByType('project.renamed', { fromSeq: base.seq + 1 })) {
          if (e.meta.source !== 'sync') gone.set((e.data as { from: string }).from, e.at);
        }
      }
      const plan = await planRegistry(registry, file, txSide(tx, views), meta, { provenance: false, gone });
      warnings.push(...plan.warnings);
      const removals: NewEvent[] = [];
      if (base) {
        const inJson = new Set(registry.projects.map((p) => wellFormedText(p.name)));
        for (const row of await views.projects.list()) {
          if (inJson.has(row.name)) continue;
          const decision = await removalDecision(store, row, base);
          if (decision === 'keep-new') continue;
          if (decision === 'keep-changed') {
            warnings.push(`${row.name}: gone from the JSON registry, but changed in the store since the last sync; kept it`);
            continue;
          }
          removals.push({ id: derivedId('sync-remove', row.id, String(base.seq)), stream: projectStream(row.id), type: 'project.removed', data: { name: row.name }, meta });
          pulled.removed.push(row.name);
        }
      }
      await appendNew(tx, [...plan.events, ...removals]);
      for (const e of plan.events) {
        if (e.type === 'project.registered') pulled.registered++;
        else if (e.type === 'project.updated') pulled.updated++;
        else if (e.type === 'project.activated') pulled.activated++;
      }
    });
  }

  const which = options.workflows ?? true;
  const live = which === false ? [] : (await store.views.projects.list()).filter((p) => which === true || which.has(p.id));
  let done = 0;
  const total = live.length * 2;
  await pool(live, 16, async (p) => {
    const path = workflowFileOf(p.path);
    try {
      const loaded = await loadWorkflow(path, store.registry);
      if (loaded) {
        const imported = await store.transact(async (tx, views) => {
          const plan = await planWorkflow(loaded.model, loaded.file, p.id, txSide(tx, views), meta, { provenance: true });
          warnings.push(...plan.warnings.map((w) => `${p.name}: ${w}`));
          return (await appendNew(tx, plan.events)).filter((e) => e.type === 'workflow.recorded').length;
        });
        pulled.history += imported;
        if (imported > 0) pulled.files.push({ file: path, kind: 'workflow', project: p.name, status: 'imported', imported, skipped: 0 });
      }
    } catch (err) {
      const error = asReportError(err);
      pulled.files.push({ file: path, kind: 'workflow', project: p.name, status: 'error', imported: 0, skipped: 0, error });
      warnings.push(`${p.name}: ${error.message} (${error.code}); its workflow file was left as it is`);
    }
    options.onProgress?.(++done, total);
  });

  // A workflow file that could not be read is not overwritten: its entries would be lost.
  const broken = new Set(pulled.files.filter((f) => f.status === 'error').map((f) => f.project));
  const pushIds = new Set(live.filter((p) => !broken.has(p.name)).map((p) => p.id));
  const pushed = await exportLegacy(store.views, {
    registryPath: options.registryPath,
    workflows: pushIds,
    onProgress: (d) => options.onProgress?.(live.length + d, total),
  });
  const written = { path: options.registryPath, text: '', sha256: pushed.registrySha256 };
  const counts = { registered: pulled.registered, updated: pulled.updated, removed: pulled.removed.length, activated: pulled.activated, history: pulled.history };
  await store.append(provenance(written, 'registry', counts, meta, String(store.log.head)));
  return { registry: options.registryPath, pulled, warnings, pushed, ms: Math.round(performance.now() - started) };
}

/**
 * A live project missing from the JSON: registered in the store after the last sync (new here),
 * changed in the store since (the store's change wins), or else removed by the Python tool.
 */
async function removalDecision(store: Store, row: ProjectRow, base: SyncBase): Promise<'keep-new' | 'keep-changed' | 'remove'> {
  const events = await store.log.readStream(projectStream(row.id));
  const registered = events.filter((e) => e.type === 'project.registered').pop();
  if (!registered || registered.seq > base.seq) return 'keep-new';
  if (events.some((e) => e.seq > base.seq && e.meta.source !== 'sync')) return 'keep-changed';
  return 'remove';
}
