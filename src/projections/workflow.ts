import { seqHex, SEP } from '../log/keys.js';
import { timeSortKey } from '../lib/time.js';
import { projectIdOf } from './projects.js';
import { defineProjection } from './projection.js';

export interface WorkflowEntry {
  timestamp: string;
  action: string;
  description: string;
  user?: string | null;
  extra?: Record<string, unknown>;
  seq: number;
}

export interface SyncState {
  file_hashes: Record<string, string>;
  file_mtimes: Record<string, number>;
  last_sync: string | null;
}

export const WORKFLOW = 'workflow';
export const workflowStream = (projectId: string): string => `workflow-${projectId}`;

/** Row keys of the workflow view (inside `v!workflow!`): history is ordered by timestamp, then seq. */
export const workflowKeys = {
  entry: (projectId: string, timestamp: string, seq: number) =>
    `h!${projectId}${SEP}${timeSortKey(timestamp)}${SEP}${seqHex(seq)}`,
  historyPrefix: (projectId: string) => `h!${projectId}${SEP}`,
  sync: (projectId: string) => `sync!${projectId}`,
  projectCount: (projectId: string) => `n!${projectId}`,
  count: 'count',
} as const;

/** Per-project workflow history in time order, the file-sync state, and counters. */
export const workflowProjection = defineProjection({
  name: WORKFLOW,
  version: 1,
  handles: ['workflow.recorded', 'workflow.synced'],
  async fold(event, rows) {
    const projectId = projectIdOf(event.stream);
    if (event.type === 'workflow.synced') {
      rows.put(workflowKeys.sync(projectId), event.data);
      return;
    }
    const d = event.data;
    const entry: WorkflowEntry = { ...d, seq: event.seq };
    rows.put(workflowKeys.entry(projectId, d.timestamp, event.seq), entry);
    rows.put(workflowKeys.count, ((await rows.get<number>(workflowKeys.count)) ?? 0) + 1);
    const pc = workflowKeys.projectCount(projectId);
    rows.put(pc, ((await rows.get<number>(pc)) ?? 0) + 1);
  },
});
