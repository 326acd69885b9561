import { createHash } from 'node:crypto';
import { lazyRequire } from '../lib/lazy-require.js';
import { StoreError } from '../errors.js';
import type { Transaction } from '../log/event-log.js';
import { templateStream, type TemplateFile, type TemplateRating, type TemplateRow, type TemplateVersionRow } from '../projections/templates.js';
import type { Views } from '../queries/index.js';
import { cleanTags, type CommandMeta } from './projects.js';
import type { Actor } from './accounts.js';

const semverLib = lazyRequire<typeof import('semver')>('semver');
const xml = lazyRequire<typeof import('fast-xml-parser')>('fast-xml-parser');

/** Every template's files together, in UTF-8 bytes. */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;
export const MAX_NAME_LENGTH = 100;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function nameProblem(name: string, maxLength: number, reserved: RegExp, reservedText: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > maxLength || Buffer.byteLength(name, 'utf8') > 255) return `is longer than ${maxLength} characters`;
  if (CONTROL.test(name)) return 'contains a control character';
  if (name.includes('/') || name.includes('\\')) return 'contains / or \\';
  if (name.includes('..')) return 'contains ..';
  if (name.startsWith('.')) return 'starts with a dot';
  if (reserved.test(name)) return `contains ${reservedText}`;
  if (name !== name.trim()) return 'starts or ends with a space';
  return undefined;
}

/** A template name is also a directory name on install: no separators, no dot tricks, no controls. */
export function checkTemplateName(name: string): string {
  const problem = nameProblem(name, MAX_NAME_LENGTH, /@/, '@ (it separates name@version)');
  if (problem) {
    throw new StoreError('TEMPLATE_NAME_INVALID', `template name ${JSON.stringify(name)} ${problem}`, {
      hint: 'use letters, digits, - and _ (up to 100 characters)',
    });
  }
  return name;
}

/** A file of a template is one plain file name inside the template's directory. */
export function checkFileName(path: string): string {
  const problem = nameProblem(path, 255, /:/, ':');
  if (problem) throw new StoreError('TEMPLATE_FILE_INVALID', `template file name ${JSON.stringify(path)} ${problem}`);
  return path;
}

/** An exact semver version as published (`1.2.3`, `2.0.0-beta.1`), not a range, no leading `v`. */
export function checkVersion(version: string): string {
  if (semverLib().valid(version) !== version) {
    throw new StoreError('TEMPLATE_VERSION_INVALID', `${JSON.stringify(version)} is not a semver version`, { hint: 'e.g. 1.0.0 or 2.1.0-beta.1' });
  }
  return version;
}

/** `name` or `name@range`: names cannot hold `@`, so the first one splits them. */
export function parseTemplateSpec(spec: string): { name: string; range?: string } {
  const at = spec.indexOf('@');
  if (at === -1) return { name: checkTemplateName(spec) };
  const range = spec.slice(at + 1);
  if (range.trim() === '' || semverLib().validRange(range) === null) {
    throw new StoreError('TEMPLATE_VERSION_INVALID', `${JSON.stringify(range)} is not a semver version or range`, {
      hint: 'e.g. login@1.0.0, login@^1.0.0, login@">=1.0.0 <2.0.0"',
    });
  }
  return { name: checkTemplateName(spec.slice(0, at)), range };
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** File contents as text; bytes that are not UTF-8, or NUL characters, mean a binary file. */
export function templateText(path: string, content: string | Uint8Array): string {
  let text: string;
  try {
    text = typeof content === 'string' ? content : fatalUtf8.decode(content);
  } catch {
    throw new StoreError('TEMPLATE_FILE_NOT_TEXT', `${path} is not UTF-8 text`, { hint: 'a template holds .ui, .py and README.md text files only' });
  }
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed() || text.includes('\u0000')) {
    throw new StoreError('TEMPLATE_FILE_NOT_TEXT', `${path} is not UTF-8 text`, { hint: 'a template holds .ui, .py and README.md text files only' });
  }
  return text;
}

