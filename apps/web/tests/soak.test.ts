import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetEnv } from '../lib/env.ts';
import { refuseRequest } from '../lib/guard.ts';
import * as api from '../lib/routes.ts';
import { signInCookie } from '../lib/session.ts';
import { SignInThrottle, useSignInThrottle } from '../lib/throttle.ts';
import { answerCacheStats, resetAnswerCache } from '../lib/whatif.ts';

/**
 * A soak on the route layer: many sequential requests, hostile ones mixed with normal ones and with
 * a failing disk, bounded by count (no timing). What must stay bounded is counted: open file
 * descriptors, active handles, the answer cache's bytes, files left in the store.
 */
const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
let viewer: string;
let editor: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-soak-'));
  cpSync(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  process.env['CREDITBOOK_RULES_DIR'] = path.join(dir, 'rules');
  process.env['CREDITBOOK_SESSIONS_FILE'] = path.join(dir, 'sessions.json');
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  resetEnv();
  viewer = (await signInCookie({ email: 'viewer@creditbook.local', name: 'Victor Viewer', role: 'viewer' })).split(';')[0]!;
  editor = (await signInCookie({ email: 'editor@creditbook.local', name: 'Erin Editor', role: 'editor' })).split(';')[0]!;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fds = () => readdirSync('/proc/self/fd').length;
const handles = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
/** Hidden files in the store (temp files, locks): none may be left behind. */
const leftovers = () => (readdirSync(path.join(dir, 'rules'), { recursive: true }) as string[]).filter((f) => /(^|\/)\.[^/]+\.(tmp|lock)$/.test(f));

const request = (url: string, init: { cookie?: string; body?: string; type?: string; method?: string } = {}) =>
  new Request(`http://localhost${url}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.body !== undefined ? { 'content-type': init.type ?? 'application/json' } : {}) },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
const QUOTE = '/api/quote?card=kling-consumer&version=2&model=kling-v2-5-turbo&mode=pro&duration=10';
const ROUNDS = 200;

describe('soak: hostile requests and a failing disk among normal ones', () => {
  it(`${ROUNDS} rounds: every normal answer is right, every hostile one refused, and file descriptors, handles, cache bytes and store leftovers stay bounded`, async () => {
    useSignInThrottle(new SignInThrottle(() => 0));
    // Warm up (first loads open and close their files), weigh one comparison, then take the baseline.
    resetAnswerCache();
    expect((await api.quoteGet(request(QUOTE, { cookie: viewer }))).status).toBe(200);
    const warm = JSON.stringify({ scenario: 'agency-campaigns', variants: [], custom: [{ name: 'warm', demand_scale: 1.5 }] });
    expect((await api.compareRoute(request('/api/compare', { cookie: viewer, body: warm }))).status).toBe(200);
    // Room for about ten comparisons of this size.
    const cacheBound = 10 * answerCacheStats().bytes;
    resetAnswerCache(cacheBound);
    const baseFds = fds();
    const baseHandles = handles();
    const v2 = readFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8');
    const statuses = new Map<string, number>();
    const count = (what: string, status: number) => statuses.set(`${what} ${status}`, (statuses.get(`${what} ${status}`) ?? 0) + 1);

    for (let i = 0; i < ROUNDS; i++) {
      // Normal: a quote, answered with the published price (kling-v2-5-turbo pro 10 s = 105 on v2).
      const q = await api.quoteGet(request(QUOTE, { cookie: viewer }));
      expect(q.status).toBe(200);
      expect(((await q.json()) as { credits: number }).credits).toBe(105);
      // Normal, every 5th round: a new what-if (a custom variant never asked before) fills the answer cache.
      if (i % 5 === 0) {
        const body = JSON.stringify({ scenario: 'agency-campaigns', variants: [], custom: [{ name: `soak-${i}`, demand_scale: 1 + i / 1000 }] });
        const c = await api.compareRoute(request('/api/compare', { cookie: viewer, body }));
        count('compare', c.status);
        await c.arrayBuffer();
      }
      // Hostile: TRACE, an undecodable path, a body over its limit, bad JSON, a hostile key, a huge password, too many variants.
      count('trace', refuseRequest('TRACE', 'http://localhost/api/rules')!.status);
      count('bad-url', refuseRequest('GET', 'http://localhost/api/rules/rate-card/%C0')!.status);
      count('too-large', (await api.validate(request('/api/validate', { cookie: viewer, body: 'x'.repeat(3 * 2 ** 20) }))).status);
      count('bad-json', (await api.quotePost(request('/api/quote', { cookie: viewer, body: '{"card":' }))).status);
      count('constructor', (await api.quoteGet(request('/api/quote?card=kling-consumer&constructor=y', { cookie: viewer }))).status);
      count(
        'password',
        (await api.login(request('/api/auth/login', { body: JSON.stringify({ email: 'editor@creditbook.local', password: 'p'.repeat(300) }) }))).status,
      );
      const many = JSON.stringify({ scenario: 'agency-campaigns', custom: Array.from({ length: 51 }, (_, k) => ({ name: `m${k}`, demand_scale: 1 })) });
      count('variants', (await api.compareRoute(request('/api/compare', { cookie: viewer, body: many }))).status);
      // A failing disk, every 10th round: a save on a full disk.
      if (i % 10 === 0) {
        const open = fs.promises.open.bind(fs.promises);
        const spy = vi.spyOn(fs.promises, 'open').mockImplementation(async (file, flags, mode) => {
          if (String(file).endsWith('.tmp')) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', path: String(file) });
          return open(file, flags, mode);
        });
        try {
          const body = JSON.stringify({ text: v2.replace('"5": 10 ', '"5": 12 '), base_version: 2 });
          count('full-disk-save', (await api.saveVersion(request('/api/versions', { cookie: editor, body }))).status);
        } finally {
          spy.mockRestore();
        }
      }
      if (i % 50 === 49) {
        expect(fds(), `round ${i}`).toBeLessThanOrEqual(baseFds + 4);
        expect(answerCacheStats().bytes, `round ${i}`).toBeLessThanOrEqual(cacheBound);
        expect(leftovers(), `round ${i}`).toEqual([]);
      }
    }

    expect(Object.fromEntries(statuses)).toEqual({
      'compare 200': ROUNDS / 5,
      'trace 405': ROUNDS,
      'bad-url 400': ROUNDS,
      'too-large 413': ROUNDS,
      'bad-json 400': ROUNDS,
      'constructor 400': ROUNDS,
      'password 400': ROUNDS,
      'variants 400': ROUNDS,
      'full-disk-save 507': ROUNDS / 10,
    });
    // 40 distinct comparisons asked; the cache kept only what its byte bound allows (about ten).
    expect(answerCacheStats().entries).toBeLessThanOrEqual(11);
    expect(answerCacheStats().entries).toBeGreaterThan(0);
    expect(fds()).toBeLessThanOrEqual(baseFds + 4);
    expect(handles()).toBeLessThanOrEqual(baseHandles + 2);
    expect(leftovers()).toEqual([]);
    // Nothing the failing saves tried was written: kling-consumer still has its bundled versions only.
    expect(readdirSync(path.join(dir, 'rules/rate-cards/kling-consumer')).sort()).toEqual(
      readdirSync(path.join(ROOT, 'rules/rate-cards/kling-consumer')).sort(),
    );
  });
});
