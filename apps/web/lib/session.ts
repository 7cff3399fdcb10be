import { randomUUID } from 'node:crypto';
import { sealData, unsealData } from 'iron-session';
import { env } from './env.ts';
import { isRevoked, readRevocations, revokeSession, revokeUser } from './revocations.ts';
import { isRole } from './roles.ts';
import { findUser, type Role, type User } from './users.ts';

export const SESSION_COOKIE = 'creditbook_session';
/** Sessions last a working day. */
export const SESSION_TTL_S = 8 * 60 * 60;

/** What the sealed cookie carries: who signed in, the session's id and when it was issued. */
interface SessionData {
  user?: User;
  sid?: string;
  /** Issued at, in milliseconds since the epoch. */
  iat?: number;
}

/** A live session: the user as the users file has them now, and the session's id and issue time. */
export interface Session {
  user: User;
  sid: string;
  issuedMs: number;
}

/** The Set-Cookie value that signs a user in (a new session); Secure when settings say so or the request came over TLS. */
export async function signInCookie(user: User, tls = false, nowMs = Date.now()): Promise<string> {
  const data: SessionData = { user, sid: randomUUID(), iat: nowMs };
  const seal = await sealData(data, { password: env().sessionSecret, ttl: SESSION_TTL_S });
  return cookie(seal, SESSION_TTL_S - 60, tls);
}

/** The Set-Cookie value that clears the browser's copy (the session itself is revoked by `signOut`). */
export function signOutCookie(): string {
  return cookie('', 0);
}

function cookie(value: string, maxAge: number, tls = false): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`];
  if (env().secureCookies || tls) parts.push('Secure');
  return parts.join('; ');
}

/**
 * The live session of a sealed cookie value, or null: the seal must be intact and unexpired, the
 * session not signed out or revoked, and its user still in the users file; the name and role are
 * the file's current ones (a role taken away is gone at the next request).
 */
export async function sessionFromSeal(seal: string | undefined): Promise<Session | null> {
  if (!seal) return null;
  let data: SessionData;
  try {
    data = await unsealData<SessionData>(seal, { password: env().sessionSecret, ttl: SESSION_TTL_S });
  } catch {
    return null;
  }
  const u = data.user;
  if (!u || typeof u.email !== 'string' || !isRole(u.role) || typeof data.sid !== 'string' || typeof data.iat !== 'number') return null;
  if (isRevoked(await readRevocations(env().sessionsFile), data.sid, u.email.toLowerCase(), data.iat)) return null;
  const found = await findUser(env().usersFile, u.email);
  if (!found || (found.revokedBeforeMs !== undefined && data.iat <= found.revokedBeforeMs)) return null;
  return { user: found.user, sid: data.sid, issuedMs: data.iat };
}

/** The signed-in user of a sealed session cookie value, or null. */
export async function userFromSeal(seal: string | undefined): Promise<User | null> {
  return (await sessionFromSeal(seal))?.user ?? null;
}

/** The session cookie's value in a request's Cookie header. */
export function sealOf(req: Request): string | undefined {
  const header = req.headers.get('cookie') ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}

/** The signed-in user of a request (from its Cookie header), or null. */
export async function userFromRequest(req: Request): Promise<User | null> {
  return userFromSeal(sealOf(req));
}

/**
 * Signs a session out on the server: its cookie no longer works, even replayed. `everywhere` voids
 * every session of the user issued up to now (on other browsers too).
 */
export async function signOut(session: Session, everywhere = false, nowMs = Date.now()): Promise<void> {
  if (everywhere) await revokeUser(env().sessionsFile, session.user.email, nowMs);
  else await revokeSession(env().sessionsFile, session.sid, session.issuedMs + SESSION_TTL_S * 1000, nowMs);
}

/** Voids every session of a user (an administrator's revocation, e.g. for a lost laptop). */
export async function revokeSessionsOf(email: string, nowMs = Date.now()): Promise<void> {
  await revokeUser(env().sessionsFile, email, nowMs);
}

export type { Role, User };
