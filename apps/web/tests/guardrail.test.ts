import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { resetEnv } from '../lib/env.ts';
import { publishGuardrail } from '../lib/guardrail.ts';
import { documentDiff } from '../lib/impact.ts';
import { diffVersions, publishVersion } from '../lib/routes.ts';
import { loadRules } from '../lib/store.ts';
import { usageUpload } from '../lib/usage.ts';
import { signInCookie } from '../lib/session.ts';
import type { User } from '../lib/users.ts';

const ROOT = path.resolve(__dirname, '../../..');
const NEXT_YEAR = new Date().getUTCFullYear() + 1;
let dir: string;
const editor: User = { email: 'editor@creditbook.local', name: 'Erin Editor', role: 'editor' };
const approver: User = { email: 'approver@creditbook.local', name: 'Alex Approver', role: 'approver' };

/**
 * An approved draft of kling-consumer from v2, with 2.1 pro 10 s 70 -> 84 (+20 %) and, when `guardrail`
 * is given, that guardrail block; submitted by the editor and approved by the approver.
 */
function approvedDraft(version: number, guardrail: string | null): void {
  const v2 = readFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8');
  const text = v2
    .replace('version: 2', `version: ${version}`)
    .replace('status: published', 'status: draft')
    .replace(/ {2}published_by: creditbook\n {2}published_at: .*\n/, '')
    .replace(
      'based_on: 1\n',
      'based_on: 2\n  trail:\n    - { action: submitted, by: editor@creditbook.local, at: 2025-10-10T09:00:00Z, note: 2.1 pro up }\n    - { action: approved, by: approver@creditbook.local, at: 2025-10-10T10:00:00Z }\n',
    )
    .replace('pool: consumer\n', `pool: consumer\n${guardrail ?? ''}`)
    .replace(/("10": )70( +# SECONDARY-AGREE: "Kling 2.1 Pro")/, '$184$2');
  writeFileSync(path.join(dir, `rules/rate-cards/kling-consumer/v${version}.yaml`), text);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-web-guardrail-'));
  cpSync(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
  process.env['CREDITBOOK_RULES_DIR'] = path.join(dir, 'rules');
  process.env['CREDITBOOK_USAGE_DB'] = path.join(dir, 'usage.duckdb');
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  resetEnv();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function post(url: string, body: unknown, user: User, type = 'application/json'): Promise<Request> {
  return new Request(`http://localhost${url}`, {
    method: 'POST',
    headers: { 'content-type': type, cookie: (await signInCookie(user)).split(';')[0]! },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const publishAs = async (user: User, version: number, body: Record<string, unknown>) => {
  const r = await publishVersion(await post('/x', { effective_from: `${NEXT_YEAR}-01-01`, ...body }, user), {
    params: Promise.resolve({ kind: 'rate-card', id: 'kling-consumer', version: String(version) }),
  });
  const json = (await r.json()) as { errors?: { code: string; message: string }[] };
  return [r.status, json.errors?.[0]?.code ?? 'ok', json.errors?.[0]?.message ?? null] as const;
};

// a: two 2.1 pro 10 s (2 x 70 = 140 -> 2 x 84 = 168, +20 %); b: one Master 10 s (280 -> 280, 0 %)
const EVENTS = `customer,time,model,mode,duration_s,resolution
a,2025-10-01T00:00:00Z,kling-v2-1,pro,10,1080p
a,2025-10-02T00:00:00Z,kling-v2-1,pro,10,1080p
b,2025-10-03T00:00:00Z,kling-v2-1-master,,10,
`;

describe('the publish guardrail', () => {
  it('without usage there is no backtest and nothing is guarded', async () => {
    approvedDraft(3, 'guardrail:\n  p95_increase_pct: 10\n');
    const check = await publishGuardrail((await loadRules()).result.rules, 'kling-consumer', 3);
    expect(check).toMatchObject({ against: 2, usage_events: 0, guardrail: { p95_increase_pct: 10 }, backtest: null, breaches: [], needs_override: false });
    // and the diff has no usage reach to say
    const rules = (await loadRules()).result.rules;
    expect((await documentDiff(rules, 'RateCard', 'kling-consumer', 2, 3))!.usage_reach).toBeNull();
  });

  it('over the guardrail the API refuses to publish without an approver’s override, and records the override', async () => {
    const up = await usageUpload(await post('/api/usage?name=events.csv', EVENTS, editor, 'text/csv'));
    expect(up.status).toBe(201);
    const check = (await publishGuardrail((await loadRules()).result.rules, 'kling-consumer', 3))!;
    // totals 140 + 280 = 420 -> 168 + 280 = 448, +28 = +6.67 %; per customer [0, 20]: p95 = 2nd of 2 (nearest rank ceil(0.95 x 2)) = 20
    expect(check.backtest!.totals).toMatchObject({ events: 3, customers: 2, credits_from: 420, credits_to: 448, delta: 28, delta_pct: 6.67 });
    expect(check.backtest!.distribution).toMatchObject({ customers: 2, p50: 0, p95: 20, max: 20 });
    expect(check.breaches).toEqual(['p95 per-customer change +20.00% over 10%']);
    expect(check.needs_override).toBe(true);

    // The diff says whom the change reaches: a's two 2.1 pro events change, b's Master does not:
    // 1 of 2 customers (50 %), 2 of 3 generations (66.667 % -> 66.67)
    const diff = await diffVersions(
      new Request('http://localhost/api/versions/rate-card/kling-consumer/diff?a=2&b=3', { headers: { cookie: (await signInCookie(editor)).split(';')[0]! } }),
      { params: Promise.resolve({ kind: 'rate-card', id: 'kling-consumer' }) },
    );
    expect((await diff.json()).usage_reach).toEqual({
      ok: true,
      card: 'kling-consumer',
      from: 2,
      to: 3,
      reach: 'all',
      customers: 2,
      events: 3,
      generations: 3,
      changed_customers: 1,
      changed_events: 2,
      changed_generations: 2,
      customers_pct: 50,
      generations_pct: 66.67,
    });

    // Refused by the API itself: no override, an editor's override, an approver's empty reason.
    const refusal = [409, 'T_GUARDRAIL', expect.stringContaining('p95 per-customer change +20.00% over 10%')];
    expect(await publishAs(editor, 3, {})).toEqual(refusal);
    expect(await publishAs(editor, 3, { guardrail_override: 'launch pricing' })).toEqual(refusal);
    expect(await publishAs(approver, 3, { guardrail_override: ' ' })).toEqual(refusal);
    expect((await publishAs(approver, 3, { guardrail_override: 42 }))[0]).toBe(400);
    let v3 = (await loadStore(new DirectoryStore(path.join(dir, 'rules')))).rules.get('RateCard', 'kling-consumer', 3)!.doc;
    expect(v3.status).toBe('draft');

    expect(await publishAs(approver, 3, { guardrail_override: '2.1 Pro costs us more since October' })).toEqual([200, 'ok', null]);
    v3 = (await loadStore(new DirectoryStore(path.join(dir, 'rules')))).rules.get('RateCard', 'kling-consumer', 3)!.doc;
    expect(v3.status).toBe('published');
    expect(v3.audit.trail!.at(-1)).toMatchObject({
      action: 'published',
      by: 'approver@creditbook.local',
      note: 'guardrail override (p95 per-customer change +20.00% over 10%): 2.1 Pro costs us more since October',
    });
  });

  it('a draft cannot loosen the guardrail of the version in force; within it, it publishes without an override', async () => {
    // v4: v2 with 2.1 pro 10 s at 84 (as v3) and a looser guardrail of 25 %. v3 is scheduled for next year, so
    // today v2 is in force and is the base (no guardrail of its own): v4's 25 % applies.
    approvedDraft(4, 'guardrail:\n  p95_increase_pct: 25\n');
    const check = (await publishGuardrail((await loadRules()).result.rules, 'kling-consumer', 4))!;
    // against v2 (in force today): p95 20 % is within 25 %
    expect(check).toMatchObject({ against: 2, guardrail: { p95_increase_pct: 25 }, breaches: [], needs_override: false });
    // next year v3 is in force: its 10 % is the stricter and applies; 84 -> 84 is no change, so within it
    const later = (await publishGuardrail((await loadRules()).result.rules, 'kling-consumer', 4, { today: `${NEXT_YEAR}-06-01` }))!;
    expect(later).toMatchObject({ against: 3, guardrail: { p95_increase_pct: 10 }, breaches: [], needs_override: false });
    expect(await publishAs(editor, 4, { effective_from: `${NEXT_YEAR}-02-01` })).toEqual([200, 'ok', null]);
  });
});
