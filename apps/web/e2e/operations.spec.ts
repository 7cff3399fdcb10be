// Operating the built app: the port it runs on, /api/health, the JSON request and audit log, and a
// SIGTERM that lets an in-flight save finish. Each test starts its own `next start` (the build the
// e2e run made) on a free port and a temporary copy of the rules.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from './ports.ts';
import { ACCOUNTS, APP, ROOT } from './support.ts';

interface App {
  url: string;
  child: ChildProcess;
  rules: string;
  lines: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function startApp(): Promise<App> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-ops-'));
  const rules = path.join(dir, 'rules');
  cpSync(path.join(ROOT, 'rules'), rules, { recursive: true });
  const port = freePort();
  const next = createRequire(import.meta.url).resolve('next/dist/bin/next');
  const child = spawn(process.execPath, [next, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: APP,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      CREDITBOOK_RULES_DIR: rules,
      CREDITBOOK_SESSION_SECRET: 'ops-session-secret-0123456789abcdefghijklmnop',
    },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).status > 0) break;
    } catch {
      if (i > 600) throw new Error(`the app did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { url, child, rules, lines, exited };
}

async function signInCookie(app: App): Promise<string> {
  const r = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ACCOUNTS.editor),
  });
  expect(r.status).toBe(200);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

let app: App | undefined;
test.afterEach(async () => {
  if (app && app.child.exitCode === null) {
    app.child.kill('SIGKILL');
    await app.exited;
  }
  if (app) rmSync(path.dirname(app.rules), { recursive: true, force: true });
  app = undefined;
});

test('the suite runs on a port picked at start, not the one held for the run', async ({ baseURL }) => {
  const held = process.env['CREDITBOOK_E2E_HELD_PORT'];
  expect(held).toBe('3123');
  expect(new URL(baseURL!).port).not.toBe(held);
});

test('GET /api/health answers with the version, the store and the rules, signed out', async () => {
  app = await startApp();
  const r = await fetch(`${app.url}/api/health`);
  expect(r.status).toBe(200);
  const pkg = JSON.parse(readFileSync(path.join(APP, 'package.json'), 'utf8')) as { version: string };
  expect(await r.json()).toMatchObject({ status: 'ok', version: pkg.version, store: { readable: true }, rules: { loaded: true } });
  rmSync(app.rules, { recursive: true, force: true });
  expect((await fetch(`${app.url}/api/health`)).status).toBe(503);
});

test('every request is a JSON log line with id, route, status, duration and user; a save is an audit line', async () => {
  app = await startApp();
  const cookie = await signInCookie(app);
  const rules = await fetch(`${app.url}/api/rules`, { headers: { cookie, 'x-request-id': 'ops-req-1' } });
  expect(rules.headers.get('x-request-id')).toBe('ops-req-1');
  const text = readFileSync(path.join(app.rules, 'rate-cards/kling-consumer/v2.yaml'), 'utf8');
  const saved = await fetch(`${app.url}/api/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ text, base_version: 2 }),
  });
  expect(saved.status).toBe(201);
  // The log is written asynchronously: an answer can reach the test before its lines reach stdout, and
  // the start-up health checks are request lines too, so wait for the save's own lines by name.
  await expect
    .poll(() => {
      const seen = app!.lines();
      return seen.some((l) => l['audit'] === 'save') && seen.some((l) => l['route'] === '/api/versions' && l['msg'] === 'request');
    })
    .toBe(true);
  const lines = app.lines();
  expect(lines.find((l) => l['request_id'] === 'ops-req-1')).toMatchObject({ method: 'GET', route: '/api/rules', status: 200, user: ACCOUNTS.editor.email });
  expect(lines.find((l) => l['route'] === '/api/auth/login' && l['msg'] === 'request')).toMatchObject({ method: 'POST', status: 200 });
  expect(lines.find((l) => l['route'] === '/api/versions' && l['msg'] === 'request')).toMatchObject({
    method: 'POST',
    status: 201,
    user: ACCOUNTS.editor.email,
  });
  expect(lines.find((l) => l['audit'] === 'save')).toMatchObject({ kind: 'RateCard', id: 'kling-consumer', version: 3, user: ACCOUNTS.editor.email });
  expect(lines.find((l) => l['audit'] === 'sign_in')).toMatchObject({ user: ACCOUNTS.editor.email });
  const all = lines.map((l) => JSON.stringify(l)).join('\n');
  expect(all).not.toContain(ACCOUNTS.editor.password);
  expect(all).not.toContain(cookie.split('=')[1]!.slice(0, 40));
  expect(all).not.toContain('clip_credits');
});

test('SIGTERM lets a save in flight finish, then the server stops', async () => {
  app = await startApp();
  const cookie = await signInCookie(app);
  const text = readFileSync(path.join(app.rules, 'rate-cards/kling-consumer/v2.yaml'), 'utf8');
  const body = Buffer.from(JSON.stringify({ text, base_version: 2, note: 'saved during shutdown' }));
  const { port } = new URL(app.url);
  // The save's headers and half its body are sent; the signal comes while the server waits for the rest.
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/versions',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, cookie },
      },
      (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      },
    );
    req.on('error', reject);
    req.write(body.subarray(0, body.length >> 1));
    setTimeout(() => {
      app!.child.kill('SIGTERM');
      setTimeout(() => req.end(body.subarray(body.length >> 1)), 500);
    }, 300);
  });
  const r = await answer;
  expect(r.status).toBe(201);
  expect(JSON.parse(r.body)).toMatchObject({ id: 'kling-consumer', version: 3, status: 'draft' });
  expect(existsSync(path.join(app.rules, 'rate-cards/kling-consumer/v3.yaml'))).toBe(true);
  // 143 = 128 + SIGTERM: Next's own shutdown, after the server closed with nothing in flight.
  expect(await app.exited).toBe(143);
});
