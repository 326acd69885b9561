import { stat } from 'node:fs/promises';
import { isStoreError } from '../errors.js';
import type { ProjectRow } from '../projections/projects.js';
import type { Views } from '../queries/index.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { sha256, workflowFileOf } from './parse.js';
import { PyFloat, pythonJson } from './python-json.js';

/** The Python tool keeps only this many history entries in a workflow file. */
export const HISTORY_KEPT = 100;

export interface ExportOptions {
  registryPath: string;
  /** Write workflow files: all projects (true), none (false), or only these project ids. */
  workflows?: boolean | ReadonlySet<string>;
  onProgress?: (done: number, total: number) => void;
}

export interface ExportReport {
  registry: string;
  /** sha256 of the registry as written: the base the next sync compares with. */
  registrySha256: string;
  projects: number;
  workflowFiles: Array<{ project: string; file: string; entries: number }>;
  skipped: Array<{ project: string; reason: string }>;
  ms: number;
}

/** The registry document, `{"projects": {...}, "active": name | null}`, from the views. */
export async function registryDocument(views: Views): Promise<{ doc: unknown; rows: ProjectRow[] }> {
  const rows = await views.projects.list();
  const active = await views.projects.active();
  const projects: Record<string, unknown> = Object.create(null); // a project may be named __proto__
  for (const p of rows) {
    // Known keys first, in the order the Python tool writes them; then the unknown ones it had.
    projects[p.name] = { path: p.path, created: p.created, modified: p.modified, description: p.description, tags: p.tags, ...withoutKnown(p.extra) };
  }
  return { doc: { projects, active: active?.name ?? null }, rows };
}

const KNOWN = new Set(['path', 'created', 'modified', 'description', 'tags']);
const withoutKnown = (extra: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(extra ?? {}).filter(([k]) => !KNOWN.has(k)));

/** A project's workflow file: its last 100 history entries and the file-sync state. */
export async function workflowDocument(views: Views, p: ProjectRow): Promise<{ doc: unknown; entries: number } | undefined> {
  const [entries, sync] = await Promise.all([views.history.list(p.id, { limit: HISTORY_KEPT }), views.history.syncState(p.id)]);
  if (entries.length === 0 && !sync) return undefined;
  const history = entries.map((e) => ({
    timestamp: e.timestamp,
    action: e.action,
    description: e.description,
    ...(e.user !== undefined ? { user: e.user } : {}),
    ...Object.fromEntries(Object.entries(e.extra ?? {}).filter(([k]) => !['timestamp', 'action', 'description', 'user'].includes(k))),
  }));
  const mtimes = Object.fromEntries(Object.entries(sync?.file_mtimes ?? {}).map(([k, v]) => [k, new PyFloat(v)]));
  const doc = {
    project: p.name,
    history,
    last_sync: sync?.last_sync ?? null,
    version: '1.0',
    file_hashes: sync?.file_hashes ?? {},
    file_mtimes: mtimes,
  };
  return { doc, entries: entries.length };
}

const isDirectory = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;

/**
 * Write the registry and the projects' workflow files from the views, in the Python tool's format
 * (see python-json.ts), each file atomically. Projects whose directory is missing here are skipped.
 */
export async function exportLegacy(views: Views, options: ExportOptions): Promise<ExportReport> {
  const started = performance.now();
  const { doc, rows } = await registryDocument(views);
  const text = pythonJson(doc);
  await writeFileAtomic(options.registryPath, text);
  const which = options.workflows ?? true;
  const chosen = which === false ? [] : which === true ? rows : rows.filter((p) => which.has(p.id));
  const report: ExportReport = { registry: options.registryPath, registrySha256: sha256(text), projects: rows.length, workflowFiles: [], skipped: [], ms: 0 };
  let done = 0;
  for (const p of chosen) {
    const wf = await workflowDocument(views, p);
    if (wf) {
      if (!(await isDirectory(p.path))) report.skipped.push({ project: p.name, reason: `directory ${p.path} does not exist` });
      else {
        const file = workflowFileOf(p.path);
        try {
          await writeFileAtomic(file, pythonJson(wf.doc));
          report.workflowFiles.push({ project: p.name, file, entries: wf.entries });
        } catch (err) {
          if (!isStoreError(err)) throw err;
          report.skipped.push({ project: p.name, reason: err.message });
        }
      }
    }
    options.onProgress?.(++done, chosen.length);
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}
