import { randomUUID } from 'node:crypto';
import { StoreError, ValidationError } from '../errors.js';
import { pythonIso } from '../lib/time.js';
import { NO_STREAM } from '../log/concurrency.js';
import type { EventMeta, StoredEvent } from '../log/envelope.js';
import type { Transaction } from '../log/event-log.js';
import { projectIdOf, projectStream, type ProjectRow } from '../projections/projects.js';
import { idKey, logKey } from '../log/keys.js';
import { workflowStream } from '../projections/workflow.js';
import type { Views } from '../queries/index.js';

/** Options every command takes: who and what is behind the change, and a retry-safe event id. */
export interface CommandMeta {
  meta?: Partial<EventMeta>;
  /** Event id to use; appending the same id again is a no-op (idempotent retry). */
  eventId?: string;
  /** When it happened (defaults to now); imported history keeps its original time. */
  at?: string;
}

export interface RegisterProjectInput extends CommandMeta {
  name: string;
  path: string;
  description?: string;
  tags?: readonly string[];
  created?: string | null;
  modified?: string | null;
  /** Stable project id (derived from the source on import); random otherwise. */
  id?: string;
}

export interface UpdateProjectInput extends CommandMeta {
  description?: string;
  tags?: readonly string[];
  path?: string;
}

export interface RecordWorkflowInput extends CommandMeta {
  action: string;
  description?: string;
  timestamp?: string;
  user?: string | null;
}

export const cleanTags = (tags: readonly string[]): string[] => [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];

/**
 * What a user may type. Imported legacy data is held only to the schemas' far larger caps (names,
 * descriptions and tags as the Python tool wrote them); a command typed by hand keeps these limits.
 */
export const USER_LIMITS = { name: 200, path: 4096, description: 10_000, tags: 100, tag: 100, action: 200, user: 200 } as const;

const CONTROL = /[\u0000-\u001f\u007f]/;

function checkText(type: string, field: string, value: string | undefined, max: number, opts: { min?: number; plain?: boolean } = {}): void {
  if (value === undefined) return;
  if (value.length < (opts.min ?? 0)) throw new ValidationError(type, `/data/${field}`, `must NOT have fewer than ${opts.min} characters`);
  if (value.length > max) throw new ValidationError(type, `/data/${field}`, `must NOT have more than ${max} characters`);
  if (opts.plain && CONTROL.test(value)) throw new ValidationError(type, `/data/${field}`, 'must not hold control characters (tab, newline, …)');
}

function checkUserProject(type: string, input: { name?: string; path?: string; description?: string; tags?: readonly string[] }): void {
  checkText(type, 'name', input.name, USER_LIMITS.name, { min: 1, plain: true });
  checkText(type, 'path', input.path, USER_LIMITS.path, { min: 1, plain: true });
  checkText(type, 'description', input.description, USER_LIMITS.description);
  if (input.tags) {
    if (input.tags.length > USER_LIMITS.tags) throw new ValidationError(type, '/data/tags', `must NOT have more than ${USER_LIMITS.tags} items`);
    input.tags.forEach((t, i) => checkText(type, `tags/${i}`, t, USER_LIMITS.tag, { min: 1, plain: true }));
  }
}

const envelopeFields = (input: CommandMeta) => ({
  ...(input.eventId !== undefined ? { id: input.eventId } : {}),
  ...(input.at !== undefined ? { at: input.at } : {}),
  ...(input.meta !== undefined ? { meta: input.meta } : {}),
});

async function assertNameFree(views: Views, name: string): Promise<void> {
  if (await views.projects.byName(name)) {
    throw new StoreError('PROJECT_EXISTS', `a project named ${JSON.stringify(name)} already exists`, {
      hint: 'choose another --name, or remove the existing project first',
    });
  }
}

async function fetchRow(views: Views, id: string): Promise<ProjectRow> {
  const row = await views.projects.byId(id);
  if (!row) throw new StoreError('PROJECT_NOT_FOUND', `project ${id} vanished during its own command`);
  return row;
}

