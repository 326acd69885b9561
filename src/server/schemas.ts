import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The wire shapes. Events are the envelope of schemas/envelope.schema.json, and each event type's
 * data schema is added as a component too: the API description is built from the same files the
 * log validates with, not a second copy of them.
 */
const schemasDir = (): string => {
  // dist/src/server → package root; in a bin's bundle, dist/src/bin → package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readdirSync(join(dir, 'schemas', 'events'));
      return join(dir, 'schemas');
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('schemas/ not found beside the package');
};

const strip = (schema: Record<string, unknown>): Record<string, unknown> => {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
};

export function sharedSchemas(): Array<Record<string, unknown>> {
  const dir = schemasDir();
  const out: Array<Record<string, unknown>> = [];
  const envelope = JSON.parse(readFileSync(join(dir, 'envelope.schema.json'), 'utf8')) as Record<string, unknown>;
  out.push({ ...strip(envelope), $id: 'StoredEvent', title: 'StoredEvent' });
  for (const file of readdirSync(join(dir, 'events')).sort()) {
    const m = /^(.+)\.v(\d+)\.schema\.json$/.exec(file);
    if (!m) continue;
    const schema = JSON.parse(readFileSync(join(dir, 'events', file), 'utf8')) as Record<string, unknown>;
    const id = `${m[1]!.replace(/[._]([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase())}V${m[2]}Data`;
    out.push({ ...strip(schema), $id: id, title: `${m[1]} v${m[2]} data` });
  }
  return out;
}

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const obj = { type: 'object', additionalProperties: true } as const;
const nullable = (s: object) => ({ anyOf: [s, { type: 'null' }] });
const strings = { type: 'array', items: str } as const;

export const S = { str, int, bool, obj, nullable, strings };

const meta = {
  type: 'object',
  additionalProperties: false,
  properties: { actor: { type: 'string', maxLength: 200 }, correlationId: { type: 'string', maxLength: 128 }, causationId: { type: 'string', maxLength: 128 } },
} as const;

/** Fields every write takes: who did it, an idempotency key, when it happened. */
export const commandFields = { meta, eventId: { type: 'string', maxLength: 128 }, at: str } as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: str, message: str, hint: str } } },
} as const;

export const projectRow = {
  $id: 'ProjectRow',
  type: 'object',
  required: ['id', 'name', 'path', 'description', 'tags', 'created', 'modified'],
  properties: {
    id: str,
    name: str,
    path: str,
    description: str,
    tags: strings,
    created: nullable(str),
    modified: nullable(str),
    extra: obj,
  },
} as const;

export const workflowEntry = {
  $id: 'WorkflowEntry',
  type: 'object',
  required: ['timestamp', 'action', 'description', 'seq'],
  properties: { timestamp: str, action: str, description: str, user: nullable(str), extra: obj, seq: int },
} as const;

export const templateRow = { $id: 'TemplateRow', type: 'object', additionalProperties: true, properties: { name: str, latest: str, description: str, author: str, tags: strings, downloads: int, deprecated: nullable(str) } } as const;
export const templateVersionRow = { $id: 'TemplateVersionRow', type: 'object', additionalProperties: true, properties: { name: str, version: str, published: str, downloads: int, deprecated: nullable(str) } } as const;

export const ref = (id: string) => ({ $ref: `${id}#` });
export const arrayOf = (id: string) => ({ type: 'array', items: ref(id) });
