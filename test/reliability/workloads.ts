import { spawn } from 'node:child_process';
import { sandboxEnv } from '../sandbox.js';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openStore, type NewEvent, type StoredEvent, type Store } from '../../src/index.js';
import type { Journal, JournalState } from './journal.js';
import { loadWorkload, restoreWorkload } from './workloads-dumps.js';
import { migrateWorkload } from './workloads-legacy.js';

/** What a torture child gets: the store it works on, its journal and a seeded random source. */
export interface ChildContext {
  location: string;
  journal: Journal;
  random: () => number;
  /** The package root, for spawning the built bins. */
  root: string;
  /** Call once the child has opened what it works on: kills are timed from here. */
  ready(): void;
}

/**
 * One kind of real work the torture driver kills at random moments. `work` runs in the child
 * until it is killed; `seed` (driver side) prepares a fresh store; `token` names a stored event
 * the way the child journals it (default: the event id).
 */
export interface Workload {
  name: string;
  /** The longest pause, after the child said ready, before the kill (ms). */
  killWindowMs: number;
  /** Kills before the store is thrown away and seeded again (keeps verify cheap). */
  resetEvery: number;
  seed?(store: Store, journal: Journal): Promise<void>;
  work(ctx: ChildContext): Promise<never>;
  token?(event: StoredEvent): string | undefined;
  /** Workload-specific checks after the common ones (driver side, on the reopened store). */
  extraCheck?(store: Store, journal: JournalState): Promise<string[]>;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: () => number, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

const historyEvent = (random: () => number, stream: string, id = randomUUID()): NewEvent => ({
  id,
  stream,
  type: 'workflow.recorded',
  data: {
    timestamp: new Date(Date.UTC(2025, 0, 1) + int(random, 0, 1e10)).toISOString(),
    action: pick(random, ['file_changed', 'ui_generated', 'build', 'test']),
    description: 'x'.repeat(int(random, 0, 300)),
  },
});

/** Journal, write, acknowledge: the one shape every workload's writes take. */
async function journaled<T>(journal: Journal, tokens: readonly string[], write: () => Promise<T>): Promise<T> {
  journal.attempted(tokens);
  const value = await write();
  journal.acknowledged(tokens);
  return value;
}

async function liveProjects(store: Store): Promise<string[]> {
  return (await store.views.projects.list()).map((p) => p.name);
}

async function seedProjects(store: Store, journal: Journal, projects: number, historyPerProject: number): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < projects; i++) {
    const eventId = randomUUID();
    const p = await store.projects.register({ name: `seed-${i}`, path: `/srv/seed-${i}`, tags: ['seed', `t${i % 7}`], eventId });
    ids.push(eventId);
    const batch = Array.from({ length: historyPerProject }, () => historyEvent(Math.random, `workflow-${p.id}`));
    await store.append(batch);
    ids.push(...batch.map((e) => e.id!));
  }
  journal.seeded(ids);
}

/** Single appends through every domain command and the raw API, one at a time. */
const singleAppends: Workload = {
  name: 'append',
  killWindowMs: 400,
  resetEvery: 50,
  seed: (store, journal) => seedProjects(store, journal, 3, 5),
  async work({ location, journal, random, ready }) {
    const store = await openStore({ location });
    const names = await liveProjects(store);
    ready();
    for (;;) {
      const eventId = randomUUID();
      const op = names.length === 0 ? 'register' : pick(random, ['register', 'record', 'record', 'update', 'activate', 'rename', 'raw']);
      const name = names.length === 0 ? '' : pick(random, names);
      await journaled(journal, [eventId], async () => {
        if (op === 'register') {
          const p = await store.projects.register({ name: `p-${eventId.slice(0, 8)}`, path: `/srv/${eventId}`, tags: ['a', 'b'], eventId });
          names.push(p.name);
        } else if (op === 'record') await store.history.record(name, { action: 'file_changed', description: eventId, eventId });
        else if (op === 'update') await store.projects.update(name, { description: `d ${eventId}`, tags: [pick(random, ['x', 'y', 'z'])], eventId });
        else if (op === 'activate') await store.projects.activate(name, { eventId });
        else if (op === 'rename') {
          const to = `r-${eventId.slice(0, 8)}`;
          await store.projects.rename(name, to, { eventId });
          names[names.indexOf(name)] = to;
        } else {
          const p = (await store.views.projects.byName(name))!;
          await store.append(historyEvent(random, `workflow-${p.id}`, eventId));
        }
      });
    }
  },
};

