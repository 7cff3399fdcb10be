import { books, diffCards, forecast, CreditbookError, type PriceChange, type RuleSet, type Scenario } from '@creditbook/engine';

/** A scenario's headline figures under one card version. */
export interface ImpactSide {
  version: number;
  demand: number;
  consumed: number;
  unmet: number;
  purchased: number;
  expired: number;
  spend: string;
  /** The books of the run (docs/books.md): revenue recognised over the horizon, and deferred revenue at its end. */
  revenue: string;
  deferred_closing: string;
  /** Demand lines the card could not price in some period (their credits are missing from demand). */
  unpriced: number;
}

/** What changing a card from version a to version b does to one reference scenario (base run, card pinned). */
export interface ScenarioImpact {
  scenario: string;
  title: string;
  pool: string;
  before: ImpactSide | null;
  after: ImpactSide | null;
  problem: string | null;
}

/** The diff of two versions of a rate card: every changed price cell, and the impact on the bundled scenarios. */
export interface CardDiff {
  card: string;
  a: number;
  b: number;
  changes: PriceChange[];
  impact: ScenarioImpact[];
}

async function side(rules: RuleSet, s: Scenario, cardId: string, version: number): Promise<ImpactSide> {
  const pinned: Scenario = { ...s, rules: { ...s.rules, pins: { ...(s.rules.pins ?? {}), [cardId]: version } } };
  const r = await forecast(rules, pinned, { variant: null });
  const t = r.totals;
  const unpriced = new Set(r.problems.filter((p) => p.code === 'C_DEMAND' || p.code === 'Q_DIMENSION').map((p) => p.path)).size;
  const booked = books(rules, r).totals;
  return { version, demand: t.demand, consumed: t.consumed, unmet: t.unmet, purchased: t.purchased, expired: t.expired, spend: t.spend, revenue: booked.revenue, deferred_closing: booked.deferred_closing, unpriced };
}

/** Diffs two versions of a card (drafts included); undefined when either version does not exist. */
export async function cardDiff(rules: RuleSet, cardId: string, a: number, b: number): Promise<CardDiff | undefined> {
  const da = rules.get('RateCard', cardId, a);
  const db = rules.get('RateCard', cardId, b);
  if (!da || !db) return undefined;
  const changes = await diffCards(da.doc, db.doc);
  const impact: ScenarioImpact[] = [];
  for (const id of rules.ids('Scenario').sort()) {
    const s = rules.latest('Scenario', id)!.doc;
    const pool = Object.entries(s.rules.cards).find(([, card]) => card === cardId)?.[0];
    if (pool === undefined) continue;
    try {
      impact.push({ scenario: id, title: s.title ?? id, pool, before: await side(rules, s, cardId, a), after: await side(rules, s, cardId, b), problem: null });
    } catch (e) {
      const problem = e instanceof CreditbookError ? e.message : String(e);
      impact.push({ scenario: id, title: s.title ?? id, pool, before: null, after: null, problem });
    }
  }
  return { card: cardId, a, b, changes, impact };
}
