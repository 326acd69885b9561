import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { configPath } from '../../paths.js';
import { averageRating, type TemplateRating, type TemplateRow, type TemplateVersionRow } from '../../projections/templates.js';
import { TEMPLATE_SORTS, type SearchTemplatesOptions, type TemplateSort } from '../../queries/templates.js';
import { command } from '../command.js';
import { currentUser, splitList, withAsOf } from '../context.js';
import { shortTime } from '../db/format.js';
import { UsageError, type Output } from '../output.js';
import type { CommandContext } from '../context.js';
import { localMarket, normalizeUrl, remoteMarket, remoteOf, type Market, type RemoteArgs } from './market.js';

/** --remote URL / --local on every marketplace command (config marketplace_url is the default remote). */
const withRemote = <T>(y: Argv<T>) =>
  y
    .option('remote', { type: 'string', describe: "another machine's marketplace (`pygubu-db serve --port`), e.g. http://host:8765; default: config marketplace_url" })
    .option('local', { type: 'boolean', describe: 'use the local store even when config marketplace_url is set' });

/** The local store, or the remote marketplace the command names (or config does). */
const marketFor = (argv: RemoteArgs, ctx: CommandContext): { market: Market; remote: string | undefined } => {
  const remote = remoteOf(argv);
  return { market: remote ? remoteMarket(remote) : localMarket(ctx, argv.asOf), remote };
};

/** Who rates or publishes: `user` in ~/.pygubuai/config.json (read only), else $USER. */
export function defaultUser(): string {
  try {
    const config = JSON.parse(readFileSync(configPath(), 'utf8')) as { user?: unknown };
    if (typeof config.user === 'string' && config.user.trim() !== '') return config.user.trim();
  } catch {
    // no config, or not JSON: the Python tool owns that file, we only read it
  }
  return currentUser();
}

export const templateJson = (t: TemplateRow) => ({
  name: t.name,
  latest: t.latest,
  description: t.description,
  author: t.author,
  tags: t.tags,
  downloads: t.downloads,
  rating: averageRating(t),
  ratings: t.ratingCount,
  versions: t.versionCount,
  published: t.publishedAt,
  firstPublished: t.firstPublishedAt,
  deprecated: t.deprecated,
  latestDeprecated: t.latestDeprecated,
});

export const versionJson = (v: TemplateVersionRow) => ({
  version: v.version,
  published: v.publishedAt,
  downloads: v.downloads,
  deprecated: v.deprecated,
  hash: v.hash,
  files: v.files,
  description: v.description,
  author: v.author,
  tags: v.tags,
  metadata: v.metadata,
});

const ratingJson = (r: TemplateRating) => ({ user: r.user, stars: r.stars, review: r.review, at: r.at });

const stars = (t: TemplateRow): string => {
  const avg = averageRating(t);
  return avg === null ? '-' : `${avg.toFixed(1)} (${t.ratingCount})`;
};
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const deprecation = (reason: string | null): string => (reason === null ? '' : reason ? `deprecated: ${reason}` : 'deprecated');

function templateTable(out: Output, rows: readonly TemplateRow[]): void {
  out.table(
    ['NAME', 'VERSION', 'DOWNLOADS', 'RATING', 'AUTHOR', 'TAGS', 'DESCRIPTION'],
    rows.map((t) => [
      t.name + (t.deprecated !== null || t.latestDeprecated !== null ? ' (deprecated)' : ''),
      t.latest,
      t.downloads,
      stars(t),
      t.author,
      t.tags.join(','),
      clip(t.description, 50),
    ]),
    { empty: 'no templates' },
  );
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new UsageError('--limit takes a whole number');
}

const listOptions = <T>(y: Argv<T>) =>
  withAsOf(y)
    .option('tag', { type: 'string', describe: 'only templates with this tag' })
    .option('author', { type: 'string', describe: 'only templates by this author' })
    .option('min-rating', { type: 'number', describe: 'only templates rated at least this on average (1–5)' })
    .option('limit', { alias: 'n', type: 'number', describe: 'at most this many (default 20)' })
    .option('all', { type: 'boolean', default: false, describe: 'include deprecated templates' });

