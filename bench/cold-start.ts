/** Whole-process cold start of read commands, against `node -e 0` and equivalent one-shot scripts. */
import { spawnSync } from 'node:child_process';
import { sandboxEnv } from '../test/sandbox.js';
import { BIN, ROOT } from './lib/paths.js';
import { viewPrefix } from '../src/log/keys.js';
import { projectKeys } from '../src/projections/projects.js';
import { latencyInterleaved } from './lib/measure.js';
import type { Scenario } from './lib/context.js';

const DB = BIN('pygubu-db');

function spawnTimed(args: string[], env: NodeJS.ProcessEnv = sandboxEnv()): void {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

export const coldStart: Scenario = {
  name: 'cold start',
  sizes: (ctx) => ctx.largest,
  async run(ctx) {
    const n = ctx.iters(15, 3);
    const name = ctx.data[Math.floor(ctx.data.length / 2)]!.name;
    await ctx.closeStore(); // the bins take the store's lock
    const storeArgs = ['--store', ctx.storeLocation, '--json'];
    // Every subject once per round, in rotating order (see latencyInterleaved): the ratios to
    // `node -e 0` are the figures, so they are measured side by side.
    const { node, shell, show, stats, sqlite, floor, json } = await latencyInterleaved(
      {
        node: () => spawnTimed(['-e', '0']),
        // The CLI shell with no store work: the bin, its command descriptors and yargs parsing one
        // flag. What `project show` costs beyond this and beyond the floor is the store's own start.
        shell: () => spawnTimed([DB, '--version']),
        show: () => spawnTimed([DB, 'project', 'show', name, ...storeArgs]),
        stats: () => spawnTimed([DB, 'stats', ...storeArgs]),
        sqlite: () =>
          spawnTimed([
            '-e',
            `const D=require('better-sqlite3');const d=new D(process.argv[1],{readonly:true});const p=d.prepare('SELECT * FROM projects WHERE name=?').get(process.argv[2]);p.tags=d.prepare('SELECT tag FROM project_tags WHERE project_id=?').pluck().all(p.id);console.log(JSON.stringify(p))`,
            ctx.sqliteFile,
            name,
          ]),
        // The floor: a one-liner that opens the store's own LevelDB with classic-level and reads the
        // same row `project show` reads (one get of the name row, msgpack unpack), printing it.
        floor: () =>
          spawnTimed([
            '-e',
            `const {ClassicLevel}=require('classic-level');const {unpack}=require('msgpackr');const db=new ClassicLevel(process.argv[1],{keyEncoding:'utf8',valueEncoding:'buffer'});db.open().then(()=>db.get(process.argv[2])).then((b)=>{console.log(JSON.stringify(unpack(b)));return db.close()})`,
            ctx.storeLocation,
            viewPrefix('projects') + projectKeys.byName(name),
          ]),
        json: () => spawnTimed(['-e', `const r=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'));console.log(JSON.stringify(r.projects[process.argv[2]]))`, ctx.json.file, name]),
      },
      { iterations: n, warmup: 1 },
    );
    await ctx.reopenStore({});
    ctx.record({
      scenario: 'cold start: project show',
      size: ctx.size,
      kind: 'latency',
      unit: 'process',
      figures: { store: show, floor: { ...floor, note: 'node + classic-level: open the store, one get, unpack' }, shell, node, sqlite, json },
      note: 'whole process: `pygubu-db project show <name> --json`; floor and peers: a node one-liner doing the same lookup; all subjects interleaved, one of each per round',
    });
    ctx.record({ scenario: 'cold start: stats', size: ctx.size, kind: 'latency', unit: 'process', figures: { store: stats, node } });
  },
};
