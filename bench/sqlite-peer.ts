// The bench's SQLite peer is better-sqlite3: a native module that `npm install` does not install
// (it compiles from source for over a minute where no prebuilt binary can be fetched, and nothing
// but the bench uses it). `npm run bench` runs this first: it installs the peer when it is missing,
// saying so, and stops the bench with a clear message when it cannot.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SQLITE_PEER = 'better-sqlite3@^12.11.1';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Whether better-sqlite3 loads and opens a database here. */
export function sqlitePeerLoads(): boolean {
  const probe = spawnSync(process.execPath, ['-e', "const D=require('better-sqlite3');new D(':memory:').prepare('select 1').get()"], { cwd: root, stdio: 'ignore' });
  return probe.status === 0;
}

function main(): void {
  if (sqlitePeerLoads()) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--no-save', '--no-audit', '--no-fund', SQLITE_PEER];
  process.stderr.write(`bench: the SQLite peer (better-sqlite3) is not installed; installing it for the bench only: ${npm} ${args.join(' ')}\n`);
  const r = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 || !sqlitePeerLoads()) {
    process.stderr.write(
      `bench: could not install or load better-sqlite3 (npm exit ${r.status ?? r.signal}); the bench compares the store with SQLite and needs it.\n` +
        `  install it yourself (${npm} ${args.join(' ')}; it needs a C++ toolchain where no prebuilt binary is available)\n`,
    );
    process.exit(1);
  }
  process.stderr.write('bench: better-sqlite3 installed (not saved to package.json; the next `npm ci` removes it)\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