export async function registerProject(tx: Transaction, views: Views, input: RegisterProjectInput): Promise<ProjectRow> {
  const name = input.name.trim();
  if (input.eventId !== undefined) {
    // An idempotent retry of a registration that already landed: answer with that project.
    const seq = await tx.get<number>(idKey(input.eventId));
    const landed = seq === undefined ? undefined : await tx.get<StoredEvent>(logKey(seq));
    if (landed?.type === 'project.registered') {
      const pid = projectIdOf(landed.stream);
      return (await views.projects.byId(pid)) ?? ({ id: pid, ...(landed.data as Omit<ProjectRow, 'id'>) } as ProjectRow);
    }
  }
  const id = input.id ?? randomUUID();
  await assertNameFree(views, name);
  const tags = cleanTags(input.tags ?? []);
  checkUserProject('project.registered', { name, path: input.path, description: input.description ?? '', tags });
  const now = pythonIso(input.at ?? new Date());
  await tx.append(
    {
      ...envelopeFields(input),
      stream: projectStream(id),
      type: 'project.registered',
      data: {
        name,
        path: input.path,
        description: input.description ?? '',
        tags,
        created: input.created === undefined ? now : input.created,
        modified: input.modified === undefined ? now : input.modified,
      },
    },
    { expectedVersion: NO_STREAM },
  );
  return fetchRow(views, id);
}

export async function updateProject(tx: Transaction, views: Views, name: string, input: UpdateProjectInput): Promise<ProjectRow> {
  const row = await views.projects.require(name);
  const data = {
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.tags !== undefined ? { tags: cleanTags(input.tags) } : {}),
    ...(input.path !== undefined ? { path: input.path } : {}),
  };
  if (Object.keys(data).length === 0) {
    throw new StoreError('INVALID_ARGUMENT', 'nothing to update: give --description, --tags or --path');
  }
  checkUserProject('project.updated', data);
  await tx.append({ ...envelopeFields(input), stream: projectStream(row.id), type: 'project.updated', data });
  return fetchRow(views, row.id);
}

export async function renameProject(tx: Transaction, views: Views, from: string, to: string, input: CommandMeta = {}): Promise<ProjectRow> {
  const row = await views.projects.require(from);
  const target = to.trim();
  if (target === row.name) return row;
  await assertNameFree(views, target);
  await tx.append({ ...envelopeFields(input), stream: projectStream(row.id), type: 'project.renamed', data: { from: row.name, to: target } });
  return fetchRow(views, row.id);
}

export async function removeProject(tx: Transaction, views: Views, name: string, input: CommandMeta = {}): Promise<ProjectRow> {
  const row = await views.projects.require(name);
  await tx.append({ ...envelopeFields(input), stream: projectStream(row.id), type: 'project.removed', data: { name: row.name } });
  return row;
}

export async function activateProject(tx: Transaction, views: Views, name: string, input: CommandMeta = {}): Promise<ProjectRow> {
  const row = await views.projects.require(name);
  await tx.append({ ...envelopeFields(input), stream: projectStream(row.id), type: 'project.activated', data: { name: row.name } });
  return row;
}

export async function recordWorkflow(
  tx: Transaction,
  views: Views,
  projectName: string,
  input: RecordWorkflowInput,
): Promise<StoredEvent> {
  const row = await views.projects.require(projectName);
  checkText('workflow.recorded', 'action', input.action, USER_LIMITS.action, { min: 1, plain: true });
  checkText('workflow.recorded', 'description', input.description, USER_LIMITS.description);
  checkText('workflow.recorded', 'user', input.user ?? undefined, USER_LIMITS.user);
  if (input.timestamp !== undefined) checkText('workflow.recorded', 'timestamp', input.timestamp, 64, { min: 10 });
  const [event] = await tx.append({
    ...envelopeFields(input),
    stream: workflowStream(row.id),
    type: 'workflow.recorded',
    data: {
      timestamp: input.timestamp ?? pythonIso(input.at ?? new Date()),
      action: input.action,
      description: input.description ?? '',
      ...(input.user !== undefined ? { user: input.user } : {}),
    },
  });
  return event!;
}
