import { CreditbookError, diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { BurnKey, LotSource, Money, Pack, PlanCatalog, SourcePolicy, Subscription, Validity, ValidityPolicy } from '../rules/types.ts';
import { DEFAULT_BURN_ORDER } from './burn-order.ts';
import { money, ZERO } from './money.ts';
import {
  NEVER,
  type AutoTopUp,
  type LedgerPlan,
  type LotCategory,
  type MoneyAmount,
  type Payment,
  type PlanInput,
  type PlannedLot,
  type Quantity,
} from './plan.ts';
import type { PreparedRun } from './prepare.ts';
import { fieldPath, runProblem, type ProblemContext } from './problems.ts';

function misuse(detail: string): CreditbookError {
  return new CreditbookError([diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail })]);
}

const CATEGORY: Record<LotSource, LotCategory> = {
  subscription: 'subscription',
  top_up: 'purchase',
  api_package: 'purchase',
  custom_package: 'purchase',
  promotional: 'free',
  daily_free: 'free',
};

/** The lot source of each pack of a catalog (top-up, API package or custom package). */
function packSources(cat: PlanCatalog): Map<string, { pack: Pack; source: LotSource }> {
  const out = new Map<string, { pack: Pack; source: LotSource }>();
  const lists: [Pack[] | undefined, LotSource][] = [
    [cat.top_ups, 'top_up'],
    [cat.api_packages, 'api_package'],
    [cat.custom_packages, 'custom_package'],
  ];
  for (const [list, source] of lists) for (const pack of list ?? []) if (!out.has(pack.id)) out.set(pack.id, { pack, source });
  return out;
}

/** The policy of a lot source; a source the policy does not name never expires and burns last. */
function sourcePolicy(pol: ValidityPolicy, src: LotSource): SourcePolicy {
  return pol.sources[src] ?? { priority: 99 };
}

/**
 * Creates every lot a run can have, in the order the ledger creates them: per period the
 * subscription's lot, daily free credits, promotional grants and scheduled purchases, then (per
 * pool) the auto top-up that a shortfall would buy. Validity and priority come from the policy in
 * force when the lot is granted; a lot's price is what was paid for it, when it was paid.
 */
