/**
 * The publish guardrail of a rate-card draft: its backtest on the loaded usage against the version in
 * force, and the limits of the card's `guardrail` it is over (docs/usage.md#publish-guardrail). The
 * version page shows it; the publish route refuses a draft over it without an approver's override.
 */
import { formatDiagnostic, todayUtc, type Guardrail, type RuleSet } from '@creditbook/engine';
import { backtest, guardrailBreaches, guardrailOf, type BacktestResult } from '@creditbook/usage';
import { usageEvents, withUsageDb } from './usage-db.ts';

export interface PublishGuardrail {
  card: string;
  version: number;
  /** The published version the draft is backtested against: the one in force today (else the latest published). */
  against: number;
  /** Events in the usage database (0: no usage loaded, nothing to backtest, nothing guarded). */
  usage_events: number;
  /** The limits the draft is judged by (the stricter of the draft's and the version in force's), null when neither has any. */
  guardrail: Guardrail | null;
  /** The draft's backtest against `against` over all loaded usage; null without usage or when it cannot run. */
  backtest: BacktestResult | null;
  /** Why the backtest could not run (`file:line:col: CODE message` or `CODE message`). */
  problems: string[];
  /** The limits the draft is over, in words (a backtest that cannot run is over a guardrail it cannot check). */
  breaches: string[];
  /** Whether publishing needs an approver's override with a reason. */
  needs_override: boolean;
}

/**
 * The guardrail check of a rate-card draft; undefined when the version is not a draft or no version was
 * published before it. `perCustomer` adds every customer's change to the backtest (for a histogram).
 */
export async function publishGuardrail(
  rules: RuleSet,
  id: string,
  version: number,
  options: { today?: string; perCustomer?: boolean } = {},
): Promise<PublishGuardrail | undefined> {
  const today = options.today ?? todayUtc();
  const draft = rules.get('RateCard', id, version);
  if (!draft || draft.doc.status !== 'draft') return undefined;
  const published = rules.versions('RateCard', id).filter((d) => d.doc.status === 'published' && d.doc.version !== version);
  const base = rules.inForce('RateCard', id, today) ?? published.at(-1);
  if (!base) return undefined;
  const guardrail = guardrailOf([base.doc, draft.doc]) ?? null;
  const events = await usageEvents();
  const out: PublishGuardrail = {
    card: id,
    version,
    against: base.doc.version,
    usage_events: events,
    guardrail,
    backtest: null,
    problems: [],
    breaches: [],
    needs_override: false,
  };
  if (events === 0) return out;
  const outcome = await withUsageDb((db) => backtest(db, rules, { card: id, from: base.doc.version, to: version, perCustomer: options.perCustomer === true }));
  if (outcome.ok) {
    out.backtest = outcome.result;
    if (guardrail) out.breaches = guardrailBreaches(guardrail, outcome.result).map((b) => b.text);
  } else {
    out.problems = outcome.errors.map((e) => formatDiagnostic(e));
    if (guardrail) out.breaches = [`the backtest could not run (${outcome.errors[0]!.code})`];
  }
  out.needs_override = out.breaches.length > 0;
  return out;
}
