/**
 * The dashboard's one escaping helper. Every page is built with the `html` tag: each interpolated
 * value is escaped as text unless it is already `Html` (a fragment built by this same tag), so
 * nothing user-written (names, paths, descriptions, tags, reviews, file names) can become markup or
 * leave an attribute value.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text as HTML text or a quoted attribute value: & < > " ' ` are replaced by entities. */
export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);

export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const render = (value: Part): string => {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
};

/** A template literal whose values are escaped (arrays are joined; null, undefined and false are nothing). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** A path inside the dashboard with query parameters (empty ones left out); escape it with `html` as any value. */
export function href(path: string, query: Record<string, string | number | boolean | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** One path segment from a user-written name (a project or template name). */
export const seg = (name: string): string => encodeURIComponent(name);
