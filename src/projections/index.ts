import { accountsProjection } from './accounts.js';
import { analyticsProjection } from './analytics.js';
import type { Projection } from './projection.js';
import { projectsProjection } from './projects.js';
import { templatesProjection } from './templates.js';
import { workflowProjection } from './workflow.js';

export * from './projection.js';
export { accountsProjection, analyticsProjection, projectsProjection, templatesProjection, workflowProjection };

/** Every inline projection of the store, folded in the same batch as the events they read. */
export const BUILT_IN_PROJECTIONS: readonly Projection[] = [
  projectsProjection,
  workflowProjection,
  analyticsProjection,
  templatesProjection,
  accountsProjection,
] as readonly Projection[];
