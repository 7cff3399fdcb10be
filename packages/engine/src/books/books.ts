import type { Calendar } from '../ledger/calendar.ts';
import type { ForecastResult } from '../ledger/types.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import { bookLots, isPaid, runCalendar } from './lots.ts';
import { schedule, type Step } from './recognise.ts';
import { periodTerms } from './terms.ts';
import type { Account, BookLot, BooksLot, BooksOptions, BooksResult, BooksRow, BooksTotals, JournalLine, PeriodTerms } from './types.ts';

/** Whole cents as a two-place decimal string. */
export function centsText(c: number): string {
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(c);
  const whole = Math.floor(a / 100);
  const frac = a - whole * 100;
  return `${sign}${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/** A whole number of 10^-places (a safe integer) as a decimal string with that many places. */
export function placesText(n: number, places: number): string {
  if (places === 2) return centsText(n);
  const unit = 10 ** places;
  const a = Math.abs(n);
  const whole = Math.floor(a / unit);
  return `${n < 0 ? '-' : ''}${whole}.${String(a - whole * unit).padStart(places, '0')}`;
}

/** A decimal string with at most `places` places as a whole number of 10^-places (the inverse of `placesText`), when that is exact; else undefined. */
export function placesValue(text: string, places: number): number | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m || (m[3]?.length ?? 0) > places) return undefined;
  const n = Number(m[2]!) * 10 ** places + Number((m[3] ?? '').padEnd(places, '0'));
  if (!Number.isSafeInteger(n)) return undefined;
  return m[1] ? -n : n;
}

/** The books of a forecast run: revenue, breakage and deferred revenue per pool and period, and the journal. */
export function books(rules: RuleSet, result: ForecastResult, options: BooksOptions = {}): BooksResult {
  const cal = runCalendar(result);
  const labels = Array.from({ length: cal.horizon }, (_, i) => cal.label(i));
  const terms = periodTerms(rules, labels, result.versions, options);
  const pools = [...new Set([...result.periods.map((p) => p.pool), ...result.lots.map((l) => l.pool)])];
  return booksOfLots({
    scenario: result.scenario,
    variant: result.variant,
    currency: result.currency,
    cal,
    pools,
    terms,
    lots: bookLots(result),
    journal: options.journal !== false,
  });
}

/** The first period in which a lot whose last valid period is `last` is current: valid for at most 12 more months. */
export function currentFromPeriod(cal: Calendar, last: number): number {
  let t = last - (cal.granularity === 'month' ? 13 : 367);
  while (last - t > cal.validPeriods({ months: 12 }, t)) t++;
  return t;
}

/** Everything the books need from a run: its calendar, revenue terms per period and lots. */
export interface BooksInput {
  scenario: string;
  variant: string | null;
  currency: string;
  cal: Calendar;
  pools: readonly string[];
  terms: readonly PeriodTerms[];
  lots: readonly BookLot[];
  /** `false`: no journal lines (the figures are the same). */
  journal?: boolean;
}

/** Adds v over periods [a, b) of a difference array. */
function addRange(diff: number[], a: number, b: number, v: number): void {
  if (v === 0 || a >= b) return;
  diff[a]! += v;
  diff[b]! -= v;
}

/** Prefix sums of a difference array (its last cell is past the horizon). */
function integrate(diff: readonly number[]): number[] {
  const out: number[] = [];
  let x = 0;
  for (let i = 0; i < diff.length - 1; i++) out.push((x += diff[i]!));
  return out;
}

interface PoolSeries {
  billings: number[];
  usage: number[];
  breakage: number[];
  current: number[];
  nonCurrent: number[];
  credits: number[];
}

const ENTRY_ORDER = { billing: 0, usage: 1, breakage: 2 } as const;

/** The books of a run from its lots (the kernel; `books` feeds it a forecast). */
export function booksOfLots(input: BooksInput): BooksResult {
  const { cal, terms, currency } = input;
  const H = terms.length;
  const pools = [...input.pools];
  const series = new Map<string, PoolSeries>();
  const seriesOf = (pool: string): PoolSeries => {
    let s = series.get(pool);
    if (!s) {
      if (!pools.includes(pool)) pools.push(pool);
      const z = () => new Array<number>(H + 1).fill(0);
      series.set(pool, (s = { billings: z(), usage: z(), breakage: z(), current: z(), nonCurrent: z(), credits: z() }));
    }
    return s;
  };
  for (const p of pools) seriesOf(p);
  const currentFrom = (last: number) => currentFromPeriod(cal, last);
  const endOf = (i: number) => (cal.granularity === 'month' ? `${cal.label(i)}-${String(cal.days(i)).padStart(2, '0')}` : cal.date(i));

  const entries: { i: number; kind: keyof typeof ENTRY_ORDER; seq: number; lines: Omit<JournalLine, 'entry'>[] }[] = [];
  let seq = 0;
  const journaled = input.journal !== false;
  const entry = (i: number, kind: keyof typeof ENTRY_ORDER, lot: BookLot, amount: number, debit: Account, credit: Account, rules: string, memo: string) => {
    if (amount === 0 || !journaled) return;
    // A negative amount (a catch-up that lowers revenue) books the other way round.
    const [dr, cr] = amount > 0 ? [debit, credit] : [credit, debit];
    const a = centsText(Math.abs(amount));
    const line = (account: Account, side: 'debit' | 'credit'): Omit<JournalLine, 'entry'> => ({
      period: cal.label(i),
      date: endOf(i),
      account,
      debit: side === 'debit' ? a : '0.00',
      credit: side === 'credit' ? a : '0.00',
      currency,
      pool: lot.pool,
      lot: lot.id,
      source: lot.source,
      rules,
      memo,
    });
    entries.push({ i, kind, seq: seq++, lines: [line(dr, 'debit'), line(cr, 'credit')] });
  };

  const lotsOut: BooksLot[] = [];
  for (const lot of input.lots) {
    const s = seriesOf(lot.pool);
    const paid = isPaid(lot);
    const steps: Step[] = paid ? schedule(lot, terms) : [];
    // Billings and the billing entry.
    if (paid && lot.billed >= 0 && lot.billed < H) {
      s.billings[lot.billed]! += lot.priceCents;
      if (journaled) {
        const ahead = lot.granted > lot.billed ? `, granted ${cal.label(lot.granted)}` : '';
        entry(
          lot.billed,
          'billing',
          lot,
          lot.priceCents,
          'Cash',
          'Deferred revenue',
          lot.priceRule,
          `${lot.credits} credits, ${lot.ref} (${lot.source})${ahead}`,
        );
      }
    }
    // Revenue per step, as differences of cumulative amounts.
    let prev: Step | undefined;
    for (const st of steps) {
      const du = st.usage - (prev?.usage ?? 0);
      const db = st.recognised - st.usage - ((prev?.recognised ?? 0) - (prev?.usage ?? 0));
      s.usage[st.i]! += du;
      s.breakage[st.i]! += db;
      if (journaled) {
        const rule = `${lot.priceRule}; ${terms[st.i]!.rule}`;
        const usedNow = st.used - (prev?.used ?? 0);
        entry(st.i, 'usage', lot, du, 'Deferred revenue', 'Revenue - credit usage', rule, `${usedNow} credits used (${st.used} of ${lot.credits})`);
        let why: string;
        if (st.expired) why = `${lot.credits - st.used} credits expired unused`;
        else if (prev && prev.rate !== st.rate && usedNow === 0) why = `catch-up: expected breakage ${prev.rate} -> ${st.rate}`;
        else why = `expected breakage ${st.rate}${prev && prev.rate !== st.rate ? ` (was ${prev.rate}: catch-up)` : ''}`;
        entry(st.i, 'breakage', lot, db, 'Deferred revenue', 'Revenue - breakage', rule, why);
      }
      prev = st;
    }
    // Deferred revenue: price less recognised to date, from billing on, split current / non-current.
    if (paid && lot.billed < H) {
      const split = lot.lastValid === null ? H : Math.max(0, currentFrom(lot.lastValid));
      const put = (a: number, b: number, v: number) => {
        addRange(s.nonCurrent, a, Math.min(b, split), v);
        addRange(s.current, Math.max(a, split), b, v);
      };
      let a = Math.max(0, lot.billed);
      let recognised = 0;
      for (const st of steps) {
        put(a, st.i, lot.priceCents - recognised);
        a = st.i;
        recognised = st.recognised;
      }
      put(a, H, lot.priceCents - recognised);
    }
    // Credits outstanding: what is left of the lot from its grant until it expires.
    if (lot.granted < H && lot.credits > 0) {
      const stop = lot.lastValid === null ? H : Math.min(lot.lastValid, H);
      let a = Math.max(0, lot.granted);
      let left = lot.credits;
      for (const d of lot.draws) {
        if (d.i >= stop) break;
        addRange(s.credits, a, Math.max(a, d.i), left);
        a = Math.max(a, d.i);
        left -= d.credits;
      }
      addRange(s.credits, a, stop, left);
    }
    const last = steps[steps.length - 1];
    lotsOut.push({
      id: lot.id,
      pool: lot.pool,
      source: lot.source,
      category: lot.category,
      ref: lot.ref,
      price: centsText(lot.priceCents),
      credits: lot.credits,
      billed_period: cal.label(lot.billed),
      granted_period: cal.label(lot.granted),
      last_valid_period: lot.lastValid === null ? 'never' : cal.label(lot.lastValid),
      used: last?.used ?? 0,
      revenue_usage: centsText(last?.usage ?? 0),
      revenue_breakage: centsText((last?.recognised ?? 0) - (last?.usage ?? 0)),
      deferred_closing: centsText(paid && lot.billed < H ? lot.priceCents - (last?.recognised ?? 0) : 0),
    });
  }

  // Rows, per pool and period; totals per pool and for the run.
  const periods: BooksRow[] = [];
  const byPool: Record<string, BooksTotals> = {};
  const closingAll = new Array<number>(H).fill(0);
  const sum = { billings: 0, usage: 0, breakage: 0, closing: 0, credits: 0 };
  const rowsOf = new Map<string, BooksRow[]>();
  for (const pool of pools) {
    const s = series.get(pool)!;
    const current = integrate(s.current);
    const nonCurrent = integrate(s.nonCurrent);
    const credits = integrate(s.credits);
    const rows: BooksRow[] = [];
    let opening = 0;
    const t = { billings: 0, usage: 0, breakage: 0 };
    let peak = 0;
    let peakAt: number | null = null;
    for (let i = 0; i < H; i++) {
      const closing = current[i]! + nonCurrent[i]!;
      rows.push({
        period: cal.label(i),
        pool,
        currency,
        billings: centsText(s.billings[i]!),
        revenue_usage: centsText(s.usage[i]!),
        revenue_breakage: centsText(s.breakage[i]!),
        revenue: centsText(s.usage[i]! + s.breakage[i]!),
        deferred_opening: centsText(opening),
        deferred_closing: centsText(closing),
        current: centsText(current[i]!),
        non_current: centsText(nonCurrent[i]!),
        credits_outstanding: credits[i]!,
      });
      t.billings += s.billings[i]!;
      t.usage += s.usage[i]!;
      t.breakage += s.breakage[i]!;
      closingAll[i]! += closing;
      if (closing > peak) [peak, peakAt] = [closing, i];
      opening = closing;
    }
    rowsOf.set(pool, rows);
    byPool[pool] = totalsOf(currency, t, H > 0 ? opening : 0, credits[H - 1] ?? 0, peak, peakAt === null ? null : cal.label(peakAt));
    sum.billings += t.billings;
    sum.usage += t.usage;
    sum.breakage += t.breakage;
    sum.closing += H > 0 ? opening : 0;
    sum.credits += credits[H - 1] ?? 0;
  }
  for (let i = 0; i < H; i++) for (const pool of pools) periods.push(rowsOf.get(pool)![i]!);
  let peak = 0;
  let peakAt: number | null = null;
  closingAll.forEach((c, i) => {
    if (c > peak) [peak, peakAt] = [c, i];
  });
  const totals = { ...totalsOf(currency, sum, sum.closing, sum.credits, peak, peakAt === null ? null : cal.label(peakAt)), by_pool: byPool };

  entries.sort((x, y) => x.i - y.i || ENTRY_ORDER[x.kind] - ENTRY_ORDER[y.kind] || x.seq - y.seq);
  const journal: JournalLine[] = [];
  entries.forEach((e, k) => {
    const id = `J${String(k + 1).padStart(5, '0')}`;
    for (const l of e.lines) journal.push({ entry: id, ...l });
  });

  return {
    scenario: input.scenario,
    variant: input.variant,
    currency,
    method: terms.some((t) => t.method === 'proportional') ? 'proportional' : 'at-expiry',
    terms: termRanges(cal, terms),
    periods,
    totals,
    lots: lotsOut,
    journal,
  };
}

function totalsOf(
  currency: string,
  t: { billings: number; usage: number; breakage: number },
  closing: number,
  credits: number,
  peak: number,
  peakAt: string | null,
): BooksTotals {
  return {
    currency,
    billings: centsText(t.billings),
    revenue: centsText(t.usage + t.breakage),
    revenue_usage: centsText(t.usage),
    revenue_breakage: centsText(t.breakage),
    deferred_opening: '0.00',
    deferred_closing: centsText(closing),
    deferred_peak: centsText(peak),
    deferred_peak_period: peakAt,
    credits_outstanding: credits,
  };
}

/** Periods with the same terms, as ranges. */
function termRanges(cal: Calendar, terms: readonly PeriodTerms[]): BooksResult['terms'] {
  const out: BooksResult['terms'] = [];
  terms.forEach((t, i) => {
    const last = out[out.length - 1];
    if (last && last.rule === t.rule && last.method === t.method && JSON.stringify(last.rates) === JSON.stringify(t.rates)) last.to = cal.label(i);
    else out.push({ ...t, from: cal.label(i), to: cal.label(i) });
  });
  return out;
}

/** The books of several runs together: rows of one currency, pool and period add up; currencies never mix. */
export interface CombinedBooks {
  currencies: string[];
  periods: BooksRow[];
  totals: Record<string, BooksTotals>;
  journal: JournalLine[];
}

const MONEY_FIELDS = ['billings', 'revenue_usage', 'revenue_breakage', 'revenue', 'deferred_opening', 'deferred_closing', 'current', 'non_current'] as const;

/** A two-place amount of the books in whole cents. */
function cents(text: string): number {
  return placesValue(text, 2) ?? Math.round(Number(text) * 100);
}

/** Adds the books of runs (a portfolio of scenarios, perhaps in different currencies). */
export function combineBooks(results: readonly BooksResult[]): CombinedBooks {
  const rows = new Map<string, BooksRow>();
  for (const r of results) {
    for (const row of r.periods) {
      const key = `${row.currency}\u0000${row.pool}\u0000${row.period}`;
      const have = rows.get(key);
      if (!have) {
        rows.set(key, { ...row });
        continue;
      }
      for (const k of MONEY_FIELDS) have[k] = centsText(cents(have[k]) + cents(row[k]));
      have.credits_outstanding += row.credits_outstanding;
    }
  }
  const periods = [...rows.values()].sort(
    (a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0) || (a.period < b.period ? -1 : a.period > b.period ? 1 : 0),
  );
  const currencies = [...new Set(periods.map((p) => p.currency))];
  const totals: Record<string, BooksTotals> = {};
  for (const c of currencies) {
    const mine = periods.filter((p) => p.currency === c);
    const labels = [...new Set(mine.map((p) => p.period))].sort();
    const t = { billings: 0, usage: 0, breakage: 0 };
    for (const p of mine) {
      t.billings += cents(p.billings);
      t.usage += cents(p.revenue_usage);
      t.breakage += cents(p.revenue_breakage);
    }
    let peak = 0;
    let peakAt: string | null = null;
    let closing = 0;
    let credits = 0;
    for (const label of labels) {
      const at = mine.filter((p) => p.period === label);
      closing = at.reduce((s, p) => s + cents(p.deferred_closing), 0);
      credits = at.reduce((s, p) => s + p.credits_outstanding, 0);
      if (closing > peak) [peak, peakAt] = [closing, label];
    }
    totals[c] = totalsOf(c, t, closing, credits, peak, peakAt);
  }
  return {
    currencies,
    periods,
    totals,
    journal: results.flatMap((r) => r.journal.map((l) => ({ ...l, entry: `${r.scenario}${r.variant ? `:${r.variant}` : ''}/${l.entry}` }))),
  };
}
