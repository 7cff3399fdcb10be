import { expect } from 'vitest';
import type { ForecastResult } from '@creditbook/engine';
import Decimal from 'decimal.js';

/** Asserts every ledger invariant of DESIGN.md on a forecast. */
export function expectInvariants(r: ForecastResult): void {
  const closingBy = new Map<string, number>();
  for (const p of r.periods) {
    const where = `${r.scenario}/${r.variant ?? 'base'} ${p.pool} ${p.period}`;
    expect(p.opening, `${where} opening = previous closing`).toBe(closingBy.get(p.pool) ?? 0);
    expect(p.opening + p.granted + p.purchased - p.consumed - p.expired, `${where} balance`).toBe(p.closing);
    expect(p.consumed + p.unmet, `${where} consumed + unmet = demand`).toBe(p.demand);
    for (const k of [
      'opening',
      'granted',
      'purchased',
      'consumed',
      'expired',
      'demand',
      'unmet',
      'overdraft',
      'overdrawn',
      'settled',
      'rolled_over',
    ] as const) {
      if (k === 'opening' && p.opening < 0) continue; // an overdraft carried in
      expect(Number.isInteger(p[k]) && p[k] >= 0, `${where} ${k} is a non-negative integer`).toBe(true);
    }
    // Closing is negative only by what is owed on overdraft.
    expect(Number.isInteger(p.closing) && p.closing + p.overdraft >= 0, `${where} closing + overdraft >= 0`).toBe(true);
    expect(p.overdrawn <= p.consumed, `${where} overdrawn is part of consumed`).toBe(true);
    expect(p.spend).toMatch(/^\d+\.\d{2}$/);
    expect(p.expired_value).toMatch(/^\d+\.\d{2}$/);
    closingBy.set(p.pool, p.closing);
  }
  // closing = sum of lot remainders less what is owed, per pool, at the end.
  const last = new Map(r.periods.map((p) => [p.pool, p] as const));
  for (const [pool, closing] of closingBy) {
    const lots = r.lots.filter((l) => l.pool === pool).reduce((a, l) => a + l.remaining, 0);
    expect(lots - (last.get(pool)?.overdraft ?? 0), `${pool} closing = lot remainders − overdraft`).toBe(closing);
  }
  for (const l of r.lots) {
    expect(l.consumed + l.expired + l.rolled_over + l.remaining, `${l.id} amount`).toBe(l.amount);
    if (l.rolled_from !== undefined) {
      // A rolled lot holds exactly what rolled out of the lot it came from.
      expect(r.lots.find((o) => o.id === l.rolled_from)?.rolled_over, `${l.id} rolled in`).toBe(l.amount);
    }
    expect(l.draws.reduce((a, d) => a + d.credits, 0)).toBe(l.consumed);
    for (const d of l.draws) {
      expect(d.period >= l.granted_period && (l.last_valid_period === 'never' || d.period <= l.last_valid_period), `${l.id} drawn while valid`).toBe(true);
    }
  }
  const spend = r.periods.reduce((a, p) => a.plus(p.spend), new Decimal(0));
  expect(spend.toFixed(2)).toBe(r.totals.spend);
  const consumed = r.periods.reduce((a, p) => a + p.consumed, 0);
  expect(consumed).toBe(r.totals.consumed);
}
