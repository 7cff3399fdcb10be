import ExcelJS from 'exceljs';
import { comparePlatforms, loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { describe, expect, it } from 'vitest';
import { platformsExportRoute, platformsRoute } from '../lib/platforms.ts';
import type { User } from '../lib/users.ts';
import { getAs, useRulesCopy, viewer } from './support/rules-copy.ts';

let dir: string;

useRulesCopy('platforms', (d) => (dir = d));

const get = (url: string, user: User | null = viewer) => getAs(url, user);

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
