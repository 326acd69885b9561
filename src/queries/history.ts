import { WORKFLOW, workflowKeys, type SyncState, type WorkflowEntry } from '../projections/workflow.js';
import { ViewReader, type ViewSource } from './source.js';

/** Queries over the workflow view. */
export class HistoryViews {
  private readonly rows: ViewReader;
  constructor(source: ViewSource) {
    this.rows = new ViewReader(source, WORKFLOW);
  }

  /** A project's history in time order; with `limit`, the most recent entries. */
  async list(projectId: string, options: { limit?: number } = {}): Promise<WorkflowEntry[]> {
    const prefix = workflowKeys.historyPrefix(projectId);
    if (options.limit === undefined) return this.rows.values<WorkflowEntry>(prefix);
    const newest = await this.rows.values<WorkflowEntry>(prefix, { limit: options.limit, reverse: true });
    return newest.reverse();
  }

  async count(projectId?: string): Promise<number> {
    return (await this.rows.get<number>(projectId === undefined ? workflowKeys.count : workflowKeys.projectCount(projectId))) ?? 0;
  }

  syncState(projectId: string): Promise<SyncState | undefined> {
    return this.rows.get<SyncState>(workflowKeys.sync(projectId));
  }
}
