import { StoreError } from '../errors.js';
import { decode, encode } from '../log/codec.js';
import { createMemoryDb, type Db } from '../log/db.js';
import type { KnownEvent, StoredEvent } from '../log/envelope.js';
import type { EventLog } from '../log/event-log.js';
import { CHECKPOINT_KEY, DAMAGE_KEY, HIGH, idKey, logKey, streamKey, timeKey, typeKey, VIEW_PREFIX } from '../log/keys.js';
import { Overlay } from '../log/overlay.js';
import type { ProjectionSet } from './projection.js';
import type { Progress } from './replay.js';

export interface VerifyProblem {
  kind: 'gap' | 'mismatch' | 'missing' | 'extra' | 'checkpoint' | 'damaged' | 'rule';
  key?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  keysCompared: number;
  problems: VerifyProblem[];
  /** Problems beyond the first 50 are counted, not listed. */
  moreProblems: number;
}

const INDEX_PREFIXES = ['i!', 's!', 't!', 'a!', VIEW_PREFIX];
const MAX_LISTED = 50;

/**
 * Replay the whole log into memory (its index keys and every projection) and compare each
 * resulting key and value with the stored ones; check that seq runs 1..head with no gap and
 * that the checkpoint matches the head.
 */
export async function verifyStore(log: EventLog, projections: ProjectionSet, onProgress?: Progress): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  let more = 0;
  const report = (p: VerifyProblem) => (problems.length < MAX_LISTED ? problems.push(p) : more++);
  const mem = await createMemoryDb();
  try {
    const overlay = new Overlay(mem);
    let expected = 1;
    const total = log.head;
    const onDamaged = (seq: number, err: Error) => report({ kind: 'damaged', key: logKey(seq), message: err.message });
    const lost = await log.db.get(DAMAGE_KEY);
    if (lost !== undefined) {
      const entries = decode<Array<{ at?: string; message?: string }>>(lost);
      for (const e of Array.isArray(entries) ? entries : [{}]) {
        report({ kind: 'damaged', key: DAMAGE_KEY, message: `LevelDB dropped data when the store was opened at ${e?.at ?? '?'}: ${e?.message ?? ''}; restore from a backup` });
      }
    }
    for await (const raw of log.readAll({ raw: true, onDamaged })) {
      const ev = raw as StoredEvent;
      if (ev.seq !== expected) {
        report({ kind: 'gap', key: logKey(expected), message: `log jumps from seq ${expected - 1} to ${ev.seq}` });
        expected = ev.seq;
      }
      expected++;
      overlay.put(idKey(ev.id), ev.seq);
      overlay.put(streamKey(ev.stream, ev.version), ev.seq);
      overlay.put(typeKey(ev.type, ev.seq), null);
      overlay.put(timeKey(ev.at, ev.seq), null);
      const known = log.options.registry.upcast(ev) as KnownEvent;
      if (log.options.rules) {
        try {
          log.options.rules.checkAlone(known);
          await log.options.rules.checkInViews(known, overlay, projections);
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          report({ kind: 'rule', key: logKey(ev.seq), message: `seq ${ev.seq}: ${err.message} (${err.code})` });
        }
      }
      await projections.apply(known, overlay);
      if (overlay.size > 50_000) {
        await mem.batch(overlay.toOps());
        overlay.clear();
      }
      if (onProgress && ev.seq % 5000 === 0) onProgress(ev.seq, total);
    }
    await mem.batch(overlay.toOps());
    const head = expected - 1;
    if (head !== log.head) report({ kind: 'gap', message: `log ends at seq ${head}, the store believes ${log.head}` });
    const checkpoint = await log.checkpoint();
    if (head > 0 && checkpoint?.seq !== head) {
      report({ kind: 'checkpoint', key: CHECKPOINT_KEY, message: `checkpoint at seq ${checkpoint?.seq ?? 'none'}, log at ${head}` });
    }
    for (const p of projections.all) {
      if (head > 0 && checkpoint?.projections[p.name] !== p.version) {
        report({ kind: 'checkpoint', key: CHECKPOINT_KEY, message: `projection ${p.name} checkpoint is v${checkpoint?.projections[p.name]}, code is v${p.version}` });
      }
    }
    let compared = 0;
    for (const prefix of INDEX_PREFIXES) {
      compared += await compareRange(log.db, mem, prefix, projections, report);
    }
    onProgress?.(total, total);
    return { ok: problems.length === 0, events: head, keysCompared: compared, problems, moreProblems: more };
  } finally {
    await mem.close();
  }
}

async function compareRange(
  stored: Db,
  replayed: Db,
  prefix: string,
  projections: ProjectionSet,
  report: (p: VerifyProblem) => void,
): Promise<number> {
  const known = prefix === VIEW_PREFIX ? projections.all.map((p) => `${VIEW_PREFIX}${p.name}!`) : undefined;
  const owned = (key: string) => !known || known.some((k) => key.startsWith(k));
  const a = stored.iterator({ gte: prefix, lt: prefix + HIGH });
  const b = replayed.iterator({ gte: prefix, lt: prefix + HIGH });
  let compared = 0;
  try {
    let x = await a.next();
    let y = await b.next();
    while (x !== undefined || y !== undefined) {
      // views of projections this code does not know (a plug-in's) are not ours to judge
      if (x !== undefined && !owned(x[0])) {
        x = await a.next();
        continue;
      }
      compared++;
      if (y === undefined || (x !== undefined && x[0] < y[0])) {
        report({ kind: 'extra', key: printable(x![0]), message: 'stored but not produced by replaying the log' });
        x = await a.next();
      } else if (x === undefined || y[0] < x[0]) {
        report({ kind: 'missing', key: printable(y[0]), message: 'produced by replay but not stored' });
        y = await b.next();
      } else {
        if (!x[1].equals(y[1]) && !sameValue(x[1], y[1])) {
          report({ kind: 'mismatch', key: printable(x[0]), message: `stored ${preview(x[1])}, replay gives ${preview(y[1])}` });
        }
        x = await a.next();
        y = await b.next();
      }
    }
  } finally {
    await a.close();
    await b.close();
  }
  return compared;
}

// Encodings of equal values can differ in byte form only if key order differs; compare decoded.
const sameValue = (a: Buffer, b: Buffer): boolean => encode(decode(a)).equals(encode(decode(b))) && JSON.stringify(decode(a)) === JSON.stringify(decode(b));
const printable = (key: string): string => key.replace(/\u0000/g, '␀');
const preview = (buf: Buffer): string => {
  const s = JSON.stringify(decode(buf));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};
