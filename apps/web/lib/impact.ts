import {
  books,
  diffCards,
  diffFields,
  forecast,
  CreditbookError,
  type FieldChange,
  type Kind,
  type PriceChange,
  type RuleSet,
  type Scenario,
} from '@creditbook/engine';
import { usageReach, type UsageReach } from './change-reach.ts';
import { unpricedLines } from './runs.ts';

/** A scenario's headline figures under one version of the document. */
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
  /** Demand lines that could not be priced in some period (their credits are missing from demand): the run is invalid. */
  unpriced: number;
  /** The run's problems, as plain sentences. */
  problems: string[];
}

/** What changing a document from version a to version b does to one reference scenario (base run). */
export interface ScenarioImpact {
  scenario: string;
  title: string;
  /** How the scenario uses the document (the pool a card prices, "plan catalog", "validity policy", "itself"). */
  use: string;
  before: ImpactSide | null;
  after: ImpactSide | null;
  problem: string | null;
}

/** The diff of two versions of any document: changed prices (rate cards), every changed value, and the impact on the bundled scenarios. */
export interface DocumentDiff {
  kind: Kind;
  id: string;
  a: number;
  b: number;
  /** Changed price cells of a rate card's evaluated grid; null for other kinds. */
  changes: PriceChange[] | null;
  /** Every changed value of the document (prices, credits, validities, shares...). */
  fields: FieldChange[];
  impact: ScenarioImpact[];
  /** For a rate card with usage loaded: the share of customers and of volume the change reaches; null otherwise. */
  usage_reach: UsageReach | null;
}

async function side(rules: RuleSet, s: Scenario, version: number): Promise<ImpactSide> {
  const r = await forecast(rules, s, { variant: null });
  const t = r.totals;
  const booked = books(rules, r).totals;
  return {
    version,
    demand: t.demand,
    consumed: t.consumed,
    unmet: t.unmet,
    purchased: t.purchased,
    expired: t.expired,
    spend: t.spend,
    revenue: booked.revenue,
    deferred_closing: booked.deferred_closing,
    unpriced: unpricedLines(r.problems),
    problems: [...new Set(r.problems.map((p) => p.message))],
  };
}

const pin = (s: Scenario, id: string, version: number): Scenario => ({ ...s, rules: { ...s.rules, pins: { ...(s.rules.pins ?? {}), [id]: version } } });

/** The bundled scenarios a document touches, and how to run each under a given version of it. */
function users(rules: RuleSet, kind: Kind, id: string): { scenario: Scenario; use: string; at: (v: number) => Scenario | undefined }[] {
  const out: { scenario: Scenario; use: string; at: (v: number) => Scenario | undefined }[] = [];
  for (const sid of rules.ids('Scenario').sort()) {
    const s = rules.latest('Scenario', sid)!.doc;
    if (kind === 'Scenario') {
      if (sid === id) out.push({ scenario: s, use: 'itself', at: (v) => rules.get('Scenario', id, v)?.doc });
    } else if (kind === 'RateCard') {
      const pool = Object.entries(s.rules.cards).find(([, card]) => card === id)?.[0];
      if (pool !== undefined) out.push({ scenario: s, use: `${pool} pool`, at: (v) => pin(s, id, v) });
    } else if (kind === 'PlanCatalog' ? s.plan.catalog === id : s.rules.validity === id) {
      out.push({ scenario: s, use: kind === 'PlanCatalog' ? 'plan catalog' : 'validity policy', at: (v) => pin(s, id, v) });
    }
  }
  return out;
}

/** Diffs two versions of a document (drafts included); undefined when either version does not exist. */
export async function documentDiff(rules: RuleSet, kind: Kind, id: string, a: number, b: number): Promise<DocumentDiff | undefined> {
  const da = rules.get(kind, id, a);
  const db = rules.get(kind, id, b);
  if (!da || !db) return undefined;
  const changes = da.doc.kind === 'RateCard' && db.doc.kind === 'RateCard' ? await diffCards(da.doc, db.doc) : null;
  const impact: ScenarioImpact[] = [];
  for (const u of users(rules, kind, id)) {
    const title = u.scenario.title ?? u.scenario.id;
    try {
      const [sa, sb] = [u.at(a), u.at(b)];
      if (!sa || !sb) continue;
      impact.push({ scenario: u.scenario.id, title, use: u.use, before: await side(rules, sa, a), after: await side(rules, sb, b), problem: null });
    } catch (e) {
      const problem = e instanceof CreditbookError ? e.message : String(e);
      impact.push({ scenario: u.scenario.id, title, use: u.use, before: null, after: null, problem });
    }
  }
  const reach = kind === 'RateCard' ? ((await usageReach(rules, id, a, b)) ?? null) : null;
  return { kind, id, a, b, changes, fields: diffFields(da.doc, db.doc), impact, usage_reach: reach };
}
