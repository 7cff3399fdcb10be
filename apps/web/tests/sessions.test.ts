import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnv } from '../lib/env.ts';
import * as api from '../lib/routes.ts';
import { revokeSessionsOf, signInCookie } from '../lib/session.ts';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
let usersFile: string;
let demoUsers: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-sessions-'));
  cpSync(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  usersFile = path.join(dir, 'users.json');
  demoUsers = readFileSync(path.join(ROOT, 'apps/web/config/users.json'), 'utf8');
  writeFileSync(usersFile, demoUsers);
  process.env['CREDITBOOK_RULES_DIR'] = path.join(dir, 'rules');
  process.env['CREDITBOOK_USERS_FILE'] = usersFile;
  process.env['CREDITBOOK_SESSIONS_FILE'] = path.join(dir, 'sessions.json');
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  resetEnv();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORDS: Record<string, string> = { editor: 'creditbook-editor', viewer: 'creditbook-viewer', approver: 'creditbook-approver' };

/** Signs in through the login route, as a browser would; returns the Cookie header to send. */
async function signIn(who: 'editor' | 'viewer' | 'approver'): Promise<string> {
  const res = await api.login(
    new Request('http://localhost/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${who}@creditbook.local`, password: PASSWORDS[who] }),
    }),
  );
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
const me = async (cookie: string) => api.me(new Request('http://localhost/api/auth/me', { headers: { cookie } }));
const logout = async (cookie: string, body?: unknown) =>
  api.logout(
    new Request('http://localhost/api/auth/logout', {
      method: 'POST',
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
const save = async (cookie: string) =>
  api.saveVersion(
    new Request('http://localhost/api/versions', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      // Not a valid base: the session check comes first, so 401/403 or 400 says which layer answered.
      body: JSON.stringify({ text: 'kind: RateCard', base_version: -1 }),
    }),
  );
const users = () => JSON.parse(readFileSync(usersFile, 'utf8')) as { users: Record<string, unknown>[] };
const writeUsers = (data: { users: Record<string, unknown>[] }) => writeFileSync(usersFile, JSON.stringify(data, null, 2));

describe('sessions are revocable on the server', () => {
  it('a cookie replayed after sign-out is refused (401), and other sessions of the user keep working', async () => {
    const first = await signIn('editor');
    const second = await signIn('editor');
    expect((await me(first)).status).toBe(200);
    const out = await logout(first);
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ ok: true, revoked: 'session' });
    expect(out.headers.get('set-cookie')).toMatch(/^creditbook_session=; .*Max-Age=0/);
    // The browser's copy is cleared, but a copy replayed anyway no longer works.
    expect((await me(first)).status).toBe(401);
    expect((await save(first)).status).toBe(401);
    expect((await me(second)).status).toBe(200);
  });

  it('signing out everywhere voids every session of the user, not those of others; a new sign-in works', async () => {
    const a = await signIn('viewer');
    const b = await signIn('viewer');
    const other = await signIn('approver');
    expect(await (await logout(a, { everywhere: true })).json()).toEqual({ ok: true, revoked: 'everywhere' });
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(401);
    expect((await me(other)).status).toBe(200);
    expect((await me(await signIn('viewer'))).status).toBe(200);
  });

  it('an editor removed from the users file can no longer save with an old cookie; a role taken away is gone at the next request', async () => {
    const editor = await signIn('editor');
    expect((await save(editor)).status).toBe(400);
    const data = users();
    const demoted = { users: data.users.map((u) => (u['email'] === 'editor@creditbook.local' ? { ...u, role: 'viewer' } : u)) };
    writeUsers(demoted);
    try {
      const res = await save(editor);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('A_FORBIDDEN');
      expect(((await (await me(editor)).json()) as { user: { role: string } }).user.role).toBe('viewer');
      writeUsers({ users: data.users.filter((u) => u['email'] !== 'editor@creditbook.local') });
      expect((await save(editor)).status).toBe(401);
      expect((await me(editor)).status).toBe(401);
    } finally {
      writeFileSync(usersFile, demoUsers);
    }
    // Put back in the file, the same cookie works again (it was never signed out).
    expect((await me(editor)).status).toBe(200);
  });

  it("an administrator's revocation (sessions_revoked_at in the users file, or revokeSessionsOf) voids older sessions only", async () => {
    // Sessions issued at known times (no clock in the test): one before the cut, one after.
    const approver = { email: 'approver@creditbook.local', name: 'Alex Approver', role: 'approver' as const };
    const now = Date.now();
    const before = (await signInCookie(approver, false, now - 60_000)).split(';')[0]!;
    const cut = new Date(now - 30_000).toISOString();
    const after = (await signInCookie(approver, false, now - 1_000)).split(';')[0]!;
    writeUsers({ users: users().users.map((u) => (u['email'] === 'approver@creditbook.local' ? { ...u, sessions_revoked_at: cut } : u)) });
    try {
      expect((await me(before)).status).toBe(401);
      expect((await me(after)).status).toBe(200);
    } finally {
      writeFileSync(usersFile, demoUsers);
    }
    expect((await me(before)).status).toBe(200);
    await revokeSessionsOf('Approver@creditbook.local');
    expect((await me(before)).status).toBe(401);
    expect((await me(after)).status).toBe(401);
  });

  it('a cookie sealed before sessions had ids (no sid) is refused', async () => {
    const { sealData } = await import('iron-session');
    const seal = await sealData(
      { user: { email: 'editor@creditbook.local', name: 'Erin Editor', role: 'editor' } },
      { password: 'unit-test-secret-0123456789abcdefghijkl', ttl: 3600 },
    );
    expect((await me(`creditbook_session=${seal}`)).status).toBe(401);
  });
});
