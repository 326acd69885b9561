#!/usr/bin/env node
// pretest: the HTML report test renders in a real browser, Debian's chromium. Install it when it is
// missing and we may (root, apt-get present); otherwise stop with a clear message.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = [process.env.CHROMIUM_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
const found = () => CANDIDATES.find((p) => existsSync(p));

if (found()) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(
    'pretest: chromium is needed for the HTML report test and is not installed.\n' +
      `  ${!hasApt ? 'apt-get is not available' : 'not running as root'}: install it yourself (Debian: sudo apt-get install -y chromium)\n` +
      '  or point CHROMIUM_BIN at a chromium binary.',
  );
  process.exit(1);
}
// Say what is about to happen before it happens: this changes the machine, not just the repo.
const steps = [
  ['apt-get', ['update']],
  ['apt-get', ['install', '-y', '--no-upgrade', '--no-install-recommends', 'chromium']],
];
console.error('pretest: the HTML report test needs chromium and none was found; installing the Debian package as root:');
try {
  for (const [cmd, args] of steps) {
    console.error(`pretest: running: ${cmd} ${args.join(' ')}`);
    execFileSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
} catch (err) {
  console.error(`pretest: installing chromium failed: ${err.message}`);
  process.exit(1);
}
if (!found()) {
  console.error('pretest: apt-get finished but no chromium binary is at /usr/bin/chromium');
  process.exit(1);
}
console.error(`pretest: chromium installed at ${found()}`);