function searchOptions(argv: {
  tag?: string | undefined;
  author?: string | undefined;
  minRating?: number | undefined;
  limit?: number | undefined;
  all: boolean;
  sort: TemplateSort;
}): SearchTemplatesOptions {
  checkLimit(argv.limit);
  if (argv.minRating !== undefined && !(argv.minRating >= 0 && argv.minRating <= 5)) throw new UsageError('--min-rating takes a number from 0 to 5');
  return {
    sort: argv.sort,
    all: argv.all,
    ...(argv.tag !== undefined ? { tag: argv.tag } : {}),
    ...(argv.author !== undefined ? { author: argv.author } : {}),
    ...(argv.minRating !== undefined ? { minRating: argv.minRating } : {}),
    ...(argv.limit !== undefined ? { limit: argv.limit } : {}),
  };
}

const publish = command({
  command: 'publish <path>',
  describe: 'Publish a .ui file or a project directory (.ui, .py, README.md) as a template version',
  builder: (y) =>
    y
      .version(false) // --version is the template's version here, not the tool's
      .positional('path', { type: 'string', demandOption: true, describe: 'a .ui file or a project directory' })
      .option('name', { type: 'string', demandOption: true, describe: 'template name' })
      .option('version', { type: 'string', demandOption: true, describe: 'semver version, newer than the latest published' })
      .option('description', { alias: 'd', type: 'string', describe: 'what the template is' })
      .option('author', { type: 'string', describe: 'author (default: config user, else $USER)' })
      .option('tags', { alias: 't', type: 'string', describe: 'comma-separated tags' })
      .option('remote', { type: 'string', describe: "publish to another machine's marketplace (needs an account token: `login`); the account is the author" })
      .option('local', { type: 'boolean', describe: 'the local store even when config marketplace_url is set' }),
  run: async (argv, ctx) => {
    const { market, remote } = marketFor(argv, ctx);
    if (remote && argv.author !== undefined) throw new UsageError('--author cannot be used with a remote marketplace: the author is the account of your token');
    const result = await market.publishFrom(argv.path, {
      name: argv.name,
      version: argv.version,
      description: argv.description ?? '',
      ...(remote ? {} : { author: argv.author ?? defaultUser() }),
      tags: splitList(argv.tags) ?? [],
      meta: ctx.meta,
    });
    const v = result.version;
    ctx.out.result({ published: result.published, template: templateJson(result.template), version: versionJson(v) }, () =>
      ctx.out.line(
        result.published
          ? `published ${v.name}@${v.version} (${v.files.map((f) => f.path).join(', ')}; ${v.files.reduce((n, f) => n + f.bytes, 0)} bytes)`
          : `${v.name}@${v.version} is already published with this content; nothing changed`,
      ),
    );
  },
});

const search = command({
  command: 'search [query]',
  describe: 'Find templates by words of their name, description or tags (prefix match, all words)',
  builder: (y) =>
    withRemote(listOptions(y))
      .positional('query', { type: 'string', default: '', describe: 'words to find (empty: every template)' })
      .option('sort', { choices: TEMPLATE_SORTS, default: 'downloads' as TemplateSort, describe: 'order (downloads, rating: most first; recent: newest)' }),
  run: async (argv, ctx) => {
    const options = searchOptions(argv);
    const rows = await marketFor(argv, ctx).market.search(argv.query ?? '', options);
    ctx.out.result(rows.map(templateJson), () => templateTable(ctx.out, rows));
  },
});

const list = command({
  command: ['list', 'ls'],
  describe: 'List templates',
  builder: (y) => withRemote(listOptions(y)).option('sort', { choices: TEMPLATE_SORTS, default: 'name' as TemplateSort, describe: 'order' }),
  run: async (argv, ctx) => {
    const options = searchOptions(argv);
    const rows = await marketFor(argv, ctx).market.list(options);
    ctx.out.result(rows.map(templateJson), () => templateTable(ctx.out, rows));
  },
});

