import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../../errors.js';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The files the pages load, by the name they are served under (/assets/<name>). */
const FILES: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * Where the built assets are: beside this module when it runs unbundled (dist/src/server/web/),
 * else (inside a bin's bundle) under the package root found by walking up to its package.json.
 */
export function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'assets')];
  let dir = here;
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pygubuai-store') {
          candidates.push(join(dir, 'dist', 'src', 'server', 'web', 'assets'));
          break;
        }
      } catch {
        // not ours: keep walking
      }
    }
    dir = dirname(dir);
  }
  const found = candidates.find((d) => Object.keys(FILES).every((f) => existsSync(join(d, f))));
  if (!found) {
    throw new StoreError('FILE_IO', `the web dashboard's files are missing (looked in ${candidates.join(', ')})`, {
      hint: 'rebuild the package (npm run build), or start the server with --no-web',
    });
  }
  return found;
}

/** Read once at start: the server answers from memory, with a content hash as ETag. */
export function loadAssets(dir = assetsDir()): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [name, type] of Object.entries(FILES)) {
    const body = readFileSync(join(dir, name));
    out.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` });
  }
  return out;
}
