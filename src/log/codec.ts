import { lazyRequire } from '../lib/lazy-require.js';

type Msgpackr = typeof import('msgpackr');

/**
 * msgpackr's Node build as one CommonJS file (`require('msgpackr')` is its `dist/node.cjs`, with
 * the native string extractor msgpackr-extract where installed). Its ES-module entry is the same
 * code in six modules, and every ES module costs a process start more than a CommonJS file does.
 * Its pure-JS build would also skip loading the addon, but decodes log entries 1.6–1.7× slower, and a
 * process that switches from one build to the other replays ~15% slower: measured in
 * docs/performance.md, left out.
 */
const { Packr, isNativeAccelerationEnabled } = lazyRequire<Msgpackr>('msgpackr')();

// Plain maps, no record extension: every value stays standard msgpack, readable by any decoder
// and by msgpack dumps without shared structure tables.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

export const encode = (value: unknown): Buffer => packr.pack(value);
export const decode = <T = unknown>(buf: Uint8Array): T => packr.unpack(buf) as T;
export const EMPTY = encode(null);

/** Whether decoding uses msgpackr's native string extraction (msgpackr-extract is installed and loads). */
export const decodingNatively = (): boolean => isNativeAccelerationEnabled;
