import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forecast, loadFiles } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { importEvents, parseCustomers, replayWallets, UsageDb } from '@creditbook/usage';
import { consumerV3, repoRoot, tempDir, write } from './support.ts';

const EVENTS = `customer,time,model,mode,duration_s,resolution,count
a,2025-10-01T00:00:00Z,kling-v2-1,pro,10,1080p,2
a,2025-11-15T00:00:00Z,kling-v2-1,std,5,720p,3
a,2025-11-20T00:00:00Z,kling-v2-1-master,,10,,10
b,2025-11-20T00:00:00Z,kling-v2-1,std,5,720p,1
`;

// Customer a as a scenario written by hand: the same demand, plan and start, card pinned to v3.
const BY_HAND = `kind: Scenario
id: a-by-hand
version: 1
effective_from: 2025-10-01
status: draft
audit: { author: test, saved_at: 2025-10-01T00:00:00Z, note: customer a by hand }
start: 2025-10
horizon: 2
plan: { catalog: kling-plans, subscription: standard, billing: monthly }
rules: { validity: kling-validity, cards: { consumer: kling-consumer }, pins: { kling-consumer: 3 } }
demand:
  - id: pro
    request: { model: kling-v2-1, mode: pro, duration_s: 10, resolution: 1080p }
    count: 0
    profile: { type: burst, bursts: [{ start: 2025-10, periods: 1, count: 2 }] }
  - id: std
    request: { model: kling-v2-1, mode: std, duration_s: 5, resolution: 720p }
    count: 0
    profile: { type: burst, bursts: [{ start: 2025-11, periods: 1, count: 3 }] }
  - id: master
    request: { model: kling-v2-1-master, duration_s: 10 }
    count: 0
    profile: { type: burst, bursts: [{ start: 2025-11, periods: 1, count: 10 }] }
purchases: { policy: auto, pack: topup-330 }
`;

