import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE, userFromSeal } from './session.ts';
import type { User } from './users.ts';

/** The signed-in user of the page being rendered; sends anyone else to the sign-in page. */
export async function requireUser(next?: string): Promise<User> {
  const jar = await cookies();
  const user = await userFromSeal(jar.get(SESSION_COOKIE)?.value);
  if (!user) redirect(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  return user;
}

/** The signed-in user, or null (for pages anyone may see). */
export async function currentUser(): Promise<User | null> {
  const jar = await cookies();
  return userFromSeal(jar.get(SESSION_COOKIE)?.value);
}
