import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparePlatforms, forecast, loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { platformReport } from './support/platform-report.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const loaded = loadStore(new DirectoryStore(path.join(root, 'rules')));

describe("docs/platforms.md: what each platform's expiry rule costs, from the engine", () => {
  it("the page's tables are exactly what the engine computes from the bundled rules", async () => {
    const { rules, errors } = await loaded;
    expect(errors).toEqual([]);
    const doc = readFileSync(path.join(root, 'docs', 'platforms.md'), 'utf8');
    const block = /<!-- platform-report:start -->\n([\s\S]*?)\n<!-- platform-report:end -->/.exec(doc)?.[1];
    expect(block, 'docs/platforms.md has the platform-report block').toBeDefined();
    expect(block!.trim()).toBe((await platformReport(rules)).trim());
  });

  it('long validity wins for bursty demand and not for steady demand: monthly expiry costs the agency more, the studio nothing', async () => {
    const { rules } = await loaded;
    const saving = async (id: string) => {
      const s = rules.latest('Scenario', id)!.doc;
      const long = await forecast(rules, s);
      const monthly = await forecast(rules, s, { variant: 'monthly-expiry' });
      expect(long.totals.expired).toBeLessThan(monthly.totals.expired);
      return Number(monthly.totals.spend) - Number(long.totals.spend);
    };
    const bursty = await saving('agency-campaigns');
    const steady = await saving('steady-studio');
    expect(bursty).toBeGreaterThan(0);
    expect(steady).toBe(0);
  });

  it('a platform whose subscription credits reset monthly expires some of what the bursty agency pays for; Kling on 24-month credits expires none of it', async () => {
    const { rules } = await loaded;
    const c = await comparePlatforms(rules, rules.latest('Scenario', 'agency-campaigns')!.doc);
    const kling = c.platforms.filter((r) => r.platform === 'kling');
    for (const r of kling) expect(r.expired).toBe(0);
    expect(c.platforms.some((r) => r.platform !== 'kling' && Number(r.expired_value) > 0)).toBe(true);
  });
});
