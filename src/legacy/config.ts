import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StoreError } from '../errors.js';
import { configPath, homeRegistryPath, userPath } from '../paths.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { parseLegacyJson, readLegacyFile } from './parse.js';
import { pythonJson } from './python-json.js';
import { DEFAULT_STORAGE_MODE, STORAGE_MODES, type StorageMode } from './storage-mode.js';

export { DEFAULT_STORAGE_MODE, STORAGE_MODES, type StorageMode };

/** Keys this tool checks; any other key is stored as given and kept (the Python tool's keys too). */
const CHECKED: Record<string, (v: unknown) => string | undefined> = {
  storage_mode: (v) => (STORAGE_MODES.includes(v as StorageMode) ? undefined : `storage_mode must be one of ${STORAGE_MODES.join(', ')}`),
  // the default remote of pygubu-template (docs/marketplace.md); credentials never go in this file
  marketplace_url: (v) =>
    typeof v === 'string' && /^https?:\/\/[^\s/@]+(\/\S*)?$/.test(v) ? undefined : 'marketplace_url must be an http:// or https:// URL without credentials, e.g. http://host:8765',
};

/** `~/.pygubuai/config.json` as an object ({} when missing). */
export async function readConfig(path = configPath()): Promise<Record<string, unknown>> {
  const file = await readLegacyFile(path);
  if (!file) return {};
  const doc = parseLegacyJson(file);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new StoreError('CONFIG_INVALID', `${path} is not a JSON object`, { hint: 'fix or remove it; the Python tool reads it too' });
  }
  return doc as Record<string, unknown>;
}

/** A command-line value: JSON when it parses (true, 3, ["a"]), else the plain string. */
export function parseConfigValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Set one key, keeping every other key as it was; written like the Python tool writes it. */
export async function setConfig(key: string, value: unknown, path = configPath()): Promise<Record<string, unknown>> {
  if (key.trim() === '') throw new StoreError('CONFIG_INVALID', 'the config key is empty');
  const problem = CHECKED[key]?.(value);
  if (problem) throw new StoreError('CONFIG_INVALID', problem);
  const doc = await readConfig(path);
  doc[key] = value;
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, pythonJson(doc));
  return doc;
}

export async function storageMode(path = configPath()): Promise<StorageMode> {
  const mode = (await readConfig(path)).storage_mode;
  return STORAGE_MODES.includes(mode as StorageMode) ? (mode as StorageMode) : DEFAULT_STORAGE_MODE;
}

/**
 * The registry the Python tool uses: `$PYGUBUAI_REGISTRY_PATH`, else `registry_path` in
 * config.json, else `~/.pygubu-registry.json`, with `~` expanded in each.
 */
export async function toolRegistryPath(env: Record<string, string | undefined> = process.env): Promise<string> {
  if (env.PYGUBUAI_REGISTRY_PATH) return userPath(env.PYGUBUAI_REGISTRY_PATH);
  const configured = (await readConfig(configPath(env))).registry_path;
  return typeof configured === 'string' && configured !== '' ? userPath(configured) : homeRegistryPath();
}
