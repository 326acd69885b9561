import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StoreError } from '../errors.js';
import type { TemplateFile } from '../projections/templates.js';
import { isInside } from '../paths.js';
import type { TemplateVersionRow } from '../projections/templates.js';
import { checkFileName, checkTemplateName, contentHash, MAX_TEMPLATE_BYTES, sha256 } from './templates.js';

/** Which files of a project directory make up a template. */
const isTemplateFile = (name: string): boolean => name.endsWith('.ui') || name.endsWith('.py') || name === 'README.md';

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

/**
 * The files to publish from `path`: a `.ui` file, or a project directory's `.ui` and `.py` files and
 * its README.md (regular files directly inside it; symbolic links are not followed). Read as bytes:
 * the publish command checks they are UTF-8.
 */
export async function readTemplateSource(path: string): Promise<{ path: string; content: Uint8Array }[]> {
  const full = resolve(path);
  const st = await stat(full).catch(() => undefined);
  if (!st) throw new StoreError('PATH_NOT_FOUND', `no such file or directory: ${path}`);
  if (st.isFile() && (await lstat(full)).isSymbolicLink()) {
    const target = await realpath(full);
    if (!isInside(target, await realpath(dirname(full)))) {
      // never read it: the XML checker's complaint would quote the other file's first characters
      throw new StoreError('TEMPLATE_FILE_INVALID', `${path} is a symbolic link to a file outside its directory; not followed`, {
        hint: 'publish the file itself, or a project directory',
      });
    }
  }
  let names: string[];
  let dir: string;
  if (st.isDirectory()) {
    dir = full;
    const entries = await readdir(full, { withFileTypes: true });
    names = entries.filter((e) => e.isFile() && isTemplateFile(e.name)).map((e) => e.name).sort();
    if (!names.some((n) => n.endsWith('.ui'))) throw new StoreError('TEMPLATE_UI_INVALID', `${path} holds no .ui file`);
  } else if (st.isFile()) {
    if (!full.endsWith('.ui')) throw new StoreError('TEMPLATE_UI_INVALID', `${path} is not a .ui file`, { hint: 'publish a .ui file or a project directory' });
    dir = dirname(full);
    names = [basename(full)];
  } else {
    throw new StoreError('PATH_NOT_FOUND', `${path} is neither a file nor a directory`);
  }
  let total = 0;
  for (const name of names) {
    total += (await stat(join(dir, name))).size;
    if (total > MAX_TEMPLATE_BYTES) {
      throw new StoreError('TEMPLATE_TOO_LARGE', `the template's files are over ${MAX_TEMPLATE_BYTES} bytes (1 MiB)`, {
        hint: 'a template is a .ui file with optional .py and README.md; leave assets out',
      });
    }
  }
  return Promise.all(names.map(async (name) => ({ path: name, content: await readFile(join(dir, name)) })));
}

/**
 * Files that came from elsewhere (a remote marketplace) are the version's files exactly: the same
 * names, each content matching its sha256, and together the version's hash. Checked before
 * anything is written; a mismatch writes nothing (TEMPLATE_DOWNLOAD_CORRUPT).
 */
export function checkDownloadedFiles(version: Pick<TemplateVersionRow, 'name' | 'version' | 'hash' | 'files'>, files: readonly TemplateFile[]): TemplateFile[] {
  const corrupt = (what: string) =>
    new StoreError('TEMPLATE_DOWNLOAD_CORRUPT', `${version.name}@${version.version} arrived damaged: ${what}; nothing was written`, {
      hint: 'install again; if it keeps failing, something between you and the server changes what it sends',
    });
  if (!Array.isArray(files) || files.length !== version.files.length) throw corrupt(`${Array.isArray(files) ? files.length : 0} files, the version has ${version.files.length}`);
  const expected = new Map(version.files.map((f) => [f.path, f.sha256]));
  for (const f of files) {
    if (typeof f?.path !== 'string' || typeof f.content !== 'string') throw corrupt('a file without a path or content');
    const want = expected.get(f.path);
    if (want === undefined) throw corrupt(`${JSON.stringify(f.path)} is not one of its files`);
    const got = sha256(f.content);
    if (got !== want || f.sha256 !== want) throw corrupt(`${f.path} has sha256 ${got}, expected ${want}`);
  }
  if (contentHash(files) !== version.hash) throw corrupt(`its files hash to ${contentHash(files)}, expected ${version.hash}`);
  return [...files];
}

