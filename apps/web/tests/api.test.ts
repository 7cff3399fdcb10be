import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { compare, loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnv } from '../lib/env.ts';
import * as api from '../lib/routes.ts';
import { signInCookie } from '../lib/session.ts';
import type { User } from '../lib/users.ts';

/** Effective dates in tests lie in the future whatever today is (publishing refuses past dates). */
const NEXT_YEAR = new Date().getUTCFullYear() + 1;

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
const editor: User = { email: 'editor@creditbook.local', name: 'Erin Editor', role: 'editor' };
const viewer: User = { email: 'viewer@creditbook.local', name: 'Victor Viewer', role: 'viewer' };
const approver: User = { email: 'approver@creditbook.local', name: 'Alex Approver', role: 'approver' };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-web-'));
  cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
  process.env['CREDITBOOK_RULES_DIR'] = dir;
  // The demo accounts plus a second approver: every request checks its user against the users file.
  const demo = JSON.parse(readFileSync(path.join(ROOT, 'apps/web/config/users.json'), 'utf8')) as { users: Record<string, unknown>[] };
  const second = { ...demo.users.find((u) => u['role'] === 'approver')!, email: 'second-approver@creditbook.local', name: 'Sam' };
  process.env['CREDITBOOK_USERS_FILE'] = path.join(dir, '..', `${path.basename(dir)}-users.json`);
  writeFileSync(process.env['CREDITBOOK_USERS_FILE'], JSON.stringify({ users: [...demo.users, second] }));
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  resetEnv();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(process.env['CREDITBOOK_USERS_FILE']!, { force: true });
});

