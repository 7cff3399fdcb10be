import { daysInMonth, monthIndex, monthLabel } from './dates.ts';
import type { RuleSet } from './ruleset.ts';
import type { RateCard } from './types.ts';

/** A customer as reach sees them: the day they joined and how often their plan renews. */
export interface CustomerTerms {
  /** YYYY-MM-DD. */
  joined: string;
  billing: 'monthly' | 'annual';
}

function addMonths(date: string, n: number): string {
  const month = monthLabel(monthIndex(date.slice(0, 7)) + n);
  const [y, m] = month.split('-').map(Number) as [number, number];
  // A renewal on the 31st falls on the last day of a shorter month.
  return `${month}-${String(Math.min(Number(date.slice(8, 10)), daysInMonth(y, m))).padStart(2, '0')}`;
}

/** The customer's first renewal on or after a date (joined + whole billing periods). */
export function nextRenewal(customer: CustomerTerms, onOrAfter: string): string {
  const step = customer.billing === 'annual' ? 12 : 1;
  let k = 1;
  let at = addMonths(customer.joined, step);
  while (at < onOrAfter) at = addMonths(customer.joined, step * ++k);
  return at;
}

/**
 * Whether a card version applies to a customer on a date, by its reach: `all` from its effective
 * date; `new_customers` only to customers who joined on or after it (the others keep the version
 * they joined on); `next_renewal` to those, and to existing customers from their first renewal on
 * or after the effective date.
 */
export function reaches(card: RateCard, customer: CustomerTerms, date: string): boolean {
  if (date < card.effective_from) return false;
  const reach = card.reach ?? 'all';
  if (reach === 'all' || customer.joined >= card.effective_from) return true;
  if (reach === 'new_customers') return false;
  return date >= nextRenewal(customer, card.effective_from);
}

/** The published version of a card in force for a customer on a date: the highest that reaches them. */
export function cardForCustomer(rules: RuleSet, id: string, date: string, customer: CustomerTerms): RateCard | undefined {
  let best: RateCard | undefined;
  for (const d of rules.versions('RateCard', id)) {
    const card = d.doc;
    if (card.status === 'published' && reaches(card, customer, date) && (!best || card.version > best.version)) best = card;
  }
  return best;
}
