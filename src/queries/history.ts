import { WORKFLOW, workflowKeys, type SyncState, type WorkflowEntry } from '../projections/workflow.js';
import { ViewReader, type ViewSource } from './source.js';

/**
 * A page up to this long is read as point reads of its known keys (sync gets through the read
 * cache); a longer one as one range read.
 */
const POINT_READS_UP_TO = 64;

/** Queries over the workflow view. */
export class HistoryViews {
  private readonly rows: ViewReader;
  constructor(source: ViewSource) {
    this.rows = new ViewReader(source, WORKFLOW);
  }

  /**
   * A project's history in write order; with `limit`, the most recent entries. Entries are keyed
   * by their position, so the project's count says which keys the page has.
   */
  async list(projectId: string, options: { limit?: number } = {}): Promise<WorkflowEntry[]> {
    const n = await this.count(projectId);
    const limit = options.limit;
    const take = limit === undefined || limit < 0 ? n : Math.min(n, limit);
    if (take <= 0) return [];
    const first = n - take + 1;
    if (take <= POINT_READS_UP_TO) {
      const keys: string[] = [];
      for (let i = first; i <= n; i++) keys.push(workflowKeys.entry(projectId, i));
      return this.rows.getAll<WorkflowEntry>(keys);
    }
    return this.rows.values<WorkflowEntry>(workflowKeys.historyPrefix(projectId), { from: workflowKeys.entry(projectId, first) });
  }

  async count(projectId?: string): Promise<number> {
    return (await this.rows.get<number>(projectId === undefined ? workflowKeys.count : workflowKeys.projectCount(projectId))) ?? 0;
  }

  syncState(projectId: string): Promise<SyncState | undefined> {
    return this.rows.get<SyncState>(workflowKeys.sync(projectId));
  }
}
