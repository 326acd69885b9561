import { StoreError } from '../errors.js';
import type { Transaction } from '../log/event-log.js';
import { accountStream, type AccountRow } from '../projections/accounts.js';
import type { Views } from '../queries/index.js';
import type { Store } from '../store.js';
import { dropSecrets, keepSecret, newToken } from './account-secrets.js';
import type { CommandMeta } from './projects.js';
import { envelopeFields } from './templates.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkAccountName(name: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 64 || !NAME_RE.test(name)) {
    throw new StoreError('ACCOUNT_NAME_INVALID', `account name ${JSON.stringify(String(name).slice(0, 80))} is not 1-64 letters, digits, ., _ or -`, {
      hint: 'e.g. alice, ci-bot, team.ui',
    });
  }
  return name;
}

/** Who makes a marketplace request on a server: an account (its token), or the store's owner. */
export interface Actor {
  account: string;
  admin: boolean;
}

export interface AddAccountInput extends CommandMeta {
  name: string;
  admin?: boolean;
}

/** An account together with its new token: the only time the token exists outside the caller. */
export interface AccountWithToken {
  account: AccountRow;
  token: string;
}

export async function addAccount(tx: Transaction, views: Views, input: AddAccountInput & { keyId: string }): Promise<AccountRow> {
  const name = checkAccountName(input.name);
  if (await views.accounts.get(name)) throw new StoreError('ACCOUNT_EXISTS', `an account named ${JSON.stringify(name)} already exists`, { hint: `rotate its token with \`pygubu-db user token ${name}\`` });
  await tx.append({ ...envelopeFields(input), stream: accountStream(name), type: 'account.added', data: { name, admin: input.admin ?? false, keyId: input.keyId } });
  return (await views.accounts.get(name))!;
}

export async function rotateToken(tx: Transaction, views: Views, name: string, keyId: string, input: CommandMeta = {}): Promise<{ account: AccountRow; previousKeyId: string }> {
  const row = await views.accounts.require(checkAccountName(name));
  await tx.append({ ...envelopeFields(input), stream: accountStream(row.name), type: 'account.token_rotated', data: { name: row.name, keyId } });
  return { account: (await views.accounts.get(row.name))!, previousKeyId: row.keyId };
}

export async function removeAccount(tx: Transaction, views: Views, name: string, input: CommandMeta = {}): Promise<AccountRow> {
  const row = await views.accounts.require(checkAccountName(name));
  await tx.append({ ...envelopeFields(input), stream: accountStream(row.name), type: 'account.removed', data: { name: row.name } });
  return row;
}

/**
 * The account commands over a store. The token's hash is kept beside the store first, then the
 * event appended; a rotated-away or removed token's hash is dropped after its event (until then
 * the view already refuses it: its keyId is no longer the account's).
 */
export function accountCommands(store: Store) {
  return {
    add: async (input: AddAccountInput): Promise<AccountWithToken> => {
      checkAccountName(input.name);
      const t = newToken();
      await keepSecret(store.location, t);
      try {
        const account = await store.transact((tx, v) => addAccount(tx, v, { ...input, keyId: t.keyId }));
        return { account, token: t.token };
      } catch (err) {
        dropSecrets(store.location, [t.keyId]);
        throw err;
      }
    },
    rotate: async (name: string, input: CommandMeta = {}): Promise<AccountWithToken> => {
      await store.views.accounts.require(checkAccountName(name));
      const t = newToken();
      await keepSecret(store.location, t);
      try {
        const { account, previousKeyId } = await store.transact((tx, v) => rotateToken(tx, v, name, t.keyId, input));
        dropSecrets(store.location, [previousKeyId]);
        return { account, token: t.token };
      } catch (err) {
        dropSecrets(store.location, [t.keyId]);
        throw err;
      }
    },
    remove: async (name: string, input: CommandMeta = {}): Promise<AccountRow> => {
      const row = await store.transact((tx, v) => removeAccount(tx, v, name, input));
      dropSecrets(store.location, [row.keyId]);
      return row;
    },
  };
}
