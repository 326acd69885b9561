import { StoreError } from '../errors.js';
import { normaliseAt } from '../log/envelope.js';
import type { KnownEvent, StoredEvent } from '../log/envelope.js';
import type { Db } from '../log/db.js';
import type { EventLog } from '../log/event-log.js';
import { KeyFilter, Overlay } from '../log/overlay.js';
import type { ProjectionSet } from './projection.js';

export type Progress = (done: number, total: number) => void;

/** A point in history: a seq, or an ISO time (events whose `at` is at or before it). */
export type AsOf = number | string;

export interface ReplayOptions {
  asOf?: AsOf;
  onProgress?: Progress;
  /** Rows kept in memory before they are written to the target. */
  flushEvery?: number;
  /**
   * The projections' rows in `target` start empty (a fresh memory db, or ranges just cleared for a
   * rebuild): reads of rows this replay never wrote are answered from memory, not the database.
   */
  targetEmpty?: boolean;
  /**
   * An event of the log that breaks a domain rule (src/domain/rules.ts) is reported here and folded
   * as the log has it; without this the replay stops with the rule's error, its seq in `details`.
   */
  onRuleBroken?: (broken: BrokenRule) => void;
}

/** An event of the log that breaks a domain rule: it entered before this version checked it. */
export interface BrokenRule {
  seq: number;
  type: string;
  rule: string;
  message: string;
}

export const brokenRule = (event: StoredEvent, err: StoreError): BrokenRule => ({ seq: event.seq, type: event.type, rule: err.code, message: err.message });

/**
 * Fold the log into `target` through `projections`: the one replay used by rebuild, `--as-of`
 * materialisation and verify. Returns the number of events folded.
 */
export async function replayInto(log: EventLog, target: Db, projections: ProjectionSet, options: ReplayOptions = {}): Promise<number> {
  const { toSeq, until } = resolveAsOf(options.asOf);
  const total = Math.min(toSeq ?? log.head, log.head);
  const overlay = new Overlay(target, undefined, undefined, options.targetEmpty ? new KeyFilter(Math.max(1 << 16, total * 16)) : undefined);
  const flushEvery = options.flushEvery ?? 50_000;
  const rules = log.options.rules;
  let done = 0;
  let folded = 0;
  for await (const event of log.readAll({ toSeq: total })) {
    done++;
    if (until === undefined || event.at <= until) {
      if (rules) {
        try {
          await rules.checkInViews(event as KnownEvent, overlay, projections);
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          if (!options.onRuleBroken) throw new StoreError(err.code, `seq ${event.seq}: ${err.message}`, { details: { ...err.details, seq: event.seq } });
          options.onRuleBroken(brokenRule(event, err));
        }
      }
      await projections.apply(event as KnownEvent, overlay);
      folded++;
    }
    if (overlay.size >= flushEvery) {
      await overlay.writeTo(target);
      overlay.clear();
    }
    if (options.onProgress && done % 5000 === 0) options.onProgress(done, total);
  }
  if (overlay.size > 0) await overlay.writeTo(target);
  options.onProgress?.(total, total);
  return folded;
}

export function resolveAsOf(asOf: AsOf | undefined): { toSeq?: number; until?: string } {
  if (asOf === undefined) return {};
  if (typeof asOf === 'number') return { toSeq: asOf };
  if (/^\d+$/.test(asOf)) return { toSeq: Number(asOf) };
  const until = normaliseAt(asOf);
  if (until === undefined) throw new TypeError(`--as-of takes a seq or an ISO-8601 time, not ${JSON.stringify(asOf)}`);
  return { until };
}