const install = command({
  command: 'install <spec>',
  describe: 'Write a template into DIR/<name>/ (name or name@semver-range) and count a download',
  builder: (y) =>
    y
      .positional('spec', { type: 'string', demandOption: true, describe: 'name, or name@range (e.g. login@^1.0.0)' })
      .option('dest', { type: 'string', default: '.', describe: 'directory to install into (the template goes in DIR/<name>/)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace files that exist (never through a symbolic link)' })
      .option('remote', { type: 'string', describe: "install from another machine's marketplace (every file's sha256 is checked before anything is written)" })
      .option('local', { type: 'boolean', describe: 'the local store even when config marketplace_url is set' }),
  run: async (argv, ctx) => {
    const r = await marketFor(argv, ctx).market.install({ spec: argv.spec, dest: argv.dest, force: argv.force });
    if (r.deprecated !== null) ctx.out.warn(`${r.version.name}@${r.version.version} is ${deprecation(r.deprecated)}`);
    ctx.out.result(
      { name: r.version.name, version: r.version.version, dir: r.dir, files: r.written, replaced: r.replaced, deprecated: r.deprecated, downloads: r.template.downloads },
      () => {
        ctx.out.line(`installed ${r.version.name}@${r.version.version} into ${r.dir}`);
        for (const f of r.written) ctx.out.info(`  ${f}${r.replaced.some((p) => f.endsWith(`/${p}`)) ? ' (replaced)' : ''}`);
      },
    );
  },
});

const rate = command({
  command: 'rate <name> <stars>',
  describe: 'Rate a template 1–5 stars, optionally with a review (rating again replaces yours)',
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true })
      .positional('stars', { type: 'string', demandOption: true, describe: 'a whole number from 1 to 5' })
      .option('review', { alias: 'r', type: 'string', describe: 'review text' })
      .option('user', { type: 'string', describe: 'who rates (default: config user, else $USER); on a remote, always the account of your token' })
      .option('remote', { type: 'string', describe: "rate on another machine's marketplace (needs an account token: `login`)" })
      .option('local', { type: 'boolean', describe: 'the local store even when config marketplace_url is set' }),
  run: async (argv, ctx) => {
    const given = /^\s*-?\d+(\.\d+)?\s*$/.test(argv.stars) ? Number(argv.stars) : Number.NaN;
    const { market, remote } = marketFor(argv, ctx);
    if (remote && argv.user !== undefined) throw new UsageError('--user cannot be used with a remote marketplace: you rate as the account of your token');
    const r = await market.rate({
      name: argv.name,
      stars: Number.isNaN(given) ? (argv.stars as unknown as number) : given,
      ...(remote ? {} : { user: argv.user ?? defaultUser() }),
      ...(argv.review !== undefined ? { review: argv.review } : {}),
    });
    ctx.out.result({ rated: r.rated, rating: ratingJson(r.rating), template: templateJson(r.template) }, () =>
      ctx.out.line(
        `${r.rated ? 'rated' : 'unchanged:'} ${r.template.name} ${r.rating.stars}/5 by ${r.rating.user}; average ${stars(r.template)}`,
      ),
    );
  },
});

const info = command({
  command: 'info <name>',
  describe: 'Show a template: latest version, rating, downloads, files',
  builder: (y) => withRemote(withAsOf(y)).positional('name', { type: 'string', demandOption: true }),
  run: async (argv, ctx) => {
    const { template: t, latest } = await marketFor(argv, ctx).market.info(argv.name);
    ctx.out.result({ ...templateJson(t), files: latest.files, hash: latest.hash, metadata: latest.metadata }, () =>
      ctx.out.record([
        ['name', t.name + (t.deprecated !== null ? ` (${deprecation(t.deprecated)})` : '')],
        ['latest', t.latest + (t.latestDeprecated !== null ? ` (${deprecation(t.latestDeprecated)})` : '')],
        ['description', t.description || '-'],
        ['author', t.author],
        ['tags', t.tags.join(', ') || '-'],
        ['versions', t.versionCount],
        ['downloads', t.downloads],
        ['rating', stars(t)],
        ['published', shortTime(t.publishedAt)],
        ['files', latest.files.map((f) => `${f.path} (${f.bytes} B)`).join(', ')],
        ['hash', latest.hash],
      ]),
    );
  },
});

const versions = command({
  command: 'versions <name>',
  describe: 'List every version of a template, newest first',
  builder: (y) => withRemote(withAsOf(y)).positional('name', { type: 'string', demandOption: true }),
  run: async (argv, ctx) => {
    const rows = await marketFor(argv, ctx).market.versions(argv.name);
    ctx.out.result(rows.map(versionJson), () =>
      ctx.out.table(
        ['VERSION', 'PUBLISHED', 'DOWNLOADS', 'FILES', 'DEPRECATED'],
        rows.map((v) => [v.version, shortTime(v.publishedAt), v.downloads, v.files.length, v.deprecated === null ? '' : v.deprecated || 'yes']),
      ),
    );
  },
});

