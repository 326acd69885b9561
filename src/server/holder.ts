import { StoreError } from '../errors.js';
import { openStore, type OpenStoreOptions, type Store } from '../store.js';
import { storeApi } from '../client/local.js';
import type { StoreApi } from '../client/api.js';

/**
 * The server's one open store. Requests `use` it; an operation that needs the directory to itself
 * (restore, a load built beside the store) runs `exclusive`ly: new requests wait, in-flight ones
 * finish, the store is closed, the work runs, and the store is opened again. Subscriptions follow
 * the store through such a swap via `generation`.
 */
export class StoreHolder {
  private inflight = 0;
  private drained: (() => void) | undefined;
  private paused: Promise<void> | undefined;
  private swap = new AbortController();
  private closed = false;

  private constructor(
    private store: Store,
    private api: StoreApi,
    private readonly options: OpenStoreOptions,
  ) {}

  static async open(options: OpenStoreOptions): Promise<StoreHolder> {
    const store = await openStore(options);
    return new StoreHolder(store, storeApi(store), options);
  }

  get location(): string {
    return this.store.location;
  }

  get head(): number {
    return this.store.log.head;
  }

  /** Aborts when the store is closed or swapped: a subscription then starts again on the new one. */
  get generation(): AbortSignal {
    return this.swap.signal;
  }

  async current(): Promise<Store> {
    while (this.paused) await this.paused;
    if (this.closed) throw new StoreError('SERVER_STOPPING', 'the server is shutting down', { hint: 'retry once it is back, or run the command without a server' });
    return this.store;
  }

  async use<T>(work: (api: StoreApi, store: Store) => Promise<T>): Promise<T> {
    const store = await this.current();
    this.inflight++;
    try {
      return await work(this.api, store);
    } finally {
      this.inflight--;
      if (this.inflight === 0) this.drained?.();
    }
  }

  async exclusive<T>(work: (location: string) => Promise<T>): Promise<T> {
    while (this.paused) await this.paused;
    let release!: () => void;
    this.paused = new Promise<void>((r) => (release = r));
    try {
      await this.quiesce();
      const location = this.store.location;
      await this.store.close();
      try {
        return await work(location);
      } finally {
        this.store = await openStore({ ...this.options, location, createIfMissing: true });
        this.api = storeApi(this.store);
        this.store.log.notifyDurable();
      }
    } finally {
      this.paused = undefined;
      release();
    }
  }

  /** Wait for in-flight requests, then close the store for good. */
  async close(): Promise<void> {
    while (this.paused) await this.paused;
    this.closed = true;
    await this.quiesce();
    await this.store.close();
  }

  private async quiesce(): Promise<void> {
    this.swap.abort();
    this.swap = new AbortController();
    if (this.inflight > 0) await new Promise<void>((r) => (this.drained = r));
    this.drained = undefined;
  }
}
