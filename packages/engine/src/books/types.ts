import type { LotSource, RevenueMethod } from '../rules/types.ts';

/** What a lot's credits are, for the books: paid (by kind) or free of charge. */
export type BooksCategory = 'paid_subscription' | 'paid_top_up' | 'api_package' | 'enterprise' | 'free' | 'promotional';

/**
 * A lot as the books read it: one price paid for a number of credits. Periods are indices on the
 * run's calendar (0 = its first period); a lot paid for ahead (the months of an annual plan) has a
 * `billed` period before its `granted` one, which may lie past the horizon.
 */
export interface BookLot {
  id: string;
  pool: string;
  source: LotSource;
  category: BooksCategory;
  /** The tier, pack or grant that created it. */
  ref: string;
  /** Price paid, in whole cents of the run's currency (0 for free credits). */
  priceCents: number;
  credits: number;
  billed: number;
  granted: number;
  /** Last period its credits are valid; null when they never expire. */
  lastValid: number | null;
  /** Credits drawn, by period (ascending, one entry per period with a draw). */
  draws: readonly { i: number; credits: number }[];
  /** The rule version that set the price (e.g. `PlanCatalog kling-plans v1`). */
  priceRule: string;
}

/** The revenue terms of one period: the method and each paid source's expected breakage rate. */
export interface PeriodTerms {
  method: RevenueMethod;
  /** Expected breakage per source, as exact decimal strings ('0' when none). */
  rates: Record<'subscription' | 'top_up' | 'api_package' | 'custom_package', string>;
  /** Where the terms come from: `ValidityPolicy id vN`, or the what-if flags. */
  rule: string;
}

/** Overrides for a what-if (the CLI's --method and --breakage-rate): they apply to every paid source. */
export interface BooksOptions {
  method?: RevenueMethod;
  /** Expected breakage rate for every paid source, 0 ≤ r < 1 (a decimal string or a number). */
  breakageRate?: string | number;
  /** `false`: the figures without journal lines (`journal` is empty), for a comparison that shows the totals only. */
  journal?: boolean;
}

/** One pool in one period, in one currency: the rollforward of deferred revenue. */
export interface BooksRow {
  period: string;
  pool: string;
  currency: string;
  /** Cash for the credits granted or bought in the period. */
  billings: string;
  revenue_usage: string;
  revenue_breakage: string;
  /** revenue_usage + revenue_breakage. */
  revenue: string;
  deferred_opening: string;
  deferred_closing: string;
  /** Deferred revenue of credits whose last valid period is within the next 12 months. */
  current: string;
  non_current: string;
  /** Credits held at the end of the period (paid and free: the ledger's closing balance). */
  credits_outstanding: number;
}

/** A run's books summed over its periods (one currency). */
export interface BooksTotals {
  currency: string;
  billings: string;
  revenue: string;
  revenue_usage: string;
  revenue_breakage: string;
  deferred_opening: string;
  deferred_closing: string;
  /** The highest month-end deferred revenue (all pools together) and when. */
  deferred_peak: string;
  deferred_peak_period: string | null;
  credits_outstanding: number;
}

/** One lot's recognition within the horizon. */
export interface BooksLot {
  id: string;
  pool: string;
  source: LotSource;
  category: BooksCategory;
  ref: string;
  price: string;
  credits: number;
  billed_period: string;
  granted_period: string;
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- 'never' is the value the JSON carries for a lot that does not expire
  last_valid_period: string | 'never';
  used: number;
  revenue_usage: string;
  revenue_breakage: string;
  deferred_closing: string;
}

export type Account = 'Cash' | 'Deferred revenue' | 'Revenue - credit usage' | 'Revenue - breakage';

/** One line of a journal entry; an entry's lines balance (debits = credits). */
export interface JournalLine {
  entry: string;
  period: string;
  /** Last day of the period: the posting date. */
  date: string;
  account: Account;
  debit: string;
  credit: string;
  currency: string;
  pool: string;
  lot: string;
  source: LotSource;
  /** The rule versions the amount follows from. */
  rules: string;
  memo: string;
}

/** The books of one run: the JSON shape of `creditbook books --json`. */
export interface BooksResult {
  scenario: string;
  variant: string | null;
  currency: string;
  /** `proportional` when any period expects breakage, else `at-expiry`. */
  method: RevenueMethod;
  /** The terms in force, as ranges of periods. */
  terms: (PeriodTerms & { from: string; to: string })[];
  periods: BooksRow[];
  totals: BooksTotals & { by_pool: Record<string, BooksTotals> };
  lots: BooksLot[];
  journal: JournalLine[];
}
