import { readFileSync } from 'node:fs';
import { parseTemplateSpec, type PublishResult, type PublishTemplateInput } from '../../domain/templates.js';
import type { InstallResult } from '../../domain/marketplace.js';
import type { TemplateRating, TemplateRow, TemplateVersionRow } from '../../projections/templates.js';
import type { SearchTemplatesOptions } from '../../queries/templates.js';
import { StoreError } from '../../errors.js';
import { configPath } from '../../paths.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../output.js';
import { tokenFor } from './credentials.js';

/**
 * What the marketplace commands do, over the local store or over another machine's server: the
 * commands print the same output from either, and errors keep their codes.
 */
export interface Market {
  search(query: string, options: SearchTemplatesOptions): Promise<TemplateRow[]>;
  list(options: SearchTemplatesOptions): Promise<TemplateRow[]>;
  /** The template and its latest version. */
  info(name: string): Promise<{ template: TemplateRow; latest: TemplateVersionRow }>;
  versions(name: string): Promise<TemplateVersionRow[]>;
  reviews(name: string, limit?: number): Promise<{ template: TemplateRow; reviews: TemplateRating[] }>;
  publishFrom(path: string, input: Omit<PublishTemplateInput, 'files'>): Promise<PublishResult>;
  install(input: { spec: string; dest: string; force: boolean }): Promise<InstallResult>;
  rate(input: { name: string; stars: number; user?: string; review?: string }): Promise<{ rated: boolean; template: TemplateRow; rating: TemplateRating }>;
  deprecate(input: { name: string; version?: string; reason: string }): Promise<{ deprecated: boolean; template: TemplateRow; version: TemplateVersionRow | null }>;
}

/** Options every marketplace command takes to reach a remote one. */
export interface RemoteArgs {
  remote?: string | undefined;
  local?: boolean | undefined;
  asOf?: string | undefined;
}

