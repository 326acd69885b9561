import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { StoreError } from '../errors.js';
import { normaliseAt } from '../log/envelope.js';
import type { SyncState } from '../projections/workflow.js';

/** One project entry of the legacy registry, normalised (old string form, missing keys filled). */
export interface LegacyProject {
  name: string;
  /** Fully resolved: absolute, symlinks followed as far as the path exists, no trailing slash. */
  path: string;
  /** False when the directory does not exist here (registries travel between machines). */
  pathExists: boolean;
  description: string;
  tags: string[];
  created: string | null;
  modified: string | null;
  /** Keys the Python tool (or a user) added that this format does not know; written back on export. */
  extra?: Record<string, unknown>;
}

export interface LegacyRegistry {
  projects: LegacyProject[];
  /** `active_project` (old name) wins over `active` when both are there. */
  active: string | null;
}

export interface LegacyHistoryEntry {
  timestamp: string;
  action: string;
  description: string;
  user?: string | null;
  extra?: Record<string, unknown>;
}

export interface LegacyWorkflow {
  /** `history` (current), `changes` (old), or `none` (neither key). */
  format: 'history' | 'changes' | 'none';
  entries: LegacyHistoryEntry[];
  /** file_hashes / file_mtimes / last_sync, when the file has any of them. */
  sync?: SyncState;
}

