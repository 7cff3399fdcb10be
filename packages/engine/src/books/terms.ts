import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import { D } from '../ledger/money.ts';
import type { VersionUse } from '../ledger/types.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import { PAID_SOURCES, type PaidSource, type RevenueTerms, type ValidityPolicy } from '../rules/types.ts';
import type { BooksOptions, PeriodTerms } from './types.ts';

const NO_RATES: PeriodTerms['rates'] = { subscription: '0', top_up: '0', api_package: '0', custom_package: '0' };

/** An expected breakage rate as an exact decimal string; a rate outside 0 ≤ r < 1 is API misuse. */
export function breakageRate(r: string | number): string {
  const text = String(r).trim();
  let d;
  try {
    d = new D(text);
  } catch {
    d = undefined;
  }
  if (!d || !d.isFinite() || d.lt(0) || d.gte(1)) {
    throw new CreditbookError([
      diagnostic({ code: 'C_REVENUE', detail: `expected breakage rate must be a number from 0 up to (not including) 1, got '${text}'` }),
    ]);
  }
  return d.toString();
}

/** The terms a validity policy version sets (at expiry, no breakage, when it has no revenue block). */
function policyTerms(policy: ValidityPolicy | undefined, rule: string): PeriodTerms {
  const revenue: RevenueTerms | undefined = policy?.revenue;
  if (!revenue || revenue.method === 'at-expiry') return { method: 'at-expiry', rates: NO_RATES, rule };
  const rates = { ...NO_RATES };
  for (const s of PAID_SOURCES) {
    const b = revenue.breakage?.[s];
    if (b !== undefined) rates[s] = breakageRate(b);
  }
  return { method: 'proportional', rates, rule };
}

/** Terms with the what-if flags applied: a method and/or one rate for every paid source. */
function override(t: PeriodTerms, options: BooksOptions): PeriodTerms {
  if (options.method === undefined && options.breakageRate === undefined) return t;
  const flags: string[] = [];
  if (options.method !== undefined) flags.push(`--method ${options.method}`);
  if (options.breakageRate !== undefined) flags.push(`--breakage-rate ${breakageRate(options.breakageRate)}`);
  const rule = `what-if ${flags.join(' ')}`;
  const method = options.method ?? (options.breakageRate !== undefined ? 'proportional' : t.method);
  if (method === 'at-expiry') {
    if (options.breakageRate !== undefined && !new D(breakageRate(options.breakageRate)).isZero()) {
      throw new CreditbookError([
        diagnostic({ code: 'C_REVENUE', detail: 'an expected breakage rate needs the proportional method (at expiry, breakage is what expires)' }),
      ]);
    }
    return { method, rates: NO_RATES, rule };
  }
  const rates = options.breakageRate === undefined ? t.rates : Object.fromEntries(PAID_SOURCES.map((s) => [s, breakageRate(options.breakageRate!)]));
  return { method, rates: rates as PeriodTerms['rates'], rule };
}

/**
 * The revenue terms of every period of a run: those of the validity policy version the forecast used
 * in that period (so a re-estimated rate applies from the period its version takes effect), or the
 * what-if overrides.
 */
export function periodTerms(rules: RuleSet, labels: readonly string[], versions: readonly VersionUse[], options: BooksOptions = {}): PeriodTerms[] {
  const uses = versions.filter((v) => v.kind === 'ValidityPolicy');
  const cache = new Map<VersionUse, PeriodTerms>();
  return labels.map((label) => {
    const use = uses.find((u) => u.from <= label && label <= u.to);
    let t = use && cache.get(use);
    if (!t) {
      const doc = use ? rules.get('ValidityPolicy', use.id, use.version)?.doc : undefined;
      t = override(policyTerms(doc, use ? `ValidityPolicy ${use.id} v${use.version}` : 'no revenue terms'), options);
      if (use) cache.set(use, t);
    }
    return t;
  });
}

/** The expected breakage rate of a source under a period's terms (0 for sources without a price). */
export function rateOf(t: PeriodTerms, source: string): string {
  return t.method === 'proportional' && (PAID_SOURCES as readonly string[]).includes(source) ? t.rates[source as PaidSource] : '0';
}
