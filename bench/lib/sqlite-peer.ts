import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

/**
 * better-sqlite3, loaded when a scenario first needs it: the bench installs it on demand
 * (bench/sqlite-peer.ts), so nothing that merely imports the bench (argument checks, --help) needs it.
 */
export const sqliteDatabase = (): typeof Database => createRequire(import.meta.url)('better-sqlite3') as typeof Database;