/** A legacy file's bytes and their sha256, or undefined when it does not exist. */
export interface LegacyFile {
  path: string;
  text: string;
  sha256: string;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export async function readLegacyFile(path: string): Promise<LegacyFile | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new StoreError('LEGACY_UNREADABLE', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return { path, text: buf.toString('utf8'), sha256: sha256(buf) };
}

/** JSON.parse with the error a user can act on: which file, which line and column. */
export function parseLegacyJson(file: LegacyFile): unknown {
  const text = file.text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (cause) {
    const msg = (cause as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      where = ` at line ${line} column ${Number(pos[1]) - before.lastIndexOf('\n')}`;
    } else if (/end of JSON input|Unterminated/i.test(msg)) where = ' (it ends too early: truncated?)';
    throw new StoreError('LEGACY_INVALID_JSON', `${file.path} is not valid JSON${where}`, { cause, hint: 'restore it from a backup, or fix it by hand' });
  }
}

const badShape = (file: string, what: string): StoreError => new StoreError('LEGACY_BAD_SHAPE', `${file}: ${what}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/** An ISO-8601 time as the envelope's `at`; a time without a zone is taken as UTC. */
export function legacyAt(timestamp: string): string | undefined {
  const zoned = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(timestamp) ? `${timestamp}Z` : timestamp;
  return normaliseAt(zoned);
}

/**
 * Absolute, `~` expanded, symlinks followed as far as the path exists (a registry from another
 * machine names directories that are not here), no trailing slash.
 */
export async function resolveLegacyPath(path: string, baseDir: string): Promise<{ path: string; exists: boolean }> {
  const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
  const absolute = resolve(isAbsolute(expanded) ? expanded : join(baseDir, expanded));
  try {
    return { path: await realpath(absolute), exists: true };
  } catch {
    let dir = absolute;
    const rest: string[] = [];
    while (dirname(dir) !== dir) {
      rest.unshift(basename(dir));
      dir = dirname(dir);
      try {
        return { path: join(await realpath(dir), ...rest), exists: false };
      } catch {
        // keep climbing to an ancestor that exists
      }
    }
    return { path: absolute, exists: false };
  }
}

const PROJECT_KEYS = new Set(['path', 'created', 'modified', 'description', 'tags']);

const optionalTime = (file: string, where: string, v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badShape(file, `${where} is ${jsonType(v)}, expected an ISO-8601 string or null`);
  return v;
};

/** The registry in any of its historical shapes, or a LEGACY_BAD_SHAPE error naming what is wrong. */
export async function parseRegistry(doc: unknown, file: string): Promise<LegacyRegistry> {
  if (Array.isArray(doc)) throw badShape(file, 'the registry is a JSON list; expected an object with a "projects" key');
  if (!isObject(doc)) throw badShape(file, `the registry is ${jsonType(doc)}; expected an object with a "projects" key`);
  if (!('projects' in doc)) throw badShape(file, 'the registry has no "projects" key');
  const projects = doc.projects;
  if (!isObject(projects)) throw badShape(file, `"projects" is ${jsonType(projects)}; expected an object of name → project`);
  const baseDir = dirname(file);
  const out: LegacyProject[] = [];
  for (const [name, value] of Object.entries(projects)) {
    const where = `project ${JSON.stringify(name)}`;
    if (name.trim() === '') throw badShape(file, 'a project has an empty name');
    const entry = typeof value === 'string' ? { path: value } : value;
    if (!isObject(entry)) throw badShape(file, `${where} is ${jsonType(value)}; expected an object or a path string`);
    if (typeof entry.path !== 'string' || entry.path.trim() === '') throw badShape(file, `${where} has no "path"`);
    const description = entry.description ?? '';
    if (typeof description !== 'string') throw badShape(file, `${where}: "description" is ${jsonType(description)}, expected a string`);
    const tags = entry.tags ?? [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) throw badShape(file, `${where}: "tags" must be a list of strings`);
    const extra = Object.fromEntries(Object.entries(entry).filter(([k]) => !PROJECT_KEYS.has(k)));
    const resolved = await resolveLegacyPath(entry.path, baseDir);
    out.push({
      name: name.trim(),
      path: resolved.path,
      pathExists: resolved.exists,
      description,
      tags: [...new Set((tags as string[]).map((t) => t.trim()).filter((t) => t.length > 0))],
      created: optionalTime(file, `${where}: "created"`, entry.created),
      modified: optionalTime(file, `${where}: "modified"`, entry.modified),
      ...(Object.keys(extra).length > 0 ? { extra } : {}),
    });
  }
  const names = new Set<string>();
  for (const p of out) {
    if (names.has(p.name)) throw badShape(file, `two projects are named ${JSON.stringify(p.name)} once surrounding spaces are dropped`);
    names.add(p.name);
  }
  const active = 'active_project' in doc && doc.active_project != null ? doc.active_project : doc.active;
  if (active !== undefined && active !== null && typeof active !== 'string') throw badShape(file, `"active" is ${jsonType(active)}, expected a project name`);
  return { projects: out, active: typeof active === 'string' && active !== '' ? active : null };
}

const ENTRY_KEYS = new Set(['timestamp', 'action', 'description', 'user']);
const CHANGE_KEYS = new Set(['file', 'timestamp']);

function checkedTimestamp(file: string, where: string, v: unknown): string {
  if (typeof v !== 'string') throw badShape(file, `${where} has no "timestamp"`);
  if (legacyAt(v) === undefined) throw badShape(file, `${where}: "timestamp" ${JSON.stringify(v)} is not an ISO-8601 time`);
  return v;
}

/** A workflow file: `history` entries, or the old `changes` list (which wins when both exist). */
export function parseWorkflow(doc: unknown, file: string): LegacyWorkflow {
  if (Array.isArray(doc)) throw badShape(file, 'the workflow file is a JSON list; expected an object with "history"');
  if (!isObject(doc)) throw badShape(file, `the workflow file is ${jsonType(doc)}; expected an object with "history"`);
  const entries: LegacyHistoryEntry[] = [];
  let format: LegacyWorkflow['format'] = 'none';
  if (doc.changes !== undefined) {
    format = 'changes';
    if (!Array.isArray(doc.changes)) throw badShape(file, `"changes" is ${jsonType(doc.changes)}, expected a list`);
    doc.changes.forEach((c, i) => {
      const where = `change ${i + 1}`;
      if (!isObject(c)) throw badShape(file, `${where} is ${jsonType(c)}, expected an object`);
      if (typeof c.file !== 'string' || c.file === '') throw badShape(file, `${where} has no "file"`);
      const extra = Object.fromEntries(Object.entries(c).filter(([k]) => !CHANGE_KEYS.has(k)));
      entries.push({
        timestamp: checkedTimestamp(file, where, c.timestamp),
        action: 'file_changed',
        description: `File ${c.file} changed`,
        ...(Object.keys(extra).length > 0 ? { extra } : {}),
      });
    });
  } else if (doc.history !== undefined) {
    format = 'history';
    if (!Array.isArray(doc.history)) throw badShape(file, `"history" is ${jsonType(doc.history)}, expected a list`);
    doc.history.forEach((h, i) => {
      const where = `history entry ${i + 1}`;
      if (!isObject(h)) throw badShape(file, `${where} is ${jsonType(h)}, expected an object`);
      if (typeof h.action !== 'string' || h.action === '') throw badShape(file, `${where} has no "action"`);
      const description = h.description ?? '';
      if (typeof description !== 'string') throw badShape(file, `${where}: "description" is ${jsonType(description)}, expected a string`);
      if (h.user !== undefined && h.user !== null && typeof h.user !== 'string') throw badShape(file, `${where}: "user" is ${jsonType(h.user)}`);
      const extra = Object.fromEntries(Object.entries(h).filter(([k]) => !ENTRY_KEYS.has(k)));
      entries.push({
        timestamp: checkedTimestamp(file, where, h.timestamp),
        action: h.action,
        description,
        ...(h.user !== undefined ? { user: h.user as string | null } : {}),
        ...(Object.keys(extra).length > 0 ? { extra } : {}),
      });
    });
  }
  let sync: SyncState | undefined;
  if (doc.file_hashes !== undefined || doc.file_mtimes !== undefined || doc.last_sync !== undefined) {
    const hashes = doc.file_hashes ?? {};
    const mtimes = doc.file_mtimes ?? {};
    if (!isObject(hashes) || !Object.values(hashes).every((v) => typeof v === 'string')) throw badShape(file, '"file_hashes" must map file names to strings');
    if (!isObject(mtimes) || !Object.values(mtimes).every((v) => typeof v === 'number')) throw badShape(file, '"file_mtimes" must map file names to numbers');
    sync = {
      file_hashes: hashes as Record<string, string>,
      file_mtimes: mtimes as Record<string, number>,
      last_sync: optionalTime(file, '"last_sync"', doc.last_sync),
    };
  }
  return { format, entries, ...(sync ? { sync } : {}) };
}

export const WORKFLOW_FILE = '.pygubu-workflow.json';
export const workflowFileOf = (projectPath: string): string => join(projectPath, WORKFLOW_FILE);
