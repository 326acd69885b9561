import { stat } from 'node:fs/promises';
import { isStoreError } from '../errors.js';
import type { ProjectRow } from '../projections/projects.js';
import type { Views } from '../queries/index.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { HISTORY_KEPT, registryModelFromViews, serializeRegistry, workflowModelFromViews } from './model.js';
import { sha256, workflowFileOf } from './parse.js';

export { HISTORY_KEPT };

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

/** The registry's bytes as the Python tool would write them from what the store holds. */
export async function registryText(views: Views): Promise<{ text: string; rows: ProjectRow[] }> {
  const { model, rows } = await registryModelFromViews(views);
  return { text: serializeRegistry(model), rows };
}

const isDirectory = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;

/**
 * Write the registry and the projects' workflow files from the views, in the Python tool's format
 * (see model.ts), each file atomically, through a symlink to its target, keeping the file's mode.
 * Projects whose directory is missing here are skipped.
 */
export async function exportLegacy(views: Views, options: ExportOptions): Promise<ExportReport> {
  const started = performance.now();
  const { text, rows } = await registryText(views);
  await writeFileAtomic(options.registryPath, text, { keepMode: true, followLinks: true });
  const which = options.workflows ?? true;
  const chosen = which === false ? [] : which === true ? rows : rows.filter((p) => which.has(p.id));
  const report: ExportReport = { registry: options.registryPath, registrySha256: sha256(text), projects: rows.length, workflowFiles: [], skipped: [], ms: 0 };
  let done = 0;
  for (const p of chosen) {
    const wf = p.path === '' ? undefined : await workflowModelFromViews(views, p);
    if (wf) {
      if (!(await isDirectory(p.path))) report.skipped.push({ project: p.name, reason: `directory ${p.path} does not exist` });
      else {
        const file = workflowFileOf(p.path);
        try {
          await writeFileAtomic(file, wf.text, { keepMode: true, followLinks: true });
          report.workflowFiles.push({ project: p.name, file, entries: wf.model.entries.length });
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
