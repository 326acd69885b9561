/**
 * JSON the way Python's `json` module reads and writes it, so the Python tool reads our files
 * unchanged whatever its locale and a file it wrote comes back byte for byte.
 *
 * Writing: `json.dump(obj, f, indent=2)` (ensure_ascii): non-ASCII escaped as `\uXXXX` (UTF-16
 * code units, so emoji become surrogate pairs), `,` at line ends and `": "` between key and value,
 * empty containers as `[]` / `{}`, `NaN` / `Infinity`, no trailing newline.
 *
 * Reading (`parsePyJson`): what `json.load` accepts, into a tree that keeps what JS values lose —
 * key order of every object (a `Map`, so `"10"` stays after `"b"` and `__proto__` is a plain key),
 * a repeated key keeps its first position and its last value (as a Python dict does), and numbers
 * as `PyNumber`: their text as Python would write them back (`12345678901234567890`, `2.0`, `NaN`).
 */

/** A number Python holds as a float (an mtime): written with its `.0` / exponent shape. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A number read from a Python-written file, kept as the text Python writes for it. */
export class PyNumber {
  constructor(readonly text: string) {}
  /** The nearest JS number (big integers lose digits; NaN / Infinity stay what they are). */
  get value(): number {
    return Number(this.text);
  }
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.text);
  }
}

/** A value of the tree `parsePyJson` returns and `pythonJson` writes. */
export type PyValue = null | boolean | string | PyNumber | PyValue[] | Map<string, PyValue>;

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** Python's `ensure_ascii` string encoding: everything outside space..~ becomes an escape. */
export function pyString(s: string): string {
  return `"${s.replace(/[\\"]|[^ -~]/g, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Python's `repr(float)`: shortest round-trip digits, `.0` on whole numbers, exponent past 1e16. */
export function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mant, exp] = n.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  const s = Object.is(n, -0) ? '-0' : String(n);
  return Number.isInteger(n) ? `${s}.0` : s;
}

/** The text Python writes for a JSON number literal it read: ints exact, floats as `repr`. */
export function pyNumberText(literal: string): string {
  if (/^-?\d+$/.test(literal)) return BigInt(literal).toString();
  return pyFloat(Number(literal));
}

function encode(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyNumber) return value.text;
  if (value instanceof PyFloat) return pyFloat(value.value);
  if (value instanceof RawJson) return value.at(indent);
  switch (typeof value) {
    case 'string':
      return pyString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isInteger(value) ? String(value) : pyFloat(value);
    case 'object': {
      const inner = `${indent}  `;
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        return `[\n${value.map((v) => inner + encode(v, inner)).join(',\n')}\n${indent}]`;
      }
      const entries = (value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>)).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return '{}';
      return `{\n${entries.map(([k, v]) => `${inner}${pyString(k)}: ${encode(v, inner)}`).join(',\n')}\n${indent}}`;
    }
    default:
      throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
}

/**
 * A value already written as Python JSON at the top level (indent 0), embedded as it is at any
 * depth: ASCII-escaped JSON has no raw newline inside a string, so re-indenting is exact.
 */
export class RawJson {
  constructor(readonly text: string) {}
  at(indent: string): string {
    return indent === '' ? this.text : this.text.replaceAll('\n', `\n${indent}`);
  }
}

/** `json.dumps(value, indent=2)` byte for byte (ASCII only, no trailing newline). */
export const pythonJson = (value: unknown): string => encode(value, '');

export class PyJsonError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);
const ESC: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/** `json.loads` semantics into a `PyValue` tree; throws PyJsonError with the offending position. */
export function parsePyJson(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new PyJsonError(i >= text.length ? `${what}: the text ends too early` : what, i);
  };
  const skip = () => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i++);
        return out;
      }
      if (c < 0x20) fail('invalid control character in a string');
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          const r = e === undefined ? undefined : ESC[e];
          if (r === undefined) fail('invalid escape');
          out += r;
          i += 2;
        }
        start = i;
      } else i++;
    }
  };
  const value = (depth: number): PyValue => {
    if (depth > 512) fail('nested too deeply');
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const map = new Map<string, PyValue>();
      skip();
      if (text[i] === '}') {
        i++;
        return map;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        const key = str();
        skip();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        map.set(key, value(depth + 1));
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return map;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const list: PyValue[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return list;
      }
      for (;;) {
        list.push(value(depth + 1));
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return list;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [['null', null], ['true', true], ['false', false], ['NaN', new PyNumber('NaN')], ['Infinity', new PyNumber('Infinity')], ['-Infinity', new PyNumber('-Infinity')]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return new PyNumber(pyNumberText(m[0]));
    }
    return fail('expected a value');
  };
  const out = value(0);
  skip();
  if (i < text.length) fail('extra data after the JSON value');
  return out;
}

/** The value as a plain JS value where it can be one (for the store's typed fields). */
export const isPyObject = (v: PyValue | undefined): v is Map<string, PyValue> => v instanceof Map;