export function planLots(p: PreparedRun, ctx: ProblemContext): LedgerPlan {
  const { eff, cal, catalogs, policies } = p;
  const H = cal.horizon;
  const problems: Diagnostic[] = [...p.problems];
  const tierId = eff.plan.subscription;
  const billing = eff.plan.billing ?? 'monthly';
  const pools: string[] = [...p.cardPools];
  const addPool = (pool: string) => {
    if (!pools.includes(pool)) pools.push(pool);
  };

  // Inputs: one per document version and field; labels name the version when a run uses several.
  const inputs = new Map<string, PlanInput>();
  const catalogVersions = new Set(catalogs.map((c) => c.version)).size;
  const policyVersions = new Set(policies.map((c) => c.version)).size;
  const input = (key: string, label: string, value: number, fmt: PlanInput['fmt'], name: string[], version: number, several: boolean): string => {
    const k = `${key}@${version}`;
    if (!inputs.has(k)) {
      inputs.set(k, several ? { key: k, label: `${label} (v${version})`, value, fmt, name: [...name, `v${version}`] } : { key: k, label, value, fmt, name });
    }
    return k;
  };
  const catInput = (cat: PlanCatalog, key: string, label: string, value: number, fmt: PlanInput['fmt'], name: string[]) =>
    input(key, label, value, fmt, name, cat.version, catalogVersions > 1);
  const qty = (key: string, times = 1): Quantity => ({ value: inputs.get(key)!.value * times, input: key, times });
  // Amounts of the same input recur every period: each distinct one is computed once per run.
  const amounts = new Map<string, MoneyAmount>();
  const moneyOf = (key: string, price: Money, times = 1, per = 1): MoneyAmount => {
    const k = `${key}\u0000${times}\u0000${per}`;
    let m = amounts.get(k);
    if (!m) {
      const v = money(price);
      amounts.set(k, (m = { value: times === 1 && per === 1 ? v : v.times(times).div(per), input: key, times, per }));
    }
    return m;
  };

  const unit = cal.granularity === 'day' ? 'days' : 'months';
  /** A lot's validity in periods: an input when it is the same for every lot of its kind (always, on a monthly calendar). */
  const validityOf = (pol: ValidityPolicy, v: Validity | undefined, granted: number, key: string, label: string): Quantity | undefined => {
    if (!v) return undefined;
    const periods = cal.validPeriods(v, granted);
    if (cal.granularity === 'day' && v.days === undefined) return { value: periods };
    const k = input(`validity:${key}`, `Validity of ${label} (${unit})`, periods, 'integer', ['validity', ...key.split(':')], pol.version, policyVersions > 1);
    return inputs.get(k)!.value === periods ? qty(k) : { value: periods };
  };
  const priorityOf = (pol: ValidityPolicy, src: LotSource): Quantity =>
    qty(
      input(
        `priority:${src}`,
        `Burn priority of ${src.replace('_', ' ')} credits (lower burns first)`,
        sourcePolicy(pol, src).priority,
        'integer',
        ['priority', src],
        pol.version,
        policyVersions > 1,
      ),
    );

  const lots: PlannedLot[] = [];
  const payments: Payment[] = [];
  const lot = (
    i: number,
    pool: string,
    source: LotSource,
    ref: string,
    amount: Quantity,
    price: MoneyAmount,
    validity: Quantity | undefined,
    auto?: AutoTopUp,
  ) => {
    addPool(pool);
    const pol = policies[i]!;
    lots.push({
      seq: lots.length + 1,
      pool,
      source,
      category: CATEGORY[source],
      ref,
      granted: i,
      validity,
      lastValid: validity ? i + validity.value - 1 : NEVER,
      priority: priorityOf(pol, source),
      amount,
      price,
      ...(auto ? { auto } : {}),
    });
  };
  const packValidity = (i: number, src: LotSource, pack: Pack): Quantity | undefined => {
    const pol = policies[i]!;
    const sp = sourcePolicy(pol, src);
    const own = sp.per_package && pack.validity !== undefined;
    const v = own ? pack.validity : (sp.validity ?? pack.validity);
    const key = own || sp.validity === undefined ? `${src}:${pack.id}` : src;
    const label = own || sp.validity === undefined ? `pack ${pack.id}` : `${src.replace('_', ' ')} credits`;
    return validityOf(pol, v, i, key, label);
  };
  const packInputs = (cat: PlanCatalog, pack: Pack) => ({
    credits: catInput(cat, `pack:${pack.id}:credits`, `Pack ${pack.id}: credits`, pack.credits, 'credits', ['pack', pack.id, 'credits']),
    price: catInput(cat, `pack:${pack.id}:price`, `Pack ${pack.id}: price`, Number(pack.price), 'money', ['pack', pack.id, 'price']),
  });
  const eligible = (pack: Pack) => !pack.eligible_tiers || (tierId !== undefined && pack.eligible_tiers.includes(tierId));

  const planPath = fieldPath(ctx, 'plan');
  const purchasesPath = fieldPath(ctx, 'purchases');
  const scheduled = eff.purchases.policy === 'scheduled' || eff.purchases.policy === 'auto' ? (eff.purchases.scheduled ?? []) : [];
  const scheduledAt = scheduled.map((sp) => cal.index(sp.period));
  const grantAt = eff.grants.map((g) => cal.index(g.period));
  const autoTopUp = eff.purchases.policy === 'auto' ? { value: 1, input: 'auto_topup', times: 1 } : undefined;
  if (autoTopUp)
    inputs.set('auto_topup', { key: 'auto_topup', label: 'Auto top-up on shortfall (1 = on, 0 = off)', value: 1, fmt: 'integer', name: ['auto_topup'] });

  let billed = 0;
  let yearPaid: MoneyAmount | undefined;
  let yearLot: { from: MoneyAmount; price: MoneyAmount } | undefined;
  let warnedYear = false;
  let tierCat: PlanCatalog | undefined;
  let tier: Subscription | undefined;
  let packs = new Map<string, { pack: Pack; source: LotSource }>();
  for (let i = 0; i < H; i++) {
    const cat = catalogs[i]!;
    const pol = policies[i]!;
    if (cat !== tierCat) {
      tierCat = cat;
      packs = packSources(cat);
      tier = tierId === undefined ? undefined : (cat.subscriptions ?? []).find((t) => t.id === tierId);
      if (tierId !== undefined && !tier) throw misuse(`subscription '${tierId}' is not in ${cat.id} v${cat.version}`);
    }
    // 1. The subscription bills and grants; daily free credits, grants and scheduled purchases.
    if (tier && cal.billingPeriod(i)) {
      let price: MoneyAmount;
      if (billing === 'annual') {
        if (billed % 12 === 0) {
          // A year is paid at its first billing, at the catalog in force then; its twelve lots share that price.
          if (tier.price_year !== undefined) {
            yearPaid = moneyOf(
              catInput(cat, `price_year:${tier.id}`, 'Subscription price per year', Number(tier.price_year), 'money', ['price_year']),
              tier.price_year,
            );
          } else {
            yearPaid = moneyOf(
              catInput(cat, `price_month:${tier.id}`, 'Subscription price per month', Number(tier.price_month), 'money', ['price_month']),
              tier.price_month,
              12,
            );
            if (!warnedYear) {
              problems.push(
                runProblem(
                  ctx,
                  'C_DEFAULT',
                  `${tier.id} has no price_year in ${cat.id} v${cat.version}; annual billing charges 12 × price_month`,
                  [...planPath, 'billing'],
                  { period: cal.label(i), severity: 'warning' },
                ),
              );
              warnedYear = true;
            }
          }
          payments.push({ period: i, pool: tier.pool, ref: tier.id, amount: yearPaid });
        }
        if (!yearLot || yearLot.from !== yearPaid) {
          const y = yearPaid!;
          yearLot = { from: y, price: { value: y.value.div(12), input: y.input!, times: y.times ?? 1, per: (y.per ?? 1) * 12 } };
        }
        price = yearLot.price;
      } else {
        price = moneyOf(
          catInput(cat, `price_month:${tier.id}`, 'Subscription price per month', Number(tier.price_month), 'money', ['price_month']),
          tier.price_month,
        );
        payments.push({ period: i, pool: tier.pool, ref: tier.id, amount: price });
      }
      billed++;
      if (tier.credits_per_month > 0) {
        const credits = qty(
          catInput(cat, `credits_per_month:${tier.id}`, 'Subscription credits per month', tier.credits_per_month, 'credits', ['credits_per_month']),
        );
        lot(
          i,
          tier.pool,
          'subscription',
          tier.id,
          credits,
          price,
          validityOf(pol, sourcePolicy(pol, 'subscription').validity, i, 'subscription', 'subscription credits'),
        );
      }
    }
    const free = cat.daily_free;
    const freeApplies = free && (eff.plan.daily_free ?? (tierId !== undefined && free.tiers.includes(tierId)));
    if (free && freeApplies && free.credits_per_day > 0) {
      const perDay = catInput(cat, 'daily_free', 'Daily free credits per day', free.credits_per_day, 'credits', ['daily_free']);
      const v = sourcePolicy(pol, 'daily_free').validity ?? { days: 1 };
      lot(i, free.pool, 'daily_free', 'daily_free', qty(perDay, cal.days(i)), { value: ZERO }, validityOf(pol, v, i, 'daily_free', 'daily free credits'));
    }
    for (let j = 0; j < eff.grants.length; j++) {
      const g = eff.grants[j]!;
      if (g.credits === 0 || grantAt[j] !== i) continue;
      inputs.set(`grant:${j}`, {
        key: `grant:${j}`,
        label: `Promotional grant ${j + 1}: ${g.period}, ${g.pool} (credits)`,
        value: g.credits,
        fmt: 'credits',
        name: ['grant', String(j + 1)],
      });
      lot(
        i,
        g.pool,
        'promotional',
        'promotional',
        qty(`grant:${j}`),
        { value: ZERO },
        validityOf(pol, sourcePolicy(pol, 'promotional').validity, i, 'promotional', 'promotional credits'),
      );
    }
    for (let j = 0; j < scheduled.length; j++) {
      const sp = scheduled[j]!;
      const first = scheduledAt[j]!;
      const due = sp.every ? i >= first && (i - first) % sp.every === 0 : i === first;
      if (!due) continue;
      const found = packs.get(sp.pack);
      if (!found) throw misuse(`pack '${sp.pack}' is not in ${cat.id} v${cat.version}`);
      const { pack, source } = found;
      if (!eligible(pack)) {
        problems.push(
          runProblem(ctx, 'C_PURCHASE', `${pack.id} is not available to tier '${tierId ?? 'none'}'`, [...purchasesPath, 'scheduled', j], {
            period: cal.label(i),
          }),
        );
        continue;
      }
      const q = sp.quantity ?? 1;
      const ins = packInputs(cat, pack);
      lot(i, pack.pool, source, pack.id, qty(ins.credits, q), moneyOf(ins.price, pack.price, q), packValidity(i, source, pack));
    }
    if (i === 0) for (const pool of p.demand.keys()) addPool(pool);
    // 4. The auto top-up each pool may need (bought only on a shortfall).
    if (autoTopUp) {
      for (const pool of [...pools]) {
        const packId = eff.purchases.packs?.[pool] ?? eff.purchases.pack;
        const found = packId === undefined ? undefined : packs.get(packId);
        if (!found || found.pack.pool !== pool) continue;
        const { pack, source } = found;
        const ins = packInputs(cat, pack);
        const auto: AutoTopUp = { pack: pack.id, credits: qty(ins.credits), price: moneyOf(ins.price, pack.price), eligible: eligible(pack) };
        lot(i, pool, source, pack.id, { value: 0 }, { value: ZERO }, packValidity(i, source, pack), auto);
      }
    }
  }
  const burnOrder: (readonly BurnKey[])[] = policies.map((pol) => pol.burn_order ?? DEFAULT_BURN_ORDER);
  return {
    run: ctx.run,
    eff,
    cal,
    currency: p.currency,
    pools,
    inputs,
    lots,
    payments,
    demand: p.demand,
    seconds: p.seconds,
    demandRows: p.demandRows,
    burnOrder,
    autoTopUp,
    problems,
    uses: p.uses,
    plan: { catalog: eff.plan.catalog, subscription: tierId ?? null, billing },
    context: ctx,
  };
}
