import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { StoreError } from '../errors.js';
import { defaultStoreLocation } from '../paths.js';
import type { StoredEvent } from '../log/envelope.js';
import { STORE_FORMAT } from '../store.js';
import { API_VERSION, pidAlive, readDescriptor, readToken } from '../server/descriptor.js';
import { fromErrorBody } from '../server/http-errors.js';
import { templateText } from '../domain/templates.js';
import type { Handshake, StoreApi, SubscribeOptions } from './api.js';

export interface ConnectOptions {
  /** Unix socket of the server. */
  socket?: string;
  /** `http://host:port` of a server started with --port. */
  url?: string;
  /** Bearer token (TCP); default: read from the store's token file when `location` is known. */
  token?: string;
  /** Find the server of this store by its descriptor (default: the default store). */
  location?: string;
  /** Wait between reconnects of a subscription after the server went away (default 200 ms). */
  reconnectMs?: number;
}

export interface RemoteStore extends StoreApi {
  readonly handshake: Handshake;
  /** Who the server takes this client's token for. */
  whoami(): Promise<{ kind: 'owner' | 'account' | 'anonymous'; account: string | null; admin: boolean }>;
}

type Query = Record<string, string | number | boolean | undefined>;

const qs = (q: Query = {}): string => {
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};
const enc = encodeURIComponent;
const asOfQ = (asOf: number | string | undefined) => (asOf === undefined ? {} : { asOf: String(asOf) });

/**
 * The typed store interface over a running server (`pygubu-db serve`). Errors come back with the
 * server's codes; a server that cannot be reached is SERVER_UNAVAILABLE.
 */