let uiParser: import('fast-xml-parser').XMLParser | undefined;

/** A pygubu `.ui` file: well-formed XML with a single root element `<interface>`. */
export function checkUi(path: string, text: string): void {
  const valid = xml().XMLValidator.validate(text);
  if (valid !== true) {
    throw new StoreError('TEMPLATE_UI_INVALID', `${path} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  let doc: object;
  try {
    doc = (uiParser ??= new (xml().XMLParser)({ ignoreDeclaration: true, ignorePiTags: true, ignoreAttributes: true })).parse(text) as object;
  } catch (err) {
    // the parser's own limits (external or parameter entities, an entity over its size limit, more
    // than 100 nested tags) are a property of this file, as `analytics scan` reports them
    throw new StoreError('TEMPLATE_UI_INVALID', `${path} is not readable as a pygubu interface: ${(err as Error).message}`);
  }
  const roots = Object.keys(doc).filter((k) => k !== '#text');
  if (roots.length !== 1 || roots[0] !== 'interface') {
    throw new StoreError('TEMPLATE_UI_INVALID', `${path} is not a pygubu interface: its root is <${roots.join('>, <') || 'nothing'}>, not <interface>`);
  }
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The hash of a template's content: its files' names and hashes, in name order. */
export const contentHash = (files: readonly Pick<TemplateFile, 'path' | 'sha256'>[]): string =>
  sha256([...files].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => `${f.path}\u0000${f.sha256}\n`).join(''));

/**
 * Check a template's files: valid unique names, UTF-8 text, at least one `.ui` file and each one a
 * pygubu interface, and all of them within MAX_TEMPLATE_BYTES. Returns them in name order with hashes.
 */
export function checkTemplateFiles(files: readonly { path: string; content: string | Uint8Array }[]): TemplateFile[] {
  if (files.length === 0) throw new StoreError('TEMPLATE_UI_INVALID', 'a template needs at least one .ui file');
  const seen = new Set<string>();
  let bytes = 0;
  const out: TemplateFile[] = [];
  for (const f of files) {
    const path = checkFileName(f.path);
    if (seen.has(path)) throw new StoreError('TEMPLATE_FILE_INVALID', `template file ${JSON.stringify(path)} is given twice`);
    seen.add(path);
    bytes += typeof f.content === 'string' ? Buffer.byteLength(f.content, 'utf8') : f.content.byteLength;
    if (bytes > MAX_TEMPLATE_BYTES) {
      throw new StoreError('TEMPLATE_TOO_LARGE', `the template's files are over ${MAX_TEMPLATE_BYTES} bytes (1 MiB)`, {
        hint: 'a template is a .ui file with optional .py and README.md; leave assets out',
      });
    }
    const content = templateText(path, f.content);
    if (path.endsWith('.ui')) checkUi(path, content);
    out.push({ path, content, sha256: sha256(content) });
  }
  if (!out.some((f) => f.path.endsWith('.ui'))) throw new StoreError('TEMPLATE_UI_INVALID', 'a template needs at least one .ui file');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function checkText(what: string, value: string, max: number, options: { empty?: boolean; multiline?: boolean } = {}): string {
  const v = value.trim();
  if (!options.empty && v.length === 0) throw new StoreError('INVALID_ARGUMENT', `${what} is empty`);
  if (v.length > max) throw new StoreError('INVALID_ARGUMENT', `${what} is longer than ${max} characters`);
  if (CONTROL.test(options.multiline ? v.replace(/[\n\t\r]/g, ' ') : v)) {
    throw new StoreError('INVALID_ARGUMENT', `${what} contains a control character`);
  }
  return v;
}

export const envelopeFields = (input: CommandMeta) => ({
  ...(input.eventId !== undefined ? { id: input.eventId } : {}),
  ...(input.at !== undefined ? { at: input.at } : {}),
  ...(input.meta !== undefined ? { meta: input.meta } : {}),
});

