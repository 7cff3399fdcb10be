import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { resetEnv } from '../../lib/env.ts';
import { signInCookie } from '../../lib/session.ts';
import type { User } from '../../lib/users.ts';

/** The repository's root (its bundled rules are in `rules/`). */
export const ROOT = path.resolve(__dirname, '../../../..');

export const viewer: User = { email: 'viewer@creditbook.local', name: 'Victor Viewer', role: 'viewer' };
export const editor: User = { email: 'editor@creditbook.local', name: 'Erin Editor', role: 'editor' };
export const approver: User = { email: 'approver@creditbook.local', name: 'Alex Approver', role: 'approver' };

/**
 * For this test file: copies the bundled rules to a temporary folder before its tests, points the
 * app at it (with a test session secret), and removes it after. `ready` gets the folder, after the
 * copy and before the app reads it, to add files.
 */
export function useRulesCopy(name: string, ready: (dir: string) => void = () => {}): void {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), `creditbook-web-${name}-`));
    cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
    ready(dir);
    process.env['CREDITBOOK_RULES_DIR'] = dir;
    process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
    resetEnv();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
}

/** The session cookie of a signed-in user, as a request's `cookie` header. */
export async function cookieOf(user: User): Promise<string> {
  return (await signInCookie(user)).split(';')[0]!;
}

/** A GET request, signed in as `user` (or signed out with null). */
export async function getAs(url: string, user: User | null): Promise<Request> {
  return new Request(`http://localhost${url}`, { headers: user ? { cookie: await cookieOf(user) } : {} });
}