/** Multi-event appends across streams: each must land whole or not at all. */
const batches: Workload = {
  name: 'batch',
  killWindowMs: 400,
  resetEvery: 40,
  seed: (store, journal) => seedProjects(store, journal, 4, 0),
  async work({ location, journal, random, ready }) {
    const store = await openStore({ location });
    const ids = (await store.views.projects.list()).map((p) => p.id);
    ready();
    for (;;) {
      const events = Array.from({ length: int(random, 2, 300) }, () => historyEvent(random, `workflow-${pick(random, ids)}`));
      await journaled(journal, events.map((e) => e.id!), () => store.append(events));
    }
  },
};

/** Many requests in flight at once, so the kill lands inside group commits. */
const concurrentAppends: Workload = {
  name: 'concurrent',
  killWindowMs: 400,
  resetEvery: 40,
  seed: (store, journal) => seedProjects(store, journal, 4, 0),
  async work({ location, journal, random, ready }) {
    const store = await openStore({ location });
    const ids = (await store.views.projects.list()).map((p) => p.id);
    ready();
    for (;;) {
      await Promise.all(
        Array.from({ length: int(random, 8, 64) }, () => {
          const event = historyEvent(random, `workflow-${pick(random, ids)}`);
          return journaled(journal, [event.id!], () => store.append(event));
        }),
      );
    }
  },
};

/** Rebuilds of all or one projection (with a few appends between them) over a few thousand events. */
const rebuilds: Workload = {
  name: 'rebuild',
  killWindowMs: 900,
  resetEvery: 60,
  seed: (store, journal) => seedProjects(store, journal, 150, 12),
  async work({ location, journal, random, ready }) {
    const store = await openStore({ location });
    const ids = (await store.views.projects.list()).map((p) => p.id);
    ready();
    for (;;) {
      const event = historyEvent(random, `workflow-${pick(random, ids)}`);
      await journaled(journal, [event.id!], () => store.append(event));
      await store.rebuild(pick(random, [undefined, ['projects'], ['workflow']]));
    }
  },
};

/** The pygubu-db bin as a user runs it: `project add` and `history record`, killed mid-command. */
const cliWrites: Workload = {
  name: 'cli',
  killWindowMs: 2500,
  resetEvery: 60,
  async seed(store, journal) {
    await mkdir(join(dirname(store.location), 'proj'), { recursive: true });
    const p = await store.projects.register({ name: 'cli-base', path: join(dirname(store.location), 'proj') });
    journal.seeded([p.name]);
  },
  async work({ location, journal, random, root, ready }) {
    const bin = join(root, 'dist', 'src', 'bin', 'pygubu-db.js');
    const dir = join(dirname(location), 'proj');
    ready();
    for (let n = 0; ; n++) {
      const token = `cli${Math.floor(random() * 1e9).toString(36)}n${n}`;
      const args =
        random() < 0.3
          ? ['project', 'add', dir, '--name', token, '--tags', 'cli,torture', '--store', location, '--json']
          : ['history', 'record', 'cli-base', token, '-d', 'torture', '--store', location, '--json'];
      journal.attempted([token]);
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { stdio: 'ignore', env: sandboxEnv() });
        child.on('close', resolve);
      });
      if (code !== 0) throw new Error(`pygubu-db ${args.slice(0, 2).join(' ')} exited ${code}`);
      journal.acknowledged([token]);
    }
  },
  token: (e) =>
    e.type === 'project.registered' ? String(e.data.name) : e.type === 'workflow.recorded' ? String(e.data.action) : e.id,
};

export const WORKLOADS: readonly Workload[] = [singleAppends, batches, concurrentAppends, rebuilds, cliWrites, migrateWorkload, loadWorkload, restoreWorkload];

/**
 * Deliberately broken children, so the tests can show the driver catches what it claims to:
 * one acknowledges a write it never made, one writes without journaling the attempt.
 */
export const BROKEN_WORKLOADS: readonly Workload[] = [
  {
    name: 'lying-ack',
    killWindowMs: 100,
    resetEvery: 10,
    async work({ location, journal, ready }) {
      const store = await openStore({ location });
      ready();
      journal.attempted(['never-written']);
      journal.acknowledged(['never-written']);
      for (;;) await new Promise((r) => setTimeout(r, 1000));
    },
  },
  {
    name: 'unjournaled-write',
    killWindowMs: 100,
    resetEvery: 10,
    async work({ location, random, ready }) {
      const store = await openStore({ location });
      await store.append(historyEvent(random, 'workflow-ghost'));
      ready();
      for (;;) await new Promise((r) => setTimeout(r, 1000));
    },
  },
];

export const workloadNamed = (name: string): Workload => {
  const w = [...WORKLOADS, ...BROKEN_WORKLOADS].find((x) => x.name === name);
  if (!w) throw new Error(`no torture workload ${name}; known: ${WORKLOADS.map((x) => x.name).join(', ')}`);
  return w;
};
