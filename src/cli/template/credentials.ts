import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreError } from '../../errors.js';
import { pygubuaiHome } from '../../paths.js';

/**
 * The tokens this client holds, one per remote marketplace: `$PYGUBUAI_HOME/credentials.json`,
 * mode 0600, written by `pygubu-template login`. PYGUBUAI_TOKEN, when set, is used instead.
 */
interface CredentialsFile {
  remotes: Record<string, { token: string; account?: string; saved?: string }>;
}

export const credentialsPath = (): string => join(pygubuaiHome(), 'credentials.json');

function read(): CredentialsFile {
  const path = credentialsPath();
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as CredentialsFile;
    return doc && typeof doc.remotes === 'object' && doc.remotes !== null ? doc : { remotes: {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { remotes: {} };
    if (err instanceof SyntaxError) {
      throw new StoreError('FILE_IO', `${path} is not JSON`, { hint: 'remove it and log in again with `pygubu-template login URL --token -`' });
    }
    throw new StoreError('FILE_IO', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
}

/** The token for a remote (normalised URL): PYGUBUAI_TOKEN, else the saved one, else none (anonymous reads). */
export function tokenFor(url: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.PYGUBUAI_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  return read().remotes[url]?.token;
}

export function saveToken(url: string, token: string, account: string): string {
  const path = credentialsPath();
  const doc = read();
  doc.remotes[url] = { token, account, saved: new Date().toISOString() };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
  return path;
}
