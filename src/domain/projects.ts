import { randomUUID } from 'node:crypto';
import { StoreError } from '../errors.js';
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
  extra?: Record<string, unknown>;
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
  extra?: Record<string, unknown>;
}

export const cleanTags = (tags: readonly string[]): string[] => [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];

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
        tags: cleanTags(input.tags ?? []),
        created: input.created === undefined ? now : input.created,
        modified: input.modified === undefined ? now : input.modified,
        ...(input.extra && Object.keys(input.extra).length > 0 ? { extra: input.extra } : {}),
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
  const [event] = await tx.append({
    ...envelopeFields(input),
    stream: workflowStream(row.id),
    type: 'workflow.recorded',
    data: {
      timestamp: input.timestamp ?? pythonIso(input.at ?? new Date()),
      action: input.action,
      description: input.description ?? '',
      ...(input.user !== undefined ? { user: input.user } : {}),
      ...(input.extra && Object.keys(input.extra).length > 0 ? { extra: input.extra } : {}),
    },
  });
  return event!;
}
