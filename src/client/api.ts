import type { ExpectedVersion } from '../log/concurrency.js';
import type { NewEvent, NewEventOfAnyType, StoredEvent } from '../log/envelope.js';
import type { ProjectRow } from '../projections/projects.js';
import type { WorkflowEntry } from '../projections/workflow.js';
import type { TemplateRating, TemplateRow, TemplateVersionRow, TemplateFile } from '../projections/templates.js';
import type { VerifyReport } from '../projections/verify.js';
import type { AsOf } from '../projections/replay.js';
import type { ListProjectsOptions } from '../queries/projects.js';
import type { SearchTemplatesOptions } from '../queries/templates.js';
import type { Complexity, WidgetCount } from '../queries/analytics.js';
import type { CommandMeta, RecordWorkflowInput, RegisterProjectInput, UpdateProjectInput } from '../domain/projects.js';
import type { PublishResult, PublishTemplateInput, RateTemplateInput, DeprecateTemplateInput } from '../domain/templates.js';
import type { InstallResult, InstallTemplateInput } from '../domain/marketplace.js';
import type { RecordMetricInput, Trend, TrendOptions } from '../domain/analytics.js';
import type { RebuildReport, StoreStats } from '../store.js';

/** What the server and a client say about themselves when they meet (the handshake of docs/http-api.md). */
export interface Handshake {
  /** Package version of the server. */
  server: string;
  /** HTTP API version: the `/v1` prefix. */
  api: number;
  /** Store format the server reads and writes. */
  storeFormat: number;
  location: string;
  pid: number;
  head: number;
}

export interface SubscribeOptions {
  /** First seq to deliver (default: the next event appended after the call). */
  fromSeq?: number;
  /** Only these event types. */
  types?: readonly string[];
  /** Only these streams. */
  streams?: readonly string[];
  signal?: AbortSignal;
}

export interface ReadLogOptions {
  fromSeq?: number;
  limit?: number;
  type?: string;
  stream?: string;
}

export interface AppendRequest {
  events: ReadonlyArray<NewEvent | NewEventOfAnyType>;
  expectedVersion?: ExpectedVersion;
}

export interface ProjectsApi {
  list(options?: ListProjectsOptions & { asOf?: AsOf }): Promise<ProjectRow[]>;
  /** undefined when no live project has that name (a read never throws PROJECT_NOT_FOUND). */
  get(name: string, options?: { asOf?: AsOf }): Promise<ProjectRow | undefined>;
  search(query: string, options?: { limit?: number; asOf?: AsOf }): Promise<ProjectRow[]>;
  active(): Promise<ProjectRow | undefined>;
  register(input: RegisterProjectInput): Promise<ProjectRow>;
  update(name: string, input: UpdateProjectInput): Promise<ProjectRow>;
  rename(from: string, to: string, input?: CommandMeta): Promise<ProjectRow>;
  remove(name: string, input?: CommandMeta): Promise<ProjectRow>;
  activate(name: string, input?: CommandMeta): Promise<ProjectRow>;
}

export interface HistoryApi {
  list(project: string, options?: { limit?: number }): Promise<WorkflowEntry[]>;
  record(project: string, input: RecordWorkflowInput): Promise<StoredEvent>;
}

export interface TemplatesApi {
  search(query: string, options?: SearchTemplatesOptions): Promise<TemplateRow[]>;
  list(options?: SearchTemplatesOptions): Promise<TemplateRow[]>;
  get(name: string): Promise<TemplateRow | undefined>;
  versions(name: string): Promise<TemplateVersionRow[]>;
  reviews(name: string, options?: { limit?: number }): Promise<TemplateRating[]>;
  /** The newest version matching a semver range (TEMPLATE_NOT_FOUND when none). */
  resolve(name: string, range?: string): Promise<TemplateVersionRow>;
  files(name: string, version: string): Promise<TemplateFile[]>;
  /** The newest version matching a range and its files, together: one request through a server (an install's download). */
  download(name: string, range?: string): Promise<{ version: TemplateVersionRow; files: TemplateFile[] }>;
  publish(input: PublishTemplateInput): Promise<PublishResult>;
  rate(input: RateTemplateInput): Promise<{ rated: boolean; template: TemplateRow; rating: TemplateRating }>;
  deprecate(input: DeprecateTemplateInput): Promise<{ deprecated: boolean; template: TemplateRow; version: TemplateVersionRow | null }>;
  /** Count one download of an exact version (a client that wrote the files itself, after checking them). */
  countDownload(name: string, version: string, input?: CommandMeta): Promise<{ template: TemplateRow; version: TemplateVersionRow }>;
  /** Resolve `name@range`, write its files into `<dest>/<name>/` (on the store's machine), count the download. */
  install(input: InstallTemplateInput): Promise<InstallResult>;
}

export interface AnalyticsApi {
  widgets(options?: { project?: string; top?: number }): Promise<WidgetCount[]>;
  complexity(project: string): Promise<Complexity | undefined>;
  trend(options: TrendOptions): Promise<Trend>;
  record(input: RecordMetricInput): Promise<StoredEvent>;
}

/**
 * Everything a caller may do with a store that can cross a process boundary. `storeApi(store)`
 * implements it over an open store, `connectStore()` over a running server; code written against
 * it does not care which it got.
 */
export interface StoreApi {
  readonly location: string;
  readonly projects: ProjectsApi;
  readonly history: HistoryApi;
  readonly templates: TemplatesApi;
  readonly analytics: AnalyticsApi;
  /** The seq of the newest durable event. */
  head(): Promise<number>;
  append(events: NewEvent | NewEventOfAnyType | ReadonlyArray<NewEvent | NewEventOfAnyType>, options?: { expectedVersion?: ExpectedVersion | Record<string, ExpectedVersion> }): Promise<StoredEvent[]>;
  readLog(options?: ReadLogOptions): Promise<StoredEvent[]>;
  getEvent(seq: number): Promise<StoredEvent | undefined>;
  /** Events as they become durable, from `fromSeq`; ends when `signal` aborts. */
  subscribe(options?: SubscribeOptions): AsyncIterable<StoredEvent>;
  stats(options?: { asOf?: AsOf }): Promise<StoreStats>;
  verify(): Promise<VerifyReport>;
  rebuild(projections?: readonly string[]): Promise<RebuildReport>;
  compact(): Promise<{ before: number; after: number }>;
  close(): Promise<void>;
}
