import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnv } from '../lib/env.ts';
import * as api from '../lib/routes.ts';
import { usageUpload } from '../lib/usage.ts';
import { signInCookie } from '../lib/session.ts';
import type { User } from '../lib/users.ts';

/** Effective dates in tests lie in the future whatever today is (publishing refuses past dates). */
const NEXT_YEAR = new Date().getUTCFullYear() + 1;

const ROOT = path.resolve(__dirname, '../../..');
const APP = path.resolve(__dirname, '..');
let dir: string;
const editor: User = { email: 'editor@creditbook.local', name: 'Erin Editor', role: 'editor' };
const viewer: User = { email: 'viewer@creditbook.local', name: 'Victor Viewer', role: 'viewer' };
const approver: User = { email: 'approver@creditbook.local', name: 'Alex Approver', role: 'approver' };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-websec-'));
  cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
  process.env['CREDITBOOK_RULES_DIR'] = dir;
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  delete process.env['CREDITBOOK_SECURE_COOKIES'];
  resetEnv();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;
const card = () => readFileSync(path.join(dir, 'rate-cards/kling-consumer/v2.yaml'), 'utf8');

/** Every route that takes a method that may change something, what it does, and a valid body. */
interface Route {
  file: string;
  handler: Handler;
  /** 'approves' needs an approver; 'writes' an editor; 'reads' a viewer; 'session' no one. */
  access: 'approves' | 'writes' | 'reads' | 'session';
  url: string;
  body: () => unknown;
  params?: Record<string, string>;
}

const ROUTES: Route[] = [
  {
    file: 'versions/route.ts',
    handler: api.saveVersion,
    access: 'writes',
    url: '/api/versions',
    body: () => ({ text: card().replace('"5": 10 ', '"5": 11 '), base_version: 2, note: 'security test' }),
  },
  {
    file: 'versions/[kind]/[id]/[version]/publish/route.ts',
    handler: api.publishVersion,
    access: 'writes',
    url: '/api/versions/rate-card/kling-consumer/3/publish',
    body: () => ({ effective_from: `${NEXT_YEAR}-01-01` }),
    params: { kind: 'rate-card', id: 'kling-consumer', version: '3' },
  },
  {
    file: 'versions/[kind]/[id]/[version]/submit/route.ts',
    handler: api.submitVersion,
    access: 'writes',
    url: '/api/versions/rate-card/kling-consumer/3/submit',
    body: () => ({ note: 'security test' }),
    params: { kind: 'rate-card', id: 'kling-consumer', version: '3' },
  },
  {
    file: 'versions/[kind]/[id]/[version]/review/route.ts',
    handler: api.reviewVersion,
    access: 'approves',
    url: '/api/versions/rate-card/kling-consumer/3/review',
    body: () => ({ decision: 'approve' }),
    params: { kind: 'rate-card', id: 'kling-consumer', version: '3' },
  },
  {
    file: 'versions/[kind]/[id]/[version]/withdraw/route.ts',
    handler: api.withdrawVersion,
    access: 'writes',
    url: '/api/versions/rate-card/kling-consumer/3/withdraw',
    body: () => ({ note: 'security test' }),
    params: { kind: 'rate-card', id: 'kling-consumer', version: '3' },
  },
  { file: 'merge/route.ts', handler: api.mergeEdit, access: 'writes', url: '/api/merge', body: () => ({ text: card(), base_version: 2 }) },
  { file: 'validate/route.ts', handler: api.validate, access: 'reads', url: '/api/validate', body: () => ({ text: card(), base_version: 2 }) },
  {
    file: 'quote/route.ts',
    handler: api.quotePost,
    access: 'reads',
    url: '/api/quote',
    body: () => ({ card: 'kling-consumer', request: { model: 'kling-v2-5-turbo', mode: 'pro', duration_s: 10 } }),
  },
  { file: 'forecast/route.ts', handler: api.forecastRoute, access: 'reads', url: '/api/forecast', body: () => ({ scenario: 'steady-studio' }) },
  {
    file: 'compare/route.ts',
    handler: api.compareRoute,
    access: 'reads',
    url: '/api/compare',
    body: () => ({ scenario: 'steady-studio', variants: ['turbo-migration'] }),
  },
  {
    file: 'export/route.ts',
    handler: api.exportRoute,
    access: 'reads',
    url: '/api/export',
    body: () => ({ view: 'compare', scenario: 'steady-studio', variants: ['turbo-migration'] }),
  },
  {
    file: 'usage/route.ts',
    handler: usageUpload,
    access: 'writes',
    url: '/api/usage?name=events.csv',
    body: () => 'customer,time,model,mode,duration_s,resolution',
  },
  {
    file: 'auth/login/route.ts',
    handler: api.login,
    access: 'session',
    url: '/api/auth/login',
    body: () => ({ email: 'viewer@creditbook.local', password: 'creditbook-viewer' }),
  },
  { file: 'auth/logout/route.ts', handler: api.logout, access: 'session', url: '/api/auth/logout', body: () => ({}) },
];

