import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EventDataMap } from '../generated/events.js';

/** What one scan of a .ui file found: the `analytics.ui_scanned` payload without its project. */
export type UiFileStats = Omit<EventDataMap['analytics.ui_scanned'], 'project_id' | 'project' | 'file'>;

/** A .ui file that could not be read as a pygubu interface, and why. */
export class UiParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

type XmlNode = Record<string, unknown>;

// Options tuned for speed: no isArray callback (`list` accepts one node or many) and default entity
// handling; an explicit processEntities: true made parsing about 2.5× slower.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const list = (v: unknown): XmlNode[] =>
  Array.isArray(v) ? (v as XmlNode[]) : v !== null && typeof v === 'object' ? [v as XmlNode] : [];
const attr = (n: XmlNode, name: string): string | undefined => {
  const v = n[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
};
const text = (n: XmlNode | string): string => {
  const t = typeof n === 'string' ? n : n['#text'];
  return typeof t === 'string' ? t.trim() : '';
};

export const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Count what a pygubu `.ui` file holds. Widgets are objects that have an `id` (as the Python tool's
 * analyzer counts them), by class, `tk.*` and `ttk.*` kept apart; `objects` counts every `<object>`.
 * Depth: a top-level object is 1, an object in its `<child>` 2, and so on. Callbacks are non-empty
 * `command` properties (by name, or `type="command"`) and `<bind>` elements.
 */
export function analyseUi(content: Buffer | string): UiFileStats {
  const xml = typeof content === 'string' ? content : content.toString('utf8');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new UiParseError(`malformed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`, valid.err.line);
  const doc = parser.parse(xml) as XmlNode;
  const root = doc.interface;
  if (root === undefined) throw new UiParseError('not a pygubu interface: the root element is not <interface>');
  const widgets: Record<string, number> = {};
  const layouts: Record<string, number> = {};
  const handlers = new Set<string>();
  let objects = 0;
  let maxDepth = 0;
  let commands = 0;
  let bindings = 0;

  // Iterative walk: a deeply nested file must not exhaust the call stack.
  const stack: Array<[XmlNode, number]> = list(list(root)[0]?.object).map((o) => [o, 1]);
  while (stack.length > 0) {
    const [obj, depth] = stack.pop()!;
    objects++;
    if (depth > maxDepth) maxDepth = depth;
    const cls = attr(obj, 'class');
    if (attr(obj, 'id') !== undefined && cls) widgets[cls] = (widgets[cls] ?? 0) + 1;
    for (const p of list(obj.property)) {
      if (attr(p, 'name') !== 'command' && attr(p, 'type') !== 'command') continue;
      const handler = text(p);
      if (!handler) continue;
      commands++;
      handlers.add(handler);
    }
    for (const b of list(obj.bind)) {
      bindings++;
      const handler = attr(b, 'handler');
      if (handler) handlers.add(handler);
    }
    for (const l of list(obj.layout)) {
      const manager = attr(l, 'manager') ?? 'grid'; // pygubu files before managers were named used grid
      layouts[manager] = (layouts[manager] ?? 0) + 1;
    }
    for (const c of list(obj.child)) for (const o of list(c.object)) stack.push([o, depth + 1]);
  }
  for (const name of Object.keys(widgets)) checkName('widget class', name, 200);
  for (const name of Object.keys(layouts)) checkName('layout manager', name, 100);
  for (const name of handlers) checkName('callback', name, 500);
  if (handlers.size > 10_000) throw new UiParseError(`more than 10,000 distinct callbacks (${handlers.size})`);
  return {
    sha256: sha256(typeof content === 'string' ? Buffer.from(content) : content),
    bytes: typeof content === 'string' ? Buffer.byteLength(content) : content.length,
    widgets: sortKeys(widgets),
    objects,
    max_depth: maxDepth,
    layouts: sortKeys(layouts),
    commands,
    bindings,
    handlers: [...handlers].sort(),
  };
}

const sortKeys = (o: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Names end up in event data and view keys: the same limits as the event schema. */
function checkName(what: string, name: string, max: number): void {
  if (name.length > max) throw new UiParseError(`a ${what} name is longer than ${max} characters`);
  if (CONTROL.test(name)) throw new UiParseError(`a ${what} name contains control characters: ${JSON.stringify(name)}`);
}
