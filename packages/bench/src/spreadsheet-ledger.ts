import { HyperFormula } from 'hyperformula';
import { calendar, compileCard, profileCount, type RuleSet, type Scenario } from '@creditbook/engine';

/**
 * The credit ledger of a subscription-plus-auto-top-up scenario written as spreadsheet formulas,
 * the way an analyst would model it, for HyperFormula to recompute: one block of rows per variant,
 * one column per month. It covers the shape of `agency-campaigns` (one pool, one tier, one auto
 * pack, every lot valid the same number of months, so the burn order is first in, first out) and
 * refuses scenarios outside it rather than model them wrongly.
 */
export interface SpreadsheetLedger {
  readonly hf: HyperFormula;
  readonly variants: number;
  readonly horizon: number;
  /** Formula cells in the model. */
  readonly formulas: number;
  /** Sets the credits of one demand line for every variant (a global input). */
  setLinePrice(line: number, credits: number): void;
  /** Sets one variant's demand scale (a local input). */
  setScale(variant: number, scale: number): void;
  totals(variant: number): SpreadsheetTotals;
  destroy(): void;
}

export interface SpreadsheetTotals {
  consumed: number;
  purchased: number;
  expired: number;
  spend: number;
  expiredValue: number;
}

/** What the model needs from the rules: the prices and the plan the scenario resolves to. */
export interface LedgerShape {
  linePrices: number[];
  baseCounts: number[][];
  subscriptionCredits: number;
  subscriptionPrice: number;
  packCredits: number;
  packPrice: number;
  validityMonths: number;
}

const METRICS = 12;

/** Reads the scenario's shape from the rules, checking it is one the formulas model faithfully. */
export async function ledgerShape(rules: RuleSet, scenario: Scenario): Promise<LedgerShape> {
  const problem = (why: string) => new Error(`the spreadsheet ledger does not model ${scenario.id}: ${why}`);
  const cal = calendar(scenario.start, scenario.horizon, scenario.granularity ?? 'month');
  if (cal.granularity !== 'month') throw problem('daily periods');
  const pools = Object.keys(scenario.rules.cards);
  if (pools.length !== 1) throw problem('more than one pool');
  if (scenario.purchases?.policy !== 'auto' || !scenario.purchases.pack || scenario.purchases.scheduled?.length) throw problem('not auto top-ups of one pack');
  if (scenario.grants?.length) throw problem('promotional grants');
  const cat = rules.inForce('PlanCatalog', scenario.plan.catalog, cal.date(0))?.doc;
  const pol = rules.inForce('ValidityPolicy', scenario.rules.validity, cal.date(0))?.doc;
  if (!cat || !pol) throw problem('no catalog or policy in force');
  const tier = (cat.subscriptions ?? []).find((t) => t.id === scenario.plan.subscription);
  const pack = (cat.top_ups ?? []).find((p) => p.id === scenario.purchases?.pack);
  if (!tier || !pack || (scenario.plan.billing ?? 'monthly') !== 'monthly') throw problem('no monthly tier or no top-up pack');
  const sub = pol.sources.subscription;
  const top = pol.sources.top_up;
  if (!sub?.validity?.months || top?.validity?.months !== sub.validity.months || sub.priority >= top.priority) throw problem('lots with different validity');
  if (cat.daily_free && (scenario.plan.daily_free ?? cat.daily_free.tiers.includes(tier.id))) throw problem('daily free credits');
  const linePrices: number[] = [];
  const cardId = scenario.rules.cards[pools[0]!]!;
  for (const line of scenario.demand) {
    const prices = new Set<number>();
    for (let i = 0; i < cal.horizon; i++) {
      const card = rules.inForce('RateCard', cardId, cal.date(i))?.doc;
      if (!card) throw problem(`no card in force on ${cal.date(i)}`);
      const priced = await compileCard(card).price(line.request);
      if (!priced.ok) throw problem(`${line.id} does not price: ${priced.detail}`);
      prices.add(priced.credits);
    }
    if (prices.size !== 1) throw problem(`the price of ${line.id} changes over the horizon`);
    linePrices.push([...prices][0]!);
  }
  return {
    linePrices,
    baseCounts: scenario.demand.map((line) => Array.from({ length: cal.horizon }, (_, i) => profileCount(line, cal, i))),
    subscriptionCredits: tier.credits_per_month,
    subscriptionPrice: Number(tier.price_month),
    packCredits: pack.credits,
    packPrice: Number(pack.price),
    validityMonths: sub.validity.months,
  };
}

