import { describeError } from '../cli/failure.js';
import { StoreError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** The HTTP status of each error code the API can answer with; codes not listed are 400 (the request). */
const STATUS: Record<string, number> = {
  PROJECT_NOT_FOUND: 404,
  TEMPLATE_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  ACCOUNT_EXISTS: 409,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  ROUTE_NOT_FOUND: 404,
  PROJECT_EXISTS: 409,
  CONCURRENCY_CONFLICT: 409,
  TEMPLATE_VERSION_EXISTS: 409,
  TEMPLATE_VERSION_NOT_NEWER: 409,
  TEMPLATE_FILE_EXISTS: 409,
  LOAD_CONFLICT: 409,
  UNAUTHORIZED: 401,
  BODY_TOO_LARGE: 413,
  TEMPLATE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  STORE_BUSY: 503,
  SERVER_STOPPING: 503,
  STORE_IO: 500,
  STORE_CORRUPT: 500,
  FILE_IO: 500,
  INTERNAL: 500,
};

export const statusOf = (code: string): number => STATUS[code] ?? 400;

export interface ErrorBody {
  error: { code: string; message: string; hint?: string };
}

/** Fastify's own refusals (bad JSON, too large, schema) as the store's coded errors. */
export function toStoreError(err: unknown): unknown {
  const e = err as { code?: string; statusCode?: number; validation?: unknown; message?: string; validationContext?: string };
  if (e && typeof e === 'object' && !(err instanceof StoreError)) {
    if (e.validation) {
      return new StoreError('VALIDATION_FAILED', `invalid request ${e.validationContext ?? ''}: ${e.message ?? ''}`.replace(/ +/g, ' '), {
        hint: 'see /openapi.json for the shape of this route',
      });
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
      return new StoreError('BODY_TOO_LARGE', 'the request body is over the limit', { hint: 'bodies are limited to the server\'s --body-limit (default 8 MiB)' });
    }
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.statusCode === 415) {
      return new StoreError('UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json', { hint: 'send Content-Type: application/json' });
    }
    if (e.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message ?? ''))) {
      return new StoreError('INVALID_JSON', `the request body is not valid JSON: ${e.message ?? ''}`.trim(), { hint: 'send one JSON document' });
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return new StoreError('BAD_REQUEST', e.message ?? 'bad request');
    }
  }
  return err;
}

export function errorReply(err: unknown): { status: number; body: ErrorBody } {
  const { code, message, hint } = describeError(toStoreError(err));
  return { status: statusOf(code), body: { error: { code, message, ...(hint ? { hint } : {}) } } };
}

/** An error answered by the server, rebuilt on the client side with the same code. */
export function fromErrorBody(body: unknown, status: number): StoreError {
  const e = (body as Partial<ErrorBody> | undefined)?.error;
  // a code this client does not know (a newer server) is still carried, as the server's own word
  if (e && typeof e.code === 'string') return new StoreError(e.code as ErrorCode, String(e.message ?? e.code), e.hint ? { hint: e.hint } : {});
  return new StoreError('SERVER_PROTOCOL', `the server answered HTTP ${status} without an error document`);
}
