import { ConcurrencyError } from '../errors.js';

/** Any version is fine: no check. */
export const ANY = 'any' as const;
/** The stream must not exist yet. */
export const NO_STREAM = 'no_stream' as const;
/** The stream must already have at least one event. */
export const STREAM_EXISTS = 'stream_exists' as const;

export type ExpectedVersion = number | typeof ANY | typeof NO_STREAM | typeof STREAM_EXISTS;

export function assertExpectedVersion(stream: string, expected: ExpectedVersion, actual: number): void {
  const ok =
    expected === ANY ||
    (expected === NO_STREAM && actual === 0) ||
    (expected === STREAM_EXISTS && actual > 0) ||
    expected === actual;
  if (!ok) throw new ConcurrencyError(stream, String(expected), actual);
}
