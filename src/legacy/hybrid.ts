import { projectIdOf } from '../projections/projects.js';
import { legacyRegistryPath } from '../paths.js';
import type { Store } from '../store.js';
import { storageMode } from './config.js';
import { syncLegacy } from './sync.js';

/**
 * Hybrid mode's hook, run by the CLI after a command appended events: sync the registry and the
 * workflow files of the projects those events touched, so the Python tool sees the change.
 * Returns undefined when the mode is not hybrid.
 */
export async function afterWrite(store: Store, fromSeq: number, actor?: string): Promise<{ warnings: string[] } | undefined> {
  if ((await storageMode()) !== 'hybrid') return undefined;
  const touched = new Set<string>();
  for await (const e of store.log.readAll({ fromSeq: fromSeq + 1 })) {
    if (e.stream.startsWith('project-') || e.stream.startsWith('workflow-')) touched.add(projectIdOf(e.stream));
  }
  const report = await syncLegacy(store, { registryPath: legacyRegistryPath(), workflows: touched, ...(actor ? { actor } : {}) });
  return { warnings: report.warnings };
}