const reviews = command({
  command: 'reviews <name>',
  describe: "Show a template's reviews, newest first",
  builder: (y) => withRemote(withAsOf(y)).positional('name', { type: 'string', demandOption: true }).option('limit', { alias: 'n', type: 'number' }),
  run: async (argv, ctx) => {
    checkLimit(argv.limit);
    const { template: t, reviews: rows } = await marketFor(argv, ctx).market.reviews(argv.name, argv.limit);
    ctx.out.result({ name: t.name, rating: averageRating(t), ratings: t.ratingCount, reviews: rows.map(ratingJson) }, () => {
      ctx.out.line(`${t.name}: ${stars(t)}`);
      ctx.out.table(['WHEN', 'USER', 'STARS', 'REVIEW'], rows.map((r) => [shortTime(r.at), r.user, '★'.repeat(r.stars), r.review]), {
        empty: 'no reviews',
      });
    });
  },
});

const deprecate = command({
  command: 'deprecate <spec>',
  describe: 'Deprecate a whole template (name) or one version (name@version)',
  builder: (y) =>
    withRemote(y.positional('spec', { type: 'string', demandOption: true, describe: 'name or name@version' }).option('reason', { type: 'string', describe: 'why' })),
  run: async (argv, ctx) => {
    const at = argv.spec.indexOf('@');
    const name = at === -1 ? argv.spec : argv.spec.slice(0, at);
    const version = at === -1 ? undefined : argv.spec.slice(at + 1);
    const r = await marketFor(argv, ctx).market.deprecate({ name, ...(version !== undefined ? { version } : {}), reason: argv.reason ?? '' });
    const what = r.version ? `${r.template.name}@${r.version.version}` : r.template.name;
    ctx.out.result({ deprecated: r.deprecated, template: templateJson(r.template), version: r.version ? versionJson(r.version) : null }, () =>
      ctx.out.line(r.deprecated ? `deprecated ${what}` : `${what} was already deprecated for that reason; nothing changed`),
    );
  },
});

const seed = command({
  command: 'seed',
  describe: 'Publish the built-in starter templates (login, crud, settings) the store lacks',
  run: async (_argv, ctx) => {
    const r = await ctx.withStore((store) => store.templates.seed({ meta: ctx.meta }), { create: true });
    ctx.out.result(r, () =>
      ctx.out.line(r.published.length > 0 ? `published ${r.published.join(', ')}` : `starters already present (${r.skipped.join(', ')})`),
    );
  },
});

const login = command({
  command: 'login <url>',
  describe: "Save your account token for a remote marketplace (checked with the server first; kept 0600 in $PYGUBUAI_HOME/credentials.json)",
  builder: (y) =>
    y
      .positional('url', { type: 'string', demandOption: true, describe: "the server, e.g. http://host:8765" })
      .option('token', { type: 'string', demandOption: true, describe: 'the token `pygubu-db user add` printed there; - reads it from stdin (keeps it out of the process list)' }),
  run: async (argv, ctx) => {
    const url = normalizeUrl(argv.url, 'the URL');
    let token = argv.token;
    if (token === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      token = Buffer.concat(chunks).toString('utf8');
    }
    token = token.trim();
    if (token === '') throw new UsageError('--token is empty');
    const { connectStore } = await import('../../client/remote.js');
    const api = await connectStore({ url, token });
    let who;
    try {
      who = await api.whoami();
    } finally {
      await api.close();
    }
    const { saveToken } = await import('./credentials.js');
    const account = who.account ?? (who.kind === 'owner' ? '(server owner)' : '');
    const file = saveToken(url, token, account);
    ctx.out.result({ url, account: who.account, admin: who.admin, kind: who.kind, file }, () => ctx.out.line(`logged in to ${url} as ${account}${who.admin ? ' (admin)' : ''}; token saved in ${file}`));
  },
});

/** The `pygubu-template` commands; their descriptors (what --help lists) are in ./index.ts. */
export { publish, search, install, rate, info, versions, reviews, list, deprecate, seed, login };
