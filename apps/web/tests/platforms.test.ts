import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { comparePlatforms, loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnv } from '../lib/env.ts';
import { platformsExportRoute, platformsRoute } from '../lib/platforms.ts';
import { signInCookie } from '../lib/session.ts';
import type { User } from '../lib/users.ts';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
const viewer: User = { email: 'viewer@creditbook.local', name: 'Victor Viewer', role: 'viewer' };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-web-platforms-'));
  cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
  process.env['CREDITBOOK_RULES_DIR'] = dir;
  process.env['CREDITBOOK_SESSION_SECRET'] = 'unit-test-secret-0123456789abcdefghijkl';
  resetEnv();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function get(url: string, user: User | null = viewer): Promise<Request> {
  const headers: Record<string, string> = {};
  if (user) headers['cookie'] = (await signInCookie(user)).split(';')[0]!;
  return new Request(`http://localhost${url}`, { headers });
}

describe('GET /api/platforms and /api/platforms/export', () => {
  it('answers what the engine (and `creditbook platforms --json`) computes; 401 signed out; 404 for an unknown scenario; 400 for an unknown platform', async () => {
    expect((await platformsRoute(await get('/api/platforms?scenario=steady-studio', null))).status).toBe(401);
    const res = await platformsRoute(await get('/api/platforms?scenario=steady-studio'));
    expect(res.status).toBe(200);
    const { rules } = await loadStore(new DirectoryStore(dir));
    const want = await comparePlatforms(rules, rules.latest('Scenario', 'steady-studio')!.doc);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(want)));
    expect((await platformsRoute(await get('/api/platforms?scenario=nope'))).status).toBe(404);
    const bad = await platformsRoute(await get('/api/platforms?scenario=steady-studio&platform=nope'));
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].code).toBe('C_UNKNOWN_REFERENCE');
  });

  it('exports the comparison as a workbook: one Platforms row per run, with the figures of the JSON', async () => {
    const json = await (await platformsRoute(await get('/api/platforms?scenario=agency-campaigns'))).json();
    const res = await platformsExportRoute(await get('/api/platforms/export?scenario=agency-campaigns'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="agency-campaigns-platforms.xlsx"');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Platforms')!;
    expect(sheet.rowCount - 1).toBe(json.platforms.length);
    const cached = (v: unknown) => (typeof v === 'object' && v !== null && 'formula' in v ? ((v as { result?: unknown }).result ?? 0) : v);
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const at = (title: string) => header.indexOf(title) + 1;
    json.platforms.forEach((p: { spend: string; expired_value: string; cost_per_second: string | null }, i: number) => {
      const row = sheet.getRow(i + 2);
      expect(Number(row.getCell(at('Spend')).value).toFixed(2)).toBe(p.spend);
      expect(Number(row.getCell(at('Expired value')).value).toFixed(2)).toBe(p.expired_value);
      const cps = row.getCell(at('Cost per served s')).value;
      expect(typeof cps === 'object' && cps !== null && 'formula' in cps).toBe(true); // a live formula
      if (p.cost_per_second !== null) expect(Number(cached(cps)).toFixed(4)).toBe(p.cost_per_second);
    });
  });
});
