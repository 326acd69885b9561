import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Packr } from 'msgpackr';
import { sha256 as textSha, contentHash } from '../src/domain/templates.js';

/**
 * Dumps and backups written by hand, byte for byte in the documented format (README "Backup and
 * recovery"), so a test can put in them what no command would ever write.
 */
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

export type Crafted = Record<string, unknown>;

let nextId = 0;
const AT = '2025-03-01T10:00:00.000Z';

/** Envelopes with seq and per-stream version filled in (gapless, as a backup needs them). */
export function envelopes(events: ReadonlyArray<{ stream: string; type: string; data: unknown; id?: string; at?: string }>): Crafted[] {
  const versions = new Map<string, number>();
  return events.map((e, i) => {
    const version = (versions.get(e.stream) ?? 0) + 1;
    versions.set(e.stream, version);
    return { seq: i + 1, id: e.id ?? `crafted-${++nextId}`, stream: e.stream, version, type: e.type, v: 1, at: e.at ?? AT, data: e.data, meta: { source: 'api' } };
  });
}

const header = (kind: 'dump' | 'backup', encoding: 'ndjson' | 'msgpack', head: number) => ({
  pygubuai: kind,
  version: 1,
  encoding,
  storeFormat: 1,
  created: AT,
  head,
  filters: {},
});

/**
 * Write a dump or backup. `records` are event values, or Buffers taken as one record's exact bytes
 * (an ndjson line without its "\n", or a msgpack payload without its length).
 */
export async function craft(path: string, kind: 'dump' | 'backup', encoding: 'ndjson' | 'msgpack', records: ReadonlyArray<Crafted | Buffer>): Promise<void> {
  const frame = (payload: Uint8Array): Buffer => {
    const out = Buffer.alloc(4 + payload.length);
    out.writeUInt32BE(payload.length, 0);
    out.set(payload, 4);
    return out;
  };
  const record = (v: Crafted | Buffer): Buffer => {
    if (encoding === 'ndjson') return Buffer.concat([Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v)), Buffer.from('\n')]);
    return frame(Buffer.isBuffer(v) ? v : packr.pack(v));
  };
  const events = records.map(record);
  const hash = createHash('sha256');
  for (const e of events) hash.update(e);
  const head = records.length;
  await writeFile(path, Buffer.concat([record(header(kind, encoding, head)), ...events, record({ pygubuai: 'end', count: head, sha256: hash.digest('hex') })]));
}

/** msgpack bytes of `value` with the UTF-8 bytes of `marker` replaced by `bytes` (same length). */
export function patchedMsgpack(value: unknown, marker: string, bytes: readonly number[]): Buffer {
  const out = Buffer.from(packr.pack(value));
  const at = out.indexOf(Buffer.from(marker));
  if (at === -1 || Buffer.byteLength(marker) !== bytes.length) throw new Error('marker not found or not the same length');
  Buffer.from(bytes).copy(out, at);
  return out;
}

export const UI = '<?xml version="1.0" encoding="utf-8"?>\n<interface version="1.3"><object class="ttk.Frame" id="main"/></interface>\n';

/** A `template.published` payload as the publish command builds it (hashes right), then `change`d. */
export function published(name: string, version: string, files: Array<{ path: string; content: string }> = [{ path: 'main.ui', content: UI }]) {
  const withSha = files.map((f) => ({ ...f, sha256: textSha(f.content) }));
  return { name, version, description: '', author: 'me', tags: [], files: withSha, hash: contentHash(withSha), metadata: {} };
}

export const registered = (name: string, path = `/srv/${name}`) => ({ name, path, description: '', tags: [], created: null, modified: null });
