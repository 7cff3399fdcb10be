import { CreditbookError, diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { Priced } from '../quote/card.ts';
import type { PlanCatalog, RateCard, ValidityPolicy } from '../rules/types.ts';
import type { PricingCache } from './cache.ts';
import { calendar, type Calendar } from './calendar.ts';
import { demandStreams, overShared } from './demand.ts';
import { runProblem, type ProblemContext } from './problems.ts';
import type { DemandRow, VersionUse } from './types.ts';
import type { EffectiveScenario } from './variant.ts';

/** Everything a run needs before its lots: calendar, rule versions per period, priced demand. */
export interface PreparedRun {
  readonly eff: EffectiveScenario;
  readonly cal: Calendar;
  readonly currency: string;
  /** The catalog and the validity policy in force in each period. */
  readonly catalogs: readonly PlanCatalog[];
  readonly policies: readonly ValidityPolicy[];
  /** Pools in report order: the card pools first, in the scenario's order. */
  readonly cardPools: readonly string[];
  /** Demand credits per pool and period. */
  readonly demand: ReadonlyMap<string, number[]>;
  /** Output seconds demanded per pool and period (count × duration_s). */
  readonly seconds: ReadonlyMap<string, number[]>;
  /** The priced demand lines (only when asked for detail). */
  readonly demandRows: DemandRow[];
  readonly problems: Diagnostic[];
  readonly uses: Map<string, VersionUse>;
}

function misuse(detail: string): CreditbookError {
  return new CreditbookError([diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail })]);
}

/** The key of a document version's use, made once per document (a run asks it for every period). */
const useKeys = new WeakMap<object, { kind: string; key: string }>();
function useKey(kind: string, doc: { id: string; version: number }): string {
  const known = useKeys.get(doc);
  if (known?.kind === kind) return known.key;
  const key = `${kind}/${doc.id}/${doc.version}`;
  useKeys.set(doc, { kind, key });
  return key;
}

/** Notes that a document version is used in period i (its use runs from its first period to its last). */
function noteUse(uses: Map<string, VersionUse>, cal: Calendar, kind: string, doc: { id: string; version: number; effective_from: string }, i: number): void {
  const key = useKey(kind, doc);
  const u = uses.get(key);
  if (u) u.to = cal.label(i);
  else uses.set(key, { kind, id: doc.id, version: doc.version, effective_from: doc.effective_from, from: cal.label(i), to: cal.label(i) });
}

/**
 * Resolves the documents of every period and prices the demand of a run. When every price it needs
 * is known to the cache it returns at once (a sweep's runs after the first); otherwise it computes the
 * prices it lacks and prepares the run again.
 */
