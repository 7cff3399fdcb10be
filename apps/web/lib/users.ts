import { readFile, stat } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { MAX_PASSWORD_LENGTH } from './limits.ts';
import { allows, isRole, type Role } from './roles.ts';

export { allows, type Role };

/** A signed-in person, as the session carries them. */
export interface User {
  email: string;
  name: string;
  role: Role;
}

interface UserRecord extends User {
  password_hash: string;
  /** An administrator's revocation (`sessions_revoked_at`, ISO in the file; ms here): older sessions no longer work. */
  sessions_revoked_at?: number;
}

/** Reads the users file: `{"users": [{"email", "name", "role", "password_hash", "sessions_revoked_at"?}]}`. */
export async function readUsers(file: string): Promise<UserRecord[]> {
  const data = JSON.parse(await readFile(/*turbopackIgnore: true*/ file, 'utf8')) as { users?: unknown };
  if (!Array.isArray(data.users)) throw new Error(`${file}: expected {"users": [...]}`);
  return data.users.map((u: Record<string, unknown>, i: number) => {
    const { email, name, role, password_hash } = u;
    if (typeof email !== 'string' || typeof password_hash !== 'string' || !isRole(role)) {
      throw new Error(`${file}: users[${i}] needs email, role (viewer | editor | approver) and password_hash`);
    }
    const revoked = u['sessions_revoked_at'];
    const at = typeof revoked === 'string' ? Date.parse(revoked) : NaN;
    if (revoked !== undefined && Number.isNaN(at)) throw new Error(`${file}: users[${i}].sessions_revoked_at must be an ISO time`);
    return {
      email: email.toLowerCase(),
      name: typeof name === 'string' ? name : email,
      role: role,
      password_hash,
      ...(Number.isNaN(at) ? {} : { sessions_revoked_at: at }),
    };
  });
}

let cached: { file: string; stamp: string; users: UserRecord[] } | undefined;

/** The users file, re-read only when its size, time or inode changed (so every request may consult it). */
async function currentUsers(file: string): Promise<UserRecord[]> {
  const st = await stat(/*turbopackIgnore: true*/ file, { bigint: true });
  const stamp = `${st.size}:${st.mtimeNs}:${st.ino}`;
  if (cached?.file !== file || cached.stamp !== stamp) cached = { file, stamp, users: await readUsers(file) };
  return cached.users;
}

/**
 * A user as the users file has them now (name and role included), with the time before which their
 * sessions were revoked by an administrator (`sessions_revoked_at`), or null when they are no longer in it.
 */
export async function findUser(file: string, email: string): Promise<{ user: User; revokedBeforeMs: number | undefined } | null> {
  const found = (await currentUsers(file)).find((u) => u.email === email.trim().toLowerCase());
  return found ? { user: { email: found.email, name: found.name, role: found.role }, revokedBeforeMs: found.sessions_revoked_at } : null;
}

// A fixed hash to compare against when the email is unknown, so both paths take the same time.
const NOBODY = '$2b$10$.tUp0hyEBC1y8lAb6v.q1eW3u.PgKsrX5CROSMZggPM5C/WfzHv9i';

/** The user whose email and password match, or null. */
export async function authenticate(file: string, email: string, password: string): Promise<User | null> {
  // A password longer than any accepted one is wrong without being hashed.
  if (password.length > MAX_PASSWORD_LENGTH) return null;
  const users = await currentUsers(file);
  const found = users.find((u) => u.email === email.trim().toLowerCase());
  const ok = await bcrypt.compare(password, found?.password_hash ?? NOBODY);
  return found && ok ? { email: found.email, name: found.name, role: found.role } : null;
}
