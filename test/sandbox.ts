import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A home directory for every process the tests and the bench spawn, so that no spawned bin can
 * read or write the user's real ~/.pygubuai or ~/.pygubu-registry.json (hybrid mode set there would
 * otherwise sync test projects into the real registry). One per test process, removed at exit.
 */
let sandbox: string | undefined;
/** The account's home from the user database: $HOME of a process the tests started is already a sandbox. */
const REAL_HOME = resolve((() => {
  try {
    return userInfo().homedir || homedir();
  } catch {
    return homedir();
  }
})());

export function sandboxHome(): string {
  if (sandbox === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'pygubuai-home-'));
    mkdirSync(join(dir, '.pygubuai'));
    sandbox = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return sandbox;
}

/**
 * An environment for a spawned process: PATH, LANG, HOME and PYGUBUAI_HOME in a temporary
 * directory (the sandbox, unless `env` names its own), then `env`. Refuses the real home.
 */
export function sandboxEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  const home = env.HOME ?? sandboxHome();
  const out: Record<string, string> = { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', HOME: home, PYGUBUAI_HOME: join(home, '.pygubuai') };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  for (const key of ['HOME', 'PYGUBUAI_HOME'] as const) {
    const p = resolve(out[key]!);
    if (p === REAL_HOME || p === join(REAL_HOME, '.pygubuai')) throw new Error(`a spawned process would get the real ${key} (${p})`);
  }
  return out;
}
