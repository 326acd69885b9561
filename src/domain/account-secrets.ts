import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreError } from '../errors.js';

/**
 * Account tokens and where their hashes live.
 *
 * A token is `pgm_<keyId>_<secret>`: keyId (8 random bytes, hex) is public and is all the log ever
 * holds (account.added / account.token_rotated); secret is 32 random bytes. The secret's salted
 * scrypt hash is kept in `<store>.accounts`, a 0600 file beside the store (like the server's
 * `<store>.token`), never in the log: so a dump, a backup, `log --json` or a load into another
 * store carries the accounts but no hash, and a hash never leaves the machine that made it. A
 * store restored elsewhere has its accounts but none of their credentials: `pygubu-db user token
 * NAME` gives each a new one.
 */
export interface TokenParts {
  keyId: string;
  secret: string;
}

interface SecretRecord {
  salt: string;
  hash: string;
  N: number;
  r: number;
  p: number;
}

interface SecretsFile {
  v: 1;
  keys: Record<string, SecretRecord>;
}

const PREFIX = 'pgm_';
const TOKEN_RE = /^pgm_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** scrypt cost: 16 MiB and ~50 ms per check; a verified token is remembered by the server (auth.ts). */
const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

export const secretsPath = (location: string): string => `${resolve(location)}.accounts`;

/** A new random token; `token` is shown once and then exists only as its hash. */
export function newToken(): TokenParts & { token: string } {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, token: `${PREFIX}${keyId}_${secret}` };
}

/** The parts of something that looks like an account token, else undefined. */
export function parseToken(token: string): TokenParts | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

const derive = (secret: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> =>
  new Promise((done, fail) =>
    scrypt(secret, salt, KEY_LENGTH, { ...cost, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? fail(err) : done(key))),
  );

function readSecrets(location: string): SecretsFile {
  const path = secretsPath(location);
  let text: string;
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { v: 1, keys: {} };
    throw new StoreError('FILE_IO', `cannot read the account credentials ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  try {
    const doc = JSON.parse(text) as SecretsFile;
    if (doc && typeof doc.keys === 'object' && doc.keys !== null) return { v: 1, keys: doc.keys };
  } catch {
    // fall through: never quote the file
  }
  throw new StoreError('FILE_IO', `the account credentials ${path} are not the file this store writes`, {
    hint: 'move it away; then `pygubu-db user token NAME` gives each account a new token',
  });
}

function writeSecrets(location: string, doc: SecretsFile): void {
  const path = secretsPath(location);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${JSON.stringify(doc)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** Keep the salted hash of a new token's secret (before its event is appended: a failed append leaves an unused hash, harmless). */
export async function keepSecret(location: string, parts: TokenParts): Promise<void> {
  const salt = randomBytes(16);
  const hash = await derive(parts.secret, salt, COST);
  const doc = readSecrets(location);
  doc.keys[parts.keyId] = { salt: salt.toString('base64'), hash: hash.toString('base64'), ...COST };
  writeSecrets(location, doc);
}

/** Forget the hashes of these keyIds (a rotated-away or removed token). */
export function dropSecrets(location: string, keyIds: readonly string[]): void {
  const doc = readSecrets(location);
  let changed = false;
  for (const id of keyIds) {
    if (id in doc.keys) {
      delete doc.keys[id];
      changed = true;
    }
  }
  if (changed) writeSecrets(location, doc);
}

/** Is there a hash for this keyId? (`user list` shows accounts whose credential was lost.) */
export function hasSecret(location: string, keyId: string): boolean {
  return keyId in readSecrets(location).keys;
}

/** Does the secret match the hash kept for its keyId? Constant-time comparison of the derived keys. */
export async function secretMatches(location: string, parts: TokenParts): Promise<boolean> {
  const record = readSecrets(location).keys[parts.keyId];
  if (!record) return false;
  const expected = Buffer.from(record.hash, 'base64');
  const given = await derive(parts.secret, Buffer.from(record.salt, 'base64'), { N: record.N, r: record.r, p: record.p });
  return given.length === expected.length && timingSafeEqual(given, expected);
}
