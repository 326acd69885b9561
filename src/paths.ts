import { homedir } from 'node:os';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';

type Env = Record<string, string | undefined>;

/** `~` and `~/...` expanded against $HOME, as the Python tool's `os.path.expanduser` does. */
export const expandHome = (path: string, home: string = homedir()): string =>
  path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;

/** A path a user typed (flag or variable): `~` expanded, then absolute. */
export const userPath = (path: string): string => resolve(expandHome(path));

/** `~/.pygubuai`, or `$PYGUBUAI_HOME`: shared with the Python tool (config.json lives here). */
export const pygubuaiHome = (env: Env = process.env): string => userPath(env.PYGUBUAI_HOME || join(homedir(), '.pygubuai'));
/** The LevelDB directory of the default store. */
export const defaultStoreLocation = (env: Env = process.env): string => join(pygubuaiHome(env), 'store');
/** Where a command's store lives: `--store DIR` (with `~` expanded), else the default store. */
export const storeLocation = (given: string | undefined, env: Env = process.env): string =>
  given === undefined ? defaultStoreLocation(env) : userPath(given);
/** The registry's default place when neither the variable nor config.json names one. */
export const homeRegistryPath = (): string => join(homedir(), '.pygubu-registry.json');
/**
 * `$PYGUBUAI_REGISTRY_PATH` or `~/.pygubu-registry.json`. The registry the Python tool really uses
 * also depends on `registry_path` in config.json: see `toolRegistryPath` in legacy/config.ts.
 */
export const legacyRegistryPath = (env: Env = process.env): string =>
  env.PYGUBUAI_REGISTRY_PATH ? userPath(env.PYGUBUAI_REGISTRY_PATH) : homeRegistryPath();
export const configPath = (env: Env = process.env): string => join(pygubuaiHome(env), 'config.json');

/**
 * A project's `.pygubu-workflow.json`, or undefined when its path is not a plain absolute path
 * (relative, `.` or `..` segments, doubled or trailing slashes, a NUL): such a path can come from a
 * hand-made dump, and the store never reads or writes a file through it.
 */
export const safeWorkflowFile = (projectPath: string): string | undefined =>
  isAbsolute(projectPath) && !projectPath.includes('\u0000') && normalize(projectPath) === projectPath && (projectPath === '/' || !projectPath.endsWith('/'))
    ? join(projectPath, '.pygubu-workflow.json')
    : undefined;

/** Is `path` `dir` itself or inside it? (Both real paths: symbolic links already resolved.) */
export const isInside = (path: string, dir: string): boolean => {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};