export interface PublishTemplateInput extends CommandMeta {
  name: string;
  version: string;
  description?: string;
  author?: string;
  tags?: readonly string[];
  files: readonly { path: string; content: string | Uint8Array }[];
  metadata?: Record<string, unknown>;
  /** On a server, the authenticated account: it is the author, and must own the template (or be an admin). */
  as?: Actor;
}

/** An account may change a template it owns (it first published it), or any template as an admin. */
async function checkOwner(views: Views, name: string, actor: Actor | undefined, what: string): Promise<void> {
  if (!actor || actor.admin) return;
  const owner = await views.templates.owner(name);
  if (owner !== undefined && owner !== actor.account) {
    throw new StoreError('FORBIDDEN', `template ${name} belongs to ${owner}; account ${actor.account} cannot ${what} it`, {
      hint: 'only the account that first published a template, or an admin, can do that',
    });
  }
}

/** On a server the account is who acts: a different name given in the request is refused, not ignored. */
function actingAs(actor: Actor | undefined, given: string | undefined, what: string): string | undefined {
  if (!actor) return given;
  if (given !== undefined && given !== actor.account) {
    throw new StoreError('FORBIDDEN', `account ${actor.account} cannot ${what} as ${JSON.stringify(given)}`, { hint: 'on a shared marketplace you act as the account of your token' });
  }
  return actor.account;
}

export interface PublishResult {
  /** False when this exact version with identical content was already published (a no-op). */
  published: boolean;
  template: TemplateRow;
  version: TemplateVersionRow;
}

async function fetchVersion(views: Views, name: string, version: string): Promise<{ template: TemplateRow; version: TemplateVersionRow }> {
  const [template, row] = await Promise.all([views.templates.get(name), views.templates.version(name, version)]);
  if (!template || !row) throw new StoreError('TEMPLATE_NOT_FOUND', `template ${name}@${version} vanished during its own command`);
  return { template, version: row };
}

/** Publish a version: it must be newer than the latest one; the same version and content again is a no-op. */
export async function publishTemplate(tx: Transaction, views: Views, input: PublishTemplateInput): Promise<PublishResult> {
  const name = checkTemplateName(input.name);
  const version = checkVersion(input.version);
  const author = checkText('author', actingAs(input.as, input.author, 'publish') ?? '', 200);
  await checkOwner(views, name, input.as, 'publish a new version of');
  const description = checkText('description', input.description ?? '', 10_000, { empty: true, multiline: true });
  const files = checkTemplateFiles(input.files);
  const hash = contentHash(files);
  const template = await views.templates.get(name);
  if (template) {
    const existing = await views.templates.version(name, version);
    if (existing) {
      if (existing.hash === hash) return { published: false, template, version: existing };
      throw new StoreError('TEMPLATE_VERSION_EXISTS', `${name}@${version} is already published with other content`, {
        hint: `publish a version newer than ${template.latest}`,
      });
    }
    if (!semverLib().gt(version, template.latest)) {
      throw new StoreError('TEMPLATE_VERSION_NOT_NEWER', `${name}@${version} is not newer than the latest version ${template.latest}`, {
        hint: `next: ${semverLib().inc(template.latest, 'patch') ?? template.latest}`,
      });
    }
  }
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content, 'utf8'), 0);
  const [first, ...rest] = files; // the schema wants at least one file; checkTemplateFiles made sure of it
  if (!first) throw new StoreError('TEMPLATE_UI_INVALID', `${name}@${version} has no files`);
  await tx.append({
    ...envelopeFields(input),
    stream: templateStream(name),
    type: 'template.published',
    data: {
      name,
      version,
      description,
      author,
      tags: cleanTags(input.tags ?? []),
      files: [first, ...rest],
      hash,
      metadata: { ...input.metadata, bytes, uiFiles: files.filter((f) => f.path.endsWith('.ui')).length },
    },
  });
  return { published: true, ...(await fetchVersion(views, name, version)) };
}