async function call(route: Route, user: User | null, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { 'content-type': 'application/json', host: 'localhost', ...headers };
  if (user) h['cookie'] = (await signInCookie(user)).split(';')[0]!;
  const req = new Request(`http://localhost${route.url}`, { method: 'POST', headers: h, body: JSON.stringify(route.body()) });
  return route.handler(req, { params: Promise.resolve(route.params ?? {}) });
}

function routeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const full = path.join(dir, e);
    if (statSync(full).isDirectory()) out.push(...routeFiles(full));
    else if (e === 'route.ts') out.push(full);
  }
  return out;
}

describe('every route that takes POST, PUT, PATCH or DELETE', () => {
  it('is in the table above (a new one must be added, with its access)', () => {
    const writing = routeFiles(path.join(APP, 'app', 'api'))
      .filter((f) => /\bas (POST|PUT|PATCH|DELETE)\b|export (async )?function (POST|PUT|PATCH|DELETE)/.test(readFileSync(f, 'utf8')))
      .map((f) =>
        path
          .relative(path.join(APP, 'app', 'api'), f)
          .split(path.sep)
          .join('/'),
      )
      .sort();
    expect(writing).toEqual(ROUTES.map((r) => r.file).sort());
  });

  for (const route of ROUTES.filter((r) => r.access !== 'session')) {
    it(`${route.url}: anonymous 401, viewer ${route.access === 'reads' ? 'allowed' : '403'}${route.access === 'approves' ? ', editor 403' : ''}`, async () => {
      expect((await call(route, null)).status).toBe(401);
      const v = await call(route, viewer);
      if (route.access === 'approves') {
        const e = await call(route, editor);
        expect(e.status).toBe(403);
        expect((await e.json()).errors[0].code).toBe('A_FORBIDDEN');
      }
      if (route.access !== 'reads') {
        expect(v.status).toBe(403);
        expect((await v.json()).errors[0].code).toBe('A_FORBIDDEN');
      } else expect(v.status).toBe(200);
    });
  }

  it('editors save a draft, submit it, an approver approves, and only then it publishes (once)', async () => {
    const [save, publish, submit, review] = ROUTES;
    const saved = await call(save!, editor);
    expect(saved.status).toBe(201);
    expect((await saved.json()).version).toBe(3);
    expect((await call(publish!, editor)).status).toBe(409);
    expect((await call(submit!, editor)).status).toBe(200);
    expect((await call(review!, approver)).status).toBe(200);
    expect((await call(publish!, editor)).status).toBe(200);
    expect((await call(publish!, editor)).status).toBe(409);
  });

  for (const route of ROUTES) {
    it(`${route.url}: a request from another site is refused, whoever sends it`, async () => {
      const as = route.access === 'session' ? null : editor;
      for (const headers of [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: 'https://sub.localhost' },
        { origin: 'null' },
      ]) {
        const r = await call(route, as, headers);
        expect(r.status, JSON.stringify(headers)).toBe(403);
        expect((await r.json()).errors[0].code).toBe('A_CROSS_SITE');
      }
    });
  }

  it('same-origin requests and clients that are not browsers pass the site check', async () => {
    const quote = ROUTES.find((r) => r.file === 'quote/route.ts')!;
    for (const headers of [{ 'sec-fetch-site': 'same-origin' }, { origin: 'http://localhost' }, {}]) {
      expect((await call(quote, viewer, headers)).status, JSON.stringify(headers)).toBe(200);
    }
  });
});

describe('the session cookie', () => {
  const login = ROUTES.find((r) => r.file === 'auth/login/route.ts')!;

  it('is HttpOnly and SameSite=Lax, and Secure only behind TLS', async () => {
    const plain = (await call(login, null)).headers.get('set-cookie')!;
    expect(plain).toMatch(/HttpOnly/);
    expect(plain).toMatch(/SameSite=Lax/);
    expect(plain).not.toMatch(/Secure/);
    const proxied = (await call(login, null, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')!;
    expect(proxied).toMatch(/; Secure/);
    process.env['CREDITBOOK_SECURE_COOKIES'] = '1';
    resetEnv();
    try {
      expect((await call(login, null)).headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      delete process.env['CREDITBOOK_SECURE_COOKIES'];
      resetEnv();
    }
  });
});

describe('twenty editors saving on the same base version at once', () => {
  it('one wins, nineteen get 409, no version number is used twice, every file parses', async () => {
    const base = card();
    const before = (await loadStore(new DirectoryStore(dir))).rules.versions('RateCard', 'kling-consumer').length;
    const latest = Math.max(...(await loadStore(new DirectoryStore(dir))).rules.versions('RateCard', 'kling-consumer').map((v) => v.doc.version));
    const cookie = (await signInCookie(editor)).split(';')[0]!;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.saveVersion(
          new Request('http://localhost/api/versions', {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie },
            body: JSON.stringify({ text: base.replace('"10": 40 ', `"10": ${41 + i} `), base_version: latest, note: `editor ${i}` }),
          }),
        ),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const after = await loadStore(new DirectoryStore(dir));
    expect(after.errors).toEqual([]);
    const versions = after.rules.versions('RateCard', 'kling-consumer').map((v) => v.doc.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.length).toBe(before + 1);
  });
});
