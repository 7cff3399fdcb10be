import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnv } from '../lib/env.ts';
import * as api from '../lib/routes.ts';
import { ACCOUNT_RULE, SignInThrottle, useSignInThrottle } from '../lib/throttle.ts';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
/** The throttle's clock, moved by hand: no test waits. */
let now = Date.UTC(2026, 11, 1);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-throttle-'));
  cpSync(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  process.env['CREDITBOOK_RULES_DIR'] = path.join(dir, 'rules');
  process.env['CREDITBOOK_SESSIONS_FILE'] = path.join(dir, 'sessions.json');
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  resetEnv();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => useSignInThrottle(new SignInThrottle(() => now)));

async function login(email: string, password: string, client?: string): Promise<Response> {
  return api.login(
    new Request('http://localhost/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(client ? { 'x-forwarded-for': `${client}, 10.0.0.1` } : {}) },
      body: JSON.stringify({ email, password }),
    }),
  );
}
const code = async (res: Response) => ((await res.json()) as { errors?: { code: string }[] }).errors?.[0]?.code;

describe('sign-in throttling', () => {
  it('per account: 5 free failures, then 1 s, 2 s, 4 s of backoff; a throttled attempt is 429 with Retry-After even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login('editor@creditbook.local', 'wrong')).status).toBe(401);
    // The 6th failure is heard (401) and sets a 1 s wait (1000 ms × 2^0).
    expect((await login('Editor@creditbook.local', 'wrong')).status).toBe(401);
    const refused = await login('editor@creditbook.local', 'creditbook-editor');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await code(refused)).toBe('A_THROTTLED');
    now += 1_000;
    // The 7th failure: 2 s (1000 × 2^1); at 1.999 s still refused, at 2 s heard.
    expect((await login('editor@creditbook.local', 'wrong')).status).toBe(401);
    now += 1_999;
    expect((await login('editor@creditbook.local', 'creditbook-editor')).status).toBe(429);
    now += 1;
    const ok = await login('editor@creditbook.local', 'creditbook-editor');
    expect(ok.status).toBe(200);
    // A success clears the account's failures: the next wrong password is one of 5 free ones again.
    expect((await login('editor@creditbook.local', 'wrong')).status).toBe(401);
    expect((await login('editor@creditbook.local', 'creditbook-editor')).status).toBe(200);
  });

  it('per client: 20 failures from one address over many accounts throttle that address, not another', async () => {
    for (let i = 0; i < 21; i++) expect((await login(`nobody${i}@example.com`, 'wrong', '203.0.113.7')).status).toBe(401);
    const refused = await login('viewer@creditbook.local', 'creditbook-viewer', '203.0.113.7');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await login('viewer@creditbook.local', 'creditbook-viewer', '198.51.100.9')).status).toBe(200);
  });

  it('an attacker failing on purpose locks the real user out for 5 minutes at most, and failures are forgotten after 15 quiet minutes', () => {
    const t = new SignInThrottle(() => now);
    for (let i = 0; i < 40; i++) t.failed('approver@creditbook.local', '203.0.113.7');
    // 1000 ms × 2^34 is far past the cap: the account waits the cap, 5 × 60 × 1000 ms.
    expect(t.retryAfterMs('approver@creditbook.local', '198.51.100.9')).toBe(ACCOUNT_RULE.maxMs);
    expect(ACCOUNT_RULE.maxMs).toBe(300_000);
    now += 300_000;
    expect(t.retryAfterMs('approver@creditbook.local', '198.51.100.9')).toBe(0);
    // 15 minutes without a failure: the count starts afresh, 5 free failures again.
    now += 15 * 60_000 + 1;
    for (let i = 0; i < 5; i++) t.failed('approver@creditbook.local', '198.51.100.9');
    expect(t.retryAfterMs('approver@creditbook.local', '198.51.100.9')).toBe(0);
  });

  it('the sign-in form gets a redirect to the sign-in page that says why, not a JSON error', async () => {
    for (let i = 0; i < 6; i++) expect((await login('viewer@creditbook.local', 'wrong')).status).toBe(401);
    const res = await api.login(
      new Request('http://localhost/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=viewer%40creditbook.local&password=creditbook-viewer&next=%2Fquote',
      }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?error=throttled&next=%2Fquote');
  });
});
