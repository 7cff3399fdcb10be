import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnv } from '../lib/env.ts';
import { checkHealth, healthRoute } from '../lib/health.ts';
import { logTo } from '../lib/log.ts';
import { installRequestLog } from '../lib/request-log.ts';
import * as api from '../lib/routes.ts';
import { signInCookie } from '../lib/session.ts';
import type { User } from '../lib/users.ts';

const ROOT = path.resolve(__dirname, '../../..');
const editor: User = { email: 'editor@creditbook.local', name: 'Erin Editor', role: 'editor' };
let dir: string;
let lines: Record<string, unknown>[] = [];
let raw = '';
let server: Server;
let base: string;

/** The Web Request a Node request stands for (what Next hands a route handler). */
async function webRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  return new Request(`http://localhost${req.url}`, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-log-'));
  cpSync(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  process.env['CREDITBOOK_RULES_DIR'] = path.join(dir, 'rules');
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  resetEnv();
  logTo({ write: (s: string) => ((raw += s), lines.push(JSON.parse(s) as Record<string, unknown>)) });
  installRequestLog();
  // A server that routes like the app: each path to its handler from lib/routes.ts.
  server = createServer((req, res) => {
    void (async () => {
      const r = await webRequest(req);
      const url = req.url ?? '/';
      const response =
        url === '/api/auth/login'
          ? await api.login(r)
          : url === '/api/versions'
            ? await api.saveVersion(r)
            : url === '/api/health'
              ? await healthRoute()
              : await api.listRules(r);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  lines = [];
  raw = '';
});

/** The latest version of kling-consumer (each save adds one). */
async function latest(session: string): Promise<number> {
  const r = await fetch(`${base}/api/rules`, { headers: { cookie: session } });
  const { documents } = (await r.json()) as { documents: { kind: string; id: string; latest: number }[] };
  return documents.find((d) => d.id === 'kling-consumer')!.latest;
}

const cookie = async (u: User) => (await signInCookie(u)).split(';')[0]!;
const requestLines = () => lines.filter((l) => l['msg'] === 'request');
/** The log line is written when the response has finished: wait for it. */
async function settle(n: number): Promise<void> {
  for (let i = 0; i < 100 && requestLines().length < n; i++) await new Promise((r) => setTimeout(r, 10));
}

describe('request log', () => {
  it('writes one JSON line per request: id, method, route, status, duration and the signed-in user', async () => {
    const r = await fetch(`${base}/api/rules?x=1`, { headers: { cookie: await cookie(editor), 'x-request-id': 'proxy-id-42' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('proxy-id-42');
    await settle(1);
    const [line] = requestLines();
    expect(line).toMatchObject({
      level: 30,
      service: 'creditbook-web',
      request_id: 'proxy-id-42',
      method: 'GET',
      route: '/api/rules',
      status: 200,
      user: 'editor@creditbook.local',
    });
    expect(typeof line!['duration_ms']).toBe('number');
    expect(line!['duration_ms'] as number).toBeGreaterThanOrEqual(0);
    expect(typeof line!['time']).toBe('string');
  });

  it('gives a request without a usable id a new one, and names no user when signed out', async () => {
    const r = await fetch(`${base}/api/rules`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(r.status).toBe(401);
    await settle(1);
    const [line] = requestLines();
    expect(line!['request_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(line!['request_id']).toBe(r.headers.get('x-request-id'));
    expect(line).toMatchObject({ status: 401, user: null });
  });

  it('never writes passwords, cookies or rule text', async () => {
    const session = await cookie(editor);
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session },
      body: JSON.stringify({ email: 'viewer@creditbook.local', password: 'not-the-password' }),
    });
    const text = readFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8');
    const saved = await fetch(`${base}/api/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session, origin: base },
      body: JSON.stringify({ text, base_version: await latest(session), note: 'log test' }),
    });
    expect(saved.status).toBe(201);
    await settle(2);
    expect(raw).not.toContain('not-the-password');
    expect(raw).not.toContain(session.split('=')[1]!.slice(0, 40));
    expect(raw).not.toContain('clip_credits');
    expect(raw).not.toContain('creditbook-viewer');
  });
});

describe('audit events', () => {
  it('logs a failed sign-in with the email and a sign-in with the user', async () => {
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@creditbook.local', password: 'wrong' }),
    });
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@creditbook.local', password: 'creditbook-viewer' }),
    });
    await settle(2);
    const audits = lines.filter((l) => 'audit' in l);
    expect(audits.map((a) => [a['audit'], a['user']])).toEqual([
      ['sign_in_failed', 'viewer@creditbook.local'],
      ['sign_in', 'viewer@creditbook.local'],
    ]);
    // Each audit line names the request it happened in; the second request's line names its user.
    const reqs = requestLines();
    expect(audits[0]!['request_id']).toBe(reqs[0]!['request_id']);
    expect(reqs.map((r) => [r['status'], r['user']])).toEqual([
      [401, null],
      [200, 'viewer@creditbook.local'],
    ]);
  });

  it('logs a save with the document version, by the signed-in user', async () => {
    const text = readFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8');
    const session = await cookie(editor);
    const from = await latest(session);
    const r = await fetch(`${base}/api/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session, origin: base },
      body: JSON.stringify({ text, base_version: from }),
    });
    expect(r.status).toBe(201);
    const body = (await r.json()) as { version: number };
    expect(body.version).toBe(from + 1);
    await settle(2);
    const save = lines.find((l) => l['audit'] === 'save');
    expect(save).toMatchObject({ kind: 'RateCard', id: 'kling-consumer', version: body.version, user: 'editor@creditbook.local', msg: 'audit save' });
  });
});

describe('review steps in the audit log', () => {
  it('logs submit, approve and publish with the version and the user who took each step', async () => {
    const approver: User = { email: 'approver@creditbook.local', name: 'Alex Approver', role: 'approver' };
    const session = await cookie(editor);
    const from = await latest(session);
    const text = readFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8');
    const saved = await fetch(`${base}/api/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session, origin: base },
      body: JSON.stringify({ text, base_version: from }),
    });
    expect(saved.status).toBe(201);
    const version = from + 1;
    const p = { params: Promise.resolve({ kind: 'rate-card', id: 'kling-consumer', version: String(version) }) };
    const step = async (u: User, body: unknown) =>
      new Request('http://localhost/x', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: await cookie(u) },
        body: JSON.stringify(body),
      });
    expect((await api.submitVersion(await step(editor, { note: 'for the log test' }), p)).status).toBe(200);
    expect((await api.reviewVersion(await step(approver, { decision: 'approve', note: 'fine' }), p)).status).toBe(200);
    expect((await api.publishVersion(await step(editor, { effective_from: '2099-01-01' }), p)).status).toBe(200);
    const trail = lines.filter((l) => 'audit' in l && l['version'] === version).map((l) => [l['audit'], l['user']]);
    expect(trail).toEqual([
      ['save', 'editor@creditbook.local'],
      ['submit', 'editor@creditbook.local'],
      ['approve', 'approver@creditbook.local'],
      ['publish', 'editor@creditbook.local'],
    ]);
    expect(raw).not.toContain('for the log test');
  });
});

describe('GET /api/health', () => {
  it('answers 200 with the version, the store readable and the rules loaded', async () => {
    const r = await fetch(`${base}/api/health`);
    expect(r.status).toBe(200);
    const h = (await r.json()) as Awaited<ReturnType<typeof checkHealth>>;
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'apps/web/package.json'), 'utf8')) as { version: string };
    expect(h).toMatchObject({ status: 'ok', version: pkg.version, store: { readable: true }, rules: { loaded: true } });
    expect(h.rules.documents).toBeGreaterThan(0);
  });

  it('answers 503 when the store cannot be read', async () => {
    const gone = mkdtempSync(path.join(os.tmpdir(), 'creditbook-gone-'));
    process.env['CREDITBOOK_RULES_DIR'] = gone;
    resetEnv();
    rmSync(gone, { recursive: true });
    try {
      const r = await healthRoute();
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ status: 'unavailable', store: { readable: false }, rules: { loaded: false } });
    } finally {
      process.env['CREDITBOOK_RULES_DIR'] = path.join(dir, 'rules');
      resetEnv();
    }
  });
});
