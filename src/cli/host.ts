import type { StoredEvent } from '../log/envelope.js';
import type { LogSubscription } from '../log/subscribe.js';
import type { Store } from '../store.js';

/**
 * Where a command runs. Left unset, it opens the store itself (the direct path). The server sets
 * one for each command it runs for a bin (src/server/exec.ts): the command then works on the
 * server's open store, and its output and exit code go back to the bin that asked.
 */
export interface CommandHost {
  /** Work on the held store (it stays open afterwards). */
  withStore<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /** Work that needs the store directory to itself (restore, a load built beside): the store is closed meanwhile. */
  exclusive<T>(work: (location: string) => Promise<T>): Promise<T>;
  /** The log from a seq on, woken as batches become durable, until the bin disconnects. */
  subscribe(options: Omit<LogSubscription, 'signal'>): AsyncIterable<StoredEvent>;
  setExitCode(code: number): void;
}

let lookup: () => CommandHost | undefined = () => undefined;

export const commandHost = (): CommandHost | undefined => lookup();
export const setCommandHostLookup = (f: () => CommandHost | undefined): void => {
  lookup = f;
};

/** A command's exit code, for this process or for the bin the server runs it for. */
export function setExitCode(code: number): void {
  const host = commandHost();
  if (host) host.setExitCode(code);
  else process.exitCode = code;
}
