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
  STORE_CORRUPT: 'the store files are damaged or not a store',
  STORE_IO: 'the store could not be read or written (disk full, permissions)',
  UNKNOWN_EVENT_TYPE: 'no schema is registered for that event type and version',
  UNKNOWN_PROJECTION: 'no projection has that name',
  INVALID_ARGUMENT: 'a command-line argument has an invalid value',
  VERIFY_FAILED: 'the stored views or log do not match a replay of the log',
  TEMPLATE_NOT_FOUND: 'no template has that name, or no version of it matches',
  TEMPLATE_NAME_INVALID: 'a template name is empty, too long, or holds /, \\, .., @, a control character or a leading dot',
  TEMPLATE_VERSION_INVALID: 'a version is not semver, or a range is not a semver range',
  TEMPLATE_VERSION_EXISTS: 'that version of the template is already published with other content',
  TEMPLATE_VERSION_NOT_NEWER: 'a new version must be greater than the latest published one',
  TEMPLATE_FILE_INVALID: 'a file name inside a template is not one plain file name (no /, \\, .., leading dot)',
  TEMPLATE_FILE_NOT_TEXT: 'a template file is not UTF-8 text',
  TEMPLATE_UI_INVALID: 'a .ui file is not well-formed XML with root <interface>, or the template has no .ui file',
  TEMPLATE_TOO_LARGE: "a template's files are over 1 MiB together",
  TEMPLATE_RATING_INVALID: 'stars must be a whole number from 1 to 5',
  TEMPLATE_FILE_EXISTS: 'install would overwrite a file (pass --force to replace it)',
  TEMPLATE_DEST_UNSAFE: 'install would write through a symbolic link or onto something that is not a plain file or directory',
  TEMPLATE_INSTALL_FAILED: 'the template files could not be written (permissions, disk full)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES | (string & {});

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
