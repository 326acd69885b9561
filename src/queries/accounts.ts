import { StoreError } from '../errors.js';
import { ACCOUNTS, accountKeys, type AccountRow } from '../projections/accounts.js';
import { ViewReader, type ViewSource } from './source.js';

/** Queries over the accounts view. */
export class AccountViews {
  private readonly rows: ViewReader;
  constructor(source: ViewSource) {
    this.rows = new ViewReader(source, ACCOUNTS);
  }

  get(name: string): Promise<AccountRow | undefined> {
    return this.rows.get<AccountRow>(accountKeys.byName(name));
  }

  async require(name: string): Promise<AccountRow> {
    const row = await this.get(name);
    if (!row) throw new StoreError('ACCOUNT_NOT_FOUND', `no account named ${JSON.stringify(name)}`, { hint: 'see `pygubu-db user list`' });
    return row;
  }

  /** The live account whose current token has this keyId. */
  async byKeyId(keyId: string): Promise<AccountRow | undefined> {
    const name = await this.rows.get<string>(accountKeys.byKey(keyId));
    if (name === undefined) return undefined;
    const row = await this.get(name);
    return row?.keyId === keyId ? row : undefined;
  }

  /** Every live account, by name. */
  list(): Promise<AccountRow[]> {
    return this.rows.values<AccountRow>(accountKeys.namePrefix);
  }

  async count(): Promise<number> {
    return (await this.rows.get<number>(accountKeys.count)) ?? 0;
  }
}
