import { readFile } from 'node:fs/promises';
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
}

/** Reads the users file: `{"users": [{"email", "name", "role", "password_hash"}]}`. */
export async function readUsers(file: string): Promise<UserRecord[]> {
  const data = JSON.parse(await readFile(/*turbopackIgnore: true*/ file, 'utf8')) as { users?: unknown };
  if (!Array.isArray(data.users)) throw new Error(`${file}: expected {"users": [...]}`);
  return data.users.map((u: Record<string, unknown>, i: number) => {
    const { email, name, role, password_hash } = u;
    if (typeof email !== 'string' || typeof password_hash !== 'string' || !isRole(role)) {
      throw new Error(`${file}: users[${i}] needs email, role (viewer | editor | approver) and password_hash`);
    }
    return { email: email.toLowerCase(), name: typeof name === 'string' ? name : email, role: role, password_hash };
  });
}

// A fixed hash to compare against when the email is unknown, so both paths take the same time.
const NOBODY = '$2b$10$.tUp0hyEBC1y8lAb6v.q1eW3u.PgKsrX5CROSMZggPM5C/WfzHv9i';

/** The user whose email and password match, or null. */
export async function authenticate(file: string, email: string, password: string): Promise<User | null> {
  // A password longer than any accepted one is wrong without being hashed.
  if (password.length > MAX_PASSWORD_LENGTH) return null;
  const users = await readUsers(file);
  const found = users.find((u) => u.email === email.trim().toLowerCase());
  const ok = await bcrypt.compare(password, found?.password_hash ?? NOBODY);
  return found && ok ? { email: found.email, name: found.name, role: found.role } : null;
}
