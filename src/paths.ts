import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

type Env = Record<string, string | undefined>;

/** `~/.pygubuai`, or `$PYGUBUAI_HOME`: shared with the Python tool (config.json lives here). */
export const pygubuaiHome = (env: Env = process.env): string => resolve(env.PYGUBUAI_HOME || join(homedir(), '.pygubuai'));
/** The LevelDB directory of the default store. */
export const defaultStoreLocation = (env: Env = process.env): string => join(pygubuaiHome(env), 'store');
/** The legacy project registry, `~/.pygubu-registry.json` or `$PYGUBUAI_REGISTRY_PATH`. */
export const legacyRegistryPath = (env: Env = process.env): string =>
  resolve(env.PYGUBUAI_REGISTRY_PATH || join(homedir(), '.pygubu-registry.json'));
export const configPath = (env: Env = process.env): string => join(pygubuaiHome(env), 'config.json');

/** Is `path` `dir` itself or inside it? (Both real paths: symbolic links already resolved.) */
export const isInside = (path: string, dir: string): boolean => {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};
