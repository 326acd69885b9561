/**
 * Every error a user can meet carries a stable upper-case code; the README lists them all.
 * The CLI prints `error: <message> (<CODE>)` and exits 1 (2 for usage errors).
 */
export const ERROR_CODES = {
  PROJECT_NOT_FOUND: 'no live project has that name',
  PROJECT_EXISTS: 'a live project already has that name',
  PATH_NOT_FOUND: 'the path does not exist or is not a directory',
  VALIDATION_FAILED: 'an event or an argument does not match its schema',
  CONCURRENCY_CONFLICT: 'the stream is not at the expected version',
  STORE_BUSY: 'another process holds the store lock for longer than the wait allows',
  STORE_NOT_FOUND: 'there is no store at that location (run `pygubu-db init`)',
  STORE_CORRUPT: 'the store files are damaged (a log entry fails its checksum, a table is cut short, CURRENT is lost)',
  STORE_NOT_A_STORE: 'the --store directory exists, is not empty and is not a pygubuai store (nothing was changed)',
  STORE_LOCATION_UNSAFE: 'the --store path is a file-system root, the home directory or a system directory',
  EVENT_TOO_LARGE: 'one event is over 16 MiB encoded: more than the store takes (and could back up)',
  STORE_IO: 'the store could not be read or written (disk full, permissions)',
  UNKNOWN_EVENT_TYPE: 'no schema is registered for that event type and version',
  UNKNOWN_PROJECTION: 'no projection has that name',
  INVALID_ARGUMENT: 'a command-line argument has an invalid value',
  VERIFY_FAILED: 'the stored views or log do not match a replay of the log',
  FILE_IO: 'a file outside the store could not be read or written (permissions, disk full, not a regular file)',
  LEGACY_UNREADABLE: 'a legacy JSON file (registry, workflow, config) exists but could not be read',
  LEGACY_INVALID_JSON: 'a legacy JSON file is not valid JSON (truncated or hand-edited)',
  LEGACY_BAD_SHAPE: 'a legacy JSON file is valid JSON but not the shape the Python tool writes',
  LEGACY_NOT_FOUND: 'the legacy registry file does not exist',
  LEGACY_LOCKED: "the Python tool held the registry's lock (<registry>.lock) for longer than a hybrid write waits",
  LEGACY_NOT_PAIRED: 'a store other than the default one has no legacy registry recorded: pass --registry once',
  LEGACY_IMPORT_FAILED: 'migrate --strict stopped because a legacy file is broken; nothing was imported',
  LEGACY_IMPORT_INCOMPLETE: 'some legacy files were broken and not imported (see the report); the others were',
  CONFIG_NOT_SET: 'that key is not in config.json',
  CONFIG_INVALID: 'a config key or value is not allowed, or config.json is not a JSON object',
  TEMPLATE_NOT_FOUND: 'no template has that name, or no version of it matches',
  TEMPLATE_NAME_INVALID: 'a template name is empty, too long, or holds /, \\, .., @, a control character or a leading dot',
  TEMPLATE_VERSION_INVALID: 'a version is not semver, or a range is not a semver range',
  TEMPLATE_VERSION_EXISTS: 'that version of the template is already published with other content',
  TEMPLATE_VERSION_NOT_NEWER: 'a new version must be greater than the latest published one',
  TEMPLATE_FILE_INVALID: 'a file name inside a template is not one plain file name (no /, \\, .., leading dot)',
  TEMPLATE_FILE_NOT_TEXT: 'a template file is not UTF-8 text',
  TEMPLATE_UI_INVALID: 'a .ui file is not well-formed XML with root <interface>, or the template has no .ui file',
  TEMPLATE_TOO_LARGE: "a template's files are over 1 MiB together",
  TEMPLATE_CONTENT_MISMATCH: "a template file's content does not match its sha256, or the files do not match the template's hash (a dump or backup changed by hand)",
  TEMPLATE_RATING_INVALID: 'stars must be a whole number from 1 to 5',
  TEMPLATE_FILE_EXISTS: 'install would overwrite a file (pass --force to replace it)',
  TEMPLATE_DEST_UNSAFE: 'install would write through a symbolic link or onto something that is not a plain file or directory',
  TEMPLATE_INSTALL_FAILED: 'the template files could not be written (permissions, disk full)',
  DUMP_CORRUPT: 'a dump or backup is damaged: bad JSON/msgpack, an invalid event, wrong count or checksum (the line or byte offset is named)',
  DUMP_TRUNCATED: 'a dump or backup ends early: no trailer, or a last line/frame cut short',
  DUMP_UNREADABLE: 'a dump or backup file cannot be read or written',
  DUMP_NOT_A_DUMP: 'the file given to load or restore is not a pygubuai dump (plain text, a UTF-8 byte-order mark, another format)',
  BACKUP_CHECKSUM_MISMATCH: "a backup's events do not hash to the sha256 in its trailer",
  NOT_A_BACKUP: 'restore was given a dump; only a full backup can replace a store',
  LOAD_CONFLICT: "a stream in the dump has diverged from the same stream in this store",
  CONFIRMATION_REQUIRED: 'the command would replace data and there is no terminal to ask: pass --yes',
  RESTORE_CANCELLED: 'the restore was not confirmed; nothing changed',
  UNAUTHORIZED: 'a TCP request to the server has no bearer token, or the wrong one (HTTP 401)',
  ROUTE_NOT_FOUND: 'no HTTP route has that method and path (HTTP 404)',
  EVENT_NOT_FOUND: 'no event has that seq (HTTP 404)',
  BODY_TOO_LARGE: "an HTTP request body is over the server's limit (HTTP 413)",
  INVALID_JSON: 'an HTTP request body is not valid JSON (HTTP 400)',
  UNSUPPORTED_MEDIA_TYPE: 'an HTTP request body is not application/json (HTTP 415)',
  BAD_REQUEST: 'an HTTP request the server cannot take for another reason (HTTP 400)',
  SERVER_TOO_OLD: 'the client speaks a newer API or store format than the server (upgrade the server)',
  SERVER_NOT_RUNNING: '`pygubu-db server status` / `stop`: no live server for that store',
  SERVER_UNAVAILABLE: 'connectStore() or a bin cannot reach the server (none running, or its socket does not answer)',
  SERVER_STOPPING: 'the server is shutting down and takes no new work (HTTP 503)',
  SERVER_GONE: 'the server went away in the middle of a command; it may or may not have been applied',
  SERVER_PROTOCOL: "the server answered something that is not the API's JSON",
  ACCOUNT_NOT_FOUND: 'no live account has that name',
  ACCOUNT_EXISTS: 'a live account already has that name',
  ACCOUNT_NAME_INVALID: 'an account name is not 1-64 letters, digits, ., _ or - starting with a letter or digit',
  FORBIDDEN: "the request's account may not do that: another account owns the template, or the route needs the server's own token (HTTP 403)",
  RATE_LIMITED: 'too many requests from this address or token; wait the Retry-After seconds (HTTP 429)',
  TEMPLATE_DOWNLOAD_CORRUPT: "a template file from a remote marketplace does not match its sha256 (or the version's hash); nothing was written",
  ARGUMENT_NOT_UTF8: 'a command-line argument is not valid UTF-8 (it would be stored as U+FFFD)',
} as const;

