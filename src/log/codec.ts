import { lazyRequire } from '../lib/lazy-require.js';

type Msgpackr = typeof import('msgpackr');

// Plain maps, no record extension: every value stays standard msgpack, readable by any decoder
// and by msgpack dumps without shared structure tables.
const OPTIONS = { useRecords: false, mapsAsObjects: true, variableMapSize: true } as const;

/**
 * Two builds of the same msgpackr version, giving the same bytes and the same values:
 *
 * - its pure-JS build (`msgpackr/index-no-eval`, one CommonJS file), which every process starts
 *   with: loading msgpackr's ES modules and its native addon (msgpackr-extract, found through
 *   node-gyp-build and detect-libc) cost a `project show` about a tenth of its start;
 * - its Node build with that addon, which extracts an event's strings natively and decodes log
 *   entries about 1.6× faster. A process switches to it once it has decoded NATIVE_AFTER values:
 *   a long job (replay, rebuild, verify, a dump, a server) pays its ~10 ms load once; a short
 *   command never does. MSGPACKR_NATIVE_ACCELERATION_DISABLED=true keeps msgpackr pure-JS.
 *
 * "no-eval" only concerns msgpackr's record structures, which this store does not write.
 */
const pure = lazyRequire<Msgpackr>('msgpackr/index-no-eval');
const native = lazyRequire<Msgpackr>('msgpackr');
export const NATIVE_AFTER = 4096;

const packer = new (pure().Packr)(OPTIONS);
let unpacker = packer;
let decoded = 0;

export const encode = (value: unknown): Buffer => packer.pack(value);
export const decode = <T = unknown>(buf: Uint8Array): T => {
  if (++decoded === NATIVE_AFTER) unpacker = new (native().Packr)(OPTIONS);
  return unpacker.unpack(buf) as T;
};
export const EMPTY = encode(null);

/** Whether decoding has switched to msgpackr's native string extraction (for tests and diagnostics). */
export const decodingNatively = (): boolean => unpacker !== packer && native().isNativeAccelerationEnabled;
