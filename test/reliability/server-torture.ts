// Kill the server while clients append: `node dist/test/reliability/server-torture.js [--kills N] [--seed S]`.
// Each round starts `pygubu-db serve`, lets three connectStore clients append (recording every
// acknowledged event id), SIGKILLs the server at a seeded random moment, then opens the store
// directly and checks that every acknowledged append is there and the log is gapless. The next
// round's serve must replace the dead server's socket. Prints one JSON summary line.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectStore, openStore, type ServerDescriptor } from '../../src/index.js';
import { rng } from '../../bench/lib/random.js';
import { BIN, ROOT } from '../helpers.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const kills = arg('kills', 200);
const seed = arg('seed', 1);
const random = rng(seed);

const dir = await mkdtemp(join(tmpdir(), 'pygubuai-server-torture-'));
const env = { PATH: process.env.PATH ?? '', HOME: dir, PYGUBUAI_HOME: join(dir, '.pygubuai') };
const location = join(dir, '.pygubuai', 'store');
const acked = new Set<string>();
let killed = 0;
let staleSockets = 0;
let failedAppends = 0;
const started = Date.now();

async function startServe(): Promise<{ kill: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN('pygubu-db'), 'serve', '--quiet'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 1200; i++) {
    try {
      const d = JSON.parse(readFileSync(`${location}.server.json`, 'utf8')) as ServerDescriptor;
      if (d.pid === child.pid) break;
    } catch {
      // not there yet
    }
    if (child.exitCode !== null) throw new Error(`serve exited: ${err}`);
    await sleep(25);
  }
  return {
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

try {
  for (let round = 0; round < kills; round++) {
    if (existsSync(`${location}.sock`)) staleSockets++;
    const server = await startServe();
    const client = await connectStore({ location });
    let stop = false;
    const appenders = [0, 1, 2].map(async (w) => {
      for (let i = 0; !stop; i++) {
        const id = `k${round}-w${w}-${i}`;
        const batch = 1 + Math.floor(random() * 3);
        const events = Array.from({ length: batch }, (_, j) => ({ id: `${id}-${j}`, stream: `torture-${w}`, type: 'analytics.recorded', data: { metric: 'torture', value: i } }));
        try {
          await client.append(events as never);
          for (const e of events) acked.add(e.id);
        } catch {
          failedAppends++;
          return;
        }
      }
    });
    await sleep(20 + random() * 200);
    await server.kill();
    killed++;
    stop = true;
    await Promise.all(appenders);
    await client.close();
    if (round % 20 === 19 || round === kills - 1) {
      const store = await openStore({ location });
      const ids = new Set<string>();
      let expect = 1;
      for await (const e of store.log.readAll()) {
        if (e.seq !== expect++) throw new Error(`gap in the log at seq ${e.seq}`);
        ids.add(e.id);
      }
      await store.close();
      const lost = [...acked].filter((id) => !ids.has(id));
      if (lost.length > 0) throw new Error(`${lost.length} acknowledged appends lost, e.g. ${lost.slice(0, 3).join(', ')}`);
    }
  }
  console.log(JSON.stringify({ ok: true, kills: killed, acknowledged: acked.size, refusedInFlight: failedAppends, staleSocketsReplaced: staleSockets, seed, seconds: Math.round((Date.now() - started) / 1000) }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, kills: killed, acknowledged: acked.size, error: (err as Error).message, seed }));
  process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
