import { Packr } from 'msgpackr';

// Plain maps, no record extension: every value stays standard msgpack, readable by any decoder
// and by msgpack dumps without shared structure tables.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

export const encode = (value: unknown): Buffer => packr.pack(value);
export const decode = <T = unknown>(buf: Uint8Array): T => packr.unpack(buf) as T;
export const EMPTY = encode(null);
