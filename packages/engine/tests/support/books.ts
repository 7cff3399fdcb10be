import { expect } from 'vitest';
import Decimal from 'decimal.js';
import type { BooksResult, ForecastResult } from '@creditbook/engine';

const c = (s: string) => new Decimal(s);

/**
 * Asserts the books' invariants on the books of a forecast: the rollforward to the cent in every
 * pool and period (opening + billings − revenue = closing), closing = the sum over lots of price −
 * recognised, current + non-current = closing, billings = the ledger's cash, credits outstanding =
 * the ledger's closing balance, every lot's revenue at most its price (all of it once expired), and
 * every journal entry balancing.
 */
export function expectBooksInvariants(b: BooksResult, f: ForecastResult): void {
  const money = /^-?\d+\.\d{2}$/;
  const closingBy = new Map<string, Decimal>();
  const ledger = new Map(f.periods.map((p) => [`${p.pool} ${p.period}`, p]));
  for (const row of b.periods) {
    const where = `${b.scenario}/${b.variant ?? 'base'} ${row.pool} ${row.period}`;
    for (const k of ['billings', 'revenue_usage', 'revenue_breakage', 'revenue', 'deferred_opening', 'deferred_closing', 'current', 'non_current'] as const) {
      expect(row[k], `${where} ${k}`).toMatch(money);
    }
    expect(row.deferred_opening, `${where} opening = previous closing`).toBe((closingBy.get(row.pool) ?? c('0')).toFixed(2));
    expect(c(row.revenue).toFixed(2), `${where} revenue = usage + breakage`).toBe(c(row.revenue_usage).plus(row.revenue_breakage).toFixed(2));
    expect(c(row.deferred_opening).plus(row.billings).minus(row.revenue).toFixed(2), `${where} rollforward`).toBe(row.deferred_closing);
    expect(c(row.current).plus(row.non_current).toFixed(2), `${where} current + non-current`).toBe(row.deferred_closing);
    expect(c(row.deferred_closing).gte(0), `${where} deferred revenue is never negative`).toBe(true);
    const l = ledger.get(`${row.pool} ${row.period}`);
    expect(l, `${where} has a ledger row`).toBeDefined();
    expect(row.credits_outstanding, `${where} credits outstanding = ledger closing`).toBe(l!.closing);
    expect(row.billings, `${where} billings = ledger spend`).toBe(l!.spend);
    closingBy.set(row.pool, c(row.deferred_closing));
  }
  const lotsDeferred = b.lots.reduce((a, l) => a.plus(l.deferred_closing), c('0'));
  const closing = [...closingBy.values()].reduce((a, x) => a.plus(x), c('0'));
  expect(lotsDeferred.toFixed(2), 'closing = sum over lots of price − recognised').toBe(closing.toFixed(2));
  expect(b.totals.deferred_closing).toBe(closing.toFixed(2));
  const last = f.periods[f.periods.length - 1]?.period ?? '';
  for (const l of b.lots) {
    const recognised = c(l.revenue_usage).plus(l.revenue_breakage);
    const free = l.category === 'free' || l.category === 'promotional';
    if (free) expect(recognised.isZero(), `${l.id} free credits carry no revenue`).toBe(true);
    expect(recognised.lte(l.price), `${l.id} recognised ≤ price`).toBe(true);
    if (!free && l.last_valid_period !== 'never' && l.last_valid_period <= last) expect(recognised.toFixed(2), `${l.id} expired: whole price`).toBe(l.price);
    if (!free && l.billed_period <= last) expect(c(l.price).minus(recognised).toFixed(2), `${l.id} deferred`).toBe(l.deferred_closing);
  }
  const entries = new Map<string, Decimal>();
  for (const j of b.journal) entries.set(j.entry, (entries.get(j.entry) ?? c('0')).plus(j.debit).minus(j.credit));
  for (const [id, balance] of entries) expect(balance.isZero(), `entry ${id} balances`).toBe(true);
  const deferredByJournal = b.journal.filter((j) => j.account === 'Deferred revenue').reduce((a, j) => a.plus(j.credit).minus(j.debit), c('0'));
  expect(deferredByJournal.toFixed(2), 'the journal leaves the closing deferred revenue').toBe(closing.toFixed(2));
  const cash = b.journal.filter((j) => j.account === 'Cash').reduce((a, j) => a.plus(j.debit), c('0'));
  expect(cash.toFixed(2), 'cash = billings').toBe(b.totals.billings);
  expect(b.totals.billings, 'billings = the ledger spend').toBe(f.totals.spend);
}
