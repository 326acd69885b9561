import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file runs from dist/bench/lib). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A built bin, as the bench spawns it. */
export const BIN = (name: 'pygubu-db' | 'pygubu-template' | 'pygubu-analytics'): string => join(ROOT, 'dist', 'src', 'bin', `${name}.js`);