export function prepareRun(cache: PricingCache, eff: EffectiveScenario, ctx: ProblemContext, detail: boolean): PreparedRun | Promise<PreparedRun> {
  const s = eff.scenario;
  const cal = calendar(s.start, s.horizon, s.granularity ?? 'month');
  const H = cal.horizon;
  const pins = eff.rules.pins ?? {};
  const problems: Diagnostic[] = [];
  const uses = new Map<string, VersionUse>();

  const catalogSeries = cache.resolveSeries('PlanCatalog', eff.plan.catalog, pins[eff.plan.catalog], cal);
  const policySeries = cache.resolveSeries('ValidityPolicy', eff.rules.validity, pins[eff.rules.validity], cal);
  for (let i = 0; i < H; i++) {
    const cat = catalogSeries[i];
    if (!cat) throw misuse(`PlanCatalog '${eff.plan.catalog}' has no published version in force on ${cal.date(i)}`);
    const pol = policySeries[i];
    if (!pol) throw misuse(`ValidityPolicy '${eff.rules.validity}' has no published version in force on ${cal.date(i)}`);
    if (detail) {
      noteUse(uses, cal, 'PlanCatalog', cat, i);
      noteUse(uses, cal, 'ValidityPolicy', pol, i);
    }
  }
  const catalogs = catalogSeries as PlanCatalog[];
  const policies = policySeries as ValidityPolicy[];
  const currency = catalogs[0]!.currency;
  // Amounts are the catalog's: a scenario in another currency would relabel them, not convert them.
  if (s.currency !== undefined && s.currency !== currency) {
    problems.push(runProblem(ctx, 'C_CURRENCY', `${s.id} is in ${s.currency}, ${catalogs[0]!.id} v${catalogs[0]!.version} in ${currency}`, ['currency']));
  }
  for (const o of overShared(eff.demand, eff.migrations)) {
    const line = eff.demand[o.line]!;
    const path =
      ctx.variantIndex === undefined ? ['demand', o.line] : ['variants', ctx.variantIndex, 'migrate', o.migrations[o.migrations.length - 1]!, 'share'];
    problems.push(runProblem(ctx, 'C_SHARE', `'${line.id}': ${o.total} (migrations ${o.migrations.map((k) => k + 1).join(', ')})`, path));
  }

  const cardPools = Object.keys(eff.rules.cards);
  const streams = demandStreams(eff.demand, cal, cardPools[0] ?? 'consumer', eff.demandScale, eff.migrations);
  const demand = new Map<string, number[]>();
  const seconds = new Map<string, number[]>();
  const demandRows: DemandRow[] = [];
  /** Prices not known yet, being computed. */
  const lacking: Promise<Priced>[] = [];
  streams: for (const st of streams) {
    const cardId = eff.rules.cards[st.pool];
    let credits = demand.get(st.pool);
    if (!credits) demand.set(st.pool, (credits = new Array<number>(H).fill(0)));
    let secs = seconds.get(st.pool);
    if (!secs) seconds.set(st.pool, (secs = new Array<number>(H).fill(0)));
    // The scenario is one customer joining at its start: a card version reaches them as its `reach` says.
    const cards = cardId ? cache.resolveSeries('RateCard', cardId, pins[cardId], cal, { joined: cal.date(0), billing: eff.plan.billing ?? 'monthly' }) : [];
    const linePath = ['demand', st.line];
    let lastCard: RateCard | undefined;
    let p: Priced | undefined;
    /** Output seconds of one generation at the price p. */
    let perUnit = 0;
    for (let i = 0; i < H; i++) {
      const count = st.counts[i] ?? 0;
      if (count === 0) continue;
      if (!cardId) {
        problems.push(runProblem(ctx, 'C_DEMAND', `${st.id}: no rate card for pool '${st.pool}'`, linePath, { period: cal.label(i) }));
        continue;
      }
      const card = cards[i];
      if (!card) {
        problems.push(
          runProblem(ctx, 'C_DEMAND', `${st.id}: RateCard '${cardId}' has no published version in force on ${cal.date(i)}`, linePath, { period: cal.label(i) }),
        );
        continue;
      }
      if (detail) noteUse(uses, cal, 'RateCard', card, i);
      if (card !== lastCard) {
        p = cache.pricedBefore(card, st.request);
        if (!p) {
          lacking.push(cache.price(card, st.request));
          continue streams;
        }
        lastCard = card;
        const dur = p.ok ? Number(p.request['duration_s']) : NaN;
        perUnit = Number.isFinite(dur) ? dur : 0;
      }
      if (!p!.ok) {
        const path = st.migration === undefined || ctx.variantIndex === undefined ? linePath : ['variants', ctx.variantIndex, 'migrate', st.migration];
        problems.push(runProblem(ctx, 'C_DEMAND', `${st.id}: ${card.id} v${card.version}: ${p!.code} ${p!.detail}`, path, { period: cal.label(i) }));
        continue;
      }
      const ok = p as Extract<Priced, { ok: true }>;
      credits[i]! += count * ok.credits;
      const lineSeconds = count * perUnit;
      secs[i]! += lineSeconds;
      if (detail) {
        demandRows.push({
          period: cal.label(i),
          line: st.id,
          pool: st.pool,
          request: ok.request,
          count,
          credits_per_unit: ok.credits,
          credits: count * ok.credits,
          card: { id: card.id, version: card.version },
          seconds: lineSeconds,
        });
      }
    }
  }
  if (lacking.length > 0) return Promise.all(lacking).then(() => prepareRun(cache, eff, ctx, detail));
  return { eff, cal, currency, catalogs, policies, cardPools, demand, seconds, demandRows, problems, uses };
}
