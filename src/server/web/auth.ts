import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The dashboard's session cookie on TCP (HttpOnly, SameSite=Strict): never the token itself. */
export const SESSION_COOKIE = 'pygubu_dashboard';
/** How long a sign-in lasts. */
export const SESSION_SECONDS = 7 * 24 * 3600;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of two strings of any length. */
export const sameSecret = (a: string, b: string): boolean => a.length > 0 && timingSafeEqual(digest(a), digest(b));

const mac = (token: string, expires: number) => createHmac('sha256', token).update(`pygubuai-dashboard-session:${expires}`).digest('hex');

/**
 * A session value: its expiry and an HMAC of it keyed by the server's token. Stateless (it survives
 * a restart), it does not reveal the token, and a new token ends every session made with the old.
 */
export function newSession(token: string, now = Date.now()): { value: string; maxAge: number } {
  const expires = Math.floor(now / 1000) + SESSION_SECONDS;
  return { value: `${expires}.${mac(token, expires)}`, maxAge: SESSION_SECONDS };
}

export function validSession(token: string, value: string | undefined, now = Date.now()): boolean {
  if (!value) return false;
  const m = /^(\d{1,12})\.([0-9a-f]{64})$/.exec(value);
  if (!m) return false;
  const expires = Number(m[1]);
  if (expires * 1000 <= now) return false;
  return sameSecret(m[2]!, mac(token, expires));
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export const sessionCookie = (value: string, maxAge: number): string =>
  `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;
export const clearedCookie = (): string => `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/** Where to go after signing in: only a path of this dashboard (no //host, no scheme). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f]/.test(next)) return '/';
  return next;
}

/**
 * Is this request the dashboard's owner: the server's own token as a bearer header (curl), or a
 * valid session cookie from /login (a browser)? Account tokens do not open the dashboard: it shows
 * the owner's projects, not only the marketplace.
 */
export function signedInToDashboard(headers: { authorization?: string | undefined; cookie?: string | undefined }, token: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
  if (bearer !== undefined) return sameSecret(bearer, token);
  return validSession(token, cookieValue(headers.cookie, SESSION_COOKIE));
}
