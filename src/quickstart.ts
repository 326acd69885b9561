#!/usr/bin/env node
// The README's quick start: a throw-away store, a few example projects, and the real bins run on
// them one command at a time, each printed before its output. Works on a machine with no data.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathArgOrExit } from './lib/path-arg.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name: string) => join(here, 'bin', `${name}.js`);

const args = process.argv.slice(2);
const storeFlag = args.indexOf('--store');
const work = await mkdtemp(join(tmpdir(), 'pygubuai-quickstart-'));
const store = storeFlag >= 0 && args[storeFlag + 1] !== undefined ? pathArgOrExit(args[storeFlag + 1]!, 'quickstart --store') : join(work, 'store');

const examples = [
  { name: 'login-form', description: 'Login form with remember-me', tags: 'forms,auth', ui: 'login.ui' },
  { name: 'settings-dialog', description: 'Settings dialog with theme switch', tags: 'forms,settings', ui: 'settings.ui' },
  { name: 'inventory', description: 'CRUD screen over a treeview', tags: 'crud,data', ui: 'main.ui' },
];
for (const e of examples) {
  const dir = join(work, 'projects', e.name);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, e.ui),
    `<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.2">\n  <object class="tk.Toplevel" id="toplevel1">\n    <child>\n      <object class="ttk.Frame" id="frame1">\n        <layout manager="pack" />\n        <child>\n          <object class="ttk.Button" id="button1">\n            <property name="text" translatable="yes">OK</property>\n            <property name="command" type="command" cbtype="simple">on_ok</property>\n            <layout manager="pack" />\n          </object>\n        </child>\n      </object>\n    </child>\n  </object>\n</interface>\n`,
  );
}

let failed = false;
function step(title: string, name: string, ...argv: string[]): string {
  process.stdout.write(`\n# ${title}\n$ ${name} ${argv.map((a) => (/[\s*]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  const r = spawnSync(process.execPath, [bin(name), '--store', store, ...argv], { encoding: 'utf8', cwd: work });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) failed = true;
  return r.stdout;
}

process.stdout.write(`pygubuai-store quick start — a throw-away store in ${store}\n`);
step('create the store', 'pygubu-db', 'init');
for (const e of examples) {
  step(`register ${e.name}`, 'pygubu-db', 'project', 'add', join(work, 'projects', e.name), '--description', e.description, '--tags', e.tags);
}
step('list the projects', 'pygubu-db', 'project', 'list');
step('search by word (prefix match on name, description and tags)', 'pygubu-db', 'project', 'search', 'form');
step('list by tag', 'pygubu-db', 'project', 'list', '--tag', 'forms');
step('record workflow history', 'pygubu-db', 'history', 'record', 'login-form', 'file_changed', '--description', 'login.ui changed');
step('record more history', 'pygubu-db', 'history', 'record', 'login-form', 'ui_generated', '--description', 'generated login.py');
step('show the history', 'pygubu-db', 'history', 'login-form');
const seqBeforeRename = JSON.parse(spawnSync(process.execPath, [bin('pygubu-db'), '--store', store, 'stats', '--json'], { encoding: 'utf8' }).stdout).events;
step('rename a project (its id and history stay)', 'pygubu-db', 'project', 'rename', 'inventory', 'stock-keeper');
step('make one project active', 'pygubu-db', 'project', 'active', 'login-form');
step(`replay: the projects as they stood at seq ${seqBeforeRename}, before the rename`, 'pygubu-db', 'project', 'list', '--as-of', String(seqBeforeRename));
step(`the raw event log from seq ${seqBeforeRename - 1}`, 'pygubu-db', 'log', '--from', String(seqBeforeRename - 1));
step('the starter templates init published', 'pygubu-template', 'search', 'login');
step('install one into ./login (counts a download)', 'pygubu-template', 'install', 'login', '--dest', work);
step('scan the projects\' .ui files for widget usage', 'pygubu-analytics', 'scan', '--all');
step('widget usage across all projects', 'pygubu-analytics', 'widgets', '--top', '5');
step('verify: replay the whole log and compare with every stored view row', 'pygubu-db', 'verify');
step('counters', 'pygubu-db', 'stats');
process.stdout.write(`\nDone. The store stays in ${store}; pass --store DIR to any command to use it.\n`);
process.exitCode = failed ? 1 : 0;
