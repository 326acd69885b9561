import { existsSync } from 'node:fs';
import { configPath } from '../paths.js';

/**
 * Where the truth lives: `json` (the Python tool's files only; the store is not used by it),
 * `db` (the store; the default here), `hybrid` (the store, and every write also updates the JSON files).
 */
export const STORAGE_MODES = ['json', 'db', 'hybrid'] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];
export const DEFAULT_STORAGE_MODE: StorageMode = 'db';

/**
 * The configured storage mode, as `storageMode` in ./config.js reads it. With no config file (the
 * usual case) the answer is the default without loading the config reader and the legacy JSON
 * parser behind it: five modules on every command's start.
 */
export async function currentStorageMode(path = configPath()): Promise<StorageMode> {
  if (!existsSync(path)) return DEFAULT_STORAGE_MODE;
  return (await import('./config.js')).storageMode(path);
}
