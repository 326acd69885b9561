import type { AbstractLevel } from 'abstract-level';

/**
 * The shape every backend shares: utf8 keys, msgpack-encoded Buffer values. classic-level holds
 * the store; memory-level holds `--as-of` materialisations and `verify` replays.
 */
export type Db = AbstractLevel<string | Buffer | Uint8Array, string, Buffer>;

export const DB_OPTIONS = { keyEncoding: 'utf8', valueEncoding: 'buffer' } as const;

export async function createMemoryDb(): Promise<Db> {
  const { MemoryLevel } = await import('memory-level');
  const db = new MemoryLevel<string, Buffer>(DB_OPTIONS);
  await db.open();
  return db as unknown as Db;
}