export interface WriteTemplateOptions {
  /** Replace files that exist (never a symbolic link, never anything but a regular file). */
  force?: boolean;
}

function unsafe(message: string): StoreError {
  return new StoreError('TEMPLATE_DEST_UNSAFE', message, { hint: 'install into a plain directory (--dest DIR)' });
}

/**
 * Write a template's files into `dest/<name>/`: never outside it, never through a symbolic link,
 * never over an existing file unless `force`. Everything is checked before the first byte is
 * written; new files are created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) and forced ones are written
 * beside the target and renamed over it, so a write never follows a link planted meanwhile.
 */
export async function writeTemplateFiles(
  dest: string,
  name: string,
  files: readonly TemplateFile[],
  options: WriteTemplateOptions = {},
): Promise<{ dir: string; written: string[]; replaced: string[] }> {
  checkTemplateName(name);
  for (const f of files) checkFileName(f.path); // never trust what the log holds either

  const root = resolve(dest);
  try {
    await mkdir(root, { recursive: true });
  } catch (cause) {
    throw new StoreError('TEMPLATE_INSTALL_FAILED', `cannot create ${root}: ${(cause as Error).message}`, { cause });
  }
  const rootReal = await realpath(root);
  if (!(await stat(rootReal)).isDirectory()) throw unsafe(`${dest} is not a directory`);
  const dir = join(root, name);
  if (dirname(dir) !== root) throw unsafe(`${name} would land outside ${root}`);

  const dirStat = await lstat(dir).catch((err) => (code(err) === 'ENOENT' ? undefined : Promise.reject(err)));
  if (dirStat?.isSymbolicLink()) throw unsafe(`${dir} is a symbolic link; refusing to write through it`);
  if (dirStat && !dirStat.isDirectory()) throw unsafe(`${dir} exists and is not a directory`);

  const existing: string[] = [];
  for (const f of files) {
    const target = join(dir, f.path);
    if (dirname(target) !== dir) throw unsafe(`${f.path} would land outside ${dir}`);
    if (!dirStat) continue;
    const st = await lstat(target).catch((err) => (code(err) === 'ENOENT' ? undefined : Promise.reject(err)));
    if (!st) continue;
    if (st.isSymbolicLink()) throw unsafe(`${target} is a symbolic link; refusing to write through it`);
    if (!st.isFile()) throw unsafe(`${target} exists and is not a regular file`);
    existing.push(f.path);
  }
  if (existing.length > 0 && !options.force) {
    throw new StoreError('TEMPLATE_FILE_EXISTS', `${dir} already has ${existing.join(', ')}`, { hint: 'pass --force to replace them, or --dest another directory' });
  }

  if (!dirStat) {
    try {
      await mkdir(dir);
    } catch (cause) {
      if (code(cause) === 'EEXIST') throw unsafe(`${dir} appeared while installing; run the install again`);
      throw new StoreError('TEMPLATE_INSTALL_FAILED', `cannot create ${dir}: ${(cause as Error).message}`, { cause });
    }
  }
  // The directory we write into must be exactly <real dest>/<name>, whatever happened since the checks.
  const made = await lstat(dir);
  if (made.isSymbolicLink() || !made.isDirectory() || (await realpath(dir)) !== join(rootReal, name)) {
    throw unsafe(`${dir} is not a plain directory inside ${rootReal}`);
  }

  const written: string[] = [];
  for (const f of files) {
    const target = join(dir, f.path);
    const replace = existing.includes(f.path);
    const path = replace ? join(dir, `.${f.path}.${randomBytes(6).toString('hex')}.tmp`) : target;
    await writeExclusive(path, f.content);
    if (replace) {
      try {
        await rename(path, target);
      } catch (cause) {
        await unlink(path).catch(() => {});
        throw new StoreError('TEMPLATE_INSTALL_FAILED', `cannot replace ${target}: ${(cause as Error).message}`, { cause });
      }
    }
    written.push(target);
  }
  return { dir, written, replaced: existing };
}

async function writeExclusive(path: string, content: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (cause) {
    if (code(cause) === 'EEXIST' || code(cause) === 'ELOOP') throw unsafe(`${path} appeared while installing (file or link); nothing was overwritten`);
    throw new StoreError('TEMPLATE_INSTALL_FAILED', `cannot create ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    await handle.writeFile(content, 'utf8');
  } catch (cause) {
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw new StoreError('TEMPLATE_INSTALL_FAILED', `cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
  await handle.close();
}