async function req(url: string, init: { method?: string; body?: unknown; user?: User | null } = {}): Promise<Request> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.user) headers['cookie'] = (await signInCookie(init.user)).split(';')[0]!;
  return new Request(`http://localhost${url}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
}

const card = () => readFileSync(path.join(dir, 'rate-cards/kling-consumer/v2.yaml'), 'utf8');
const params = (p: Record<string, string>) => ({ params: Promise.resolve(p) });

describe('access', () => {
  it('answers 401 to anonymous calls and 403 to viewer writes', async () => {
    expect((await api.listRules(await req('/api/rules'))).status).toBe(401);
    expect((await api.quoteGet(await req('/api/quote?card=kling-consumer'))).status).toBe(401);
    const forbidden = await api.saveVersion(await req('/api/versions', { body: { text: card(), base_version: 2 }, user: viewer }));
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).errors[0].code).toBe('A_FORBIDDEN');
    const publish = await api.publishVersion(
      await req('/api/versions/rate-card/kling-consumer/2/publish', { body: { effective_from: `${NEXT_YEAR}-01-01` }, user: viewer }),
      params({ kind: 'rate-card', id: 'kling-consumer', version: '2' }),
    );
    expect(publish.status).toBe(403);
    expect((await api.listRules(await req('/api/rules', { user: viewer }))).status).toBe(200);
  });

  it('refuses a tampered session cookie', async () => {
    const r = new Request('http://localhost/api/rules', { headers: { cookie: 'creditbook_session=Fe26.2**forged' } });
    expect((await api.listRules(r)).status).toBe(401);
  });

  it('signs in with the demo accounts and rejects a wrong password', async () => {
    const ok = await api.login(await req('/api/auth/login', { body: { email: 'viewer@creditbook.local', password: 'creditbook-viewer' } }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/^creditbook_session=.+HttpOnly; SameSite=Lax/);
    const bad = await api.login(await req('/api/auth/login', { body: { email: 'viewer@creditbook.local', password: 'nope' } }));
    expect(bad.status).toBe(401);
    const missing = await api.login(await req('/api/auth/login', { body: { email: '' } }));
    expect(missing.status).toBe(400);
    expect((await missing.json()).errors.map((e: { path: string }) => e.path)).toEqual(['/email', '/password']);
  });
});

describe('bad input is a 400 with positioned errors; unknown ids are 404', () => {
  it('positions a formula error at its line and column, as validate does', async () => {
    const text = card().replace('credits: $cell($clip_credits, model, mode, duration_s)', 'credits: $cell($clip_credits, model, mode, duration_s');
    const res = await api.saveVersion(await req('/api/versions', { body: { text, base_version: 2 }, user: editor }));
    expect(res.status).toBe(400);
    const [e] = (await res.json()).errors;
    const line = text.split('\n').findIndex((l) => l.startsWith('credits:')) + 1;
    expect(e).toMatchObject({ code: 'F_COMPILE', file: 'rate-cards/kling-consumer/v3.yaml', line, path: '/credits' });
    expect(e.formatted).toMatch(new RegExp(`^rate-cards/kling-consumer/v3\\.yaml:${line}:\\d+: F_COMPILE `));
    const preview = await (await api.validate(await req('/api/validate', { body: { text, base_version: 2 }, user: viewer }))).json();
    expect(preview.errors.map((d: { code: string; line: number; col: number }) => [d.code, d.line, d.col])).toEqual([[e.code, e.line, e.col]]);
  });

  it('rejects malformed bodies and queries with the offending path', async () => {
    const json = await api.quotePost(await req('/api/quote', { body: '{not json', user: viewer }));
    expect(json.status).toBe(400);
    expect((await json.json()).errors[0].code).toBe('H_BAD_JSON');
    const date = await api.quoteGet(await req('/api/quote?card=kling-consumer&model=kling-v2-1&mode=pro&duration=5&on=2025-02-30', { user: viewer }));
    expect(date.status).toBe(400);
    expect((await date.json()).errors[0].path).toBe('/on');
    const dim = await api.quoteGet(await req('/api/quote?card=kling-consumer&model=kling-v9&mode=pro&duration=5&on=2025-10-01', { user: viewer }));
    expect(dim.status).toBe(400);
    expect((await dim.json()).errors[0]).toMatchObject({ code: 'Q_DIMENSION', path: '/request/model' });
    const variant = await api.compareRoute(await req('/api/compare', { body: { scenario: 'agency-campaigns', variants: ['nope'] }, user: viewer }));
    expect(variant.status).toBe(400);
    expect((await variant.json()).errors[0].path).toBe('/variants/0');
    const custom = await api.compareRoute(
      await req('/api/compare', { body: { scenario: 'agency-campaigns', custom: [{ name: 'x', plan: { billing: 'weekly' } }] }, user: viewer }),
    );
    expect(custom.status).toBe(400);
    expect((await custom.json()).errors[0].path).toMatch(/^\/custom\/0\/plan\/billing/);
  });

  it('answers 404 for unknown cards, scenarios, documents and versions', async () => {
    expect((await api.quoteGet(await req('/api/quote?card=nope&model=x', { user: viewer }))).status).toBe(404);
    expect((await api.compareRoute(await req('/api/compare?scenario=nope', { user: viewer }))).status).toBe(404);
    expect((await api.getDocument(await req('/api/rules/rate-card/nope', { user: viewer }), params({ kind: 'rate-card', id: 'nope' }))).status).toBe(404);
    expect((await api.getDocument(await req('/api/rules/widget/x', { user: viewer }), params({ kind: 'widget', id: 'x' }))).status).toBe(404);
    expect(
      (
        await api.getVersion(
          await req('/api/versions/rate-card/kling-consumer/9', { user: viewer }),
          params({ kind: 'rate-card', id: 'kling-consumer', version: '9' }),
        )
      ).status,
    ).toBe(404);
    const pub = await api.publishVersion(
      await req('/x', { body: { effective_from: `${NEXT_YEAR}-01-01` }, user: editor }),
      params({ kind: 'rate-card', id: 'kling-consumer', version: '9' }),
    );
    expect(pub.status).toBe(404);
  });
});

describe('same shapes as the CLI', () => {
  it('quote, compare and forecast return the engine results', async () => {
    const q = await (
      await api.quoteGet(await req('/api/quote?card=kling-consumer&model=kling-v2-5-turbo&mode=pro&duration=10&on=2025-10-01', { user: viewer }))
    ).json();
    expect(q).toMatchObject({ credits: 105, card: { id: 'kling-consumer', version: 2 }, unit: { name: 'credit', scale: 1 }, on: '2025-10-01' });
    expect(Object.keys(q)).toEqual(['credits', 'card', 'unit', 'on', 'request', 'trace']);
    const rules = (await loadStore(new DirectoryStore(dir))).rules;
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const expected = await compare(rules, scenario, { variants: ['turbo-migration'] });
    const got = await (await api.compareRoute(await req('/api/compare?scenario=agency-campaigns&variant=turbo-migration', { user: viewer }))).json();
    expect(got).toEqual(JSON.parse(JSON.stringify(expected)));
    const f = await (
      await api.forecastRoute(await req('/api/forecast', { body: { scenario: 'agency-campaigns', variant: 'monthly-expiry' }, user: viewer }))
    ).json();
    expect(f.variant).toBe('monthly-expiry');
    expect(f.totals.expired).toBe(expected.runs[0]!.totals.expired + 24_320);
  });

  it("exports the live workbook of exactly the compared runs, its totals the engine's", async () => {
    const res = await api.exportRoute(await req('/api/export', { body: { view: 'compare', scenario: 'steady-studio', variants: ['pro-tier'] }, user: viewer }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('steady-studio-compare.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Compare')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['Metric', 'base', 'pro-tier', 'Δ pro-tier']);
    // exceljs reads a formula's cached 0 (`<v>0</v>` in the file) back as no result.
    const cached = (v: ExcelJS.CellValue) => (typeof v === 'object' && v !== null && 'formula' in v ? (v.result ?? 0) : v);
    const rows = new Map<string, unknown[]>();
    sheet.eachRow((row, n) => {
      if (n > 1) rows.set(String(row.getCell(1).value), [cached(row.getCell(2).value), cached(row.getCell(3).value)]);
    });
    const rules = (await loadStore(new DirectoryStore(dir))).rules;
    const expected = await compare(rules, rules.latest('Scenario', 'steady-studio')!.doc, { variants: ['pro-tier'] });
    for (const [label, key] of [
      ['Credits consumed', 'consumed'],
      ['Credits expired', 'expired'],
      ['Spend', 'spend'],
      ['Demand (credits)', 'demand'],
    ] as const) {
      expect(rows.get(label)!.map(Number), label).toEqual(expected.runs.map((r) => Number(r.totals[key])));
    }
  });
});

describe('edits are safe', () => {
  it('saves a draft, refuses a stale base with 409, publishes once and never again', async () => {
    const text = card().replace('"5": 32 ', '"5": 31 ');
    const saved = await api.saveVersion(await req('/api/versions', { body: { text, base_version: 2, note: 'std 5 s' }, user: editor }));
    expect(saved.status).toBe(201);
    expect(await saved.json()).toMatchObject({ version: 3, status: 'draft', path: 'rate-cards/kling-consumer/v3.yaml' });
    const stale = await api.saveVersion(await req('/api/versions', { body: { text, base_version: 2 }, user: editor }));
    expect(stale.status).toBe(409);
    expect((await stale.json()).errors[0].code).toBe('T_CONFLICT');
    const p = params({ kind: 'rate-card', id: 'kling-consumer', version: '3' });
    expect((await api.submitVersion(await req('/x', { body: { note: 'std 5 s to 31' }, user: editor }), p)).status).toBe(200);
    expect((await api.reviewVersion(await req('/x', { body: { decision: 'approve' }, user: approver }), p)).status).toBe(200);
    const badDate = await api.publishVersion(await req('/x', { body: { effective_from: '2027-13-01' }, user: editor }), p);
    expect(badDate.status).toBe(400);
    expect((await badDate.json()).errors[0]).toMatchObject({ code: 'R_BAD_DATE', path: '/effective_from' });
    expect((await api.publishVersion(await req('/x', { body: { effective_from: `${NEXT_YEAR}-01-01` }, user: editor }), p)).status).toBe(200);
    const again = await api.publishVersion(
      await req('/x', { body: { effective_from: `${NEXT_YEAR}-02-01` }, user: editor }),
      params({ kind: 'rate-card', id: 'kling-consumer', version: '3' }),
    );
    expect(again.status).toBe(409);
    expect((await again.json()).errors[0].code).toBe('T_IMMUTABLE');
    const diff = await (await api.diffVersions(await req('/x?a=2&b=3', { user: viewer }), params({ kind: 'rate-card', id: 'kling-consumer' }))).json();
    expect(diff.changes).toEqual([{ request: { model: 'kling-v2-5-turbo', mode: 'std', duration_s: 5, resolution: '720p' }, old: 32, new: 31, pct: '-3.13' }]);
    expect(diff.impact.find((s: { scenario: string }) => s.scenario === 'steady-studio').after.demand).toBe(
      diff.impact.find((s: { scenario: string }) => s.scenario === 'steady-studio').before.demand - 144,
    );
  });
});

describe('review before publish', () => {
  const p = params({ kind: 'plan-catalog', id: 'kling-plans', version: '2' });
  const plans = () => readFileSync(path.join(dir, 'plans/kling-plans/v1.yaml'), 'utf8');

  it('publish is refused without an approval by someone else', async () => {
    // Pro from 37.00 to 40.00 a month.
    const text = plans().replace(/price_month: "37\.00"/, 'price_month: "40.00"');
    expect(text).not.toBe(plans());
    const saved = await api.saveVersion(await req('/api/versions', { body: { text, base_version: 1 }, user: approver }));
    expect(saved.status).toBe(201);
    const code = async (r: Response) => [r.status, (await r.clone().json()).errors?.[0]?.code ?? 'ok'];
    expect(await code(await api.publishVersion(await req('/x', { body: { effective_from: `${NEXT_YEAR}-01-01` }, user: approver }), p))).toEqual([
      409,
      'T_NOT_APPROVED',
    ]);
    // The note is required; a viewer may not submit; an editor may not approve.
    expect(await code(await api.submitVersion(await req('/x', { body: { note: ' ' }, user: approver }), p))).toEqual([400, 'T_NOTE_REQUIRED']);
    expect(await code(await api.submitVersion(await req('/x', { body: { note: 'Pro to 40' }, user: viewer }), p))).toEqual([403, 'A_FORBIDDEN']);
    expect(await code(await api.submitVersion(await req('/x', { body: { note: 'Pro to 40' }, user: approver }), p))).toEqual([200, 'ok']);
    expect(await code(await api.reviewVersion(await req('/x', { body: { decision: 'approve' }, user: editor }), p))).toEqual([403, 'A_FORBIDDEN']);
    // An approver never approves their own draft.
    expect(await code(await api.reviewVersion(await req('/x', { body: { decision: 'approve' }, user: approver }), p))).toEqual([403, 'T_SELF_REVIEW']);
    expect(await code(await api.publishVersion(await req('/x', { body: { effective_from: `${NEXT_YEAR}-01-01` }, user: approver }), p))).toEqual([
      409,
      'T_NOT_APPROVED',
    ]);
    const other: User = { email: 'second-approver@creditbook.local', name: 'Sam', role: 'approver' };
    expect(await code(await api.reviewVersion(await req('/x', { body: { decision: 'reject' }, user: other }), p))).toEqual([400, 'T_NOTE_REQUIRED']);
    expect(await code(await api.reviewVersion(await req('/x', { body: { decision: 'approve', note: 'matches the price list' }, user: other }), p))).toEqual([
      200,
      'ok',
    ]);
    // A past date: an editor may not; an approver may, with a reason.
    expect(await code(await api.publishVersion(await req('/x', { body: { effective_from: '2020-01-01' }, user: editor }), p))).toEqual([400, 'T_BACKDATED']);
    expect(await code(await api.publishVersion(await req('/x', { body: { effective_from: `${NEXT_YEAR}-01-01` }, user: editor }), p))).toEqual([200, 'ok']);
    const v2 = await (await api.getVersion(await req('/x', { user: viewer }), p)).json();
    expect(v2.trail.map((e: { action: string; by: string }) => [e.action, e.by])).toEqual([
      ['submitted', 'approver@creditbook.local'],
      ['approved', 'second-approver@creditbook.local'],
      ['published', 'editor@creditbook.local'],
    ]);
    // The plan-catalog diff names the changed price, and the scenarios on that catalog are re-run.
    const diff = await (await api.diffVersions(await req('/x?a=1&b=2', { user: viewer }), params({ kind: 'plan-catalog', id: 'kling-plans' }))).json();
    expect(diff.fields).toEqual([{ path: 'subscriptions[pro].price_month', old: '37.00', new: '40.00', pct: '8.11' }]);
    // agency-campaigns pays for Pro monthly over its 24 months (horizon 24): 24 x 3.00 = 72.00 more spend; steady-studio (Standard) is unchanged.
    const spendDelta = (id: string) => {
      const s = diff.impact.find((x: { scenario: string }) => x.scenario === id);
      return Number(s.after.spend) - Number(s.before.spend);
    };
    expect(spendDelta('agency-campaigns')).toBe(72);
    expect(spendDelta('steady-studio')).toBe(0);
    // Scheduled for next year, so it can still be withdrawn, with a reason.
    expect(await code(await api.withdrawVersion(await req('/x', { body: {}, user: editor }), p))).toEqual([400, 'T_NOTE_REQUIRED']);
    expect(await code(await api.withdrawVersion(await req('/x', { body: { note: 'announced too early' }, user: editor }), p))).toEqual([200, 'ok']);
    expect((await (await api.getVersion(await req('/x', { user: viewer }), p)).json()).status).toBe('withdrawn');
  });

  it('a merge of two non-overlapping edits keeps both', async () => {
    const v1 = plans();
    // They saved v3 (on top of the withdrawn v2) raising Standard to 11.00; my edit, from v2, raised Premier to 95.00.
    const v2 = (await (await api.getVersion(await req('/x', { user: viewer }), params({ kind: 'plan-catalog', id: 'kling-plans', version: '2' }))).json())
      .text as string;
    const theirs = v2.replace('price_month: "10.00"', 'price_month: "11.00"');
    expect((await api.saveVersion(await req('/api/versions', { body: { text: theirs, base_version: 2 }, user: editor }))).status).toBe(201);
    const mine = v2.replace(/price_month: "92\.00"/, 'price_month: "95.00"');
    expect(mine).not.toBe(v2);
    expect((await api.saveVersion(await req('/api/versions', { body: { text: mine, base_version: 2 }, user: editor }))).status).toBe(409);
    const merged = await (await api.mergeEdit(await req('/api/merge', { body: { text: mine, base_version: 2 }, user: editor }))).json();
    expect(merged).toMatchObject({ base: 2, theirs: 3, conflicts: [], merged: [['subscriptions', 3, 'price_month']] });
    expect(merged.text).toContain('price_month: "11.00"');
    expect(merged.text).toContain('price_month: "95.00"');
    const saved = await api.saveVersion(await req('/api/versions', { body: { text: merged.text, base_version: 3 }, user: editor }));
    expect(saved.status).toBe(201);
    const v4 = (await (await api.getVersion(await req('/x', { user: viewer }), params({ kind: 'plan-catalog', id: 'kling-plans', version: '4' }))).json())
      .document;
    expect(v4.subscriptions.map((t: { id: string; price_month: string }) => [t.id, t.price_month])).toEqual([
      ['free', '0.00'],
      ['standard', '11.00'],
      ['pro', '40.00'],
      ['premier', '95.00'],
      ...v4.subscriptions.slice(4).map((t: { id: string; price_month: string }) => [t.id, t.price_month]),
    ]);
    expect(v1).toContain('price_month: "92.00"');
  });
});

describe('runs that cannot price their demand', () => {
  it('are invalid: a variant moving kling-v2-1 to Master in mode std prices neither of its two kling-v2-1 lines', async () => {
    const { isInvalidRun, unpricedLines } = await import('../lib/runs.ts');
    const custom = [{ name: 'master-std', migrate: [{ from: { model: 'kling-v2-1' }, to: { model: 'kling-v2-1-master', mode: 'std' }, share: 1 }] }];
    const res = await api.compareRoute(await req('/api/compare', { body: { scenario: 'agency-campaigns', variants: [], custom }, user: viewer }));
    expect(res.status).toBe(200);
    const runs = (await res.json()).runs as { name: string; problems: { code: string; message: string; path?: string }[] }[];
    const [base, bad] = [runs.find((r) => r.name === 'base')!, runs.find((r) => r.name === 'master-std')!];
    expect(isInvalidRun(base)).toBe(false);
    expect(isInvalidRun(bad)).toBe(true);
    // agency-campaigns has two kling-v2-1 lines (std 5 s and pro 10 s); Master allows neither mode.
    expect(unpricedLines(bad.problems)).toBe(2);
  });
});

describe('sign-in without script', () => {
  it('redirects a form post to next with the cookie, or back to the sign-in page', async () => {
    const form = (fields: Record<string, string>) =>
      new Request('http://localhost/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    const ok = await api.login(form({ email: 'editor@creditbook.local', password: 'creditbook-editor', next: '/what-if' }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/what-if');
    expect(ok.headers.get('set-cookie')).toMatch(/^creditbook_session=/);
    const bad = await api.login(form({ email: 'editor@creditbook.local', password: 'wrong', next: '//evil.example' }));
    expect(bad.status).toBe(303);
    expect(bad.headers.get('location')).toBe('/login?error=1&next=%2Frules');
    expect(bad.headers.get('set-cookie')).toBeNull();
  });
});
