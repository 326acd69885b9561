import type { TemplateRating, TemplateRow, TemplateVersionRow } from '../projections/templates.js';
import type { Store } from '../store.js';
import type { CommandMeta } from './projects.js';
import { readTemplateSource, writeTemplateFiles } from './template-files.js';
import { STARTER_AUTHOR, STARTER_TEMPLATES, starterEventId } from './template-starters.js';
import {
  deprecateTemplate,
  parseTemplateSpec,
  publishTemplate,
  rateTemplate,
  recordDownload,
  type DeprecateTemplateInput,
  type PublishResult,
  type PublishTemplateInput,
  type RateTemplateInput,
} from './templates.js';

export interface InstallTemplateInput extends CommandMeta {
  /** `name` or `name@range`. */
  spec: string;
  /** The template lands in `<dest>/<name>/`. */
  dest: string;
  force?: boolean;
}

export interface InstallResult {
  template: TemplateRow;
  version: TemplateVersionRow;
  dir: string;
  written: string[];
  replaced: string[];
  /** The installed version's (or the whole template's) deprecation reason, else null. */
  deprecated: string | null;
}

export interface SeedResult {
  published: string[];
  skipped: string[];
}

/** The marketplace's commands over a store: `store.templates.publish(...)` and friends. */
export function templateMarketplace(store: Store) {
  return {
    publish: (input: PublishTemplateInput): Promise<PublishResult> => store.transact((tx, v) => publishTemplate(tx, v, input)),

    /** Publish a `.ui` file or a project directory (its .ui, .py and README.md files). */
    publishFrom: async (path: string, input: Omit<PublishTemplateInput, 'files'>): Promise<PublishResult> => {
      const files = await readTemplateSource(path);
      return store.transact((tx, v) => publishTemplate(tx, v, { ...input, files }));
    },

    /**
     * Resolve `name@range`, write the files into `<dest>/<name>/`, then count the download: a failed
     * write counts nothing.
     */
    install: async (input: InstallTemplateInput): Promise<InstallResult> => {
      const { name, range } = parseTemplateSpec(input.spec);
      const { version, files } = await store.views.templates.download(name, range);
      const out = await writeTemplateFiles(input.dest, name, files, { force: input.force ?? false });
      const counted = await store.transact((tx, v) => recordDownload(tx, v, name, version.version, input));
      const template = await store.views.templates.require(name);
      return { template, version: counted, ...out, deprecated: counted.deprecated ?? template.deprecated };
    },

    /** Count one download of an exact version whose files a client wrote itself (a remote install). */
    countDownload: async (name: string, version: string, input: CommandMeta = {}): Promise<{ template: TemplateRow; version: TemplateVersionRow }> => {
      const counted = await store.transact((tx, v) => recordDownload(tx, v, name, version, input));
      return { template: await store.views.templates.require(name), version: counted };
    },

    rate: (input: RateTemplateInput): Promise<{ rated: boolean; template: TemplateRow; rating: TemplateRating }> =>
      store.transact((tx, v) => rateTemplate(tx, v, input)),

    deprecate: (input: DeprecateTemplateInput) => store.transact((tx, v) => deprecateTemplate(tx, v, input)),

    /** Publish the built-in starters that the store does not have yet (none when run again). */
    seed: async (input: CommandMeta = {}): Promise<SeedResult> => {
      const result: SeedResult = { published: [], skipped: [] };
      for (const t of STARTER_TEMPLATES) {
        const done = await store.transact(async (tx, v) => {
          if (await v.templates.get(t.name)) return false; // ours from an earlier seed, or a user's own
          await publishTemplate(tx, v, { ...t, ...input, author: STARTER_AUTHOR, eventId: starterEventId(t) });
          return true;
        });
        (done ? result.published : result.skipped).push(`${t.name}@${t.version}`);
      }
      return result;
    },
  };
}

export type TemplateMarketplace = ReturnType<typeof templateMarketplace>;
