import { createHash, timingSafeEqual } from 'node:crypto';
import { StoreError } from '../errors.js';
import { parseToken, secretMatches } from '../domain/account-secrets.js';
import type { Actor } from '../domain/accounts.js';
import type { StoreHolder } from './holder.js';

/**
 * Who sends a TCP request. The server's own token (`<store>.token`) is the store's owner and may
 * use every route; an account token may use the marketplace; no token is anonymous, and may read
 * the marketplace unless the server was started with --private-reads.
 */
export type Principal =
  | { kind: 'owner' }
  | { kind: 'account'; account: string; admin: boolean; keyId: string }
  | { kind: 'anonymous' };

/** What a route needs on TCP: `read` (marketplace reads), `write` (marketplace writes, an account), `owner` (the server's token). */
export type Access = 'read' | 'write' | 'owner';

const digest = (t: string) => createHash('sha256').update(t).digest();
const bearerOf = (header: string | undefined): string => /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
/** Verified tokens remembered by their sha256 (never the token itself): scrypt once per token, not per request. */
const MAX_REMEMBERED = 10_000;

export class Authenticator {
  private readonly verified = new Map<string, string>();
  private readonly ownerDigest: Buffer | undefined;

  constructor(
    private readonly holder: StoreHolder,
    ownerToken: string | undefined,
  ) {
    this.ownerDigest = ownerToken === undefined ? undefined : digest(ownerToken);
  }

  /** Is this the server's own token? (Cheap and constant-time: the owner is not rate-limited.) */
  isOwner(header: string | undefined): boolean {
    const given = bearerOf(header);
    return given !== '' && this.ownerDigest !== undefined && timingSafeEqual(digest(given), this.ownerDigest);
  }

  /** The request's principal from its Authorization header; a token that is given but wrong is UNAUTHORIZED. */
  async identify(header: string | undefined): Promise<Principal> {
    const given = bearerOf(header);
    if (given === '') return { kind: 'anonymous' };
    const d = digest(given);
    if (this.ownerDigest && timingSafeEqual(d, this.ownerDigest)) return { kind: 'owner' };
    const parts = parseToken(given);
    const wrong = () =>
      new StoreError('UNAUTHORIZED', 'the bearer token is wrong, rotated or removed', {
        hint: 'ask the server\'s owner for a token (`pygubu-db user token NAME` there), then `pygubu-template login URL --token -`',
      });
    if (!parts) throw wrong();
    const account = await this.holder.use((_api, store) => store.views.accounts.byKeyId(parts.keyId));
    if (!account) throw wrong();
    const key = d.toString('hex');
    if (this.verified.get(key) !== parts.keyId) {
      if (!(await secretMatches(this.holder.location, parts))) throw wrong();
      if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
      this.verified.set(key, parts.keyId);
    }
    return { kind: 'account', account: account.name, admin: account.admin, keyId: account.keyId };
  }
}

/** Refuse a principal a route's access (TCP only; the Unix socket is the owner's). */
export function checkAccess(principal: Principal, access: Access, privateReads: boolean): void {
  if (principal.kind === 'owner') return;
  if (principal.kind === 'anonymous') {
    if (access === 'read' && !privateReads) return;
    throw new StoreError(
      'UNAUTHORIZED',
      access === 'write' ? 'publishing, rating and deprecating need an account token' : access === 'read' ? 'this server needs a token for reads too' : 'this server needs a bearer token',
      { hint: access === 'owner' ? 'send Authorization: Bearer <token>; `pygubu-db server token` prints it' : 'save one with `pygubu-template login URL --token -`, or set PYGUBUAI_TOKEN' },
    );
  }
  if (access === 'owner') {
    throw new StoreError('FORBIDDEN', `account ${principal.account} may use the marketplace routes only; this one needs the server's own token`, { hint: 'see docs/marketplace.md' });
  }
}

/** The account a marketplace write acts as (undefined: the owner, who names the author or user). */
export const actorOf = (principal: Principal): Actor | undefined =>
  principal.kind === 'account' ? { account: principal.account, admin: principal.admin } : undefined;