/** `marketplace_url` in config.json (read only: the Python tool owns that file). */
function configuredUrl(): string | undefined {
  try {
    const config = JSON.parse(readFileSync(configPath(), 'utf8')) as { marketplace_url?: unknown };
    return typeof config.marketplace_url === 'string' && config.marketplace_url.trim() !== '' ? config.marketplace_url.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** `http://host:port` as the key of a remote: no trailing slash, no query, no credentials. */
export function normalizeUrl(given: string, what = '--remote'): string {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`${what} takes a URL like http://host:8765, not ${JSON.stringify(given)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${what} takes an http:// or https:// URL, not ${JSON.stringify(given)}`);
  if (url.username || url.password) throw new UsageError(`${what} must not hold credentials; use \`pygubu-template login URL --token -\``);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The remote a command goes to: --remote, else config marketplace_url, unless --local. */
export function remoteOf(argv: RemoteArgs): string | undefined {
  if (argv.local) {
    if (argv.remote !== undefined) throw new UsageError('--local and --remote contradict each other');
    return undefined;
  }
  const given = argv.remote ?? configuredUrl();
  if (given === undefined) return undefined;
  if (argv.asOf !== undefined) throw new UsageError('--as-of reads the local log; it cannot be used with a remote marketplace');
  return normalizeUrl(given, argv.remote !== undefined ? '--remote' : 'marketplace_url');
}

export function localMarket(ctx: CommandContext, asOf: string | undefined): Market {
  return {
    search: (query, options) => ctx.withViews(asOf, (views) => views.templates.search(query, options)),
    list: (options) => ctx.withViews(asOf, (views) => views.templates.list(options)),
    info: (name) =>
      ctx.withViews(asOf, async (views) => {
        const template = await views.templates.require(parseTemplateSpec(name).name);
        return { template, latest: (await views.templates.version(template.name, template.latest))! };
      }),
    versions: (name) =>
      ctx.withViews(asOf, async (views) => {
        const t = await views.templates.require(parseTemplateSpec(name).name);
        return views.templates.versions(t.name);
      }),
    reviews: (name, limit) =>
      ctx.withViews(asOf, async (views) => {
        const template = await views.templates.require(parseTemplateSpec(name).name);
        return { template, reviews: await views.templates.reviews(template.name, limit !== undefined ? { limit } : {}) };
      }),
    publishFrom: (path, input) => ctx.withStore((store) => store.templates.publishFrom(path, input), { create: true }),
    install: (input) => ctx.withStore((store) => store.templates.install({ ...input, meta: ctx.meta })),
    rate: (input) => ctx.withStore((store) => store.templates.rate({ ...input, meta: ctx.meta })),
    deprecate: (input) => ctx.withStore((store) => store.templates.deprecate({ ...input, meta: ctx.meta })),
  };
}

/**
 * The marketplace of another machine's `pygubu-db serve --port`, with this client's token for it
 * (PYGUBUAI_TOKEN, else the one `login` saved). The server takes the author and the rater from the
 * token; an install checks every file's sha256 before it writes, with the local install's path rules.
 */
export function remoteMarket(url: string): Market {
  const token = tokenFor(url);
  let connecting: Promise<import('../../client/remote.js').RemoteStore> | undefined;
  const api = () => (connecting ??= import('../../client/remote.js').then((m) => m.connectStore({ url, ...(token ? { token } : {}) })));
  const withApi = async <T>(work: (a: import('../../client/remote.js').RemoteStore) => Promise<T>): Promise<T> => {
    const a = await api();
    try {
      return await work(a);
    } finally {
      await a.close();
    }
  };
  return {
    search: (query, options) => withApi((a) => (query.trim() === '' ? a.templates.list(options) : a.templates.search(query, options))),
    list: (options) => withApi((a) => a.templates.list(options)),
    info: (spec) =>
      withApi(async (a) => {
        const { name } = parseTemplateSpec(spec);
        const versions = await a.templates.versions(name);
        const template = await a.templates.get(name);
        const latest = versions.find((v) => v.version === template?.latest);
        if (!template || !latest) throw new StoreError('TEMPLATE_NOT_FOUND', `no template named ${JSON.stringify(name)}`);
        return { template, latest };
      }),
    versions: (spec) => withApi((a) => a.templates.versions(parseTemplateSpec(spec).name)),
    reviews: (spec, limit) =>
      withApi(async (a) => {
        const { name } = parseTemplateSpec(spec);
        const reviews = await a.templates.reviews(name, limit !== undefined ? { limit } : {});
        const template = await a.templates.get(name);
        if (!template) throw new StoreError('TEMPLATE_NOT_FOUND', `no template named ${JSON.stringify(name)}`);
        return { template, reviews };
      }),
    // the author and the actor are the token's account: neither travels in the request
    publishFrom: async (path, { author: _author, meta: _meta, ...input }) => {
      const { readTemplateSource } = await import('../../domain/template-files.js');
      const files = await readTemplateSource(path);
      return withApi((a) => a.templates.publish({ ...input, files }));
    },
    install: async ({ spec, dest, force }) => {
      const { checkDownloadedFiles, writeTemplateFiles } = await import('../../domain/template-files.js');
      const { name, range } = parseTemplateSpec(spec);
      return withApi(async (a) => {
        // one request: the version (with its files' hashes) and the files it names
        const { version, files: downloaded } = await a.templates.download(name, range);
        const files = checkDownloadedFiles(version, downloaded);
        const out = await writeTemplateFiles(dest, name, files, { force });
        const counted = await a.templates.countDownload(name, version.version);
        return { template: counted.template, version: counted.version, ...out, deprecated: counted.version.deprecated ?? counted.template.deprecated };
      });
    },
    rate: ({ user: _user, ...input }) => withApi((a) => a.templates.rate(input)),
    deprecate: (input) => withApi((a) => a.templates.deprecate(input)),
  };
}
