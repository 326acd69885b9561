/**
 * The peers every scenario is measured against, loaded with the same data set:
 * the legacy JSON registry (done the way the Python tool does it), SQLite through better-sqlite3,
 * and raw classic-level (the physical floor of this design).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqliteDatabase } from './sqlite-peer.js';
import { ClassicLevel } from 'classic-level';
import { Packr } from 'msgpackr';
import type { BenchProject } from './dataset.js';

// ---- legacy JSON registry --------------------------------------------------------------------

export interface LegacyEntry {
  path: string;
  created: string | null;
  modified: string | null;
  description: string;
  tags: string[];
}
export interface LegacyRegistry {
  projects: Record<string, LegacyEntry>;
  active: string | null;
}
export interface LegacyWorkflow {
  project: string;
  history: Array<{ timestamp: string; action: string; description: string; user?: string }>;
  last_sync: string | null;
  version: string;
  file_hashes: Record<string, string>;
  file_mtimes: Record<string, number>;
}

/** What the Python tool does: read the whole file and parse it on every call; write tmp + rename. */
export class JsonRegistry {
  constructor(
    readonly file: string,
    readonly workflowDir: string,
  ) {}

  load(): LegacyRegistry {
    return JSON.parse(readFileSync(this.file, 'utf8')) as LegacyRegistry;
  }

  save(reg: LegacyRegistry): void {
    writeAtomic(this.file, reg);
  }

  workflowFile(name: string): string {
    return join(this.workflowDir, name, '.pygubu-workflow.json');
  }

  loadWorkflow(name: string): LegacyWorkflow {
    return JSON.parse(readFileSync(this.workflowFile(name), 'utf8')) as LegacyWorkflow;
  }

  saveWorkflow(name: string, wf: LegacyWorkflow): void {
    // The Python tool keeps the last 100 entries in the file.
    writeAtomic(this.workflowFile(name), { ...wf, history: wf.history.slice(-100) });
  }

  static toEntry(p: BenchProject): LegacyEntry {
    return { path: p.path, created: p.created, modified: p.modified, description: p.description, tags: p.tags };
  }

  /** Write the registry, and workflow files for the projects in `withWorkflow` (reads touch only those). */
  static build(dir: string, all: readonly BenchProject[], withWorkflow: ReadonlySet<number>): JsonRegistry {
    mkdirSync(dir, { recursive: true });
    const reg = new JsonRegistry(join(dir, 'pygubu-registry.json'), join(dir, 'projects'));
    const projects: Record<string, LegacyEntry> = {};
    all.forEach((p, i) => {
      projects[p.name] = JsonRegistry.toEntry(p);
      if (withWorkflow.has(i)) {
        mkdirSync(join(reg.workflowDir, p.name), { recursive: true });
        reg.saveWorkflow(p.name, { project: p.name, history: p.history, last_sync: null, version: '1.0', file_hashes: {}, file_mtimes: {} });
      }
    });
    reg.save({ projects, active: null });
    return reg;
  }
}

export function writeAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, file);
}

// ---- SQLite ----------------------------------------------------------------------------------

/**
 * The relational schema the Python plan described (projects, their tags, workflow history) with
 * its indexes: unique name, tag → project, history by (project, time), projects by modified time.
 */
export const SQLITE_SCHEMA = `
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created TEXT,
  modified TEXT,
  is_active INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE project_tags (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (project_id, tag)
);
CREATE INDEX idx_project_tags_tag ON project_tags(tag);
CREATE INDEX idx_projects_modified ON projects(modified);
CREATE TABLE workflow_history (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  timestamp TEXT NOT NULL,
  action TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  user TEXT
);
CREATE INDEX idx_workflow_project_time ON workflow_history(project_id, timestamp);
`;

export interface SqlitePeer {
  db: Database.Database;
  insertProject: Database.Statement;
  insertTag: Database.Statement;
  insertHistory: Database.Statement;
  byName: Database.Statement;
  tagsOf: Database.Statement;
  byTag: Database.Statement;
  search: Database.Statement;
  history: Database.Statement;
  importAll(list: readonly BenchProject[]): void;
  close(): void;
}

export function openSqlite(file: string, durable: boolean): SqlitePeer {
  const db = new (sqliteDatabase())(file);
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL syncs at checkpoints only (non-durable per commit); FULL syncs every commit.
  db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  const hasSchema = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'projects'").get();
  if (!hasSchema) db.exec(SQLITE_SCHEMA);
  const insertProject = db.prepare('INSERT INTO projects (name, path, description, created, modified) VALUES (?, ?, ?, ?, ?)');
  const insertTag = db.prepare('INSERT INTO project_tags (project_id, tag) VALUES (?, ?)');
  const insertHistory = db.prepare('INSERT INTO workflow_history (project_id, timestamp, action, description, user) VALUES (?, ?, ?, ?, ?)');
  const peer: SqlitePeer = {
    db,
    insertProject,
    insertTag,
    insertHistory,
    byName: db.prepare('SELECT * FROM projects WHERE name = ?'),
    tagsOf: db.prepare('SELECT tag FROM project_tags WHERE project_id = ?'),
    byTag: db.prepare(
      'SELECT p.* FROM projects p JOIN project_tags t ON t.project_id = p.id WHERE t.tag = ? ORDER BY p.name LIMIT ?',
    ),
    search: db.prepare(
      "SELECT * FROM projects WHERE name LIKE '%' || @w || '%' OR description LIKE '%' || @w || '%' ORDER BY name LIMIT @n",
    ),
    history: db.prepare(
      'SELECT h.timestamp, h.action, h.description, h.user FROM workflow_history h JOIN projects p ON p.id = h.project_id WHERE p.name = ? ORDER BY h.timestamp',
    ),
    importAll: db.transaction((list: readonly BenchProject[]) => {
      for (const p of list) {
        const id = insertProject.run(p.name, p.path, p.description, p.created, p.modified).lastInsertRowid;
        for (const t of p.tags) insertTag.run(id, t);
        for (const h of p.history) insertHistory.run(id, h.timestamp, h.action, h.description, h.user);
      }
    }),
    close: () => db.close(),
  };
  return peer;
}

// ---- raw classic-level -----------------------------------------------------------------------

export const rawPackr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

export type RawLevel = ClassicLevel<string, Buffer>;

/** The floor: one key per row, msgpack values, no log, no indexes. */
export async function openRawLevel(location: string): Promise<RawLevel> {
  const db = new ClassicLevel<string, Buffer>(location, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.open();
  return db;
}

export const rawKey = (name: string): string => `p!${name}`;
