import { AccountViews } from './accounts.js';
import { AnalyticsViews } from './analytics.js';
import { HistoryViews } from './history.js';
import { ProjectViews } from './projects.js';
import type { ViewSource } from './source.js';
import { TemplateViews } from './templates.js';

export { AccountViews, AnalyticsViews, HistoryViews, ProjectViews, TemplateViews };
export * from './source.js';

/** Every query object over one view source (the store, or an `--as-of` materialisation). */
export interface Views {
  readonly source: ViewSource;
  readonly projects: ProjectViews;
  readonly history: HistoryViews;
  readonly analytics: AnalyticsViews;
  readonly templates: TemplateViews;
  readonly accounts: AccountViews;
}

export const createViews = (source: ViewSource): Views => ({
  source,
  projects: new ProjectViews(source),
  history: new HistoryViews(source),
  analytics: new AnalyticsViews(source),
  templates: new TemplateViews(source),
  accounts: new AccountViews(source),
});
