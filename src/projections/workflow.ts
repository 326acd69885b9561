import { seqHex, SEP } from '../log/keys.js';
import { projectIdOf } from './projects.js';
import { defineProjection } from './projection.js';

export interface WorkflowEntry {
  /** As written; null when an imported entry had no string timestamp. */
  timestamp: string | null;
  action: string;
  description: string;
  user?: string | null;
  /** An imported entry as written (Python JSON text), written back on export. */
  legacy?: { entry: string };
  seq: number;
}

export interface SyncState {
  file_hashes: Record<string, string>;
  file_mtimes: Record<string, number>;
  last_sync: string | null;
  /** An imported workflow file's top level as written (its list left empty), and which list it had. */
  legacy?: { document: string; format: 'history' | 'changes' | 'none' };
}

export const WORKFLOW = 'workflow';
export const workflowStream = (projectId: string): string => `workflow-${projectId}`;

/**
 * Row keys of the workflow view (inside `v!workflow!`): history is in write order (log order), as
 * the Python tool keeps it — its last 100 entries are the last 100 written, whatever their times.
 * An entry's key is its position in the project's history (1, 2, …; the entry keeps its seq), so
 * with the project's count (`n!<id>`) every key of a page is known: the latest page is a few point
 * reads, no iterator (workflow projection v3; v2 keyed entries by seq).
 */
export const workflowKeys = {
  entry: (projectId: string, position: number) => `h!${projectId}${SEP}${seqHex(position)}`,
  historyPrefix: (projectId: string) => `h!${projectId}${SEP}`,
  sync: (projectId: string) => `sync!${projectId}`,
  projectCount: (projectId: string) => `n!${projectId}`,
  count: 'count',
} as const;

/** Per-project workflow history in write order, the file-sync state, and counters. */
export const workflowProjection = defineProjection({
  name: WORKFLOW,
  // 3: history entries keyed by their position in the project's history, not by seq
  version: 3,
  handles: ['workflow.recorded', 'workflow.synced'],
  async fold(event, rows) {
    const projectId = projectIdOf(event.stream);
    if (event.type === 'workflow.synced') {
      rows.put(workflowKeys.sync(projectId), event.data);
      return;
    }
    const d = event.data;
    const entry: WorkflowEntry = { ...d, seq: event.seq };
    const pc = workflowKeys.projectCount(projectId);
    const position = ((await rows.get<number>(pc)) ?? 0) + 1;
    rows.put(workflowKeys.entry(projectId, position), entry);
    rows.put(pc, position);
    rows.put(workflowKeys.count, ((await rows.get<number>(workflowKeys.count)) ?? 0) + 1);
  },
});