/** Count one download of an exact, published version. */
export async function recordDownload(tx: Transaction, views: Views, name: string, version: string, input: CommandMeta = {}): Promise<TemplateVersionRow> {
  checkTemplateName(name);
  await views.templates.require(name);
  if (!(await views.templates.version(name, version))) throw new StoreError('TEMPLATE_NOT_FOUND', `template ${name} has no version ${version}`);
  await tx.append({ ...envelopeFields(input), stream: templateStream(name), type: 'template.downloaded', data: { name, version } });
  return (await fetchVersion(views, name, version)).version;
}

export interface RateTemplateInput extends CommandMeta {
  name: string;
  user?: string;
  stars: number;
  review?: string;
  /** On a server, the authenticated account: it is the rater. */
  as?: Actor;
}

export const checkStars = (stars: unknown): number => {
  if (typeof stars !== 'number' || !Number.isInteger(stars) || stars < 1 || stars > 5) {
    throw new StoreError('TEMPLATE_RATING_INVALID', `stars must be a whole number from 1 to 5, not ${JSON.stringify(stars)}`);
  }
  return stars;
};

/** Rate a template; a user's new rating (and review) replaces their old one. */
export async function rateTemplate(tx: Transaction, views: Views, input: RateTemplateInput): Promise<{ rated: boolean; template: TemplateRow; rating: TemplateRating }> {
  const name = checkTemplateName(input.name);
  const stars = checkStars(input.stars);
  const user = checkText('user', actingAs(input.as, input.user, 'rate') ?? '', 200);
  const review = input.review === undefined ? '' : checkText('review', input.review, 10_000, { empty: true, multiline: true });
  await views.templates.require(name);
  const previous = await views.templates.rating(name, user);
  const changed = !previous || previous.stars !== stars || (previous.review ?? '') !== review;
  if (changed) {
    await tx.append({
      ...envelopeFields(input),
      stream: templateStream(name),
      type: 'template.rated',
      data: { name, user, stars, ...(review ? { review } : {}) },
    });
  }
  const [template, rating] = await Promise.all([views.templates.require(name), views.templates.rating(name, user)]);
  return { rated: changed, template, rating: rating! };
}

export interface DeprecateTemplateInput extends CommandMeta {
  name: string;
  /** One version; the whole template when absent. */
  version?: string;
  reason?: string;
  /** On a server, the authenticated account: it must own the template (or be an admin). */
  as?: Actor;
}

/** Deprecate a whole template or one version; the same deprecation again is a no-op. */
export async function deprecateTemplate(
  tx: Transaction,
  views: Views,
  input: DeprecateTemplateInput,
): Promise<{ deprecated: boolean; template: TemplateRow; version: TemplateVersionRow | null }> {
  const name = checkTemplateName(input.name);
  const reason = checkText('reason', input.reason ?? '', 2000, { empty: true, multiline: true });
  const template = await views.templates.require(name);
  await checkOwner(views, name, input.as, 'deprecate');
  let version: TemplateVersionRow | null = null;
  if (input.version !== undefined) {
    version = (await views.templates.version(name, checkVersion(input.version))) ?? null;
    if (!version) {
      throw new StoreError('TEMPLATE_NOT_FOUND', `template ${name} has no version ${input.version}`, { hint: `see \`pygubu-template versions ${name}\`` });
    }
  }
  const current = version ? version.deprecated : template.deprecated;
  if (current === reason) return { deprecated: false, template, version };
  await tx.append({
    ...envelopeFields(input),
    stream: templateStream(name),
    type: 'template.deprecated',
    data: { name, ...(version ? { version: version.version } : {}), reason },
  });
  return {
    deprecated: true,
    template: await views.templates.require(name),
    version: version ? ((await views.templates.version(name, version.version)) ?? null) : null,
  };
}
