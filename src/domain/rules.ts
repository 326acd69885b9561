import { StoreError, type ErrorCode } from '../errors.js';
import type { KnownEvent, StoredEvent } from '../log/envelope.js';
import type { RowReader } from '../log/overlay.js';
import { viewPrefix } from '../log/keys.js';
import type { ProjectionSet } from '../projections/projection.js';
import { PROJECTS, projectIdOf, projectKeys, type ProjectRow } from '../projections/projects.js';
import { TEMPLATES, templateKeys, templateStream, type TemplateRow } from '../projections/templates.js';
import { ACCOUNTS, accountKeys, accountStream, type AccountRow } from '../projections/accounts.js';
import { checkAccountName } from './accounts.js';
import { checkTemplateFiles, checkTemplateName, checkVersion, contentHash } from './templates.js';
import { lazyRequire } from '../lib/lazy-require.js';

const semverLib = lazyRequire<typeof import('semver')>('semver');

/**
 * The domain rules every event keeps, whichever way it enters the log: a command's append, a raw
 * `store.append`, a loaded dump, a restored backup; and that replay (rebuild, verify) checks again.
 * The schemas say what one event may look like; these say what the schemas cannot:
 *
 *   on the event alone      a template version is exact semver; a template's files are within the
 *                           size limit, UTF-8 text, uniquely named, each `.ui` a pygubu interface
 *                           (the publish command's own checks), and match their sha256 and hash
 *   against the views       a live project's name is unique (register, rename); a published
 *                           version is new and greater than the template's latest
 *                           an account is added only while none of its name is live, rotated or
 *                           removed only while it is, and a token's keyId is never reused
 *
 * A command checks the same things first to say it in its own words; these are the last word, so
 * an event that a command would refuse cannot arrive any other way. A broken rule is a StoreError
 * with the rule's own code (PROJECT_EXISTS, TEMPLATE_VERSION_NOT_NEWER, …); `details.rule` repeats it.
 */
export interface EventRules {
  /** Throws when the event breaks a rule that needs nothing but the event. */
  checkAlone(event: StoredEvent | KnownEvent): void;
  /**
   * Throws when the event breaks a rule against the views as they stand just before it is folded.
   * Only the rules whose views `projections` folds are checked: a rebuild of one projection reads
   * the others' rows as they stand at the head of the log, not at this event.
   */
  checkInViews(event: KnownEvent, rows: RowReader, projections: ProjectionSet): Promise<void>;
}

const broken = (event: Pick<StoredEvent, 'type'>, err: unknown): never => {
  if (!(err instanceof StoreError)) throw err;
  throw new StoreError(err.code, `${event.type} event breaks a rule: ${err.message}`, {
    details: { rule: err.code, eventType: event.type, ...err.details },
    ...(err.hint ? { hint: err.hint } : {}),
  });
};

const rule = (code: ErrorCode, message: string): StoreError => new StoreError(code, message);

function checkPublished(event: StoredEvent): void {
  const d = event.data as { name: string; version: string; files: Array<{ path: string; content: string; sha256: string }>; hash: string };
  checkTemplateName(d.name);
  if (event.stream !== templateStream(d.name)) throw rule('VALIDATION_FAILED', `template ${d.name} is published in stream ${event.stream}, not ${templateStream(d.name)}`);
  checkVersion(d.version);
  const checked = checkTemplateFiles(d.files);
  const given = new Map(d.files.map((f) => [f.path, f.sha256]));
  for (const f of checked) {
    if (given.get(f.path) !== f.sha256) {
      throw rule('TEMPLATE_CONTENT_MISMATCH', `the content of ${f.path} has sha256 ${f.sha256}, the event says ${given.get(f.path)}`);
    }
  }
  const hash = contentHash(checked);
  if (hash !== d.hash) throw rule('TEMPLATE_CONTENT_MISMATCH', `the files of ${d.name}@${d.version} hash to ${hash}, the event says ${d.hash}`);
}

function checkTemplateRef(event: StoredEvent): void {
  const d = event.data as { name: string; version?: string };
  if (event.stream !== templateStream(d.name)) throw rule('VALIDATION_FAILED', `an event of template ${d.name} is in stream ${event.stream}, not ${templateStream(d.name)}`);
  if (d.version !== undefined) checkVersion(d.version);
}

