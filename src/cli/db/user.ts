import type { Argv } from 'yargs';
import type { AccountRow } from '../../projections/accounts.js';
import { command } from '../command.js';
import type { CommandContext, GlobalArgs } from '../context.js';
import { shortTime } from './format.js';

const accountJson = (a: AccountRow) => ({ name: a.name, admin: a.admin, added: a.added, rotated: a.rotated });

const name = <T>(y: Argv<T>) => y.positional('name', { type: 'string', demandOption: true, describe: 'account name (letters, digits, . _ -)' });

/** The one time a token is shown: on its own line, so `| tail -1` or `--json | jq -r .token` takes it. */
function printToken(ctx: CommandContext, what: string, account: AccountRow, token: string): void {
  ctx.out.result({ ...accountJson(account), token }, () => {
    ctx.out.info(`${what}; its token is shown only now (only its salted hash is kept):`);
    ctx.out.line(token);
  });
}

const add = command({
  command: 'add <name>',
  describe: 'Add an account to this store\'s shared marketplace and print its token once',
  builder: (y) =>
    name(y)
      .option('admin', { type: 'boolean', default: false, describe: 'may publish and deprecate any template, not only its own' })
      .example('$0 user add alice', 'a publishing account; give alice the token it prints'),
  run: async (argv, ctx) => {
    const r = await ctx.withStore((store) => store.accounts.add({ name: argv.name, admin: argv.admin, meta: ctx.meta }), { create: true, hybrid: false });
    printToken(ctx, `added account ${r.account.name}${r.account.admin ? ' (admin)' : ''}`, r.account, r.token);
  },
});

const list = command({
  command: ['list', 'ls'],
  describe: 'List the accounts (never their tokens)',
  run: async (_argv, ctx) => {
    const { hasSecret } = await import('../../domain/account-secrets.js');
    const rows = await ctx.withStore(
      async (store) => (await store.views.accounts.list()).map((a) => ({ ...accountJson(a), credential: hasSecret(store.location, a.keyId) })),
      { readOnly: true, hybrid: false },
    );
    ctx.out.result(rows, () =>
      ctx.out.table(
        ['NAME', 'ADMIN', 'ADDED', 'TOKEN ROTATED', 'CREDENTIAL'],
        rows.map((a) => [a.name, a.admin ? 'yes' : '', shortTime(a.added), a.rotated ? shortTime(a.rotated) : '-', a.credential ? 'ok' : 'missing (run `user token`)']),
        { empty: 'no accounts' },
      ),
    );
  },
});

const remove = command({
  command: ['remove <name>', 'rm <name>'],
  describe: 'Remove an account: its token stops working (its templates and ratings stay)',
  builder: (y) => name(y),
  run: async (argv, ctx) => {
    const row = await ctx.withStore((store) => store.accounts.remove(argv.name, { meta: ctx.meta }), { hybrid: false });
    ctx.out.result({ removed: true, ...accountJson(row) }, () => ctx.out.line(`removed account ${row.name}`));
  },
});

const token = command({
  command: 'token <name>',
  describe: 'Give an account a new token and print it once; the old one stops working',
  builder: (y) => name(y),
  run: async (argv, ctx) => {
    const r = await ctx.withStore((store) => store.accounts.rotate(argv.name, { meta: ctx.meta }), { hybrid: false });
    printToken(ctx, `new token for ${r.account.name}; the old one no longer works`, r.account, r.token);
  },
});

export const user = {
  command: 'user <command>',
  describe: 'Accounts of the shared marketplace: add, list, remove, token',
  builder: (y: Argv<GlobalArgs>) => y.command(add).command(list).command(remove).command(token).demandCommand(1),
  handler: () => {},
};