describe('wallet replay', () => {
  it('equals forecasting the customer as a scenario, and matches the ledger by hand', async () => {
    const files = await new DirectoryStore(path.join(repoRoot, 'rules')).list();
    const v2 = files.find((f) => f.path === 'rate-cards/kling-consumer/v2.yaml')!;
    const loaded = await loadFiles([
      ...files,
      { path: 'rate-cards/kling-consumer/v3.yaml', text: consumerV3(v2.text) },
      { path: 'scenarios/a-by-hand.yaml', text: BY_HAND },
    ]);
    expect(loaded.errors).toEqual([]);
    const rules = loaded.rules;
    const db = await UsageDb.open(':memory:');
    await importEvents(db, write(tempDir(), 'events.csv', EVENTS));
    const catalog = rules.latest('PlanCatalog', 'kling-plans')!.doc;
    const { customers, errors } = parseCustomers('customer,plan,billing,start\na,standard,monthly,2025-10\nb,,monthly,2025-11\n', 'customers.csv', catalog);
    expect(errors).toEqual([]);
    const replay = await replayWallets(db, rules, {
      card: 'kling-consumer',
      from: 2,
      to: 3,
      customers,
      catalog: 'kling-plans',
      validity: 'kling-validity',
      pack: 'topup-330',
    });
    db.close();
    if (!replay.ok) throw new Error(replay.errors.map((e) => e.message).join('\n'));
    const a = replay.result.customers.find((c) => c.customer === 'a')!;

    const byHand = await forecast(rules, rules.latest('Scenario', 'a-by-hand')!.doc);
    expect(a.to).toMatchObject({
      spend: byHand.totals.spend,
      purchased: byHand.totals.purchased,
      consumed: byHand.totals.consumed,
      unmet: byHand.totals.unmet,
      expired: byHand.totals.expired,
      breakage: byHand.totals.expired_value,
    });

    // v3, Standard ($10 a month, 660 credits, valid 24 months): October 2 x 80 = 160 of 660, 500 left;
    // November 660 more = 1,160 for 3 x 25 + 10 x 280 = 2,875: short 1,715 -> ceil(1,715 / 330) = 6 packs of $5.
    // consumed 160 + 2,875 = 3,035; spend 2 x $10 + 6 x $5 = $50.00; nothing expires within the two months.
    expect(a.to).toEqual({ spend: '50.00', topup_spend: '30.00', purchased: 1980, consumed: 3035, unmet: 0, expired: 0, breakage: '0.00' });
    // v2: 2 x 70 = 140 in October, 3 x 20 + 2,800 = 2,860 in November: short 2,860 - (520 + 660) = 1,680 -> 6 packs, the same $50.00
    expect(a.from).toMatchObject({ spend: '50.00', purchased: 1980, consumed: 3000 });
    expect(a.spend_delta).toBe('0.00');
    // The books of both wallets under each version (kling-validity: proportional, b = 5 % for subscriptions and
    // top-ups, so a lot is fully recognised once 95 % of it is used: P x used / (C x 0.95); usage P x used / C).
    // v3, burn order soonest last-valid, then priority (subscription before top-up): the October and November
    // subscription lots are used up (10.00 each, fully recognised); the six packs bought in November are one lot of
    // 1,980 credits for 30.00, used 1,715: recognised 30 x 1,715 / (1,980 x 0.95) = 27.352 -> 27.35, usage 30 x 1,715 / 1,980
    // = 25.985 -> 25.98, breakage 1.37. v2: the pack lot used 1,680: recognised 30 x 1,680 / 1,881 = 26.794 -> 26.79,
    // usage 25.4545 -> 25.45, breakage 1.34. b buys nothing: no money. Billings 2 x 10 + 6 x 5 = 50.00 under both.
    // Deferred at the end of October: 10 - 10 x 160 / 627 (= 2.5518 -> 2.55) = 7.45 (v3); 10 - 10 x 140 / 627 (= 2.2329 -> 2.23) = 7.77 (v2),
    // the peak; at the end of November 50 - 47.35 = 2.65 (v3), 50 - 46.79 = 3.21 (v2).
    const booked = replay.result.books!;
    expect(booked.from).toMatchObject({
      currency: 'USD',
      billings: '50.00',
      revenue: '46.79',
      revenue_usage: '45.45',
      revenue_breakage: '1.34',
      deferred_closing: '3.21',
      deferred_peak: '7.77',
      deferred_peak_period: '2025-10',
    });
    expect(booked.to).toMatchObject({
      billings: '50.00',
      revenue: '47.35',
      revenue_usage: '45.98',
      revenue_breakage: '1.37',
      deferred_closing: '2.65',
      deferred_peak: '7.45',
      deferred_peak_period: '2025-10',
    });
    expect(booked.delta).toEqual({
      billings: '0.00',
      revenue: '0.56',
      revenue_usage: '0.53',
      revenue_breakage: '0.03',
      deferred_peak: '-0.32',
      deferred_closing: '-0.56',
    });
    // b has no plan and no pack it may buy (top-ups are for paid tiers): its 20 credits are unmet under both
    const b = replay.result.customers.find((c) => c.customer === 'b')!;
    expect([b.from.unmet, b.to.unmet, b.from.spend]).toEqual([20, 25, '0.00']);
  });

  it('reports bad customer rows by line and column', () => {
    const catalog = { id: 'kling-plans', subscriptions: [{ id: 'standard' }] } as never;
    const { errors } = parseCustomers('customer,plan,billing,start\na,gold,monthly,2025-10\na,standard,weekly,2025\n', 'c.csv', catalog);
    expect(errors.map((e) => [e.code, e.line, e.col])).toEqual([
      ['U_VALUE', 2, 2],
      ['U_VALUE', 3, 1],
      ['U_VALUE', 3, 3],
      ['U_VALUE', 3, 4],
    ]);
  });
});
