import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnv } from '../lib/env.ts';
import { backtestRoute, usageSummary, usageUpload } from '../lib/usage.ts';
import { signInCookie } from '../lib/session.ts';
import type { User } from '../lib/users.ts';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
const editor: User = { email: 'editor@creditbook.local', name: 'Erin Editor', role: 'editor' };
const viewer: User = { email: 'viewer@creditbook.local', name: 'Victor Viewer', role: 'viewer' };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-web-usage-'));
  cpSync(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  // A draft v3 of kling-consumer: 2.1 pro 10 s 70 -> 84 (+20 %).
  const v2 = readFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8');
  writeFileSync(
    path.join(dir, 'rules/rate-cards/kling-consumer/v3.yaml'),
    v2
      .replace('version: 2', 'version: 3')
      .replace('status: published', 'status: draft')
      .replace(/ {2}published_by: creditbook\n {2}published_at: .*\n/, '')
      .replace(/("10": )70( +# SECONDARY-AGREE: "Kling 2.1 Pro")/, '$184$2'),
  );
  process.env['CREDITBOOK_RULES_DIR'] = path.join(dir, 'rules');
  process.env['CREDITBOOK_USAGE_DB'] = path.join(dir, 'usage.duckdb');
  process.env['CREDITBOOK_USAGE_MAX_MB'] = '1';
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  resetEnv();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function req(url: string, init: { body?: string; user?: User } = {}): Promise<Request> {
  const headers: Record<string, string> = { 'content-type': 'text/csv' };
  if (init.user) headers['cookie'] = (await signInCookie(init.user)).split(';')[0]!;
  return new Request(`http://localhost${url}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

const EVENTS = `customer,time,model,mode,duration_s,resolution
a,2025-10-01T00:00:00Z,kling-v2-1,pro,10,1080p
a,2025-10-02T00:00:00Z,kling-v2-1,std,5,720p
b,2025-10-03T00:00:00Z,kling-v2-1-master,,10,
`;

describe('usage upload and backtest routes', () => {
  it('only editors upload; bad rows come back positioned; nothing is half-loaded', async () => {
    expect((await usageUpload(await req('/api/usage?name=e.csv', { body: EVENTS, user: viewer }))).status).toBe(403);
    const bad = await usageUpload(await req('/api/usage?name=bad.csv', { body: EVENTS + 'c,2025-10-04,kling-v2-1,pro,x,1080p\n', user: editor }));
    expect(bad.status).toBe(400);
    const errors = (await bad.json()).errors;
    expect(
      errors.map((e: { code: string; line: number; col: number; formatted: string }) => [
        e.code,
        e.line,
        e.col,
        e.formatted.startsWith('bad.csv:5:5: U_VALUE'),
      ]),
    ).toEqual([['U_VALUE', 5, 5, true]]);
    expect((await (await usageSummary(await req('/api/usage', { user: viewer }))).json()).events).toBe(0);
  });

  it('refuses a body over the size limit', async () => {
    const big = 'x'.repeat(2 ** 20 + 10);
    expect((await usageUpload(await req('/api/usage?name=big.csv', { body: big, user: editor }))).status).toBe(413);
  });

  it('imports, then answers the backtest with the CLI’s JSON', async () => {
    const ok = await usageUpload(await req('/api/usage?name=events.csv', { body: EVENTS, user: editor }));
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ ok: true, rows: 3, already_imported: false, file: 'events.csv' });
    expect((await usageUpload(await req('/api/usage?name=events.csv', { body: EVENTS, user: editor }))).status).toBe(200);
    const r = await backtestRoute(await req('/api/backtest?card=kling-consumer&from=2&to=3&per_customer=1', { user: viewer }));
    expect(r.status).toBe(200);
    const body = await r.json();
    // a: 70 + 20 = 90 -> 84 + 20 = 104 (+15.56 %); b: 280 -> 280; totals 370 -> 384 (+3.78 %)
    expect(body.totals).toEqual({
      events: 3,
      customers: 2,
      unpriced_events: 0,
      reached_customers: 2,
      reached_events: 3,
      credits_from: 370,
      credits_to: 384,
      delta: 14,
      delta_pct: 3.78,
    });
    expect(body.customers.map((c: { customer: string; delta_pct: number }) => c.delta_pct)).toEqual([15.56, 0]);
    expect((await backtestRoute(await req('/api/backtest?card=nope&from=1&to=2', { user: viewer }))).status).toBe(404);
    expect((await backtestRoute(await req('/api/backtest?card=kling-consumer&from=x&to=2', { user: viewer }))).status).toBe(400);
  });
});
