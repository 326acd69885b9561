/**
 * JSON the way Python's `json.dump(obj, f, indent=2)` writes it, so the Python tool reads our files
 * unchanged whatever its locale: non-ASCII escaped as `\uXXXX` (UTF-16 code units, so emoji become
 * surrogate pairs), `", "`-free separators (`,` at line ends, `": "` between key and value), empty
 * containers as `[]` / `{}`, and no trailing newline.
 */

/** A number Python holds as a float (an mtime): written with its `.0` / exponent shape. */
export class PyFloat {
  constructor(readonly value: number) {}
}

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
  const s = String(n);
  return Number.isInteger(n) ? `${s}.0` : s;
}

function encode(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return pyFloat(value.value);
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
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return '{}';
      return `{\n${entries.map(([k, v]) => `${inner}${pyString(k)}: ${encode(v, inner)}`).join(',\n')}\n${indent}}`;
    }
    default:
      throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
}

/** `json.dumps(value, indent=2)` byte for byte (ASCII only, no trailing newline). */
export const pythonJson = (value: unknown): string => encode(value, '');
