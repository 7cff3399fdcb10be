import { compiledCard } from '../quote/card.ts';
import type { Priced, QuoteRequest } from '../quote/card.ts';
import { cardForCustomer, type CustomerTerms } from '../rules/reach.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { PlanCatalog, RateCard, RuleDocument, ValidityPolicy } from '../rules/types.ts';
import type { Calendar } from './calendar.ts';
import type { LedgerPlan } from './plan.ts';

/** Supplies one cache keeps (a comparison or a portfolio uses a few dozen). */
const SUPPLIES = 256;

type Resolvable = 'PlanCatalog' | 'ValidityPolicy' | 'RateCard';
type DocOf<K extends Resolvable> = K extends 'PlanCatalog' ? PlanCatalog : K extends 'ValidityPolicy' ? ValidityPolicy : RateCard;

/** Series by kind, id, pin (or the date a customer joined) and the customer's billing ('' for none). */
type Nested = Map<unknown, Map<unknown, Map<unknown, Map<string, (RuleDocument | undefined)[]>>>>;

/** The map under `key` in `m`, made when missing. */
function within<K, V>(m: Map<K, Map<unknown, V>>, key: K): Map<unknown, V> {
  let inner = m.get(key);
  if (!inner) m.set(key, (inner = new Map<unknown, V>()));
  return inner;
}

/**
 * What runs of one rule set share: the documents in force per period and the price of each request
 * per card version (a card's price never changes). One cache belongs to one rule set; pass the same
 * cache to every run of a sweep or a comparison, a new one (or none) otherwise.
 */
export class PricingCache {
  /** Per calendar (calendars are shared and immutable), the series by document, pin and customer. */
  private readonly series = new WeakMap<Calendar, Nested>();
  private readonly prices = new WeakMap<RateCard, Map<string, Priced>>();
  private readonly requestKeys = new WeakMap<object, string>();

  /** Plans by their supply (see `planOf`), the least recently used forgotten past SUPPLIES. */
  private readonly supplies = new Map<string, LedgerPlan>();

  constructor(readonly rules: RuleSet) {}

  /** A plan derived before for the same supply (lots, billings, policies, pools), if any. */
  supply(key: string): LedgerPlan | undefined {
    const plan = this.supplies.get(key);
    if (plan) {
      this.supplies.delete(key);
      this.supplies.set(key, plan);
    }
    return plan;
  }

  /** Keeps a plan as the one of its supply. */
  keepSupply(key: string, plan: LedgerPlan): void {
    if (this.supplies.size >= SUPPLIES) this.supplies.delete(this.supplies.keys().next().value!);
    this.supplies.set(key, plan);
  }

  /**
   * The version of a document in force in every period of a calendar (undefined where none is).
   * With a customer, a rate card's versions apply as their reach says (`cardForCustomer`).
   */
  resolveSeries<K extends Resolvable>(
    kind: K,
    id: string,
    pin: number | 'effective' | undefined,
    cal: Calendar,
    customer?: CustomerTerms,
  ): (DocOf<K> | undefined)[] {
    const byReach = kind === 'RateCard' && customer !== undefined && typeof pin !== 'number';
    // Nested by each part of the key (no key text to build: a run asks for a few series every time).
    let byKey = this.series.get(cal);
    if (!byKey) this.series.set(cal, (byKey = new Map() as Nested));
    // By reach, the pin (none or 'effective') does not matter, the customer does: when they joined (a date, never a pin), their billing.
    const series = within(within(within(byKey, kind), id), byReach ? customer.joined : pin);
    const key = byReach ? customer.billing : '';
    let s = series.get(key);
    if (!s) {
      s = [];
      for (let i = 0; i < cal.horizon; i++)
        s.push(byReach ? cardForCustomer(this.rules, id, cal.date(i), customer) : this.rules.resolve(kind, id, cal.date(i), pin)?.doc);
      series.set(key, s);
    }
    return s as (DocOf<K> | undefined)[];
  }

  /** The price of a request on a card, computed once. */
  async price(card: RateCard, request: QuoteRequest): Promise<Priced> {
    const known = this.pricedBefore(card, request);
    if (known) return known;
    const p = await compiledCard(card).price(request);
    this.prices.get(card)!.set(this.requestKeys.get(request)!, p);
    return p;
  }

  /** The price of a request on a card if it was computed before (no wait: a run's demand asks the same few prices in every period). */
  pricedBefore(card: RateCard, request: QuoteRequest): Priced | undefined {
    let byRequest = this.prices.get(card);
    if (!byRequest) this.prices.set(card, (byRequest = new Map<string, Priced>()));
    let key = this.requestKeys.get(request);
    if (key === undefined) this.requestKeys.set(request, (key = JSON.stringify(request)));
    return byRequest.get(key);
  }
}