async function checkProjectName(event: KnownEvent, rows: RowReader): Promise<void> {
  const prefix = viewPrefix(PROJECTS);
  const id = projectIdOf(event.stream);
  let name: string;
  if (event.type === 'project.registered') name = event.data.name;
  else if (event.type === 'project.renamed') {
    const row = await rows.get<ProjectRow>(prefix + projectKeys.byId(id));
    if (!row || row.name === event.data.to) return; // a removed project renames nothing live
    name = event.data.to;
  } else return;
  const holder = (await rows.get<ProjectRow>(prefix + projectKeys.byName(name)))?.id;
  if (holder !== undefined && holder !== id) {
    throw rule('PROJECT_EXISTS', `a live project named ${JSON.stringify(name)} already exists (id ${holder})`);
  }
}

async function checkNewVersion(event: KnownEvent, rows: RowReader): Promise<void> {
  if (event.type !== 'template.published') return;
  const prefix = viewPrefix(TEMPLATES);
  const { name, version } = event.data;
  const template = await rows.get<TemplateRow>(prefix + templateKeys.byName(name));
  if (!template) return;
  if ((await rows.get(prefix + templateKeys.version(name, version))) !== undefined) {
    throw rule('TEMPLATE_VERSION_EXISTS', `${name}@${version} is already published`);
  }
  if (!semverLib().gt(version, template.latest)) {
    throw rule('TEMPLATE_VERSION_NOT_NEWER', `${name}@${version} is not newer than the latest version ${template.latest}`);
  }
}

function checkAccountRef(event: StoredEvent): void {
  const { name } = event.data as { name: string };
  checkAccountName(name);
  if (event.stream !== accountStream(name)) throw rule('VALIDATION_FAILED', `an event of account ${name} is in stream ${event.stream}, not ${accountStream(name)}`);
}

/** An account is added only when none of that name is live, and changed only while it is; a keyId is never reused. */
async function checkAccount(event: KnownEvent, rows: RowReader): Promise<void> {
  const prefix = viewPrefix(ACCOUNTS);
  const { name } = event.data as { name: string };
  const live = await rows.get<AccountRow>(prefix + accountKeys.byName(name));
  if (event.type === 'account.added' && live) throw rule('ACCOUNT_EXISTS', `an account named ${JSON.stringify(name)} already exists`);
  if (event.type !== 'account.added' && !live) throw rule('ACCOUNT_NOT_FOUND', `no account named ${JSON.stringify(name)}`);
  const keyId = (event.data as { keyId?: string }).keyId;
  if (keyId !== undefined && (await rows.get(prefix + accountKeys.byKey(keyId))) !== undefined) {
    throw rule('VALIDATION_FAILED', `keyId ${keyId} is already an account's`);
  }
}

const ALONE: Partial<Record<string, (event: StoredEvent) => void>> = {
  'account.added': checkAccountRef,
  'account.token_rotated': checkAccountRef,
  'account.removed': checkAccountRef,
  'template.published': checkPublished,
  'template.downloaded': checkTemplateRef,
  'template.rated': checkTemplateRef,
  'template.deprecated': checkTemplateRef,
};

/** Rules against a view, by the projection whose rows they read. */
const IN_VIEWS: ReadonlyArray<{ view: string; types: readonly string[]; check: (event: KnownEvent, rows: RowReader) => Promise<void> }> = [
  { view: PROJECTS, types: ['project.registered', 'project.renamed'], check: checkProjectName },
  { view: TEMPLATES, types: ['template.published'], check: checkNewVersion },
  { view: ACCOUNTS, types: ['account.added', 'account.token_rotated', 'account.removed'], check: checkAccount },
];

export const DOMAIN_RULES: EventRules = {
  checkAlone(event) {
    const check = ALONE[event.type];
    if (!check) return;
    try {
      check(event as StoredEvent);
    } catch (err) {
      broken(event, err);
    }
  },
  async checkInViews(event, rows, projections) {
    for (const r of IN_VIEWS) {
      if (!r.types.includes(event.type) || !projections.get(r.view)) continue;
      try {
        await r.check(event, rows);
      } catch (err) {
        broken(event, err);
      }
    }
  },
};