export async function connectStore(options: ConnectOptions = {}): Promise<RemoteStore> {
  let { socket, url, token } = options;
  if (socket === undefined && url === undefined) {
    const location = options.location ?? defaultStoreLocation();
    const d = readDescriptor(location);
    if (!d || !pidAlive(d.pid)) {
      throw new StoreError('SERVER_UNAVAILABLE', `no server is running for ${location}`, { hint: 'start one with `pygubu-db serve`, or use openStore()' });
    }
    socket = d.socket;
  }
  if (url !== undefined && token === undefined && options.location !== undefined) token = readToken(options.location);
  const base = url === undefined ? undefined : new URL(url);
  const agent = base?.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const headers = (extra: Record<string, string> = {}) => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra });

  const open = (method: string, path: string, body: string | undefined, extra: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const request = base?.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(
        {
          ...(socket !== undefined ? { socketPath: socket } : { host: base!.hostname, port: base!.port || (base!.protocol === 'https:' ? 443 : 80) }),
          path: `${base && base.pathname !== '/' ? base.pathname.replace(/\/$/, '') : ''}${path}`,
          method,
          agent,
          headers: headers({ ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...extra }),
          ...(signal ? { signal } : {}),
        },
        resolve,
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') return reject(err);
        reject(new StoreError('SERVER_UNAVAILABLE', `cannot reach the server at ${socket ?? url}: ${err.message}`, { cause: err, hint: 'is `pygubu-db serve` running?' }));
      });
      req.end(body);
    });

  const call = async <T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> => {
    const res = await open(method, `/v1${path}${qs(query)}`, body === undefined ? undefined : JSON.stringify(body), {});
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk as string;
    let doc: unknown;
    try {
      doc = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new StoreError('SERVER_PROTOCOL', `the server answered HTTP ${res.statusCode} with something that is not JSON`);
    }
    if ((res.statusCode ?? 500) >= 400) throw fromErrorBody(doc, res.statusCode ?? 500);
    return doc as T;
  };
  const pick = <K extends string>(key: K) => <T>(doc: Record<K, T>): T => doc[key];
  const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof StoreError && /_NOT_FOUND$/.test(String(err.code))) return undefined;
      throw err;
    }
  };

  const handshake = await call<Handshake>('GET', '/handshake', undefined, { api: API_VERSION, storeFormat: STORE_FORMAT });
  if (handshake.api !== API_VERSION) {
    throw new StoreError('SERVER_TOO_OLD', `the server speaks API v${handshake.api}; this client speaks v${API_VERSION}`, { hint: 'run the same pygubuai-store version on both sides' });
  }

  async function* subscribe({ fromSeq, types, streams, signal }: SubscribeOptions = {}): AsyncGenerator<StoredEvent> {
    let next = fromSeq ?? (await call<{ head: number }>('GET', '/handshake')).head + 1;
    while (!signal?.aborted) {
      const path = `/v1/subscribe${qs({ fromSeq: next, types: types?.join(','), streams: streams?.join(',') })}`;
      let res: IncomingMessage;
      try {
        res = await open('GET', path, undefined, { accept: 'text/event-stream' }, signal);
      } catch (err) {
        if (signal?.aborted) return;
        if (err instanceof StoreError && err.code === 'SERVER_UNAVAILABLE') {
          await new Promise((r) => setTimeout(r, options.reconnectMs ?? 200));
          continue; // the server restarts: resume from the next seq
        }
        throw err;
      }
      if ((res.statusCode ?? 500) >= 400) {
        let text = '';
        for await (const c of res) text += String(c);
        if (res.statusCode === 503) {
          await new Promise((r) => setTimeout(r, options.reconnectMs ?? 200));
          continue;
        }
        throw fromErrorBody((() => { try { return JSON.parse(text); } catch { return undefined; } })(), res.statusCode ?? 500);
      }
      res.setEncoding('utf8');
      let buffer = '';
      try {
        for await (const chunk of res) {
          buffer += chunk as string;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let data = '';
            let kind = 'message';
            for (const line of message.split('\n')) {
              if (line.startsWith('data: ')) data += line.slice(6);
              else if (line.startsWith('event: ')) kind = line.slice(7);
            }
            if (data === '') continue;
            if (kind === 'error') throw fromErrorBody(JSON.parse(data), 500);
            const event = JSON.parse(data) as StoredEvent;
            if (event.seq < next) continue; // never twice
            next = event.seq + 1;
            yield event;
          }
        }
      } catch (err) {
        if (signal?.aborted) return;
        if (err instanceof StoreError) throw err;
        // the connection broke (server killed or restarted): reconnect below
      } finally {
        res.destroy();
      }
      if (!signal?.aborted) await new Promise((r) => setTimeout(r, options.reconnectMs ?? 200));
    }
  }

  const p = (name: string) => `/projects/${enc(name)}`;
  const t = (name: string) => `/templates/${enc(name)}`;
  return {
    handshake,
    whoami: () => call('GET', '/whoami'),
    location: handshake.location,
    projects: {
      list: ({ asOf, ...o } = {}) => call<{ projects: never }>('GET', '/projects', undefined, { ...o, ...asOfQ(asOf) }).then(pick('projects')),
      get: (name, { asOf } = {}) => orUndefined(call<{ project: never }>('GET', p(name), undefined, asOfQ(asOf)).then(pick('project'))),
      search: (q, { asOf, ...o } = {}) => call<{ projects: never }>('GET', '/projects-search', undefined, { q, ...o, ...asOfQ(asOf) }).then(pick('projects')),
      active: () => call<{ project: never }>('GET', '/active').then((d) => d.project ?? undefined),
      register: (input) => call<{ project: never }>('POST', '/projects', input).then(pick('project')),
      update: (name, input) => call<{ project: never }>('PATCH', p(name), input).then(pick('project')),
      rename: (from, to, input = {}) => call<{ project: never }>('POST', `${p(from)}/rename`, { ...input, to }).then(pick('project')),
      remove: (name) => call<{ project: never }>('DELETE', p(name)).then(pick('project')),
      activate: (name, input = {}) => call<{ project: never }>('PUT', '/active', { ...input, name }).then(pick('project')),
    },
    history: {
      list: (project, o = {}) => call<{ history: never }>('GET', `${p(project)}/history`, undefined, o).then(pick('history')),
      record: (project, input) => call<{ event: never }>('POST', `${p(project)}/history`, input).then(pick('event')),
    },
    templates: {
      search: (q, o = {}) => call<{ templates: never }>('GET', '/templates', undefined, { q, ...o }).then(pick('templates')),
      list: (o = {}) => call<{ templates: never }>('GET', '/templates', undefined, { ...o }).then(pick('templates')),
      get: (name) => orUndefined(call<{ template: never }>('GET', t(name)).then(pick('template'))),
      versions: (name) => call<{ versions: never }>('GET', `${t(name)}/versions`).then(pick('versions')),
      reviews: (name, o = {}) => call<{ reviews: never }>('GET', `${t(name)}/reviews`, undefined, o).then(pick('reviews')),
      resolve: (name, range) => call<{ version: never }>('GET', `${t(name)}/files`, undefined, { range }).then(pick('version')),
      files: (name, version) => call<{ files: never }>('GET', `${t(name)}/files`, undefined, { range: version }).then(pick('files')),
      download: (name, range) => call<{ version: never; files: never }>('GET', `${t(name)}/files`, undefined, { range }),
      publish: ({ files, ...input }) =>
        // bytes that are not UTF-8 are refused here, as a local publish refuses them, not replaced on the way
        call('POST', '/templates', { ...input, files: files.map((f) => ({ path: f.path, content: templateText(f.path, f.content) })) }),
      rate: ({ name, ...input }) => call('POST', `${t(name)}/ratings`, input),
      countDownload: (name, version, input = {}) => call('POST', `${t(name)}/downloads`, { ...input, version }),
      deprecate: ({ name, ...input }) => call('POST', `${t(name)}/deprecate`, input),
      install: ({ spec, ...input }) => {
        const at = spec.indexOf('@', 1);
        const name = at === -1 ? spec : spec.slice(0, at);
        return call('POST', `${t(name)}/install`, { ...input, ...(at === -1 ? {} : { range: spec.slice(at + 1) }) });
      },
    },
    analytics: {
      widgets: (o = {}) => call<{ widgets: never }>('GET', '/analytics/widgets', undefined, o).then(pick('widgets')),
      complexity: (project) => call<{ complexity: never }>('GET', `/analytics/projects/${enc(project)}`).then((d) => d.complexity ?? undefined),
      trend: ({ projectId: _id, ...o }) => call('GET', '/analytics/trends', undefined, o as Query),
      record: (input) => call<{ event: never }>('POST', '/analytics/metrics', input).then(pick('event')),
    },
    head: () => call<{ head: number }>('GET', '/handshake').then((h) => h.head),
    append: (events, o = {}) =>
      call<{ events: StoredEvent[] }>('POST', '/events', { events: Array.isArray(events) ? events : [events], ...(o.expectedVersion !== undefined ? { expectedVersion: o.expectedVersion } : {}) }).then(pick('events')),
    readLog: (o = {}) => call<{ events: never }>('GET', '/log', undefined, { ...o }).then(pick('events')),
    getEvent: (seq) => orUndefined(call<{ event: never }>('GET', `/events/${seq}`).then(pick('event'))),
    subscribe: (o) => subscribe(o),
    stats: ({ asOf } = {}) => call('GET', '/stats', undefined, asOfQ(asOf)),
    verify: () => call('POST', '/verify'),
    rebuild: (projections) => call('POST', '/admin/rebuild', projections ? { projections: [...projections] } : {}),
    compact: () => call('POST', '/admin/compact'),
    close: async () => agent.destroy(),
  };
}