/** Every code a StoreError can carry: a closed union, so a `switch` over it can be exhaustive. */
export type ErrorCode = keyof typeof ERROR_CODES;

export interface StoreErrorOptions {
  cause?: unknown;
  hint?: string;
  details?: Record<string, unknown>;
}

export class StoreError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: StoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export class ValidationError extends StoreError {
  readonly eventType: string;
  readonly path: string;

  constructor(eventType: string, path: string, message: string, options: StoreErrorOptions = {}) {
    super('VALIDATION_FAILED', `invalid ${eventType} event: ${path || '/'} ${message}`, {
      ...options,
      details: { eventType, path, ...options.details },
    });
    this.name = 'ValidationError';
    this.eventType = eventType;
    this.path = path;
  }
}

export class ConcurrencyError extends StoreError {
  readonly stream: string;
  readonly expected: string;
  readonly actual: number;

  constructor(stream: string, expected: string, actual: number) {
    super('CONCURRENCY_CONFLICT', `stream ${stream} is at version ${actual}, expected ${expected}`, {
      details: { stream, expected, actual },
    });
    this.name = 'ConcurrencyError';
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
}

export const isStoreError = (err: unknown): err is StoreError => err instanceof StoreError;

/**
 * LevelDB's own read errors (a damaged or unreadable table met while reading, after open) as
 * store errors with our codes; anything else is returned as it is.
 */
export function fromLevelError(err: unknown, location?: string): unknown {
  const code = (err as { code?: string } | undefined)?.code;
  const store = location === undefined ? 'the store' : `store ${location}`;
  if (code === 'LEVEL_CORRUPTION' || (code === 'LEVEL_IO_ERROR' && tableCutShort((err as Error).message))) {
    return new StoreError('STORE_CORRUPT', `${store} is damaged: ${(err as Error).message}`, {
      cause: err,
      hint: 'restore it from a backup (`pygubu-db restore`), or rebuild it from a dump',
    });
  }
  if (code === 'LEVEL_IO_ERROR') {
    return new StoreError('STORE_IO', `I/O error on ${store}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check the disk and the permissions of the store files; a truncated file means the store is damaged',
    });
  }
  return fromFileError(err);
}

/**
 * LevelDB reads a table whose size the MANIFEST records; a file cut shorter than that fails with
 * EINVAL ("Invalid argument") from pread, reported as an I/O error: the store is damaged, no
 * permission is missing.
 */
const tableCutShort = (message: string | undefined): boolean =>
  typeof message === 'string' && /\.(?:ldb|sst)\b/.test(message) && /Invalid argument|too short|truncated|corrupt/i.test(message);

/** A raw Node file-system error (it has a `syscall`) is the user's environment, not a bug: FILE_IO. */
export function fromFileError(err: unknown): unknown {
  const e = err as { code?: unknown; syscall?: unknown; path?: unknown; message?: unknown } | undefined;
  if (!e || isStoreError(err) || typeof e.code !== 'string' || typeof e.syscall !== 'string') return err;
  const where = typeof e.path === 'string' ? ` ${e.path}` : '';
  return new StoreError('FILE_IO', `cannot ${e.syscall}${where}: ${e.code}`, {
    cause: err,
    hint: e.code === 'ENOSPC' ? 'the disk is full' : e.code === 'EACCES' || e.code === 'EPERM' ? 'check the permissions' : undefined,
  });
}