function col(c: number): string {
  let s = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/**
 * Builds the model. Sheet `Inputs`: A1.. line prices, then subscription credits and price, pack
 * credits and price; rows 2.. the base count of each demand line per month. Sheet `Ledger`: per
 * variant a block of rows — its demand scale in column A and, per month (column B onward): each
 * line's count, demand, opening, shortfall, packs, purchased, cumulative lots, cumulative
 * consumed, expired, cumulative expired, closing, spend, expired value.
 */
export function buildSpreadsheetLedger(shape: LedgerShape, scales: readonly number[]): SpreadsheetLedger {
  const L = shape.linePrices.length;
  const H = shape.baseCounts[0]?.length ?? 0;
  const V = shape.validityMonths;
  const inputs: (number | string)[][] = [
    [...shape.linePrices, shape.subscriptionCredits, shape.subscriptionPrice, shape.packCredits, shape.packPrice],
    ...shape.baseCounts,
  ];
  const P = (k: number) => `Inputs!$${col(k)}$1`;
  const SUBC = P(L);
  const SUBP = P(L + 1);
  const PACKC = P(L + 2);
  const PACKP = P(L + 3);
  const rowsPer = L + METRICS;
  const ledger: (number | string)[][] = [];
  let formulas = 0;
  for (let v = 0; v < scales.length; v++) {
    const r0 = v * rowsPer; // 0-based row of the block
    const at = (metric: number, t: number) => `${col(t + 1)}${r0 + L + metric + 1}`;
    const scale = `$A$${r0 + 1}`;
    const block: (number | string)[][] = Array.from({ length: rowsPer }, (_, i) => [i === 0 ? scales[v]! : '']);
    for (let t = 0; t < H; t++) {
      const c = t + 1;
      for (let l = 0; l < L; l++) block[l]![c] = `=ROUND(Inputs!${col(c - 1)}${l + 2}*${scale},0)`;
      const demand = Array.from({ length: L }, (_, l) => `${col(c)}${r0 + l + 1}*${P(l)}`).join('+');
      const prev = (m: number) => (t === 0 ? '0' : at(m, t - 1));
      const m = {
        demand: `=${demand}`,
        opening: t === 0 ? '=0' : `=${at(9, t - 1)}`,
        short: `=MAX(0,${at(0, t)}-${at(1, t)}-${SUBC})`,
        packs: `=ROUNDUP(${at(2, t)}/${PACKC},0)`,
        purchased: `=${at(3, t)}*${PACKC}`,
        lots: `=${prev(5)}+${SUBC}+${at(4, t)}`,
        consumed: `=${prev(6)}+${at(0, t)}`,
        expired: t < V - 1 ? '=0' : `=MAX(0,${at(5, t - V + 1)}-${at(6, t)}-${prev(8)})`,
        expiredCum: `=${prev(8)}+${at(7, t)}`,
        closing: `=${at(1, t)}+${SUBC}+${at(4, t)}-${at(0, t)}-${at(7, t)}`,
        spend: `=${SUBP}+${at(3, t)}*${PACKP}`,
        // The expiring group's pack credits burn last, so they are what is left first.
        expiredValue:
          t < V - 1
            ? '=0'
            : `=ROUND(MIN(${at(7, t)},${at(4, t - V + 1)})*${PACKP}/${PACKC}+(${at(7, t)}-MIN(${at(7, t)},${at(4, t - V + 1)}))*${SUBP}/${SUBC},2)`,
      };
      Object.values(m).forEach((f, k) => (block[L + k]![c] = f));
      formulas += L + METRICS;
    }
    ledger.push(...block);
  }
  const hf = HyperFormula.buildFromSheets({ Inputs: inputs, Ledger: ledger }, { licenseKey: 'gpl-v3' });
  const inputsId = hf.getSheetId('Inputs')!;
  const ledgerId = hf.getSheetId('Ledger')!;
  const value = (row: number, c: number) => Number(hf.getCellValue({ sheet: ledgerId, row, col: c }));
  return {
    hf,
    variants: scales.length,
    horizon: H,
    formulas,
    setLinePrice: (line, credits) => void hf.setCellContents({ sheet: inputsId, row: 0, col: line }, credits),
    setScale: (variant, scale) => void hf.setCellContents({ sheet: ledgerId, row: variant * rowsPer, col: 0 }, scale),
    totals(variant) {
      const r = (metric: number) => variant * rowsPer + L + metric;
      let purchased = 0;
      let spend = 0;
      let expiredValue = 0;
      for (let t = 0; t < H; t++) {
        purchased += value(r(4), t + 1);
        spend += value(r(10), t + 1);
        expiredValue += value(r(11), t + 1);
      }
      return {
        consumed: value(r(6), H),
        purchased,
        expired: value(r(8), H),
        spend: Math.round(spend * 100) / 100,
        expiredValue: Math.round(expiredValue * 100) / 100,
      };
    },
    destroy: () => hf.destroy(),
  };
}

/**
 * n demand scales from 0.2 to 1.8 in steps of 1/100,000, nudged so that no count times a scale is
 * exactly a half: then rounding has no ties, and float products cannot fall on either side of one.
 */
export function sweepScales(n: number, counts: readonly number[]): number[] {
  const distinct = [...new Set(counts)];
  return Array.from({ length: n }, (_, k) => {
    let units = Math.round((0.2 + (1.6 * k) / Math.max(1, n - 1)) * 1e5);
    while (distinct.some((c) => (c * units) % 100_000 === 50_000)) units++;
    return units / 1e5;
  });
}
