import { sealData, unsealData } from 'iron-session';
import { env } from './env.ts';
import { isRole } from './roles.ts';
import type { Role, User } from './users.ts';

export const SESSION_COOKIE = 'creditbook_session';
/** Sessions last a working day. */
export const SESSION_TTL_S = 8 * 60 * 60;

interface SessionData {
  user?: User;
}

/** The Set-Cookie value that signs a user in; Secure when settings say so or the request came over TLS. */
export async function signInCookie(user: User, tls = false): Promise<string> {
  const seal = await sealData({ user } satisfies SessionData, { password: env().sessionSecret, ttl: SESSION_TTL_S });
  return cookie(seal, SESSION_TTL_S - 60, tls);
}

/** The Set-Cookie value that signs out. */
export function signOutCookie(): string {
  return cookie('', 0);
}

function cookie(value: string, maxAge: number, tls = false): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`];
  if (env().secureCookies || tls) parts.push('Secure');
  return parts.join('; ');
}

/** The signed-in user of a sealed session cookie value, or null. */
export async function userFromSeal(seal: string | undefined): Promise<User | null> {
  if (!seal) return null;
  try {
    const data = await unsealData<SessionData>(seal, { password: env().sessionSecret, ttl: SESSION_TTL_S });
    const u = data.user;
    return u && typeof u.email === 'string' && isRole(u.role) ? u : null;
  } catch {
    return null;
  }
}

/** The signed-in user of a request (from its Cookie header), or null. */
export async function userFromRequest(req: Request): Promise<User | null> {
  const header = req.headers.get('cookie') ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return userFromSeal(rest.join('='));
  }
  return null;
}

export type { Role, User };
