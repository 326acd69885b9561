import { defineProjection } from './projection.js';

/** One live account of the shared marketplace. Its token's hash is not here: see domain/account-secrets.ts. */
export interface AccountRow {
  name: string;
  admin: boolean;
  /** The public id of the current token; a token with another id is not this account's. */
  keyId: string;
  added: string;
  /** When the token was last rotated (null: never since the account was added). */
  rotated: string | null;
  seq: number;
}

export const ACCOUNTS = 'accounts';
export const accountStream = (name: string): string => `account-${name}`;

export const accountKeys = {
  byName: (name: string) => `a!${name}`,
  namePrefix: 'a!',
  /** keyId → account name, for the token check (a token names its keyId). */
  byKey: (keyId: string) => `key!${keyId}`,
  count: 'count',
} as const;

/**
 * Accounts: one row per live account, and its current keyId → name. The domain rules (rules.ts) have
 * checked each event against these rows, so the fold trusts its input.
 */
export const accountsProjection = defineProjection({
  name: ACCOUNTS,
  version: 1,
  handles: ['account.added', 'account.token_rotated', 'account.removed'],
  async fold(event, rows) {
    const key = accountKeys.byName(event.data.name);
    const row = await rows.get<AccountRow>(key);
    switch (event.type) {
      case 'account.added': {
        if (row) rows.del(accountKeys.byKey(row.keyId));
        else rows.put(accountKeys.count, ((await rows.get<number>(accountKeys.count)) ?? 0) + 1);
        const { name, admin, keyId } = event.data;
        rows.put(key, { name, admin, keyId, added: event.at, rotated: null, seq: event.seq } satisfies AccountRow);
        rows.put(accountKeys.byKey(keyId), name);
        return;
      }
      case 'account.token_rotated': {
        if (!row) return;
        rows.del(accountKeys.byKey(row.keyId));
        rows.put(key, { ...row, keyId: event.data.keyId, rotated: event.at, seq: event.seq } satisfies AccountRow);
        rows.put(accountKeys.byKey(event.data.keyId), row.name);
        return;
      }
      case 'account.removed': {
        if (!row) return;
        rows.del(key);
        rows.del(accountKeys.byKey(row.keyId));
        rows.put(accountKeys.count, Math.max(0, ((await rows.get<number>(accountKeys.count)) ?? 1) - 1));
        return;
      }
    }
  },
});
